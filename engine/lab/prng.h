// The lab's randomness (issue #11): one named generator and distributions built only from IEEE 754
// binary64 operations that every conforming machine rounds alike (+ − × ÷, sqrt, floor, ldexp),
// so the same seed gives the same draws, bit for bit, whatever the C++ standard library. No
// std::*_distribution (their algorithms are unspecified) and no libm log/exp (not correctly
// rounded everywhere): det_log and det_exp below are series in those operations only. The lab is
// compiled with -ffp-contract=off, so no fused multiply-add changes a rounding.
//
// Generator: xoshiro256** 1.0 (Blackman and Vigna, 2018), seeded through splitmix64.
#pragma once

#include <cstdint>
#include <string_view>

namespace yl::lab {

// One step of splitmix64 (Steele, Lea and Flood): advances `state`, returns a mixed 64-bit value.
std::uint64_t splitmix64(std::uint64_t& state);
// A 64-bit seed from a parent seed and a label, e.g. ("run", 3): splitmix64 over the parent and
// the label's FNV-1a hash and the index. Used to derive every stream of a run from one seed.
std::uint64_t derive_seed(std::uint64_t parent, std::string_view label, std::uint64_t index);

// Natural logarithm and exponential from + − × ÷ only (see the file comment). det_log needs
// x > 0; det_exp saturates to 0 below −700 and to e^700 (about 2^1010) above 700. Relative error
// below 1e-15.
double det_log(double x);
double det_exp(double x);

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();
  // Uniform in [0, 1): the top 53 bits × 2^-53.
  double uniform();
  // Uniform in (0, 1]: 1 − uniform(), safe to take a logarithm of.
  double uniform_open0() { return 1.0 - uniform(); }
  // An integer in [0, n), by rejection (unbiased). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  // Standard normal by Marsaglia's polar method (sqrt and det_log only).
  double normal();
  // Exponential with rate `rate` per unit: −log(U)/rate, U in (0, 1]. REQUIRES: rate > 0.
  double exponential(double rate);

 private:
  std::uint64_t s_[4];
};

}  // namespace yl::lab
