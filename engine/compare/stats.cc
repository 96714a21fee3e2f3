#include "engine/compare/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/export/realized_apy.h"

namespace yl::compare {
namespace {

bool is_exact(const std::vector<Value>& values) {
  YL_ASSERT(!values.empty());
  const bool exact = values.front().exact.has_value();
  for (const Value& v : values) YL_ASSERT(v.exact.has_value() == exact);
  return exact;
}

// Σx / n with kMeanFractionDigits decimals, toward zero.
std::string exact_mean(const BigInt& sum, std::int64_t n) {
  return decimal_toward_zero(sum, BigInt(n), kMeanFractionDigits);
}

double big_to_double(const BigInt& v) { return v.convert_to<double>(); }

struct Moments {
  std::string mean;
  double mean_float = 0;
  std::optional<double> sd;
};

Moments exact_moments(const std::vector<Value>& values) {
  const auto n = static_cast<std::int64_t>(values.size());
  BigInt sum = 0;
  BigInt sum_squares = 0;
  for (const Value& v : values) {
    sum += *v.exact;
    sum_squares += *v.exact * *v.exact;
  }
  Moments m;
  m.mean = exact_mean(sum, n);
  m.mean_float = big_to_double(sum) / static_cast<double>(n);
  if (n >= 2) {
    // Exact: n·Σx² − (Σx)² = Σ_{i<j} (x_i − x_j)² ≥ 0.
    const BigInt numerator = BigInt(n) * sum_squares - sum * sum;
    YL_ASSERT(numerator >= 0);
    const BigInt denominator = BigInt(n) * BigInt(n - 1);
    m.sd = std::sqrt(big_to_double(numerator) / big_to_double(denominator));
  }
  return m;
}

Moments real_moments(const std::vector<Value>& values) {
  const auto n = static_cast<double>(values.size());
  double sum = 0;
  for (const Value& v : values) sum += v.real;
  Moments m;
  m.mean_float = sum / n;
  // 15 significant digits, which every double holds: 0.025, not the shortest text of the double
  // a difference of two left, 0.024999999999999994 (helper-86's F2).
  m.mean = fmt::format("{:.15g}", m.mean_float);
  if (values.size() >= 2) {
    double squares = 0;  // two passes: no cancellation of large sums
    for (const Value& v : values) squares += (v.real - m.mean_float) * (v.real - m.mean_float);
    m.sd = std::sqrt(squares / (n - 1));
  }
  return m;
}

Moments moments(const std::vector<Value>& values) {
  return is_exact(values) ? exact_moments(values) : real_moments(values);
}

bool less(const Value& a, const Value& b) {
  return a.exact ? *a.exact < *b.exact : a.real < b.real;
}

}  // namespace

Value minus(const Value& a, const Value& b) {
  YL_ASSERT(a.exact.has_value() == b.exact.has_value());
  return a.exact ? Value::of_int(*a.exact - *b.exact) : Value::of_real(a.real - b.real);
}

std::string outward_text(double v, bool up) {
  if (v == 0 || !std::isfinite(v)) return fmt::format("{:.6g}", v);
  // The 6th significant digit's unit; v / unit rounded to an integer away from the centre (an
  // inexact quotient can only widen it by one unit more).
  const double unit = std::pow(10.0, std::floor(std::log10(std::fabs(v))) - 5);
  const double steps = up ? std::ceil(v / unit) : std::floor(v / unit);
  std::string text = fmt::format("{:.6g}", steps * unit);
  // A bound on the 6-digit grid already (v / unit whole) may print a decimal an ulp inside v
  // (helper-78's F4): one step further out then.
  const double shown = std::strtod(text.c_str(), nullptr);
  if (up ? shown < v : shown > v) text = fmt::format("{:.6g}", (steps + (up ? 1 : -1)) * unit);
  return text;
}

double Value::to_double() const { return exact ? big_to_double(*exact) : real; }

// A real value with the 15 significant digits of a real mean, so that one value prints one way
// as a percentile and as the mean of one run (helper-90's F9).
std::string Value::text() const { return exact ? exact->str() : fmt::format("{:.15g}", real); }

const std::vector<TRow> kStudentT975 = {
    {1, 12.706204736},   {2, 4.302652730},   {3, 3.182446305},   {4, 2.776445105},
    {5, 2.570581836},    {6, 2.446911851},   {7, 2.364624252},   {8, 2.306004135},
    {9, 2.262157163},    {10, 2.228138852},  {11, 2.200985160},  {12, 2.178812830},
    {13, 2.160368656},   {14, 2.144786688},  {15, 2.131449546},  {16, 2.119905299},
    {17, 2.109815578},   {18, 2.100922040},  {19, 2.093024054},  {20, 2.085963447},
    {21, 2.079613845},   {22, 2.073873068},  {23, 2.068657610},  {24, 2.063898562},
    {25, 2.059538553},   {26, 2.055529439},  {27, 2.051830516},  {28, 2.048407142},
    {29, 2.045229642},   {30, 2.042272456},  {35, 2.030107928},  {40, 2.021075390},
    {45, 2.014103389},   {50, 2.008559112},  {60, 2.000297822},  {70, 1.994437112},
    {80, 1.990063421},   {90, 1.986674541},  {100, 1.983971519}, {120, 1.979930405},
    {150, 1.975905331},  {200, 1.971896224}, {300, 1.967903011}, {500, 1.964719837},
    {1000, 1.962339081},
};

double student_t975(std::int64_t df) {
  YL_ASSERT(df >= 1);
  // The last row with row.df ≤ df: the next lower tabulated degrees of freedom.
  const auto after = std::upper_bound(kStudentT975.begin(), kStudentT975.end(), df,
                                      [](std::int64_t d, const TRow& row) { return d < row.df; });
  YL_ASSERT(after != kStudentT975.begin());
  return std::prev(after)->t;
}

std::size_t nearest_rank_index(std::size_t n, unsigned p) {
  YL_ASSERT(n > 0 && p > 0 && p <= 100);
  const std::size_t rank = (p * n + 99) / 100;  // ⌈p·n/100⌉ ≥ 1
  YL_ASSERT(rank >= 1 && rank <= n);
  return rank - 1;
}

Summary summarize(const std::vector<Value>& values) {
  const Moments m = moments(values);
  std::vector<Value> sorted = values;
  std::sort(sorted.begin(), sorted.end(), less);
  Summary s;
  s.n = static_cast<std::int64_t>(values.size());
  s.mean = m.mean;
  s.mean_float = m.mean_float;
  s.sd = m.sd;
  s.p5 = sorted[nearest_rank_index(sorted.size(), 5)];
  s.p50 = sorted[nearest_rank_index(sorted.size(), 50)];
  s.p95 = sorted[nearest_rank_index(sorted.size(), 95)];
  return s;
}

PairedDifference paired_difference(const std::vector<Value>& values,
                                   const std::vector<Value>& baseline) {
  YL_ASSERT(values.size() == baseline.size());
  const bool exact = is_exact(values);
  YL_ASSERT(is_exact(baseline) == exact);
  std::vector<Value> d;
  for (std::size_t k = 0; k < values.size(); ++k) d.push_back(minus(values[k], baseline[k]));
  const Moments m = moments(d);
  PairedDifference p;
  p.n = static_cast<std::int64_t>(d.size());
  p.mean = m.mean;
  p.mean_float = m.mean_float;
  p.sd = m.sd;
  if (m.sd) {
    const double half = student_t975(p.n - 1) * *m.sd / std::sqrt(static_cast<double>(p.n));
    p.ci95_half = half;
    p.ci95_float = std::pair{m.mean_float - half, m.mean_float + half};
    if (exact) {
      // In thousandths, rounded outward from the exact mean ∓ the half-width rounded up: never
      // narrower than computed. (From the mean as printed, toward zero, the far bound could fall
      // inside: 42.704 for 42.70466; helper-44's F4.)
      const BigInt milli = 1000;
      BigInt sum = 0;
      for (const Value& v : d) sum += *v.exact;
      const BigInt n(p.n);
      const BigInt widen = BigInt(std::ceil(half * 1000)) * n;
      const BigInt low = sum * milli - widen, high = sum * milli + widen;
      // cpp_int division truncates toward zero: one step down (up) where it rounded the other way.
      const BigInt floor_low = low / n - (low % n != 0 && low < 0 ? 1 : 0);
      const BigInt ceil_high = high / n + (high % n != 0 && high > 0 ? 1 : 0);
      p.ci95 = std::pair{decimal_toward_zero(floor_low, milli, kMeanFractionDigits),
                         decimal_toward_zero(ceil_high, milli, kMeanFractionDigits)};
    } else {
      p.ci95 = std::pair{outward_text(p.ci95_float->first, false),
                         outward_text(p.ci95_float->second, true)};
    }
  }
  return p;
}

}  // namespace yl::compare
