// Distribution policies (SPEC §9) as data: the scenario's [policy] keys, the §9.1 profit stream,
// and plan_report(), the pure function that decides everything one yield report moves. The Ledger
// applies the plan, journals it and re-checks §6; it decides nothing of a report itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/core/amount.h"
#include "engine/core/timestamp.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they may be stored.
enum class Distribution : std::uint8_t { snapshot = 0, streamed = 1 };
enum class VoidYield : std::uint8_t { to_active = 0, to_protocol = 1 };
enum class NegativeYield : std::uint8_t { debt = 0, socialize = 1 };
std::string_view distribution_name(Distribution d);
std::string_view void_yield_name(VoidYield v);
std::string_view negative_yield_name(NegativeYield n);
std::optional<Distribution> parse_distribution(std::string_view text);
std::optional<VoidYield> parse_void_yield(std::string_view text);
std::optional<NegativeYield> parse_negative_yield(std::string_view text);

// The [policy] table (SPEC §1.1, §9), already validated. Defaults are Blast's behaviour.
struct Policy {
  std::uint32_t insurance_fee_bps = 1000;
  std::uint32_t protocol_fee_bps = 0;
  std::uint32_t fee_hurdle_bps = 0;
  Distribution distribution = Distribution::snapshot;
  std::int64_t unlock_seconds = 0;  // U; 1..YEAR under streamed, else 0
  VoidYield void_yield = VoidYield::to_active;
  NegativeYield negative_yield = NegativeYield::debt;
  bool rebalance = false;
  friend bool operator==(const Policy&, const Policy&) = default;
};

// SPEC §1.1: the unlock period of `streamed` when the scenario does not give one (7 days).
inline constexpr std::int64_t kDefaultUnlockSeconds = 604'800;
inline constexpr std::uint64_t kE12 = 1'000'000'000'000ULL;

// SPEC §9.1: the profit stream of one asset, (S, R, ρ, F, u). ρ is wei per second × E12 and may
// need about 300 bits, so it is kept wide; every other field is a stored quantity.
struct Stream {
  Amount total;     // S: locked at the last anchor
  Amount released;  // R: of S, released since the anchor
  // ρ, kept as rate_whole·E12 + rate_fraction (set by stream_lock and stream_absorb), so that
  // released(t) needs no long division before every event. rate_whole <= S: ρ <= S·E12.
  Amount rate_whole;
  std::uint64_t rate_fraction = 0;
  Timestamp end;     // F: when all of S is released
  Timestamp anchor;  // u
  Amount locked() const { return total - released; }
  U512 rate() const { return rate_whole.wide() * kE12 + rate_fraction; }  // ρ
  friend bool operator==(const Stream&, const Stream&) = default;
};

// released(t) = S if t >= F, else min(S, floor(ρ·(t − u)/E12)). REQUIRES: t >= u.
Amount stream_released(const Stream& s, Timestamp t);
// lock(A, t, Y), Y > 0: re-anchors with the weighted period. Throws OverflowError when S would
// reach 2^256.
Stream stream_lock(const Stream& s, Timestamp t, const Amount& y, std::int64_t unlock_seconds);
// The locked profit absorbs k of a loss (0 < k <= S − R).
Stream stream_absorb(const Stream& s, Timestamp t, const Amount& k);

// What a report of one asset reads (after accrual of its sources and its own drip).
struct ReportSourceInput {
  Amount value;  // after accrual
  Amount principal;
  std::uint32_t weight_bps = 0;
};
struct ReportInputs {
  Timestamp now;
  Timestamp last_report;
  std::vector<ReportSourceInput> sources;  // the asset's sources, in file order
  Amount buffer;
  Amount debt;
  Amount insurance;
  Amount price;         // P
  Amount pending;       // Q
  Amount total_shares;  // C
  Amount void_value;    // V = Σ_VOID f + Σ r (SPEC §9.2)
  Stream stream;
};

struct SourcePlan {
  SignedAmount yield;      // value − principal after accrual
  Amount hurdle;           // min(y, h) (§9.4); 0 when y <= 0
  Amount fee;              // to insurance
  Amount protocol_fee;     // to revenue
  Amount cover;            // from insurance
  SignedAmount committed;  // c_i
  Amount value_after;      // value = principal after step 1
};

// A §9.5 move between a source and the buffer.
struct RebalanceMove {
  std::size_t source = 0;  // index into ReportInputs::sources
  bool to_buffer = true;   // true: the source gives m to the buffer; false: it takes m
  Amount amount;
};

struct ReportPlan {
  std::vector<SourcePlan> sources;
  Amount insurance_after;
  Amount revenue_added;       // Σ pfee
  SignedAmount total;         // T = Σc − D
  Amount void_share;          // x (§9.2)
  Amount distributed;         // T − x when T > 0: addValue (snapshot) or lock (streamed)
  Amount absorbed;            // k: the loss the locked profit took (§9.1)
  Amount socialized_pending;  // q (§9.3)
  Amount price_drop;          // ΔP (§9.3)
  Amount socialized;          // q + ΔP·C (§9.3; not the absorbed k)
  Amount debt_after;
  Stream stream_after;  // the stream after lock or absorption
  std::vector<RebalanceMove> moves;
};

// SPEC §5.4 with §9: decides every movement of one report. Pure; throws OverflowError only where
// a stored quantity would reach 2^256 (the lock's S).
ReportPlan plan_report(const Policy& policy, const ReportInputs& in);

}  // namespace yl
