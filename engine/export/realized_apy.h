// Realized APY (README "Realized APY"): a period's yield annualized linearly, as a percent,
//
//   apy % = 100 × yield × YEAR / (capital × Δt)        (YEAR = 31,536,000 s, SPEC notation)
//
// For an asset's share price over a period, yield = P1 − P0 and capital = P0: Lido's APR method,
// the price ratio annualized. For a group of accounts, yield is what its shares earned and
// capital × Δt the sum over the period's reports of what it held times the report's interval.
//
// The quotient is exact rational arithmetic on unbounded integers, printed with
// kApyFractionDigits digits, rounded toward zero; the `_float` companion is that text converted
// to a double, for charts only. Nothing here compounds: compounding a period of Δt seconds to a
// year needs a Δt-th root, which has no exact integer form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/multiprecision/cpp_int.hpp>

#include "engine/core/amount.h"

namespace yl {

using BigInt = boost::multiprecision::cpp_int;

inline constexpr unsigned kApyFractionDigits = 9;
inline constexpr std::int64_t kSecondsPerYear = 31'536'000;

// An amount as an unbounded integer.
BigInt big(const Amount& amount);

// Exact decimal text of wei in L2 asset units (18 decimals), shortest form, as units() prints an
// Amount, for sums that may pass 2^256; a negative value (a §9.3 loss) gets a leading "-".
std::string wide_units(const BigInt& wei);

// floor(|num| / den × 10^digits) as decimal text with `digits` fraction digits, the sign of num
// kept ("-0.5" style; never "-0"). REQUIRES: den > 0.
std::string decimal_toward_zero(const BigInt& num, const BigInt& den, unsigned digits);

// 100 × yield × YEAR / capital_seconds as exact text, or nullopt when capital_seconds is 0 (no
// capital was held, or the period is empty: there is no rate to speak of).
std::optional<std::string> annualized_percent(const BigInt& yield, const BigInt& capital_seconds);

// The realized APY of a price moving from p0 to p1 over dt_s seconds. REQUIRES: p0 > 0.
std::optional<std::string> price_apy_percent(const Amount& p0, const Amount& p1, std::int64_t dt_s);

// The text of a double nearest to exact decimal text, shortest round-trip form: for `_float`
// columns and charts only.
std::string float_text(const std::string& exact_decimal);
double to_double(const std::string& exact_decimal);

}  // namespace yl
