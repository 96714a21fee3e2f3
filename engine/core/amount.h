// Exact money: unsigned 256-bit integers in an asset's base unit (wei), and signed deltas.
//
// Rounding policy: there is no implicit division. Every division in the engine goes through a
// function whose name states its direction (`div_floor`, `mul_div_floor`) and whose remainder the
// caller must place somewhere named (SPEC §3.4 pending, §3.2 remainder, §5.5 retained).
//
// Overflow policy (SPEC §6): a stored quantity must stay in [0, 2^256). Additions and
// multiplications that would leave that range throw `OverflowError`; the engine catches it at one
// place, rolls the event back and rejects it as `overflow`. A subtraction below zero is a
// programmer error (callers validate first) and aborts through YL_ASSERT.
//
// Representation: four 64-bit limbs, least significant first, with explicit carry chains and
// fast paths for operands below 2^64 and 2^128 (most amounts are). Boost.Multiprecision stays
// for the rare wider intermediates (U512, U1024, S512); `raw()` and `wide()` convert to it.
// tests/amount_test.cc checks every operation against Boost's cpp_int, differentially.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "engine/core/assert.h"

namespace yl {

using U256 = boost::multiprecision::checked_uint256_t;
using U512 = boost::multiprecision::checked_uint512_t;
using U1024 = boost::multiprecision::checked_uint1024_t;
using S512 = boost::multiprecision::checked_int512_t;

// Thrown when a result would not fit in 256 bits. Caught only by Engine::apply (and tests).
class OverflowError : public std::runtime_error {
 public:
  explicit OverflowError(const std::string& what) : std::runtime_error(what) {}
};

struct QuotientRemainder;

namespace detail {
__extension__ using U128 = unsigned __int128;  // GCC and clang
[[noreturn]] void throw_amount_overflow();

// One limb of a carry chain: *sum = a + b + carry (carry is 0 or 1); returns the carry out. On
// x86-64 the intrinsic lets a chain of them compile to add/adc with nothing spilled.
inline std::uint64_t add_limb(std::uint64_t a, std::uint64_t b, std::uint64_t carry,
                              std::uint64_t* sum) {
#if defined(__x86_64__)
  unsigned long long out;
  const unsigned char carry_out = _addcarry_u64(static_cast<unsigned char>(carry), a, b, &out);
  *sum = out;
  return carry_out;
#else
  const U128 s = U128{a} + b + carry;
  *sum = static_cast<std::uint64_t>(s);
  return static_cast<std::uint64_t>(s >> 64);
#endif
}

// *difference = a - b - borrow (borrow is 0 or 1); returns the borrow out.
inline std::uint64_t subtract_limb(std::uint64_t a, std::uint64_t b, std::uint64_t borrow,
                                   std::uint64_t* difference) {
#if defined(__x86_64__)
  unsigned long long out;
  const unsigned char borrow_out = _subborrow_u64(static_cast<unsigned char>(borrow), a, b, &out);
  *difference = out;
  return borrow_out;
#else
  const U128 d = U128{a} - b - borrow;
  *difference = static_cast<std::uint64_t>(d);
  return static_cast<std::uint64_t>(d >> 64) & 1;
#endif
}

// One step of long division by one limb: (high·2^64 + low) / d, floor, and the remainder.
// REQUIRES: high < d, so the quotient fits in 64 bits. On x86-64 this is one `div` instruction;
// elsewhere (and in GCC's own code for U128 / u64) it is a call to __udivmodti4.
struct LimbDivision {
  std::uint64_t quotient;
  std::uint64_t remainder;
};
inline LimbDivision divide_limb(std::uint64_t high, std::uint64_t low, std::uint64_t d) {
#if defined(__x86_64__)
  std::uint64_t quotient, remainder;
  __asm__("divq %[d]" : "=a"(quotient), "=d"(remainder) : [d] "r"(d), "a"(low), "d"(high));
  return {quotient, remainder};
#else
  const U128 current = (U128{high} << 64) | low;
  return {static_cast<std::uint64_t>(current / d), static_cast<std::uint64_t>(current % d)};
#endif
}

// Long division by one limb, in place: limbs[0, count) (least significant first) becomes
// floor(value / d); returns value % d. REQUIRES: d > 0.
inline std::uint64_t divide_limbs(std::uint64_t* limbs, std::size_t count, std::uint64_t d) {
  std::uint64_t remainder = 0;              // < d: each step's quotient fits in one limb
  if (count > 0 && limbs[count - 1] < d) {  // its quotient limb is 0: one `div` fewer
    remainder = limbs[--count];
    limbs[count] = 0;
  }
  for (std::size_t i = count; i-- > 0;) {
    const LimbDivision step = divide_limb(remainder, limbs[i], d);
    limbs[i] = step.quotient;
    remainder = step.remainder;
  }
  return remainder;
}

// RAY = 10^27 (the rates' unit, SPEC §5.1) as limbs, and floor(x / RAY) in place over
// limbs[0, count). RAY = 2^27·5^27 and floor(floor(x / 2^27) / 5^27) = floor(x / 10^27): a shift,
// then long division by 5^27 < 2^63, one limb (one `div` a limb, not the general division).
inline constexpr std::array<std::uint64_t, 4> kRayLimbs{0x9FD0803CE8000000ULL, 0x33B2E3CULL, 0, 0};
inline void divide_limbs_by_ray(std::uint64_t* limbs, std::size_t count) {
  constexpr std::uint64_t kFivePow27 = 7450580596923828125ULL;
  for (std::size_t i = 0; i < count; ++i) {
    limbs[i] = (limbs[i] >> 27) | (i + 1 < count ? limbs[i + 1] << 37 : 0);
  }
  divide_limbs(limbs, count, kFivePow27);
}
}  // namespace detail

class Amount {
 public:
  using Limbs = std::array<std::uint64_t, 4>;  // least significant first

