// A simulated L1 yield source (SPEC §5): staking (Lido-style, linear accrual) or treasury
// (DSR-style, per-second compounding through rpow). Its `value` is what it holds now; its
// `principal` is what the last report (or deposits and withdrawals since) left it owing; value −
// principal is the yield (or loss) the next report will see (§5.4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/amount.h"
#include "engine/core/asset.h"
#include "engine/core/rpow.h"
#include "engine/core/timestamp.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they are stored in SQLite.
enum class SourceKind : std::uint8_t { staking = 0, treasury = 1 };
std::string_view source_kind_name(SourceKind kind);
std::optional<SourceKind> parse_source_kind(std::string_view text);

// What the scenario fixes about a source (SPEC §1.1 [[source]]).
struct SourceConfig {
  std::string name;
  Asset asset = Asset::eth;
  SourceKind kind = SourceKind::staking;
  std::uint32_t apr_bps = 0;
  std::uint32_t weight_bps = 0;
};

// What changes as the simulation runs. Plain values, so the ledger can copy it for rollback.
struct SourceState {
  std::uint32_t apr_bps = 0;
  Amount value;
  Amount principal;
  Timestamp last;
  // Treasury only: the rpow table of dsr(apr_bps). Not owned: the Ledger's cache owns every
  // table (immutable, shared by copies of the Ledger), so copying a state costs no refcounts.
  const RpowTable* growth = nullptr;
  friend bool operator==(const SourceState& a, const SourceState& b) {
    return a.apr_bps == b.apr_bps && a.value == b.value && a.principal == b.principal &&
           a.last == b.last;
  }
};

// Accrues `state` to time `now` (SPEC §5.1): staking adds floor(value·apr·Δt/(BPS·YEAR));
// treasury sets value = floor(value·rpow(dsr, Δt)/RAY). Then last = now.
// REQUIRES: now >= state.last. Throws OverflowError if the value would not fit in 256 bits.
void accrue(SourceKind kind, SourceState& state, Timestamp now);

}  // namespace yl
