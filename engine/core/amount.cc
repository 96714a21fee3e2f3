#include "engine/core/amount.h"

#include <algorithm>
#include <ostream>

#include "engine/core/assert.h"

namespace yl {
namespace {

__extension__ using NativeU128 = unsigned __int128;  // GCC and clang; saves Boost's slow str()

const U512& two_pow_256() {
  static const U512 value = U512(1) << 256;
  return value;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Accumulates decimal digits into a 512-bit integer; 512 bits hold any 154-digit number, and we
// refuse longer input before calling this, so the accumulation itself cannot overflow.
U512 digits_value(std::string_view digits) {
  U512 value = 0;
  for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

}  // namespace

Amount Amount::from_u512(const U512& value) {
  if (value >= two_pow_256()) throw OverflowError("result would not fit in 256 bits");
  return Amount(U256(value));
}

Amount Amount::from_u1024(const U1024& value) {
  if (value >= U1024(two_pow_256())) throw OverflowError("result would not fit in 256 bits");
  return Amount(U256(value));
}

Amount Amount::max() { return Amount(U256(two_pow_256() - 1)); }

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
  // 2^256 has 78 digits; anything with more whole-plus-fraction digits is certainly too large.
  if (significant.size() > 78) {
    return fail("'" + std::string(text) + "' is not below 2^256 base units");
  }
  U512 value = digits_value(significant);
  for (unsigned i = 0; i < decimals; ++i) {
    value *= 10;
    if (value >= two_pow_256()) return fail("'" + std::string(text) + "' is not below 2^256 base units");
  }
  U512 fraction_value = digits_value(fraction);
  for (std::size_t i = fraction.size(); i < decimals; ++i) fraction_value *= 10;
  value += fraction_value;
  if (value >= two_pow_256()) return fail("'" + std::string(text) + "' is not below 2^256 base units");
  return Amount(U256(value));
}

std::optional<Amount> Amount::parse_wei(std::string_view text) {
  if (!all_digits(text) || text.size() > 78) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  const U512 value = digits_value(text);
  if (value >= two_pow_256()) return std::nullopt;
  return Amount(U256(value));
}

std::string Amount::wei_string() const {
  // Most amounts fit in 128 bits; printing those with native integers is many times faster than
  // the general conversion, and the journal prints millions of them.
  static const U256 k128 = U256(1) << 128;
  if (value_ >= k128) return value_.str();
  auto v = value_.convert_to<NativeU128>();
  char digits[40];
  char* end = digits + sizeof digits;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(p, end);
}

std::string Amount::units_string(unsigned decimals) const {
  std::string digits = value_.str();
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

// Boost's checked 256-bit type throws std::overflow_error past 2^256 - 1; that is the one
// signal we translate, so the common path costs a single 256-bit add.
Amount operator+(const Amount& a, const Amount& b) {
  try {
    return Amount(a.value_ + b.value_);
  } catch (const std::overflow_error&) {
    throw OverflowError("result would not fit in 256 bits");
  }
}

Amount operator-(const Amount& a, const Amount& b) {
  YL_ASSERT(a.value_ >= b.value_);
  return Amount(a.value_ - b.value_);
}

Amount operator*(const Amount& a, const Amount& b) {
  try {
    return Amount(a.value_ * b.value_);
  } catch (const std::overflow_error&) {
    throw OverflowError("result would not fit in 256 bits");
  }
}

Amount div_floor(const Amount& a, const Amount& b) {
  YL_ASSERT(!b.is_zero());
  return Amount(a.value_ / b.value_);
}

Amount mod(const Amount& a, const Amount& b) {
  YL_ASSERT(!b.is_zero());
  return Amount(a.value_ % b.value_);
}

QuotientRemainder div_floor_rem(const Amount& a, const Amount& b) {
  YL_ASSERT(!b.is_zero());
  U256 quotient, remainder;
  boost::multiprecision::divide_qr(a.value_, b.value_, quotient, remainder);
  return {Amount(quotient), Amount(remainder)};
}

Amount min(const Amount& a, const Amount& b) { return a < b ? a : b; }

Amount mul_div_floor(const Amount& a, const Amount& b, const Amount& c) {
  YL_ASSERT(!c.is_zero());
  return Amount::from_u512(a.wide() * b.wide() / c.wide());
}

SignedAmount SignedAmount::difference(const Amount& a, const Amount& b) {
  return SignedAmount(S512(a.raw()) - S512(b.raw()));
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
