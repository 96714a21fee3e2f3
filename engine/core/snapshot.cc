#include "engine/core/snapshot.h"

namespace yl {

BalanceRows::BalanceRows(const Ledger& ledger) : ledger_(ledger) {
  YL_ASSERT(ledger.settled());  // the caller settles: a lazy stream reads as of the last event
}

bool BalanceRows::next(BalanceRow& row) {
  if (next_ == count()) return false;
  const auto id = static_cast<AccountId>(next_ / kAssets.size());
  const Asset asset = kAssets[next_ % kAssets.size()];
  ++next_;
  const AccountInfo info = ledger_.info(id);
  const Position p = ledger_.position_of(id, asset);  // unpacked once for all three reads
  const ShareLedger& shares = ledger_.book(asset).shares;
  row.account.assign(info.name);  // the caller's row is reused: its string keeps its capacity
  row.kind = info.kind;
  row.asset = asset;
  row.mode = p.mode;
  row.balance = shares.balance(p);
  row.claimable = shares.claimable(p);
  row.shares = p.shares;
  row.remainder = p.remainder;
  return true;
}

Snapshot take_snapshot(const Ledger& ledger) {
  Snapshot snapshot = take_snapshot_totals(ledger);
  BalanceRows rows(ledger);
  snapshot.balances.reserve(rows.count());  // no growth copies
  for (BalanceRow row; rows.next(row);) snapshot.balances.push_back(row);
  return snapshot;
}

Snapshot take_snapshot_totals(const Ledger& ledger) {
  YL_ASSERT(ledger.settled());  // the caller settles: a lazy stream reads as of the last event
  Snapshot snapshot;
  for (Asset asset : kAssets) {
    const AssetBook& b = ledger.book(asset);
    snapshot.ledgers.push_back(LedgerRow{asset, b.shares.price(), b.shares.pending(),
                                         b.shares.total_shares(), b.buffer, b.debt, b.insurance,
                                         b.retained, b.revenue, b.stream.locked()});
  }
  for (std::size_t i = 0; i < ledger.source_count(); ++i) {
    const SourceConfig& config = ledger.source_config(i);
    const SourceState& state = ledger.source_state(i);
    snapshot.sources.push_back(SourceRow{config.name, config.asset, config.kind, state.apr_bps,
                                         state.value, state.principal, state.last});
  }
  return snapshot;
}

}  // namespace yl
