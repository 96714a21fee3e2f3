// The stored form of the journal (schema/0005_binary_journal.sql, with schema 7's pairs,
// schema/0007_paired_postings.sql): a row's postings in one BLOB, the chart's account names
// numbered once in `journal_accounts`. This file writes and reads that format, and reads the JSON
// rows of schemas 2-4 once, to convert them (migrations.cc).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/journal.h"
#include "engine/core/ledger.h"
#include "engine/storage/database.h"
#include "engine/storage/write_behind.h"

namespace yl::storage {

// The names of the chart's accounts as `journal_accounts` numbers them: 1, 2, ... in the order
// of first use. A replay of the same events numbers them the same way.
class JournalNames {
 public:
  // `stored`: the names a ledger already holds, id i + 1 at [i] (empty for a new ledger).
  explicit JournalNames(std::vector<std::string> stored = {});

  // The id of a posting's account (its name built from `ledger`), numbered when new.
  std::uint32_t id_of(const Ledger& ledger, const Posting& posting);
  // The id of a name, numbered when new (the conversion of JSON rows). Not to be mixed with the
  // other id_of on one JournalNames.
  std::uint32_t id_of(std::string_view name);

  // The names numbered since the last call, in id order, starting at id `first`.
  struct Added {
    std::uint32_t first = 0;
    std::vector<std::string> names;
  };
  Added take_added();

 private:
  std::uint32_t number(std::string name);
  std::uint32_t id_of_new(std::string name);

  std::uint32_t count_ = 0;
  std::unordered_map<std::string, std::uint32_t> by_name_;  // stored names, and id_of(name)'s
  // The ids already known, without hashing (0: none yet): l2:account:X by AccountId; a source's
  // accounts by kind and source index; the pooled accounts by kind and asset.
  std::vector<std::uint32_t> by_account_;
  std::array<std::vector<std::uint32_t>, kBookAccountCount> by_source_;
  std::array<std::array<std::uint32_t, 2>, kBookAccountCount> by_asset_{};
  std::vector<std::string> added_;
};

// journal_accounts' insert, and the one place that runs it: stores the names `names` numbered
// since the last call (take_added), each with its id, through `writes` (at once, unless started).
inline constexpr std::string_view kInsertJournalAccount =
    "INSERT INTO journal_accounts (id, name) VALUES (?1, ?2)";
void store_added_names(JournalNames& names, Statement& insert_journal_account, WriteBehind& writes);

// Appends the postings of `entries` (consecutive entries of `ledger.journal()`, one stored row)
// to `out` in the stored format, pairs paired, numbering new account names in `names`.
void encode_postings(std::string& out, const Ledger& ledger, std::span<const JournalEntry> entries,
                     JournalNames& names);

// A posting as stored, decoded without the engine's help.
struct DecodedPosting {
  std::uint32_t account = 0;  // journal_accounts.id
  Asset asset = Asset::eth;
  bool debit = false;
  Amount amount;
  Memo memo = Memo::deposit;
  friend bool operator==(const DecodedPosting&, const DecodedPosting&) = default;
};
// Decodes a stored row, a pair as its two postings. Returns nullopt when any byte is outside the
// format (a flag bit, a memo code, a varint, a length, a leading zero byte, a zero amount, a
// truncated posting).
std::optional<std::vector<DecodedPosting>> decode_postings(std::string_view blob);
// Appends decoded postings to `out` in the stored format, pairs paired: a row of schema 5's form
// written again as a schema 7 ledger writes it (migrations.cc).
void encode_decoded(std::string& out, std::span<const DecodedPosting> postings);

// A posting with its names, as readers show it.
struct StoredPosting {
  std::string account;  // e.g. "l2:pending:ETH"
  Asset asset;
  bool debit;
  Amount amount;
  std::string memo;  // why: "accrual", "fee", ... (journal.h Memo)
};
// Decodes a stored row and names its accounts (`names[id - 1]`). Returns nullopt when the row is
// outside the format or names an account id that `names` does not hold.
std::optional<std::vector<StoredPosting>> read_postings(std::string_view blob,
                                                        const std::vector<std::string>& names);

// The JSON rows of schemas 2-4 (a JSON array of [account, asset, side, wei, memo]), read once to
// convert them. Returns nullopt if `json` is not in that format.
std::optional<std::vector<StoredPosting>> parse_json_postings(const std::string& json);
// A StoredPosting in the stored format, unpaired (the conversion to schema 5), numbering its name
// in `names`. Returns false when its memo is not one of journal.h's or its amount is 0.
bool encode_stored_posting(std::string& out, const StoredPosting& posting, JournalNames& names);

}  // namespace yl::storage