  constexpr Amount() = default;
  Amount(double) = delete;

  static Amount from_u64(std::uint64_t wei) { return Amount(Limbs{wei, 0, 0, 0}); }
  static Amount from_limbs(const Limbs& limbs) { return Amount(limbs); }
  // REQUIRES: value < 2^256, else throws OverflowError.
  static Amount from_u512(const U512& value);
  static Amount from_u1024(const U1024& value);
  // The largest representable amount, 2^256 - 1.
  static Amount max();

  // Parses decimal text `[0-9]+(\.[0-9]+)?` with at most `decimals` fraction digits into base
  // units. Returns nullopt with `error` set on any violation (SPEC §1.2 amounts).
  static std::optional<Amount> parse_units(std::string_view text, unsigned decimals,
                                           std::string* error);
  // Parses a canonical decimal integer (as stored in SQLite). Returns nullopt if malformed.
  static std::optional<Amount> parse_wei(std::string_view text);

  // Exact decimal text of the integer ("0", "1500000000000000000").
  std::string wei_string() const;
  // Exact decimal text in asset units, shortest form ("0", "1.5", "0.000000000000000001").
  std::string units_string(unsigned decimals) const;

  const Limbs& limbs() const { return limbs_; }
  bool is_zero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Below 2^64: the value is limbs()[0] (a caller's 64-bit fast path).
  bool fits_u64() const { return (limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // The value when it is below 2^128 (most amounts), for a caller's 128-bit fast path.
  std::optional<detail::U128> as_u128() const {
    if ((limbs_[2] | limbs_[3]) != 0) return std::nullopt;
    return (detail::U128{limbs_[1]} << 64) | limbs_[0];
  }
  // The value as Boost integers, for wide intermediates (by value: a conversion, not a view).
  U256 raw() const;
  U512 wide() const;
  S512 signed_wide() const { return S512(raw()); }  // for sums with signed terms

  // Carry chains, inline: these two are most of the engine's arithmetic.
  friend Amount operator+(const Amount& a, const Amount& b) {
    Amount sum;
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      carry = detail::add_limb(a.limbs_[i], b.limbs_[i], carry, &sum.limbs_[i]);
    }
    if (carry != 0) detail::throw_amount_overflow();
    return sum;
  }
  friend Amount operator-(const Amount& a, const Amount& b) {
    YL_ASSERT(a >= b);
    Amount difference;
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      borrow = detail::subtract_limb(a.limbs_[i], b.limbs_[i], borrow, &difference.limbs_[i]);
    }
    return difference;
  }
  // Inline where both factors are below 2^64 (most: a settlement's shares times a price step, a
  // share value's price times shares); wider products out of line.
  friend Amount operator*(const Amount& a, const Amount& b) {
    if ((a.limbs_[1] | a.limbs_[2] | a.limbs_[3] | b.limbs_[1] | b.limbs_[2] | b.limbs_[3]) == 0) {
      const detail::U128 p = detail::U128{a.limbs_[0]} * b.limbs_[0];
      return Amount(
          Limbs{static_cast<std::uint64_t>(p), static_cast<std::uint64_t>(p >> 64), 0, 0});
    }
    return multiply_wide(a, b);
  }
  friend Amount div_floor(const Amount& a, const Amount& b);
  friend Amount mod(const Amount& a, const Amount& b);
  friend QuotientRemainder div_floor_rem(const Amount& a, const Amount& b);
  friend Amount mul_div_floor(const Amount& a, const Amount& b, const Amount& c);
  friend class WideSum;
  Amount& operator+=(const Amount& b) { return *this = *this + b; }
  Amount& operator-=(const Amount& b) { return *this = *this - b; }

  // Limb by limb, without a branch (the defaulted one calls memcmp).
  friend bool operator==(const Amount& a, const Amount& b) {
    return ((a.limbs_[0] ^ b.limbs_[0]) | (a.limbs_[1] ^ b.limbs_[1]) |
            (a.limbs_[2] ^ b.limbs_[2]) | (a.limbs_[3] ^ b.limbs_[3])) == 0;
  }
  friend std::strong_ordering operator<=>(const Amount& a, const Amount& b) {
    for (int i = 3; i >= 0; --i) {
      const auto k = static_cast<std::size_t>(i);
      if (a.limbs_[k] != b.limbs_[k]) {
        return a.limbs_[k] < b.limbs_[k] ? std::strong_ordering::less
                                         : std::strong_ordering::greater;
      }
    }
    return std::strong_ordering::equal;
  }

 private:
  explicit Amount(const Limbs& limbs) : limbs_(limbs) {}
  static Amount multiply_wide(const Amount& a, const Amount& b);  // operator*, a factor >= 2^64
  Limbs limbs_{0, 0, 0, 0};
};

// floor(a / b) and a % b. REQUIRES: b > 0.
Amount div_floor(const Amount& a, const Amount& b);
// Both at once, with one division: {floor(a / b), a % b}. REQUIRES: b > 0.
QuotientRemainder div_floor_rem(const Amount& a, const Amount& b);
Amount mod(const Amount& a, const Amount& b);
inline Amount min(const Amount& a, const Amount& b) { return a < b ? a : b; }
// floor(a * b / c), exact with a 512-bit intermediate. REQUIRES: c > 0. Throws OverflowError if
// the quotient does not fit in 256 bits.
Amount mul_div_floor(const Amount& a, const Amount& b, const Amount& c);

struct QuotientRemainder {
  Amount quotient;
  Amount remainder;
};

// An exact sum of amounts and of products of two amounts, in 512 bits without Boost: the
// conservation invariants (SPEC §6) and the journal's per-entry balance run it after every event.
// Sums of fewer than 2^255 terms below 2^257 fit; a carry out of 512 bits aborts (YL_ASSERT).
class WideSum {
 public:
  WideSum() = default;
  explicit WideSum(const Amount& a) { *this += a; }
  static WideSum product(const Amount& a, const Amount& b);  // a·b, exact

