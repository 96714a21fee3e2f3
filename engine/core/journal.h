// The double-entry journal: every movement of value the Ledger makes, as balanced postings.
//
// Chart of accounts (documented for readers in schema/journal_chart.md). Each account mirrors a
// state quantity, which is what lets `audit` check the journal against the state:
//   debit balances  l1:buffer:A            the asset's liquid buffer
//                   l1:source:S            the source's principal
//                   l1:source:S:unreported its value − principal (signed: yield or loss not yet
//                                          reported)
//                   l1:insurance:A         the insurance fund
//                   l1:debt:A              D, negative yield not yet recovered
//   credit balances l2:account:X (per A)   X's balance + claimable, less its unposted accrual
//                   l2:pending:A           Q, reported yield not yet in the price
//                   l2:accrued:A           yield folded into the price but not yet posted to the
//                                          accounts that hold the shares (Σ s·(P − P_posted))
//                   l1:retained:A          withdrawal discounts beyond the debt they repaid
//                   l2:locked:A            S − R, yield locked in the §9.1 stream
//   debit balance   l1:revenue:A           the protocol's fees (§9.4), apart from user funds
//   counterparty    external:yield:S       what the venue paid (accrual) or took (loss)
// Accruals reach accounts lazily: before a position changes, s·(P − P_posted) moves from
// l2:accrued:A to l2:account:X. So the journal grows with events, not with holders × reports.
//
// An entry is the postings of one event (a movement, with its settlements) or of one report of
// one asset. Within an entry, debits equal credits per asset; Journal asserts it when it closes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/amount.h"
#include "engine/core/asset.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they name persisted journal accounts.
enum class BookAccount : std::uint8_t {
  buffer = 0,
  source = 1,
  unreported = 2,
  insurance = 3,
  debt = 4,
  retained = 5,
  pending = 6,
  accrued = 7,
  account = 8,   // index: AccountId
  yield = 9,     // external:yield:S; index: source
  revenue = 10,  // l1:revenue:A, the protocol's fees (SPEC §9.4): a debit balance
  locked = 11,   // l2:locked:A, reported yield the stream has not released (§9.1): credit
};
inline constexpr std::size_t kBookAccountCount = 12;

// Why a posting exists. DO NOT CHANGE THESE ENUM VALUES: their names are stored.
enum class Memo : std::uint8_t {
  deposit = 0,         // bridged in: buffer up, the account credited
  route = 1,           // a deposit's share sent from the buffer to a source
  accrual = 2,         // a source's value grew (SPEC §5.1)
  loss = 3,            // a source lost value (§5.3)
  fee = 4,             // insurance fee out of positive yield (§5.4)
  cover = 5,           // insurance cover of negative yield (§5.4)
  commit = 6,          // a report commits a source's yield into principal (§5.4)
  distribution = 7,    // a report's T into pending, and the debt it repaid or grew (§5.4)
  price_step = 8,      // pending folded into the price: ΔP·C to the holders (§3.4)
  settlement = 9,      // an account's share of price steps, posted when it next moves
  transfer = 10,       // L2 transfer (§3.5)
  claim = 11,          // yield claimed to another account (§3.7)
  gas_fee = 12,        // a fee paid into @gas or @fee_vault (§4.1)
  gas_claim = 13,      // gas fees paid out to the dapp (§4.3)
  gas_penalty = 14,    // the part of a gas claim the fee vault keeps (§4.3)
  withdrawal = 15,     // the account debited by a withdrawal (§5.5)
  payout = 16,         // what leaves L1 to the withdrawer, from the buffer or a source
  debt_repaid = 17,    // the part of a withdrawal discount that repaid debt
  retained = 18,       // the rest of the discount (§5.5)
  protocol_fee = 19,   // the protocol's fee out of positive yield, to revenue (§9.4)
  hurdle = 20,         // the yield under the hurdle, exempt from fees (§9.4; a memo, nets 0)
  void_share = 21,     // the VOID balances' and remainders' share of T, to @fee_vault (§9.2)
  lock = 22,           // a report's distributed yield locked in the stream (§9.1)
  drip = 23,           // released stream yield into pending (§9.1)
  lock_absorbed = 24,  // a loss absorbed by the locked profit (§9.1)
  socialized = 25,     // a loss taken from pending and the price (§9.3)
  rebalance = 26,      // principal moved between a source and the buffer (§9.5)
};
inline constexpr std::size_t kMemoCount = 27;
std::string_view memo_name(Memo memo);
// The memo of a name memo_name returns; nullopt for any other text.
std::optional<Memo> parse_memo(std::string_view name);

struct Posting {
  Memo memo;
  BookAccount account;
  std::uint32_t index;  // AccountId or source index where the account needs one, else 0
  Asset asset;
  bool debit;
  Amount amount;
};

struct JournalEntry {
  std::int64_t report_ordinal;  // -1: an event's entry; else which Ledger report it belongs to
  std::size_t first;            // into the postings
  std::size_t count;
};

class Journal {
 public:
  // Adds a posting to the open entry; zero amounts are skipped.
  // (Inline: every event and drip posts several.)
  void debit(Memo memo, BookAccount account, std::uint32_t index, Asset asset,
             const Amount& amount) {
    if (amount.is_zero()) return;
    postings_.push_back(Posting{memo, account, index, asset, true, amount});
    open_net_[index_of(asset)].add(amount);
  }
  void credit(Memo memo, BookAccount account, std::uint32_t index, Asset asset,
              const Amount& amount) {
    if (amount.is_zero()) return;
    postings_.push_back(Posting{memo, account, index, asset, false, amount});
    open_net_[index_of(asset)].subtract(amount);
  }
  // A positive delta debits, a negative one credits.
  void post_signed(Memo memo, BookAccount account, std::uint32_t index, Asset asset,
                   const SignedAmount& delta);

  // Closes the open postings as one entry (nothing when there are none). Asserts that debits
  // equal credits per asset.
  void close(std::int64_t report_ordinal);
  bool has_open_postings() const { return open_first_ < postings_.size(); }

  const std::vector<JournalEntry>& entries() const { return entries_; }
  const std::vector<Posting>& postings() const { return postings_; }
  std::size_t entry_count() const { return entries_.size(); }
  std::size_t posting_count() const { return postings_.size(); }
  // Drops everything after the given sizes (a rejected event's postings); postings kept that no
  // kept entry holds stay open.
  void truncate(std::size_t entries, std::size_t postings);
  // Empties the journal once a caller has taken what it holds.
  void clear();

 private:
  std::vector<JournalEntry> entries_;
  std::vector<Posting> postings_;
  std::size_t open_first_ = 0;
  // Debits − credits of the open postings, per asset, kept as they are posted (close checks them;
  // truncate recounts them).
  std::array<NetSum, 2> open_net_{};
};

// Whether the account's name includes an account's or a source's name (posting.index).
bool names_account(BookAccount account);
bool names_source(BookAccount account);
// The account's name in the chart, e.g. "l1:source:lido:unreported". `indexed_name` is the name
// of the account or source the posting's index refers to (ignored for pooled accounts).
std::string book_account_name(const Posting& posting, std::string_view indexed_name);
// The same, appended to `out` (the journal writer's hot path).
void append_book_account_name(std::string& out, const Posting& posting,
                              std::string_view indexed_name);

}  // namespace yl
