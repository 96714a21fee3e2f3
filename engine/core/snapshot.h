// The state as the `balances`, `ledgers` and `sources` commands show it (SPEC §7.1), taken from a
// Ledger at one moment. Rows are in output order: system accounts first, then accounts in the
// order opened, ETH before USDB; ledgers ETH then USDB; sources in file order.
#pragma once

#include <string>
#include <vector>

#include "engine/core/ledger.h"

namespace yl {

struct BalanceRow {
  std::string account;
  AccountKind kind = AccountKind::user;
  Asset asset = Asset::eth;
  YieldMode mode = YieldMode::automatic;
  Amount balance;
  Amount claimable;
  Amount shares;
  Amount remainder;
  friend bool operator==(const BalanceRow&, const BalanceRow&) = default;
};

struct LedgerRow {
  Asset asset = Asset::eth;
  Amount price;
  Amount pending;
  Amount total_shares;
  Amount buffer;
  Amount debt;
  Amount insurance;
  Amount retained;
  Amount revenue;  // v1.2 (SPEC §9.4)
  Amount locked;   // v1.2 (SPEC §9.1)
  friend bool operator==(const LedgerRow&, const LedgerRow&) = default;
};

struct SourceRow {
  std::string source;
  Asset asset = Asset::eth;
  SourceKind kind = SourceKind::staking;
  std::uint32_t apr_bps = 0;
  Amount value;
  Amount principal;
  Timestamp last;
  friend bool operator==(const SourceRow&, const SourceRow&) = default;
};

struct Snapshot {
  std::vector<BalanceRow> balances;
  std::vector<LedgerRow> ledgers;
  std::vector<SourceRow> sources;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

Snapshot take_snapshot(const Ledger& ledger);
// The snapshot's ledgers and sources, without its balance rows.
Snapshot take_snapshot_totals(const Ledger& ledger);
// A ledger's balance rows in take_snapshot's order, one at a time: `run` writes them and `audit`
// compares them without holding them all (at a million accounts, 336 MB).
// REQUIRES: ledger.settled(), and the ledger unchanged while the cursor is used.
class BalanceRows {
 public:
  explicit BalanceRows(const Ledger& ledger);
  // The next row into `row`; false (and `row` unchanged) after the last.
  bool next(BalanceRow& row);
  std::size_t count() const { return kAssets.size() * ledger_.account_count(); }

 private:
  const Ledger& ledger_;
  std::size_t next_ = 0;  // rows: each account's assets in turn
};

}  // namespace yl
