#include "engine/lab/prng.h"

#include <cmath>

#include "engine/core/assert.h"
#include "engine/core/fnv1a.h"

namespace yl::lab {
namespace {

constexpr double kLn2 = 0.693147180559945309417232121458176568;

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t derive_seed(std::uint64_t parent, std::string_view label, std::uint64_t index) {
  std::uint64_t state = parent;
  std::uint64_t out = splitmix64(state);
  state ^= fnv1a(label);
  out ^= splitmix64(state);
  state ^= index;
  return out ^ splitmix64(state);
}

double det_log(double x) {
  YL_ASSERT(x > 0 && std::isfinite(x));
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m·2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;  // exact
    --e;
  }
  // log(m) = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716: 12 odd terms reach 1e-19.
  const double s = (m - 1) / (m + 1);
  const double s2 = s * s;
  double term = s;
  double sum = 0;
  for (int k = 1; k <= 23; k += 2) {
    sum += term / k;
    term *= s2;
  }
  return 2 * sum + e * kLn2;
}

double det_exp(double x) {
  if (x < -700) return 0;
  if (x > 700) x = 700;
  // x = k·ln2 + r with |r| ≤ ln2/2; e^r by its Taylor series (22 terms reach 1e-19), then ·2^k.
  // ln2 in two parts (fdlibm's ln2_hi has 32 trailing zero bits, so k·ln2_hi is exact).
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double k = std::floor(x / kLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double term = 1;
  double sum = 1;
  for (int n = 1; n <= 22; ++n) {
    term *= r / n;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::uint64_t& word : s_) word = splitmix64(state);
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::below(std::uint64_t n) {
  YL_ASSERT(n > 0);
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // accept [0, limit)
  for (;;) {
    const std::uint64_t x = next();
    if (x < limit) return x % n;
  }
}

double Rng::normal() {
  for (;;) {
    const double u = 2 * uniform() - 1;
    const double v = 2 * uniform() - 1;
    const double s = u * u + v * v;
    if (s > 0 && s < 1) return u * std::sqrt(-2 * det_log(s) / s);
  }
}

double Rng::exponential(double rate) {
  YL_ASSERT(rate > 0);
  return -det_log(uniform_open0()) / rate;
}

}  // namespace yl::lab
