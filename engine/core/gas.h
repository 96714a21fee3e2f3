// dApp gas-fee revenue (SPEC §4; Blast's Gas.sol): each dapp's record of unclaimed fees B (wei)
// and their age S (wei·seconds), and the claim-rate curve that pays older fees more.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/core/amount.h"
#include "engine/core/timestamp.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they are stored in SQLite.
enum class GasMode : std::uint8_t { void_mode = 0, claimable = 1 };
std::string_view gas_mode_name(GasMode mode);
std::optional<GasMode> parse_gas_mode(std::string_view text);  // "VOID" | "CLAIMABLE"

// The curve's parameters, validated by the scenario loader (SPEC §1.1 [gas]):
// zero < base < ceil <= 10000 and 0 < base_seconds < ceil_seconds.
struct GasParams {
  std::uint32_t zero_claim_rate_bps = 0;
  std::uint32_t base_claim_rate_bps = 5000;
  std::uint32_t ceil_claim_rate_bps = 10000;
  std::int64_t base_gas_seconds = 1;
  std::int64_t ceil_gas_seconds = 2'592'000;
};

struct GasRecord {
  GasMode mode = GasMode::void_mode;
  Amount balance_wei;      // B
  Amount age_wei_seconds;  // S
  Timestamp updated;       // t
  friend bool operator==(const GasRecord&, const GasRecord&) = default;
};

// S += B·(now − t); t = now (SPEC §4, before any use). REQUIRES: now >= t. May throw OverflowError.
void age_gas(GasRecord& record, Timestamp now);

struct ClaimRate {
  std::uint32_t rate_bps;
  Amount seconds_used;
};

// SPEC §4.2 for a claim of `amount` wei aged `seconds` wei·seconds. REQUIRES: amount > 0.
ClaimRate claim_rate(const GasParams& params, const Amount& amount, const Amount& seconds);

}  // namespace yl
