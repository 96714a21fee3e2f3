// MakerDAO pot.sol's rpow(x, n, RAY), exactly (SPEC §5.1): exponentiation by squaring, rounding
// half-up ((a·b + RAY/2) / RAY) at every product. Intermediates are exact (up to 1024 bits).
//
// The squares x_k = x^(2^k) (each rounded) do not depend on n, so a table of them per rate makes
// each accrual cost one product per set bit of the elapsed seconds, with identical results.
// The results for the first kMemoSeconds exponents are kept too: the gaps between accruals are
// mostly that short, and then an accrual costs no product at all; a longer one starts from the
// result for its low bits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/core/amount.h"

namespace yl {

inline const Amount& ray() {
  static const Amount value = Amount::from_u512(U512("1000000000000000000000000000"));
  return value;
}
inline constexpr std::uint64_t kYearSeconds = 31'536'000;
inline constexpr std::uint64_t kBps = 10'000;

class RpowTable {
 public:
  // REQUIRES: x >= RAY (a per-second growth factor).
  explicit RpowTable(const Amount& x);

  // rpow(x, n, RAY). Returns nullopt when the result is at least 2^346: any value >= 1 times it,
  // divided by RAY (< 2^90), would not fit in 256 bits, so the caller treats it as overflow.
  std::optional<U1024> rpow(std::uint64_t n) const;
  // rpow(x, n, RAY) when every product it takes has both factors below 2^128 (a realistic rate
  // over any realistic time: a year at 100% APR stays below 2^91), on Amount's limbs; nullopt
  // otherwise (then rpow() takes the wide path). The same products, so the same result.
  std::optional<Amount> rpow_small(std::uint64_t n) const;

  static constexpr std::size_t kMemoSeconds = 256;

 private:
  // rpow_small's loop over n's bits from first_bit on, z being its value after the bits below.
  std::optional<Amount> rpow_small_loop(std::uint64_t n, Amount z, std::size_t first_bit) const;

  std::array<U1024, 64> squares_;
  std::size_t first_saturated_ = 64;      // squares_[k] for k >= this are >= 2^346 and not stored
  std::array<Amount, 64> small_squares_;  // squares_[k] for k < first_wide_, as Amounts
  std::size_t first_wide_ = 0;            // the first k with squares_[k] >= 2^128
  // memo_[n] = rpow_small(n), for n below kMemoSeconds and below the first n it declines (for a
  // realistic rate, none below kMemoSeconds). 8 KiB a rate: a ledger keeps the table of every rate
  // it has seen (Ledger::growth_for).
  std::vector<Amount> memo_;
};

// (a·b + RAY/2) / RAY, half-up (pot.sol's rmul). REQUIRES: a, b < 2^128.
Amount mul_half_up(const Amount& a, const Amount& b);

// The largest dsr with rpow(dsr, YEAR) <= floor(RAY·(BPS + apr_bps)/BPS) (SPEC §5.1).
// REQUIRES: apr_bps <= 100000.
Amount dsr_for_apr(std::uint32_t apr_bps);

}  // namespace yl
