#include "engine/core/amount.h"

#include <algorithm>
#include <ostream>

namespace yl {
namespace {

using detail::U128;
using Limbs = Amount::Limbs;

constexpr std::uint64_t kTen19 = 10'000'000'000'000'000'000ULL;  // the largest 10^k in 64 bits

// Limbs in use (the index of the highest non-zero limb, plus one); 0 for zero.
int used(const std::uint64_t* limbs, int count) {
  while (count > 0 && limbs[count - 1] == 0) --count;
  return count;
}

// a (n limbs) times b (m limbs) into product (n + m limbs, zeroed here).
void multiply(const std::uint64_t* a, int n, const std::uint64_t* b, int m,
              std::uint64_t* product) {
  std::fill(product, product + n + m, 0);
  for (int i = 0; i < n; ++i) {
    std::uint64_t carry = 0;
    for (int j = 0; j < m; ++j) {
      const U128 t = U128{a[i]} * b[j] + product[i + j] + carry;
      product[i + j] = static_cast<std::uint64_t>(t);
      carry = static_cast<std::uint64_t>(t >> 64);
    }
    product[i + m] = carry;
  }
}

// Knuth's algorithm D (TAOCP 4.3.1; the layout of Hacker's Delight's divmnu64): u (m limbs)
// divided by v (n limbs, v[n - 1] != 0, m >= n, n <= 4, m <= 8) into q (m - n + 1 limbs) and
// r (n limbs). Exact: the remainder is what the subtractions leave.
void divide(const std::uint64_t* u, int m, const std::uint64_t* v, int n, std::uint64_t* q,
            std::uint64_t* r) {
  if (n == 1) {
    std::copy(u, u + m, q);
    r[0] = detail::divide_limbs(q, static_cast<std::size_t>(m), v[0]);
    return;
  }
  // Normalize: shift so the divisor's top bit is set; then each estimated quotient digit is at
  // most 2 too large.
  const int s = __builtin_clzll(v[n - 1]);
  const auto hi = [s](std::uint64_t high, std::uint64_t low) {
    return s == 0 ? high : (high << s) | (low >> (64 - s));
  };
  std::uint64_t vn[4];
  std::uint64_t un[9];
  for (int i = n - 1; i > 0; --i) vn[i] = hi(v[i], v[i - 1]);
  vn[0] = v[0] << s;
  un[m] = s == 0 ? 0 : u[m - 1] >> (64 - s);
  for (int i = m - 1; i > 0; --i) un[i] = hi(u[i], u[i - 1]);
  un[0] = u[0] << s;

  for (int j = m - n; j >= 0; --j) {
    const U128 top = (U128{un[j + n]} << 64) | un[j + n - 1];
    U128 qhat = top / vn[n - 1];
    U128 rhat = top - qhat * vn[n - 1];
    while ((qhat >> 64) != 0 || qhat * vn[n - 2] > ((rhat << 64) | un[j + n - 2])) {
      --qhat;
      rhat += vn[n - 1];
      if ((rhat >> 64) != 0) break;
    }
    // un[j .. j+n] -= qhat * vn
    std::uint64_t carry = 0;
    std::uint64_t borrow = 0;
    for (int i = 0; i < n; ++i) {
      const U128 p = qhat * vn[i] + carry;
      carry = static_cast<std::uint64_t>(p >> 64);
      const auto low = static_cast<std::uint64_t>(p);
      const std::uint64_t x = un[i + j];
      const std::uint64_t d = x - low;
      const std::uint64_t b1 = x < low ? 1 : 0;
      un[i + j] = d - borrow;
      borrow = b1 + (d < borrow ? 1 : 0);  // at most 1: d >= 1 whenever b1 is 1
    }
    const U128 owed = U128{carry} + borrow;
    const bool negative = U128{un[j + n]} < owed;
    un[j + n] -= static_cast<std::uint64_t>(owed);
    q[j] = static_cast<std::uint64_t>(qhat);
    if (negative) {  // qhat was one too large (rare): add the divisor back
      --q[j];
      std::uint64_t c = 0;
      for (int i = 0; i < n; ++i) c = detail::add_limb(un[i + j], vn[i], c, &un[i + j]);
      un[j + n] += c;  // wraps back to the true (non-negative) value
    }
  }
  for (int i = 0; i < n - 1; ++i) {
    r[i] = s == 0 ? un[i] : (un[i] >> s) | (un[i + 1] << (64 - s));
  }
  r[n - 1] = un[n - 1] >> s;
}

// {a / b, a % b} for 256-bit a and b. REQUIRES: b != 0.
void divide_256(const Limbs& a, const Limbs& b, Limbs& quotient, Limbs& remainder) {
  quotient = {0, 0, 0, 0};
  remainder = {0, 0, 0, 0};
  const int m = used(a.data(), 4);
  const int n = used(b.data(), 4);
  if (m < n ||
      (m == n && std::lexicographical_compare(a.rbegin(), a.rend(), b.rbegin(), b.rend()))) {
    remainder = a;  // a < b
    return;
  }
  if (m <= 2) {  // both below 2^128: native
    const U128 x = (U128{a[1]} << 64) | a[0];
    const U128 y = (U128{b[1]} << 64) | b[0];
    const U128 q = x / y;
    const U128 r = x - q * y;
    quotient = {static_cast<std::uint64_t>(q), static_cast<std::uint64_t>(q >> 64), 0, 0};
    remainder = {static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(r >> 64), 0, 0};
    return;
  }
  divide(a.data(), m, b.data(), n, quotient.data(), remainder.data());
}

// Decimal digits of v into the end of buffer `end` (no leading zeros unless `width` pads them).
char* put_digits(std::uint64_t v, char* end, int width) {
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (end - p < width) *--p = '0';
  return p;
}

// value = value * multiplier + addend, in 256 bits. Returns false if the result is >= 2^256.
bool multiply_add(Limbs& value, std::uint64_t multiplier, std::uint64_t addend) {
  std::uint64_t carry = addend;
  for (std::size_t i = 0; i < 4; ++i) {
    const U128 t = U128{value[i]} * multiplier + carry;
    value[i] = static_cast<std::uint64_t>(t);
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  return carry == 0;
}

std::uint64_t pow10(std::size_t k) {  // REQUIRES: k <= 19
  std::uint64_t p = 1;
  while (k-- > 0) p *= 10;
  return p;
}

// Appends the decimal digits of `digits` (all '0'-'9') to value, 19 at a time. Returns false on
// reaching 2^256. Every partial value is at most the final one, so this fails exactly when the
// whole number does not fit.
bool append_digits(Limbs& value, std::string_view digits) {
  while (!digits.empty()) {
    const std::size_t k = std::min<std::size_t>(digits.size(), 19);
    std::uint64_t chunk = 0;
    for (std::size_t i = 0; i < k; ++i) chunk = chunk * 10 + static_cast<unsigned>(digits[i] - '0');
    if (!multiply_add(value, pow10(k), chunk)) return false;
    digits.remove_prefix(k);
  }
  return true;
}

// value * 10^zeros, or false at 2^256.
bool append_zeros(Limbs& value, std::size_t zeros) {
  if (value == Limbs{0, 0, 0, 0}) return true;
  while (zeros > 0) {
    const std::size_t k = std::min<std::size_t>(zeros, 19);
    if (!multiply_add(value, pow10(k), 0)) return false;
    zeros -= k;
  }
  return true;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The Boost backends of U256, U512 and U1024 hold 64-bit limbs, least significant first.
static_assert(sizeof(boost::multiprecision::limb_type) == sizeof(std::uint64_t));

template <class Wide, std::size_t N>
Wide to_boost(const std::array<std::uint64_t, N>& limbs) {
  Wide result;
  auto& backend = result.backend();
  backend.resize(N, N);
  std::copy(limbs.begin(), limbs.end(), backend.limbs());
  backend.normalize();
  return result;
}

// REQUIRES: value >= 0. Throws OverflowError if it is >= 2^256.
template <class Wide>
Limbs from_boost(const Wide& value) {
  const auto& backend = value.backend();
  if (backend.size() > 4) throw OverflowError("result would not fit in 256 bits");
  Limbs limbs{0, 0, 0, 0};
  std::copy(backend.limbs(), backend.limbs() + backend.size(), limbs.begin());
  return limbs;
}

}  // namespace

namespace detail {
void throw_amount_overflow() { throw OverflowError("result would not fit in 256 bits"); }
}  // namespace detail

U256 Amount::raw() const { return to_boost<U256>(limbs_); }
U512 Amount::wide() const { return to_boost<U512>(limbs_); }

Amount Amount::from_u512(const U512& value) { return Amount(from_boost(value)); }
Amount Amount::from_u1024(const U1024& value) { return Amount(from_boost(value)); }

Amount Amount::max() { return Amount(Limbs{~0ULL, ~0ULL, ~0ULL, ~0ULL}); }

std::optional<Amount> Amount::parse_units(std::string_view text, unsigned decimals,
                                          std::string* error) {
  auto fail = [&](std::string message) -> std::optional<Amount> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
    return fail("'" + std::string(text) +
                "' is not a plain decimal number (digits, optionally '.' and more digits)");
  }
  if (fraction.size() > decimals) {
    return fail("'" + std::string(text) + "' has " + std::to_string(fraction.size()) +
                " fraction digits; at most " + std::to_string(decimals) + " allowed");
  }
  // Leading zeros are allowed ("007"); strip them so the length bound below is about magnitude.
  const auto first_nonzero = whole.find_first_not_of('0');
  const std::string_view significant =
      first_nonzero == std::string_view::npos ? std::string_view() : whole.substr(first_nonzero);
  // value = whole * 10^decimals + fraction * 10^(decimals - fraction digits): the digits of the
  // whole part, then the fraction's, then zeros. Any step reaching 2^256 means the result does.
  Limbs value{0, 0, 0, 0};
  if (significant.size() > 78 || !append_digits(value, significant) ||
      !append_digits(value, fraction) || !append_zeros(value, decimals - fraction.size())) {
    return fail("'" + std::string(text) + "' is not below 2^256 base units");
  }
  return Amount(value);
}

std::optional<Amount> Amount::parse_wei(std::string_view text) {
  if (!all_digits(text) || text.size() > 78) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  Limbs value{0, 0, 0, 0};
  if (!append_digits(value, text)) return std::nullopt;
  return Amount(value);
}

std::string Amount::wei_string() const {
  // 2^256 has 78 digits: at most five chunks of 19 digits, the lowest first, each the remainder
  // of a division by 10^19 (one native 128-by-64 division per limb).
  char digits[80];
  char* const end = digits + sizeof digits;
  if (fits_u64()) {
    char* p = put_digits(limbs_[0], end, 1);
    return std::string(p, end);
  }
  Limbs v = limbs_;
  char* p = end;
  int n = used(v.data(), 4);
  while (n > 0) {
    const std::uint64_t rem = detail::divide_limbs(v.data(), static_cast<std::size_t>(n), kTen19);
    n = used(v.data(), n);
    p = put_digits(rem, p, n > 0 ? 19 : 1);
  }
  return std::string(p, end);
}

std::string Amount::units_string(unsigned decimals) const {
  std::string digits = wei_string();
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  const std::size_t point = digits.size() - decimals;
  std::size_t last = digits.size();
  while (last > point && digits[last - 1] == '0') --last;
  if (last == point) {
    digits.resize(point);
  } else {
    digits.resize(last);
    digits.insert(point, 1, '.');
  }
  return digits;
}

Amount Amount::multiply_wide(const Amount& a, const Amount& b) {
  if ((a.limbs_[2] | a.limbs_[3] | b.limbs_[2] | b.limbs_[3]) == 0) {
    // Both below 2^128 (most factors: prices, shares, rpow's RAY-scaled rates): the product fits
    // in 256 bits, so four limb products and their carries, with no overflow to check.
    const U128 low = U128{a.limbs_[0]} * b.limbs_[0];
    const U128 cross1 = U128{a.limbs_[0]} * b.limbs_[1];
    const U128 cross2 = U128{a.limbs_[1]} * b.limbs_[0];
    const U128 high = U128{a.limbs_[1]} * b.limbs_[1];
    // Limb 1 collects three 64-bit halves; what it carries goes on into limb 2, and so on.
    const U128 middle =
        (low >> 64) + static_cast<std::uint64_t>(cross1) + static_cast<std::uint64_t>(cross2);
    const U128 upper =
        (middle >> 64) + (cross1 >> 64) + (cross2 >> 64) + static_cast<std::uint64_t>(high);
    return Amount(Limbs{static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(middle),
                        static_cast<std::uint64_t>(upper),
                        static_cast<std::uint64_t>((upper >> 64) + (high >> 64))});
  }
  const int n = used(a.limbs_.data(), 4);
  const int m = used(b.limbs_.data(), 4);
  if (n == 0 || m == 0) return Amount();
  // a >= 2^(64(n-1)) and b >= 2^(64(m-1)): with n + m > 5 the product is at least 2^256.
  if (n + m > 5) throw OverflowError("result would not fit in 256 bits");
  std::uint64_t product[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  multiply(a.limbs_.data(), n, b.limbs_.data(), m, product);
  if (n + m == 5 && product[4] != 0) throw OverflowError("result would not fit in 256 bits");
  return Amount(Limbs{product[0], product[1], product[2], product[3]});
}

WideSum WideSum::product(const Amount& a, const Amount& b) {
  if ((a.limbs_[2] | a.limbs_[3] | b.limbs_[2] | b.limbs_[3]) == 0) {
    return WideSum(a * b);  // both below 2^128 (a price times the shares): it fits in 256 bits
  }
  WideSum p;
  const int n = used(a.limbs_.data(), 4);
  const int m = used(b.limbs_.data(), 4);
  if (n > 0 && m > 0) multiply(a.limbs_.data(), n, b.limbs_.data(), m, p.limbs_.data());
  return p;
}

U512 WideSum::wide() const { return to_boost<U512>(limbs_); }

S512 NetSum::value() const {
  if ((limbs_[4] >> 63) == 0) return S512(to_boost<U512>(limbs_));
  std::array<std::uint64_t, 5> magnitude{};  // -x = ~x + 1 in two's complement
  std::uint64_t carry = 1;
  for (std::size_t k = 0; k < 5; ++k) {
    carry = detail::add_limb(~limbs_[k], 0, carry, &magnitude[k]);
  }
  return -S512(to_boost<U512>(magnitude));
}

Amount div_floor(const Amount& a, const Amount& b) { return div_floor_rem(a, b).quotient; }

Amount mod(const Amount& a, const Amount& b) { return div_floor_rem(a, b).remainder; }

QuotientRemainder div_floor_rem(const Amount& a, const Amount& b) {
  YL_ASSERT(!b.is_zero());
  if (b.fits_u64()) {
    // b below 2^64 (share prices, SPEC §3.2): long division by one limb, one `div` for each limb
    // of a at or above b's; not U128 division, which calls __udivmodti4.
    Limbs quotient = a.limbs_;
    const std::uint64_t remainder = detail::divide_limbs(
        quotient.data(), static_cast<std::size_t>(used(quotient.data(), 4)), b.limbs_[0]);
    return {Amount(quotient), Amount::from_u64(remainder)};
  }
  Limbs quotient, remainder;
  divide_256(a.limbs_, b.limbs_, quotient, remainder);
  return {Amount(quotient), Amount(remainder)};
}

Amount mul_div_floor(const Amount& a, const Amount& b, const Amount& c) {
  YL_ASSERT(!c.is_zero());
  if ((b.limbs_[1] | b.limbs_[2] | b.limbs_[3] | c.limbs_[1] | c.limbs_[2] | c.limbs_[3]) == 0) {
    // b and c below 2^64 (weights over BPS, staking's apr·Δt over BPS·YEAR): a·b in five limbs,
    // then long division by c's one limb, one `div` for each limb the product uses.
    std::uint64_t product[5];
    multiply(a.limbs_.data(), 4, b.limbs_.data(), 1, product);
    detail::divide_limbs(product, static_cast<std::size_t>(used(product, 5)), c.limbs_[0]);
    if (product[4] != 0) throw OverflowError("result would not fit in 256 bits");
    return Amount(Limbs{product[0], product[1], product[2], product[3]});
  }
  if (c.limbs_ == detail::kRayLimbs &&
      (a.limbs_[2] | a.limbs_[3] | b.limbs_[2] | b.limbs_[3]) == 0) {
    // A value below 2^128 times a RAY-scaled factor below 2^128 (treasury accrual, SPEC §5.1):
    // the product fits in 256 bits, and so does its quotient.
    Limbs quotient = Amount::multiply_wide(a, b).limbs_;
    detail::divide_limbs_by_ray(quotient.data(),
                                static_cast<std::size_t>(used(quotient.data(), 4)));
    return Amount(quotient);
  }
  const int na = used(a.limbs_.data(), 4);
  const int nb = used(b.limbs_.data(), 4);
  if (na == 0 || nb == 0) return Amount();
  std::uint64_t product[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  multiply(a.limbs_.data(), na, b.limbs_.data(), nb, product);
  const int m = used(product, na + nb);
  const int n = used(c.limbs_.data(), 4);
  if (m <= 2 && n <= 2) {  // the product and the divisor below 2^128: native
    const U128 x = (U128{m == 2 ? product[1] : 0} << 64) | product[0];
    const U128 y = (U128{c.limbs_[1]} << 64) | c.limbs_[0];
    const U128 q = x / y;
    return Amount(Limbs{static_cast<std::uint64_t>(q), static_cast<std::uint64_t>(q >> 64), 0, 0});
  }
  if (m < n) return Amount();  // product < 2^(64(m)) <= c
  std::uint64_t quotient[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (c.limbs_ == detail::kRayLimbs) {  // treasury accrual, discounted withdrawals
    std::copy(product, product + m, quotient);
    detail::divide_limbs_by_ray(quotient, static_cast<std::size_t>(m));
  } else {
    std::uint64_t remainder[4];
    divide(product, m, c.limbs_.data(), n, quotient, remainder);
  }
  if ((quotient[4] | quotient[5] | quotient[6] | quotient[7]) != 0) {
    throw OverflowError("result would not fit in 256 bits");
  }
  return Amount(Limbs{quotient[0], quotient[1], quotient[2], quotient[3]});
}

SignedAmount SignedAmount::difference(const Amount& a, const Amount& b) {
  return SignedAmount(a.signed_wide() - b.signed_wide());
}

Amount SignedAmount::magnitude() const {
  const S512 abs_value = value_ < 0 ? S512(-value_) : value_;
  return Amount::from_u512(U512(abs_value));
}

std::string SignedAmount::wei_string() const { return value_.str(); }

std::ostream& operator<<(std::ostream& out, const Amount& amount) {
  return out << amount.wei_string();
}

std::ostream& operator<<(std::ostream& out, const SignedAmount& amount) {
  return out << amount.wei_string();
}

}  // namespace yl
