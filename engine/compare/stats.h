// The statistics of `yieldledger compare` (README "Compare"), over the runs of a sweep's points.
//
//   mean     of an `int` metric: Σ exact (unbounded integers), ÷ n, written with 3 decimals,
//            rounded toward zero (decimal_toward_zero); of a `real` metric: Σ in run order ÷ n,
//            in double precision, written with 15 significant digits (0.025, not the
//            0.024999999999999994 a difference of two doubles may leave).
//   sd       the sample standard deviation (÷ (n − 1)); for an `int` metric the variance is the
//            exact fraction (n·Σx² − (Σx)²) / (n·(n − 1)) and only its square root is floating
//            point. Empty when n < 2.
//   p5, p50, p95   nearest rank: the value at rank ⌈p·n/100⌉ (1-based, at least 1) of the
//            sorted values, so a percentile is always one of the values, exact for `int` (a
//            `real` one written with 15 significant digits, as its mean).
//   paired difference against the baseline point: d_k = x_k − b_k for each run k both have
//            (common random numbers pair run k of every point); its mean as above, and a 95%
//            paired t interval, mean(d) ± t(0.975, n − 1) · sd(d) / √n, in double precision. t
//            comes from kStudentT975 below; between tabulated degrees of freedom the next lower
//            one is used, which widens the interval slightly (conservative). The bounds of an
//            `int` metric's interval are exact mean ∓ the half-width, rounded outward to 3
//            decimals.
//
// sd and the interval are statistics, not money: they are floating point and labelled `_float`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

namespace yl::compare {

using BigInt = boost::multiprecision::cpp_int;

inline constexpr unsigned kMeanFractionDigits = 3;

// A metric's value in one run: exact for `int` metrics, a double for `real` ones.
struct Value {
  std::optional<BigInt> exact;
  double real = 0;

  static Value of_int(BigInt v) { return {std::move(v), 0}; }
  static Value of_real(double v) { return {std::nullopt, v}; }
  double to_double() const;
  std::string text() const;  // exact integer text, or the double to 15 significant digits
};

// A bound of a `real` metric's interval as text: 6 significant digits, rounded down (`up` false,
// a low bound) or up, so that the printed interval holds the computed one (to nearest, a bound
// could fall inside: helper-76's F6).
std::string outward_text(double v, bool up);

// a − b: exact for `int` values, a double for `real` ones. REQUIRES: both of one kind.
Value minus(const Value& a, const Value& b);

struct Summary {
  std::int64_t n = 0;
  std::string mean;          // see above
  double mean_float = 0;     // for charts
  std::optional<double> sd;  // n ≥ 2
  Value p5, p50, p95;
};

struct PairedDifference {
  std::int64_t n = 0;  // runs paired
  std::string mean;
  double mean_float = 0;
  std::optional<double> sd;  // n ≥ 2
  // n ≥ 2: the interval's half-width t·sd/√n (float), and its bounds mean ∓ half. For an `int`
  // metric the bounds are exact decimals: the exact mean ∓ the half-width rounded up to
  // thousandths, each bound rounded outward to 3 decimals (so the interval is never narrower than
  // computed, and wei-sized means keep every digit a double would lose); for a `real` one, the
  // double bounds at 6 significant digits, rounded outward (outward_text).
  std::optional<double> ci95_half;
  std::optional<std::pair<std::string, std::string>> ci95;
  std::optional<std::pair<double, double>> ci95_float;  // for charts
};

// Two-sided 95% quantiles of Student's t, t(0.975, df): (df, t) rows, df increasing to 1000,
// whose value student_t975 takes for any larger df (wider than the normal quantile 1.959963985,
// so conservative). Values to 9 decimals, as in
// standard tables (NIST/SEMATECH e-Handbook 1.3.6.7.2); tests/compare_test.cc checks each
// against Boost.Math's students_t quantile.
struct TRow {
  std::int64_t df;
  double t;
};
extern const std::vector<TRow> kStudentT975;
// t(0.975, df) by the rule above. REQUIRES: df ≥ 1.
double student_t975(std::int64_t df);

// The value at nearest rank ⌈p·n/100⌉ of `sorted`. REQUIRES: sorted non-empty, 0 < p ≤ 100.
std::size_t nearest_rank_index(std::size_t n, unsigned p);

// REQUIRES: values non-empty, all of one kind.
Summary summarize(const std::vector<Value>& values);
// REQUIRES: same size, same kind, non-empty. d_k = values[k] − baseline[k].
PairedDifference paired_difference(const std::vector<Value>& values,
                                   const std::vector<Value>& baseline);

}  // namespace yl::compare
