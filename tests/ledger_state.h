// Comparing two ledgers' whole state, for tests and fuzzers that check "a rejected event changes
// nothing".
#pragma once

#include "engine/core/ledger.h"
#include "engine/core/snapshot.h"

namespace yl::testing {

inline bool same_state(const Ledger& a, const Ledger& b) {
  if (!(take_snapshot(a) == take_snapshot(b)) || !(a.gas_owed() == b.gas_owed())) return false;
  if (a.account_count() != b.account_count()) return false;
  for (AccountId id = 0; id < a.account_count(); ++id) {
    if (!(a.state(id) == b.state(id))) return false;
    const GasRecord *x = a.gas(id), *y = b.gas(id);
    if ((x == nullptr) != (y == nullptr) || (x != nullptr && !(*x == *y))) return false;
  }
  for (Asset asset : kAssets) {
    const AssetBook &x = a.book(asset), &y = b.book(asset);
    if (!(x.stream == y.stream) || !(x.last_report == y.last_report) ||
        !(x.shares.peak_price() == y.shares.peak_price())) {
      return false;
    }
  }
  for (std::size_t i = 0; i < a.source_count(); ++i) {
    if (!(a.source_state(i) == b.source_state(i))) return false;
  }
  return true;
}

}  // namespace yl::testing
