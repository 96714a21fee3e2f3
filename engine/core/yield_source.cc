#include "engine/core/yield_source.h"

#include "engine/core/assert.h"

namespace yl {

std::string_view source_kind_name(SourceKind kind) {
  return kind == SourceKind::treasury ? "treasury" : "staking";
}

std::optional<SourceKind> parse_source_kind(std::string_view text) {
  if (text == "staking") return SourceKind::staking;
  if (text == "treasury") return SourceKind::treasury;
  return std::nullopt;
}

void accrue(SourceKind kind, SourceState& state, Timestamp now) {
  YL_ASSERT(now >= state.last);
  const auto elapsed = static_cast<std::uint64_t>(now.seconds - state.last.seconds);
  if (elapsed != 0 && !state.value.is_zero()) {
    if (kind == SourceKind::staking) {
      // floor: the fraction of a wei not yet earned stays unearned (it is not carried).
      std::uint64_t rate_time = 0;  // apr·Δt, on limbs when it fits 64 bits (always, in practice)
      if (!__builtin_mul_overflow(std::uint64_t{state.apr_bps}, elapsed, &rate_time)) {
        state.value += mul_div_floor(state.value, Amount::from_u64(rate_time),
                                     Amount::from_u64(kBps * kYearSeconds));
      } else {
        const U512 earned = state.value.wide() * state.apr_bps * elapsed / (kBps * kYearSeconds);
        state.value = Amount::from_u512(state.value.wide() + earned);
      }
    } else {
      YL_ASSERT(state.growth != nullptr);
      // floor: the fraction of a wei not yet earned stays unearned. Overflow throws the same
      // OverflowError on every path.
      if (const auto small = state.growth->rpow_small(elapsed)) {
        state.value = mul_div_floor(state.value, *small, ray());
      } else {
        const auto factor = state.growth->rpow(elapsed);
        if (!factor) throw OverflowError("treasury value would not fit in 256 bits");
        // A factor below 2^256 (any realistic one) keeps the product within 512 bits.
        static const U1024 kFactorFits512 = U1024(1) << 256;
        if (*factor < kFactorFits512) {
          state.value = Amount::from_u512(state.value.wide() * U512(*factor) / ray().wide());
        } else {
          state.value = Amount::from_u1024(U1024(state.value.raw()) * *factor / U1024(ray().raw()));
        }
      }
    }
  }
  state.last = now;
}

}  // namespace yl
