#include "engine/core/gas.h"

#include "engine/core/assert.h"

namespace yl {

std::string_view gas_mode_name(GasMode mode) {
  return mode == GasMode::claimable ? "CLAIMABLE" : "VOID";
}

std::optional<GasMode> parse_gas_mode(std::string_view text) {
  if (text == "VOID") return GasMode::void_mode;
  if (text == "CLAIMABLE") return GasMode::claimable;
  return std::nullopt;
}

void age_gas(GasRecord& record, Timestamp now) {
  YL_ASSERT(now >= record.updated);
  const auto elapsed = static_cast<std::uint64_t>(now.seconds - record.updated.seconds);
  const Amount age = record.age_wei_seconds + record.balance_wei * Amount::from_u64(elapsed);
  record.age_wei_seconds = age;
  record.updated = now;
}

ClaimRate claim_rate(const GasParams& params, const Amount& amount, const Amount& seconds) {
  YL_ASSERT(!amount.is_zero());
  YL_ASSERT(params.base_gas_seconds > 0 && params.base_gas_seconds < params.ceil_gas_seconds);
  YL_ASSERT(params.base_claim_rate_bps < params.ceil_claim_rate_bps);
  const Amount per_wei = div_floor(seconds, amount);  // k, floor: partial seconds do not count
  const Amount base_s = Amount::from_u64(static_cast<std::uint64_t>(params.base_gas_seconds));
  const Amount ceil_s = Amount::from_u64(static_cast<std::uint64_t>(params.ceil_gas_seconds));
  if (per_wei < base_s) return {params.zero_claim_rate_bps, Amount()};
  if (per_wei >= ceil_s) return {params.ceil_claim_rate_bps, amount * ceil_s};
  // base + floor((ceil − base)·(k − base_s)/(ceil_s − base_s)); floor favours the fee vault.
  const Amount span_bps = Amount::from_u64(params.ceil_claim_rate_bps - params.base_claim_rate_bps);
  const Amount step = mul_div_floor(span_bps, per_wei - base_s, ceil_s - base_s);
  const auto rate = params.base_claim_rate_bps + static_cast<std::uint32_t>(step.raw());
  YL_ASSERT(rate >= params.base_claim_rate_bps && rate <= params.ceil_claim_rate_bps);
  return {rate, seconds};
}

}  // namespace yl
