#include "engine/core/snapshot.h"

namespace yl {

BalanceRow balance_row(const Ledger& ledger, AccountId id, Asset asset) {
  YL_ASSERT(ledger.settled());
  const AccountInfo info = ledger.info(id);
  const Position p = ledger.position_of(id, asset);  // unpacked once for all three reads
  const ShareLedger& shares = ledger.book(asset).shares;
  return BalanceRow{std::string(info.name), info.kind, asset, p.mode, shares.balance(p),
                    shares.claimable(p), p.shares, p.remainder};
}

Snapshot take_snapshot(const Ledger& ledger) {
  Snapshot snapshot = take_snapshot_totals(ledger);
  snapshot.balances.reserve(kAssets.size() * ledger.account_count());  // no growth copies
  for (AccountId id = 0; id < ledger.account_count(); ++id) {
    for (Asset asset : kAssets) snapshot.balances.push_back(balance_row(ledger, id, asset));
  }
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
