#include "engine/storage/journal_codec.h"

#include <cstring>

#include "engine/core/assert.h"

namespace yl::storage {
namespace {

constexpr unsigned char kDebit = 0x01;
constexpr unsigned char kUsdb = 0x02;
constexpr unsigned char kPair = 0x04;  // schema 7: a debit and a credit of one amount

void append_varint(std::string& out, std::uint32_t v) {  // unsigned LEB128
  for (;; v >>= 7) {
    if (v < 0x80) {
      out += static_cast<char>(v);
      return;
    }
    out += static_cast<char>((v & 0x7F) | 0x80);
  }
}

// The length byte, then the amount big-endian with no leading zero byte: the limbs from the
// highest nonzero one down, byte-swapped.
void append_amount(std::string& out, const Amount& amount) {
  YL_ASSERT(!amount.is_zero());
  const Amount::Limbs& limbs = amount.limbs();
  std::size_t top = 3;
  while (top > 0 && limbs[top] == 0) --top;  // amount > 0: limbs[top] is not 0
  unsigned char bytes[32];
  for (std::size_t i = 0; i <= top; ++i) {
    const std::uint64_t be = __builtin_bswap64(limbs[top - i]);
    std::memcpy(bytes + 8 * i, &be, 8);
  }
  const auto skip = static_cast<std::size_t>(__builtin_clzll(limbs[top]) / 8);
  const std::size_t length = 8 * (top + 1) - skip;
  out += static_cast<char>(length);
  out.append(reinterpret_cast<const char*>(bytes + skip), length);
}

// A posting to encode: its account already numbered.
struct Numbered {
  std::uint32_t account;
  Asset asset;
  bool debit;
  Memo memo;
  const Amount* amount;
};

bool pairs(const Numbered& a, const Numbered& b) {
  return a.debit != b.debit && a.asset == b.asset && a.memo == b.memo && *a.amount == *b.amount;
}

// `second`: the account of the opposite posting when `first` opens a pair (kPair).
void append_record(std::string& out, const Numbered& first, const Numbered* second) {
  YL_ASSERT(first.account > 0 && (second == nullptr || second->account > 0));
  out += static_cast<char>((first.debit ? kDebit : 0) | (first.asset == Asset::usdb ? kUsdb : 0) |
                           (second != nullptr ? kPair : 0));
  out += static_cast<char>(static_cast<std::uint8_t>(first.memo));
  append_varint(out, first.account);
  if (second != nullptr) append_varint(out, second->account);
  append_amount(out, *first.amount);
}

// Writes a row's postings in order, left to right: a posting and the next one form one pair
// record when they are a debit and a credit (either first) of the same asset, memo and amount;
// a posting already in a pair is not paired again (schema/0007_paired_postings.sql).
class RowWriter {
 public:
  explicit RowWriter(std::string& out) : out_(out) {}
  void add(const Numbered& posting) {
    if (!held_) {
      held_ = posting;
    } else if (pairs(*held_, posting)) {
      append_record(out_, *held_, &posting);
      held_.reset();
    } else {
      append_record(out_, *held_, nullptr);
      held_ = posting;
    }
  }
  void finish() {
    if (held_) append_record(out_, *held_, nullptr);
    held_.reset();
  }

