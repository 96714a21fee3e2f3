#include "engine/export/realized_apy.h"

#include <cstdlib>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/core/asset.h"

namespace yl {

BigInt big(const Amount& amount) {
  BigInt value = 0;
  value += amount.raw();
  return value;
}

std::string decimal_toward_zero(const BigInt& num, const BigInt& den, unsigned digits) {
  YL_ASSERT(den > 0);
  const bool negative = num < 0;
  BigInt scale = 1;
  for (unsigned i = 0; i < digits; ++i) scale *= 10;
  const BigInt magnitude = (negative ? BigInt(-num) : num) * scale / den;  // rounds toward zero
  std::string text = magnitude.str();
  if (digits > 0) {
    if (text.size() <= digits) text.insert(0, digits + 1 - text.size(), '0');
    text.insert(text.size() - digits, ".");
  }
  if (negative && magnitude != 0) text.insert(0, "-");
  return text;
}

std::string wide_units(const BigInt& wei) {
  // Negative only for a yield or accrual under SPEC §9.3, where the price may fall.
  if (wei < 0) return "-" + wide_units(BigInt(-wei));
  BigInt unit = 1;
  for (unsigned i = 0; i < kAssetDecimals; ++i) unit *= 10;
  std::string text = decimal_toward_zero(wei, unit, kAssetDecimals);  // exact: no rounding
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::optional<std::string> annualized_percent(const BigInt& yield, const BigInt& capital_seconds) {
  if (capital_seconds <= 0) return std::nullopt;
  return decimal_toward_zero(yield * kSecondsPerYear * 100, capital_seconds, kApyFractionDigits);
}

std::optional<std::string> price_apy_percent(const Amount& p0, const Amount& p1,
                                             std::int64_t dt_s) {
  YL_ASSERT(!p0.is_zero());
  YL_ASSERT(dt_s >= 0);
  const BigInt before = big(p0);
  const BigInt after = big(p1);
  return annualized_percent(after - before, before * dt_s);
}

double to_double(const std::string& exact_decimal) {
  return std::strtod(exact_decimal.c_str(), nullptr);  // correctly rounded, display only
}

std::string float_text(const std::string& exact_decimal) {
  if (exact_decimal.empty()) return "";
  return fmt::format("{}", to_double(exact_decimal));
}

}  // namespace yl