  WideSum& operator+=(const Amount& a) {
    add<4>(a.limbs_.data());
    return *this;
  }
  WideSum& operator+=(const WideSum& b) {
    add<8>(b.limbs_.data());
    return *this;
  }
  bool below_2_256() const { return (limbs_[4] | limbs_[5] | limbs_[6] | limbs_[7]) == 0; }
  U512 wide() const;  // for messages
  friend bool operator==(const WideSum& a, const WideSum& b) {
    std::uint64_t differ = 0;  // limb by limb, without a branch (the defaulted one calls memcmp)
    for (std::size_t i = 0; i < 8; ++i) differ |= a.limbs_[i] ^ b.limbs_[i];
    return differ == 0;
  }

 private:
  template <std::size_t n>  // a compile-time count: the adds unroll into one carry chain
  void add(const std::uint64_t* b) {
    std::uint64_t carry = 0;
    std::size_t i = 0;
    for (; i < n; ++i) carry = detail::add_limb(limbs_[i], b[i], carry, &limbs_[i]);
    for (; carry != 0 && i < 8; ++i) carry = ++limbs_[i] == 0 ? 1 : 0;
    YL_ASSERT(carry == 0);
  }
  std::array<std::uint64_t, 8> limbs_{};
};

// Debits − credits, exactly: fewer than 2^63 amounts below 2^256 keep the true difference inside
// ±2^319, so 320-bit two's complement holds it, and it is zero exactly when they balance. The
// journal checks each entry with it; the auditor keeps one per journal account.
class NetSum {
 public:
  void add(const Amount& a) {
    std::uint64_t carry = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      carry = detail::add_limb(limbs_[k], a.limbs()[k], carry, &limbs_[k]);
    }
    limbs_[4] += carry;
  }
  void subtract(const Amount& a) {
    std::uint64_t borrow = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      borrow = detail::subtract_limb(limbs_[k], a.limbs()[k], borrow, &limbs_[k]);
    }
    limbs_[4] -= borrow;
  }
  NetSum& operator+=(const NetSum& b) {
    std::uint64_t carry = 0;  // a carry out of 320 bits is the sign's wrap-around: dropped
    for (std::size_t k = 0; k < 5; ++k) {
      carry = detail::add_limb(limbs_[k], b.limbs_[k], carry, &limbs_[k]);
    }
    return *this;
  }
  bool is_zero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3] | limbs_[4]) == 0; }
  S512 value() const;  // for comparisons with wide results and for messages
  friend bool operator==(const NetSum&, const NetSum&) = default;

 private:
  std::array<std::uint64_t, 5> limbs_{};
};

