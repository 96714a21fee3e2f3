#include "engine/core/rpow.h"

#include <bit>

#include "engine/core/assert.h"

namespace yl {

namespace {

// floor(x / RAY), exact.
Amount div_floor_ray(const Amount& x) {
  Amount::Limbs quotient = x.limbs();
  detail::divide_limbs_by_ray(quotient.data(), quotient.size());
  return Amount::from_limbs(quotient);
}

}  // namespace

Amount mul_half_up(const Amount& a, const Amount& b) {
  static const Amount half = div_floor(ray(), Amount::from_u64(2));
  static const Amount small = Amount::from_u512(U512(1) << 128);
  YL_ASSERT(a < small && b < small);
  return div_floor_ray(a * b + half);
}

namespace {

const U1024& saturation() {
  static const U1024 value = U1024(1) << 346;
  return value;
}

const U1024& ray_wide() {
  static const U1024 value = U1024(ray().raw());
  return value;
}

// (a·b + RAY/2) / RAY, half-up, as pot.sol's rmul inside rpow. Factors near RAY (< 2^128) are
// the common case: their product fits 256 bits (even plus RAY/2: (2^128 − 1)² + 2^89 < 2^256),
// so it is computed on Amount's limbs, with no Boost conversion or division at all.
U1024 mul_half_up(const U1024& a, const U1024& b) {
  static const U1024 half = ray_wide() / 2;
  static const U1024 small = U1024(1) << 128;
  if (a < small && b < small) {
    return U1024(mul_half_up(Amount::from_u1024(a), Amount::from_u1024(b)).raw());
  }
  return (a * b + half) / ray_wide();
}

}  // namespace

RpowTable::RpowTable(const Amount& x) {
  YL_ASSERT(x >= ray());
  squares_[0] = U1024(x.raw());
  if (squares_[0] >= saturation()) {
    first_saturated_ = 0;
    first_wide_ = 0;
    return;
  }
  for (std::size_t k = 1; k < 64; ++k) {
    squares_[k] = mul_half_up(squares_[k - 1], squares_[k - 1]);
    if (squares_[k] >= saturation()) {
      first_saturated_ = k;
      break;
    }
  }
  static const U1024 small = U1024(1) << 128;
  first_wide_ = 0;
  while (first_wide_ < first_saturated_ && squares_[first_wide_] < small) {
    small_squares_[first_wide_] = Amount::from_u1024(squares_[first_wide_]);
    ++first_wide_;
  }
  // rpow_small's loop leaves z = memo_[n − 2^k] after the bits of n below its highest, k, then
  // takes one product with x_k: so each entry is one product of an earlier one (memo_[0] = RAY,
  // and mul_half_up(RAY, x_k) = x_k as the loop's first product gives it). The same products in
  // the same order, the same results; rpow_test checks each entry against pot.sol's loop.
  const Amount small_limit = Amount::from_u1024(small);
  memo_.reserve(kMemoSeconds);
  memo_.push_back(ray());
  for (std::uint64_t n = 1; n < kMemoSeconds; ++n) {
    const auto k = static_cast<std::size_t>(63 - __builtin_clzll(n));
    const Amount& z = memo_[n - (std::uint64_t{1} << k)];
    if (k >= first_wide_ || !(z < small_limit)) break;  // where rpow_small_loop declines
    memo_.push_back(k == 0 ? small_squares_[0] : mul_half_up(z, small_squares_[k]));
  }
}

std::optional<U1024> RpowTable::rpow(std::uint64_t n) const {
  if (const auto z = rpow_small(n)) return U1024(z->raw());
  // z = n odd ? x : RAY; then for each higher set bit k of n, z = z·x_k (half-up).
  U1024 z = ray_wide();
  for (std::size_t k = 0; k < 64; ++k) {
    if (((n >> k) & 1U) == 0) continue;
    if (k >= first_saturated_) return std::nullopt;
    z = k == 0 ? squares_[0] : mul_half_up(z, squares_[k]);
    // Factors are >= RAY, so z never falls: once saturated, the result is too.
    if (z >= saturation()) return std::nullopt;
  }
  return z;
}

static_assert(std::has_single_bit(RpowTable::kMemoSeconds), "n's low bits index the memo");

std::optional<Amount> RpowTable::rpow_small(std::uint64_t n) const {
  if (n < memo_.size()) return memo_[n];
  // The loop leaves z = memo_[n mod kMemoSeconds] after n's low bits (each of them passed the
  // loop's checks when the memo was filled), so a full memo starts it at the next bit.
  if (memo_.size() == kMemoSeconds) {
    return rpow_small_loop(n, memo_[n % kMemoSeconds], std::countr_zero(kMemoSeconds));
  }
  return rpow_small_loop(n, ray(), 0);
}

std::optional<Amount> RpowTable::rpow_small_loop(std::uint64_t n, Amount z,
                                                 std::size_t first_bit) const {
  static const Amount small = Amount::from_u512(U512(1) << 128);
  // The same products as rpow's wide loop, in the same order, while every operand is < 2^128.
  for (std::size_t k = first_bit; k < 64; ++k) {
    if (((n >> k) & 1U) == 0) continue;
    if (k >= first_wide_ || !(z < small)) return std::nullopt;
    z = k == 0 ? small_squares_[0] : mul_half_up(z, small_squares_[k]);
  }
  return z;
}

namespace {

// rpow_direct's products in the same order on Amount's limbs, while every operand is below
// 2^128 (mul_half_up's fast path); nullopt as soon as one is not, for the caller to go wide.
std::optional<Amount> rpow_direct_small(Amount x, std::uint64_t n) {
  static const Amount small = Amount::from_u512(U512(1) << 128);
  Amount z = n % 2 ? x : ray();
  for (n /= 2; n > 0; n /= 2) {
    if (!(x < small)) return std::nullopt;
    x = mul_half_up(x, x);
    if (n % 2) {
      if (!(z < small) || !(x < small)) return std::nullopt;
      z = mul_half_up(z, x);
    }
  }
  return z;
}

// pot.sol's loop as written: squares only as far as n's highest bit, so a one-year exponent
// needs 25 squarings. On limbs while every operand stays below 2^128, else on U1024.
U1024 rpow_direct(U1024 x, std::uint64_t n) {
  if (x < (U1024(1) << 128)) {
    if (const auto z = rpow_direct_small(Amount::from_u1024(x), n)) return U1024(z->raw());
  }
  U1024 z = n % 2 ? x : ray_wide();
  for (n /= 2; n > 0; n /= 2) {
    x = mul_half_up(x, x);
    if (n % 2) z = mul_half_up(z, x);
  }
  return z;
}

}  // namespace

Amount dsr_for_apr(std::uint32_t apr_bps) {
  YL_ASSERT(apr_bps <= 100'000);
  const U1024 target = ray_wide() * (kBps + apr_bps) / kBps;  // floor
  // rpow is monotone in x (every product rounds half-up, monotone in its factors), so the answer
  // is the one boundary between factors that fit and factors that do not. Every step below keeps
  // fits(low) && !fits(high), each decided by an exact rpow: where the steps choose to evaluate
  // changes how many there are (a handful; a bisection alone takes 70), never the result.
  auto fits = [&](const U1024& dsr) { return rpow_direct(dsr, kYearSeconds) <= target; };
  // rpow(RAY, YEAR) = RAY <= target; (1 + 1e-6)^YEAR is about e^31.5, far above 11·RAY.
  U1024 low = ray_wide();
  U1024 high = ray_wide() + U1024("1000000000000000000000");
  YL_ASSERT(fits(low) && !fits(high));
  // Newton's method from above, in integers. Bernoulli, (1 + r)^YEAR >= 1 + YEAR·r, puts the first
  // guess at or above the answer; on a convex curve the tangent steps stay above it, each step
  // floor((p - target)·x / (YEAR·p)) (the slope of x^YEAR being YEAR·p/x), until it is 0.
  U1024 x = ray_wide() + (target - ray_wide()) / kYearSeconds + 1;
  while (low < x && x < high) {
    const U1024 p = rpow_direct(x, kYearSeconds);
    if (p <= target) {
      low = x;
      break;
    }
    high = x;
    const U1024 step = (p - target) * x / (kYearSeconds * p);
    if (step == 0) break;
    x -= step;
  }
  // Down from high by doubling gaps to a factor that fits, then bisection.
  for (U1024 gap = 1; high - low > gap; gap *= 2) {
    if (fits(high - gap)) {
      low = high - gap;
      break;
    }
    high -= gap;
  }
  while (high - low > 1) {
    const U1024 middle = low + (high - low) / 2;
    if (fits(middle)) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return Amount::from_u1024(low);
}

}  // namespace yl