 private:
  std::string& out_;
  std::optional<Numbered> held_;
};

}  // namespace

JournalNames::JournalNames(std::vector<std::string> stored) {
  for (std::string& name : stored) {
    const auto [it, inserted] = by_name_.emplace(std::move(name), ++count_);
    YL_ASSERT(inserted);  // journal_accounts.name is UNIQUE
  }
}

std::uint32_t JournalNames::number(std::string name) {
  added_.push_back(std::move(name));
  return ++count_;
}

std::uint32_t JournalNames::id_of(std::string_view name) {
  const auto [it, inserted] = by_name_.emplace(std::string(name), 0);
  if (inserted) it->second = number(std::string(name));
  return it->second;
}

std::uint32_t JournalNames::id_of_new(std::string name) {
  // Names numbered here are distinct by construction (one per account id or key), so only the
  // names a ledger already held need a lookup by text: a run's names are not kept twice.
  const auto it = by_name_.find(name);
  return it != by_name_.end() ? it->second : number(std::move(name));
}

std::uint32_t JournalNames::id_of(const Ledger& ledger, const Posting& p) {
  // The caches first: a name is built only the first time it is seen.
  if (names_account(p.account)) {
    if (p.index >= by_account_.size()) by_account_.resize(p.index + 1, 0);
    std::uint32_t& id = by_account_[p.index];
    if (id == 0) id = id_of_new(book_account_name(ledger, p));
    return id;
  }
  const auto kind = static_cast<std::size_t>(p.account);
  YL_ASSERT(kind < kBookAccountCount);
  std::uint32_t* id = nullptr;
  if (names_source(p.account)) {
    std::vector<std::uint32_t>& ids = by_source_[kind];
    if (p.index >= ids.size()) ids.resize(p.index + 1, 0);
    id = &ids[p.index];
  } else {
    id = &by_asset_[kind][index_of(p.asset)];
  }
  if (*id == 0) *id = id_of_new(book_account_name(ledger, p));
  return *id;
}

JournalNames::Added JournalNames::take_added() {
  Added added{count_ - static_cast<std::uint32_t>(added_.size()) + 1, std::move(added_)};
  added_.clear();
  return added;
}

void store_added_names(JournalNames& names, Statement& insert_journal_account,
                       WriteBehind& writes) {
  const JournalNames::Added added = names.take_added();
  for (std::size_t i = 0; i < added.names.size(); ++i) {
    writes.begin(insert_journal_account)
        .integer(static_cast<std::int64_t>(added.first + i))
        .text(added.names[i])
        .end();
  }
}

void encode_postings(std::string& out, const Ledger& ledger, std::span<const JournalEntry> entries,
                     JournalNames& names) {
  const std::vector<Posting>& postings = ledger.journal().postings();
  RowWriter row(out);
  for (const JournalEntry& entry : entries) {
    for (std::size_t i = entry.first; i < entry.first + entry.count; ++i) {
      const Posting& p = postings[i];
      row.add({names.id_of(ledger, p), p.asset, p.debit, p.memo, &p.amount});
    }
  }
  row.finish();
}

void encode_decoded(std::string& out, std::span<const DecodedPosting> postings) {
  RowWriter row(out);
  for (const DecodedPosting& p : postings) {
    row.add({p.account, p.asset, p.debit, p.memo, &p.amount});
  }
  row.finish();
}

bool encode_stored_posting(std::string& out, const StoredPosting& posting, JournalNames& names) {
  const auto memo = parse_memo(posting.memo);
  if (!memo || posting.amount.is_zero() || posting.account.empty()) return false;
  append_record(
      out, {names.id_of(posting.account), posting.asset, posting.debit, *memo, &posting.amount},
      nullptr);
  return true;
}

std::optional<std::vector<DecodedPosting>> decode_postings(std::string_view blob) {
  std::vector<DecodedPosting> postings;
  std::size_t pos = 0;
  auto byte = [&](unsigned char& b) {
    if (pos >= blob.size()) return false;
    b = static_cast<unsigned char>(blob[pos++]);
    return true;
  };
  auto account = [&](std::uint32_t& id) {
    std::uint64_t value = 0;
    unsigned char b = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 28 || !byte(b)) return false;
      value |= std::uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) return false;  // a redundant last group
        break;
      }
    }
    if (value == 0 || value > 0xFFFFFFFFu) return false;
    id = static_cast<std::uint32_t>(value);
    return true;
  };
  while (pos < blob.size()) {
    DecodedPosting p;
    std::uint32_t second = 0;
    unsigned char flags = 0, memo = 0, length = 0;
    if (!byte(flags) || (flags & ~(kDebit | kUsdb | kPair)) != 0) return std::nullopt;
    if (!byte(memo) || memo >= kMemoCount) return std::nullopt;
    if (!account(p.account)) return std::nullopt;
    if ((flags & kPair) != 0 && !account(second)) return std::nullopt;
    if (!byte(length) || length == 0 || length > 32 || blob.size() - pos < length) {
      return std::nullopt;
    }
    if (blob[pos] == 0) return std::nullopt;  // a leading zero byte: not canonical
    Amount::Limbs limbs{0, 0, 0, 0};
    for (unsigned i = 0; i < length; ++i) {
      const unsigned from_low = length - 1 - i;  // byte i is the most significant first
      limbs[from_low / 8] |= std::uint64_t{static_cast<unsigned char>(blob[pos + i])}
                             << (8 * (from_low % 8));
    }
    pos += length;
    p.asset = (flags & kUsdb) != 0 ? Asset::usdb : Asset::eth;
    p.debit = (flags & kDebit) != 0;
    p.amount = Amount::from_limbs(limbs);
    p.memo = static_cast<Memo>(memo);
    postings.push_back(p);
    if (second != 0) {  // the pair's other half: the opposite side, the same everything else
      p.account = second;
      p.debit = !p.debit;
      postings.push_back(p);
    }
  }
  return postings;
}

std::optional<std::vector<StoredPosting>> read_postings(std::string_view blob,
                                                        const std::vector<std::string>& names) {
  const auto decoded = decode_postings(blob);
  if (!decoded) return std::nullopt;
  std::vector<StoredPosting> postings;
  postings.reserve(decoded->size());
  for (const DecodedPosting& p : *decoded) {
    if (p.account > names.size()) return std::nullopt;
    postings.push_back(StoredPosting{names[p.account - 1], p.asset, p.debit, p.amount,
                                     std::string(memo_name(p.memo))});
  }
  return postings;
}

std::optional<std::vector<StoredPosting>> parse_json_postings(const std::string& text) {
  std::vector<StoredPosting> postings;
  std::size_t pos = 0;
  auto take = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  auto string_field = [&](std::string& out) {
    if (!take('"')) return false;
    const std::size_t end = text.find('"', pos);
    if (end == std::string::npos) return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  if (!take('[')) return std::nullopt;
  while (pos < text.size() && text[pos] != ']') {
    if (!postings.empty() && !take(',')) return std::nullopt;
    std::string account, asset, side, wei, memo;
    if (!take('[') || !string_field(account) || !take(',') || !string_field(asset) || !take(',') ||
        !string_field(side) || !take(',') || !string_field(wei) || !take(',') ||
        !string_field(memo) || !take(']')) {
      return std::nullopt;
    }
    const auto parsed_asset = parse_asset(asset);
    const auto amount = Amount::parse_wei(wei);
    if (!parsed_asset || (side != "D" && side != "C") || !amount) return std::nullopt;
    postings.push_back(StoredPosting{account, *parsed_asset, side == "D", *amount, memo});
  }
  if (!take(']') || pos != text.size()) return std::nullopt;
  return postings;
}

}  // namespace yl::storage