// A signed delta (yield, committed yield, T). Never stored as state; magnitude < 2^511.
class SignedAmount {
 public:
  SignedAmount() = default;
  static SignedAmount difference(const Amount& a, const Amount& b);  // a - b
  static SignedAmount of(const Amount& a) { return SignedAmount(a.signed_wide()); }
  const S512& signed_wide() const { return value_; }  // as Amount's, for mixed sums

  bool is_negative() const { return value_ < 0; }
  bool is_positive() const { return value_ > 0; }
  bool is_zero() const { return value_.is_zero(); }
  // |this| as an Amount. Throws OverflowError if it does not fit in 256 bits.
  Amount magnitude() const;
  std::string wei_string() const;

  friend SignedAmount operator+(const SignedAmount& a, const SignedAmount& b) {
    return SignedAmount(a.value_ + b.value_);
  }
  friend SignedAmount operator-(const SignedAmount& a, const SignedAmount& b) {
    return SignedAmount(a.value_ - b.value_);
  }
  friend bool operator==(const SignedAmount&, const SignedAmount&) = default;

 private:
  explicit SignedAmount(const S512& value) : value_(value) {}
  S512 value_{0};
};

std::ostream& operator<<(std::ostream& out, const Amount& amount);
std::ostream& operator<<(std::ostream& out, const SignedAmount& amount);

}  // namespace yl
