// `yieldledger compare`: the statistics on the hand-built results file tests/data/results_small.sql
// (values derived in the comments below), the t table against Boost.Math, the four output formats
// agreeing on the numbers, two ledgers side by side, and every bad input refused with exit 2 and
// nothing written.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/math/distributions/students_t.hpp>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/compare/compare_html.h"
#include "engine/compare/compare_xlsx.h"
#include "engine/compare/comparison.h"
#include "engine/compare/ledger_diff.h"
#include "engine/compare/point_names.h"
#include "engine/compare/results.h"
#include "engine/compare/stats.h"
#include "engine/input/csv_reader.h"
#include "engine/lab/metrics.h"
#include "engine/storage/database.h"
#include "engine/storage/results_identity.h"
#include "engine/usage_error.h"
#include "tests/test_util.h"

using yl::compare::BigInt;
using yl::compare::Value;
using yl::testing::read_file;
using yl::testing::run_cli;
using yl::testing::TempDir;
using yl::testing::usage_error;

namespace {

const std::string kFixture = std::string(YL_SOURCE_DIR) + "/tests/data/results_small.sql";

// A results file from SQL text (the fixture, or a variant of it).
std::string make_db(const TempDir& dir, const std::string& name, const std::string& sql) {
  const std::string path = dir.path(name);
  yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
  db.exec(sql);
  return path;
}

std::string fixture_db(const TempDir& dir) {
  return make_db(dir, "results.db", read_file(kFixture));
}

std::vector<Value> ints(std::initializer_list<long long> values) {
  std::vector<Value> out;
  for (long long v : values) out.push_back(Value::of_int(BigInt(v)));
  return out;
}

// The row of rows_table() for (metric, cohort, point), as column -> cell.
std::map<std::string, std::string> row_of(const yl::html::Table& table, const std::string& metric,
                                          const std::string& cohort, const std::string& point) {
  for (const auto& row : table.rows) {
    if (row[0] == metric && row[3] == cohort && row[4] == point) {
      std::map<std::string, std::string> cells;
      for (std::size_t i = 0; i < row.size(); ++i) cells[table.columns[i]] = row[i];
      return cells;
    }
  }
  FAIL("no row " << metric << " " << cohort << " " << point);
  return {};
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::istringstream in(text);
  yl::CsvReader reader(in, "output");
  std::vector<std::vector<std::string>> rows;
  yl::CsvRecord record;
  while (reader.next(record)) rows.push_back(record.fields);
  return rows;
}

}  // namespace

TEST_CASE("Results: one integer text rule, in C++ (compare) and in SQL (merge's check)") {
  TempDir dir;
  yl::storage::Database db(dir.path("r.db"), yl::storage::Database::Mode::read_write_create);
  yl::storage::register_integer_text(db);
  const std::vector<std::pair<std::string, bool>> cases = {
      {"0", true},    {"7", true},
      {"-12", true},  {"115792089237316195423570985008687907853", true},
      {"-0", false},  {"01", false},
      {"-01", false}, {"+1", false},
      {"", false},    {"-", false},
      {" 1", false},  {"1 ", false},
      {"1e3", false}, {"40.5", false},
      {"0x1", false}};
  for (const auto& [text, integer] : cases) {
    CAPTURE(text);
    CHECK(yl::storage::is_integer_text(text) == integer);
    yl::storage::Statement s = db.prepare("SELECT yl_integer_text(?)");
    s.bind(1, text);
    REQUIRE(s.step());
    CHECK(s.column_int(0) == (integer ? 1 : 0));
  }
  CHECK(db.query_int("SELECT yl_integer_text(NULL)") == 0);
}

TEST_CASE("Compare stats: nearest-rank percentiles, exact means, sample sd") {
  // Nearest rank ⌈p·n/100⌉: n = 5 → p5 rank 1, p50 rank 3, p95 rank 5; n = 20 → p5 rank 1,
  // p50 rank 10, p95 rank 19; n = 1 → rank 1 for all.
  CHECK(yl::compare::nearest_rank_index(5, 5) == 0);
  CHECK(yl::compare::nearest_rank_index(5, 50) == 2);
  CHECK(yl::compare::nearest_rank_index(5, 95) == 4);
  CHECK(yl::compare::nearest_rank_index(20, 5) == 0);
  CHECK(yl::compare::nearest_rank_index(20, 50) == 9);
  CHECK(yl::compare::nearest_rank_index(20, 95) == 18);
  CHECK(yl::compare::nearest_rank_index(1, 95) == 0);

  // 7, 1, 2: Σ = 10, mean 10/3 = 3.333 (toward zero); sorted 1, 2, 7 → p5 1, p50 2, p95 7;
  // variance (3·(49+1+4) − 100) / (3·2) = 62/6 → sd √10.333… = 3.2145502536643185.
  const auto s = yl::compare::summarize(ints({7, 1, 2}));
  CHECK(s.n == 3);
  CHECK(s.mean == "3.333");
  CHECK(s.p5.text() == "1");
  CHECK(s.p50.text() == "2");
  CHECK(s.p95.text() == "7");
  CHECK(*s.sd == doctest::Approx(3.2145502536643185).epsilon(1e-15));
  // Negative means round toward zero too: (−7 − 1 − 2)/3 = −3.333.
  CHECK(yl::compare::summarize(ints({-7, -1, -2})).mean == "-3.333");
  // One run: no sd, no interval.
  CHECK_FALSE(yl::compare::summarize(ints({5})).sd.has_value());
  CHECK_FALSE(yl::compare::paired_difference(ints({5}), ints({4})).ci95.has_value());
  // The interval is rounded outward from the exact mean: d = 0, 7, 25, mean 10.666…, half-width
  // 4.302652730·sd/√3 = 32.03799… → ±32.038; exact bounds −21.37133… and 42.70466…, printed
  // −21.372 and 42.705 (it was 42.704, narrower: helper-44's F4). Negative, the same outward.
  const auto d = yl::compare::paired_difference(ints({0, 7, 25}), ints({0, 0, 0}));
  REQUIRE(d.ci95.has_value());
  CHECK(d.ci95->first == "-21.372");
  CHECK(d.ci95->second == "42.705");
  const auto negative = yl::compare::paired_difference(ints({0, -7, -25}), ints({0, 0, 0}));
  REQUIRE(negative.ci95.has_value());
  CHECK(negative.ci95->first == "-42.705");
  CHECK(negative.ci95->second == "21.372");
}

TEST_CASE("Compare stats: a real metric's interval bounds are rounded outward, to 6 digits") {
  // To nearest, 0.2735484 printed 0.273548, inside the interval (helper-76's F6).
  CHECK(yl::compare::outward_text(0.2735484, true) == "0.273549");
  CHECK(yl::compare::outward_text(0.2735484, false) == "0.273548");
  CHECK(yl::compare::outward_text(-0.3235481, false) == "-0.323549");
  CHECK(yl::compare::outward_text(-0.3235481, true) == "-0.323548");
  CHECK(yl::compare::outward_text(1.5, true) == "1.5");
  CHECK(yl::compare::outward_text(0, false) == "0");
  CHECK(yl::compare::outward_text(123456789.0, true) == "1.23457e+08");
  CHECK(yl::compare::outward_text(123456789.0, false) == "1.23456e+08");
  CHECK(yl::compare::outward_text(9.999995, true) == "10");
  // Values on the 6-digit grid, whose decimal may be an ulp inside the double (helper-78's F4):
  // the text read back is never inside.
  for (const double v : {1.5 * 1e-13, 3 * 1e-13, 7 * 1e-10, 2.675 * 1e-11, 2.5 * 1e-6, 7 * 1e-5,
                         0.1, 0.3, 1e22, -1.5 * 1e-13, -7 * 1e-10, -2.675 * 1e-11}) {
    CAPTURE(v);
    CHECK(std::strtod(yl::compare::outward_text(v, true).c_str(), nullptr) >= v);
    CHECK(std::strtod(yl::compare::outward_text(v, false).c_str(), nullptr) <= v);
  }
}

TEST_CASE("Compare stats: a real metric's means and percentiles have 15 significant digits") {
  using yl::compare::Value;
  // 0.125 − 0.1 is 0.024999999999999994 as a double, which the diff_mean printed (helper-86's F2).
  const std::vector<Value> a = {Value::of_real(0.125), Value::of_real(0.125)};
  const std::vector<Value> b = {Value::of_real(0.1), Value::of_real(0.1)};
  CHECK(yl::compare::paired_difference(a, b).mean == "0.025");
  CHECK(yl::compare::summarize({Value::of_real(0.1), Value::of_real(0.2)}).mean == "0.15");
  CHECK(yl::compare::summarize({Value::of_real(1.0 / 3)}).mean == "0.333333333333333");
  // A percentile of one value prints as its mean does (it printed 0.3333333333333333).
  CHECK(yl::compare::summarize({Value::of_real(1.0 / 3)}).p50.text() == "0.333333333333333");
  CHECK(yl::compare::summarize({Value::of_real(-2.5e-20)}).mean == "-2.5e-20");
}

TEST_CASE("Compare stats: the t table is Student's t(0.975, df) to 9 decimals") {
  for (const auto& row : yl::compare::kStudentT975) {
    const double exact =
        boost::math::quantile(boost::math::students_t(static_cast<double>(row.df)), 0.975);
    CHECK_MESSAGE(std::abs(row.t - exact) < 5.1e-10, "df " << row.df);
  }
  // Between rows, the next lower df (wider: conservative); past the last row, the last.
  CHECK(yl::compare::student_t975(4) == 2.776445105);
  CHECK(yl::compare::student_t975(31) == 2.042272456);
  CHECK(yl::compare::student_t975(119) == 1.983971519);
  CHECK(yl::compare::student_t975(100000) == 1.962339081);
}

TEST_CASE("Compare: only the cohorts asked for are held in memory, and every cohort is named") {
  // --cohorts filtered the rows after every value was read: 0.46 GB for a results file of 0.4 M
  // values, whatever the cohorts asked for (helper-44's F17).
  TempDir dir;
  const std::string db = fixture_db(dir);
  yl::compare::Selection only;
  only.cohorts = std::set<std::string>{"sniper/user"};
  const yl::compare::Results results = yl::compare::read_results(db, only);
  CHECK(results.cohorts == std::set<std::string>{"", "sniper/user"});
  REQUIRE(results.values.size() == 1);
  CHECK(results.values.begin()->first.name == "apy_ppm");
  CHECK(results.values.begin()->first.cohort == "sniper/user");
  const yl::compare::Results all = yl::compare::read_results(db);
  CHECK(all.cohorts == results.cohorts);
  CHECK(all.values.size() == 4);  // apy_ppm in both cohorts, revenue, gini
  const auto c = yl::compare::compare_results(results, 0);
  REQUIRE(c.rows.size() == 3);
  REQUIRE(c.rows[1].runs != nullptr);
  CHECK(c.rows[1].runs == &results.values.begin()->second[1]);  // the results' values, not a copy
  CHECK(c.rows[1].runs->size() == 5);
}

TEST_CASE("Compare: --metrics keeps only the metrics and series it names") {
  // Every metric made a study's page 47 sections and 2.5-5 MB (helper-60's F8).
  TempDir dir;
  const std::string db = fixture_db(dir);
  const auto csv = run_cli({"compare", db, "--metrics", "apy_ppm", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  const auto rows = parse_csv(csv.out);
  REQUIRE(rows.size() == 7);  // header + 3 points × 2 cohorts
  for (std::size_t r = 1; r < rows.size(); ++r) CHECK(rows[r][0] == "apy_ppm");
  REQUIRE(
      run_cli({"compare", db, "--metrics", "gini, price", "--out", dir.path("m.html")}).exit_code ==
      0);
  const std::string html = read_file(dir.path("m.html"));
  CHECK(html.find("<h2>gini (ratio)</h2>") != std::string::npos);
  CHECK(html.find("<h2>price (ETH) over time</h2>") != std::string::npos);
  CHECK(html.find("<h2>apy_ppm") == std::string::npos);
  CHECK(html.find("<h2>debt_wei") == std::string::npos);
  // Only what is named is held in memory.
  yl::compare::Selection only;
  only.names = std::set<std::string>{"price"};
  const yl::compare::Results results = yl::compare::read_results(db, only);
  CHECK(results.values.empty());
  REQUIRE(results.series.size() == 1);
  CHECK(results.series.begin()->first.name == "price");
  CHECK(results.series_names == std::set<std::string>{"debt_wei", "price"});
  // A name of neither is refused, naming those there are; and for two ledgers.
  const auto bad = run_cli({"compare", db, "--metrics", "apy_ppm,yeild_wei"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err.ends_with("yieldledger: --metrics: no metric or series is named 'yeild_wei'; "
                          "there are apy_ppm, debt_wei, gini, price, protocol_revenue_wei\n"));
  CHECK(run_cli({"compare", db, db, "--metrics", "gini"}).err ==
        "yieldledger: --metrics names metrics of a sweep's results; two ledgers have none\n");
  // Options that leave nothing to show are refused, saying why, and write nothing: a header
  // alone, or a workbook of no row, exit 0 (helper-61's R4).
  auto refused = [&](const std::vector<std::string>& args) {
    const auto r = run_cli(args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    return r.err.substr(r.err.find("yieldledger: "));
  };
  CHECK(refused({"compare", db, "--metrics", "price", "--format", "csv"}) ==
        "yieldledger: --metrics price: a series is drawn over time with --format html only; the "
        "other formats compare metrics\n");
  CHECK(refused({"compare", db, "--metrics", "price", "--out", dir.path("p.xlsx")})
            .starts_with("yieldledger: --metrics price: a series"));
  CHECK_FALSE(std::filesystem::exists(dir.path("p.xlsx")));
  CHECK(refused({"compare", db, "--metrics", "gini", "--cohorts", "sniper/user"}) ==
        "yieldledger: --metrics gini with --cohorts sniper/user leaves no row to compare (the "
        "run's own metrics, such as debt_end_wei, are the cohort 'all' only)\n");
}

TEST_CASE("Compare: statistics and paired differences of the hand-built results") {
  TempDir dir;
  const yl::compare::Results results = yl::compare::read_results(fixture_db(dir));
  REQUIRE(results.points.size() == 3);  // point 3 has 2 of 5 runs: left out
  REQUIRE(results.incomplete.size() == 1);
  const auto c = yl::compare::compare_results(results, 0);
  REQUIRE(c.notes.size() == 1);
  CHECK(c.notes[0] == "point 3 'policy.distribution=incomplete' has 2 of 5 runs and is left out");
  const yl::html::Table table = yl::compare::rows_table(c);

  // apy_ppm, point 0: 40000, 41000, 39000, 40500, 39500. Σ 200000 → mean 40000.000; sorted
  // 39000 39500 40000 40500 41000 → p5 39000, p50 40000, p95 41000; squared deviations
  // 0 + 1e6 + 1e6 + 250000 + 250000 = 2.5e6, ÷ 4 → sd √625000 = 790.569.
  auto r = row_of(table, "apy_ppm", "", "0");
  CHECK(r["n"] == "5");
  CHECK(r["mean"] == "40000.000");
  CHECK(r["sd_float"] == "790.569");
  CHECK(r["p5"] == "39000");
  CHECK(r["p50"] == "40000");
  CHECK(r["p95"] == "41000");
  CHECK(r["diff_mean"] == "");  // the baseline

  // apy_ppm, point 1: 40100 41300 39100 40400 39700 (Σ 200600 → 40120.000). Paired with point
  // 0 run by run: d = 100, 300, 100, −100, 200; mean 120; deviations −20 180 −20 −220 80,
  // squares 88000 ÷ 4 = 22000 → sd 148.324; half-width t(0.975, 4) · sd / √5
  // = 2.776445105 · 148.32397 / 2.2360680 = 184.16853 → rounded up to 184.169:
  // interval [120 − 184.169, 120 + 184.169] = [−64.169, 304.169].
  r = row_of(table, "apy_ppm", "", "1");
  CHECK(r["mean"] == "40120.000");
  CHECK(r["p5"] == "39100");
  CHECK(r["p95"] == "41300");
  CHECK(r["diff_n"] == "5");
  CHECK(r["diff_mean"] == "120.000");
  CHECK(r["diff_sd_float"] == "148.324");
  CHECK(r["diff_ci95_half_float"] == "184.169");
  CHECK(r["diff_ci95_low"] == "-64.169");
  CHECK(r["diff_ci95_high"] == "304.169");

  // apy_ppm, point 2: every run 1000 below point 0 → d = −1000 five times, sd 0, the interval
  // is the point [−1000, −1000].
  r = row_of(table, "apy_ppm", "", "2");
  CHECK(r["diff_mean"] == "-1000.000");
  CHECK(r["diff_ci95_low"] == "-1000.000");
  CHECK(r["diff_ci95_high"] == "-1000.000");

  // Cohort sniper/user, point 1 against 0: d = −5000 −6000 −4000 −5500 −4500, mean −5000,
  // squared deviations 2.5e6 ÷ 4 → sd 790.569, half 2.776445105 · 790.569415 / √5
  // = 981.62158 → 981.622: [−5981.622, −4018.378].
  r = row_of(table, "apy_ppm", "sniper/user", "1");
  CHECK(r["mean"] == "45000.000");
  CHECK(r["diff_mean"] == "-5000.000");
  CHECK(r["diff_ci95_low"] == "-5981.622");
  CHECK(r["diff_ci95_high"] == "-4018.378");

  // protocol_revenue_wei (ETH), point 1: 10^21 + 1, 2, 2, 3, 5 → Σ 5·10^21 + 13, mean
  // 10^21 + 2.6 exactly (a double cannot hold it: its step there is 131072). Against point 0
  // (all 0) the differences are the values; deviations from 2.6: −1.6 −0.6 −0.6 0.4 2.4,
  // squares 9.2 ÷ 4 = 2.3 → sd 1.51658; half 2.776445105 · 1.5165751 / √5 = 1.8830767 →
  // 1.884: [10^21 + 0.716, 10^21 + 4.484].
  r = row_of(table, "protocol_revenue_wei", "", "1");
  CHECK(r["asset"] == "ETH");
  CHECK(r["unit"] == "wei");
  CHECK(r["mean"] == "1000000000000000000002.600");
  CHECK(r["p50"] == "1000000000000000000002");
  CHECK(r["p95"] == "1000000000000000000005");
  CHECK(r["diff_sd_float"] == "1.51658");
  CHECK(r["diff_ci95_low"] == "1000000000000000000000.716");
  CHECK(r["diff_ci95_high"] == "1000000000000000000004.484");

  // gini (real), point 2: 0.375 0.375 0.5 0.5 0.625 → mean 2.375 / 5 = 0.475; against point 0
  // (0.5 0.25 0.75 0.5 0.5): d = −0.125 0.125 −0.25 0 0.125, mean −0.025.
  r = row_of(table, "gini", "", "2");
  CHECK(r["mean"] == "0.475");
  CHECK(r["p5"] == "0.375");
  CHECK(r["p95"] == "0.625");
  CHECK(r["diff_mean"] == "-0.025");

  // The series: price (ETH) of point 1 at the last time (k = 3): 10^9 + 3·(700000 + 10000 + 1000·r)
  // for r = 0..4 → 1002130000 … 1002142000; nearest rank: p5 = r 0, p50 = r 2, p95 = r 4.
  const yl::compare::Fan* price = nullptr;
  for (const auto& fan : c.fans) {
    if (fan.key.name == "price") price = &fan;
  }
  REQUIRE(price != nullptr);
  REQUIRE(price->times.size() == 4);
  const auto& last = *price->bands[1].back();
  CHECK(last.p5.text() == "1002130000");
  CHECK(last.p50.text() == "1002136000");
  CHECK(last.p95.text() == "1002142000");
}

TEST_CASE(
    "Compare: runs are pairs only where they share a seed, and a point of another history has "
    "no difference") {
  // helper-56's F5: a point that changes the history (its own seeds) was differenced run by run
  // against unrelated runs, with a paired t interval.
  TempDir dir;
  const std::string db =
      make_db(dir, "results.db",
              read_file(kFixture) + "UPDATE runs SET seed = seed || '7' WHERE point = 2;\n"
                                    "UPDATE runs SET seed = '99' WHERE point = 1 AND run = 4;\n");
  const yl::compare::Results results = yl::compare::read_results(db);
  REQUIRE(results.points.size() == 3);
  CHECK(results.points[2].seeds ==
        std::vector<std::string>{"10007", "10017", "10027", "10037", "10047"});
  const auto c = yl::compare::compare_results(results, 0);
  REQUIRE(c.notes.size() == 2);
  // A file of no `lab` row is of lab version 1 (helper-66's F1: the note said strategy points
  // share seeds, of a file made before they did); no other point shares point 2's seeds.
  CHECK(c.notes[1] == "point 2 shares no run's seed with the baseline, point 0: no paired "
                      "difference (the file's runs are of lab version 1, where a point that "
                      "changes more than policy or gas keys has runs of its own; a sweep of "
                      "version 5 or later pairs every point)");
  const yl::html::Table table = yl::compare::rows_table(c);
  auto r = row_of(table, "gini", "", "2");
  CHECK(r["mean"] == "0.475");  // its own statistics stay
  CHECK(r["diff_n"] == "");
  CHECK(r["diff_mean"] == "");
  CHECK(r["diff_ci95_low"] == "");
  // Point 1's run 4 ran on another seed: 4 pairs. apy_ppm d = 100, 300, 100, −100; mean 100.
  r = row_of(table, "apy_ppm", "", "1");
  CHECK(r["diff_n"] == "4");
  CHECK(r["diff_mean"] == "100.000");
  // Against point 2, neither 0 nor 1 has a pair.
  const auto other = yl::compare::compare_results(results, 2);
  REQUIRE(other.notes.size() == 2);
  CHECK(other.notes[1].starts_with("points 0, 1 share no run's seed with the baseline, point 2: "));
  CHECK(other.notes[1].ends_with("; name a baseline of the same seeds with --baseline"));
  // A cohort the baseline has no account in (helper-66's F6: its rows' differences were blank
  // without a word).
  const std::string cohort = make_db(
      dir, "cohort.db",
      read_file(kFixture) + "DELETE FROM metrics WHERE point = 0 AND cohort = 'sniper/user';\n");
  const yl::compare::Results cohort_results = yl::compare::read_results(cohort);
  const auto no_snipers = yl::compare::compare_results(cohort_results, 0);
  REQUIRE(no_snipers.notes.size() == 2);
  CHECK(no_snipers.notes[1] == "the baseline, point 0, has no value of some metrics of cohort "
                               "sniper/user (no account of the cohort there, or the metric "
                               "undefined: README \"Metrics\"): those rows have no difference");
  CHECK(row_of(yl::compare::rows_table(no_snipers), "apy_ppm", "sniper/user", "1")["diff_n"] == "");
  // In a file of version 5 or later, only a hand-made one can have such points.
  const std::string v5 =
      make_db(dir, "v5.db",
              read_file(kFixture) + "UPDATE runs SET seed = seed || '7' WHERE point = 2;\n"
                                    "INSERT INTO study VALUES ('lab', '5');\n");
  const yl::compare::Results newer = yl::compare::read_results(v5);
  CHECK(yl::compare::compare_results(newer, 0).notes.at(1) ==
        "point 2 shares no run's seed with the baseline, point 0: no paired difference (their "
        "runs have other seeds)");
}

TEST_CASE("Compare: points that sort users into other strategies are named, with their keys") {
  // helper-66's F3: a cohort named by strategy holds other accounts at such a point, and a sum
  // over it differs by whom it holds (a control point whose snipers never act showed 70% of the
  // passive cohort's USDB yield_wei "difference").
  TempDir dir;
  const std::string db = make_db(
      dir, "results.db",
      read_file(kFixture) +
          "UPDATE points SET label = 'strategy.0.share=75, strategy.1.share=0' WHERE point = 0;\n"
          "UPDATE points SET label = 'strategy.0.share=70, strategy.1.share=5' WHERE point = 1;\n"
          // A sniper's timing moves no account from one strategy to another.
          "UPDATE points SET label = 'strategy.0.share=75, strategy.1.share=0, "
          "strategy.1.lead=1h' WHERE point = 2;\n");
  const yl::compare::Results results = yl::compare::read_results(db);
  const auto c = yl::compare::compare_results(results, 0);
  REQUIRE(c.notes.size() == 2);
  CHECK(c.notes[1] == "point 1 sorts users into strategies or modes otherwise than the baseline, "
                      "point 0 "
                      "(strategy.0.share, strategy.1.share): the cohorts named by strategy "
                      "(sniper, and their kind/MODE parts) may hold other accounts there, and a "
                      "sum such as yield_wei differs by whom a cohort holds; compare a ratio "
                      "(apy_ppm) or a cohort that keeps its accounts (all, users): README "
                      "\"Seeds\"");
  // Against point 1, both others sort users otherwise.
  CHECK(yl::compare::compare_results(results, 1)
            .notes.at(1)
            .starts_with(
                "points 0, 2 sort users into strategies or modes otherwise than the baseline, "
                "point 1 "
                "(strategy.0.share, "
                "strategy.1.share): the cohorts named by strategy (sniper, and"));
  // A contrast checks each difference's two points: (2 − 0) sorts alike (a lead moves no one),
  // (1 − 0) does not, named against C (helper-76: B, C, D against A flagged consistent pairs).
  const auto contrast = yl::compare::contrast_results(results, {2, 0, 1, 0});
  REQUIRE(contrast.notes.size() == 1);
  CHECK(contrast.notes[0].starts_with("point 0 sorts users into strategies or modes otherwise "
                                      "than C, point 1 (strategy.0.share, strategy.1.share): "));
  CHECK(yl::compare::contrast_results(results, {2, 0, 2, 0}).notes.empty());
  // A sniper's way in (`via`) or the population's modes move accounts between MODE parts
  // (helper-73's R4).
  const auto via = yl::compare::read_results(
      make_db(dir, "via.db",
              read_file(kFixture) +
                  "UPDATE points SET label = 'strategy.1.via=\"deposit\"' WHERE point = 0;\n"
                  "UPDATE points SET label = 'strategy.1.via=\"configure\"' WHERE point = 1;\n"
                  "UPDATE points SET label = 'population.modes.VOID=3' WHERE point = 2;\n"));
  CHECK(yl::compare::compare_results(via, 0).notes.at(1).starts_with(
      "points 1, 2 sort users into strategies or modes otherwise than the baseline, point 0 "
      "(population.modes.VOID, strategy.1.via): "));
  // Without a cohort named by strategy among those compared, there is nothing to say.
  yl::compare::Selection whole;
  whole.cohorts = std::set<std::string>{""};
  CHECK(yl::compare::compare_results(yl::compare::read_results(db, whole), 0).notes.size() == 1);
  // Nor where the points sort users alike (the fixture's policy labels).
  CHECK(yl::compare::compare_results(
            yl::compare::read_results(make_db(dir, "plain.db", read_file(kFixture))), 0)
            .notes.size() == 1);
  // Where another number of users or dapps, or other assets, is drawn too, all and users hold
  // other accounts as well: the advice names those points (helper-83: it sent an analyst to all).
  // A population swept alone sorts no one into strategies: nothing to say.
  const std::string population = make_db(
      dir, "population.db",
      read_file(kFixture) +
          "UPDATE points SET label = 'population.users=100, strategy.1.share=0' WHERE point = 0;\n"
          "UPDATE points SET label = 'population.users=200, strategy.1.share=5' WHERE point = 1;\n"
          "UPDATE points SET label = 'population.users=100, strategy.1.share=5' WHERE point = "
          "2;\n");
  const auto drawn = yl::compare::compare_results(yl::compare::read_results(population), 0);
  REQUIRE(drawn.notes.size() == 2);
  CHECK(drawn.notes[1] == "points 1, 2 sort users into strategies or modes otherwise than the "
                          "baseline, point 0 (strategy.1.share): the cohorts named by strategy "
                          "(sniper, and their kind/MODE parts) may hold other accounts there, and "
                          "a sum such as yield_wei differs by whom a cohort holds; compare a ratio "
                          "(apy_ppm) or a cohort that keeps its accounts (all, users; not at point "
                          "1, where population.users differs too): README \"Seeds\"");
  const auto assets = yl::compare::contrast_results(
      yl::compare::read_results(
          make_db(dir, "assets.db",
                  read_file(kFixture) +
                      "UPDATE points SET label = 'population.assets.USDC=0' WHERE point = 0;\n"
                      "UPDATE points SET label = 'population.assets.USDC=1, population.users=9, "
                      "strategy.1.share=5' WHERE point = 1;\n"
                      "UPDATE points SET label = 'population.assets.USDC=1' WHERE point = 2;\n")),
      {1, 0, 2, 0});
  REQUIRE(assets.notes.size() == 1);
  CHECK(assets.notes[0].ends_with("(all, users; not at point 0, where population.assets.USDC, "
                                  "population.users differ too): README \"Seeds\""));
}

TEST_CASE("Compare: charts draw an amount in asset units, a price as it is") {
  using yl::compare::chart_scale;
  CHECK(chart_scale("yield_wei") == 1e-18);
  CHECK(chart_scale("debt_wei") == 1e-18);  // a series
  CHECK(chart_scale("price") == 1.0);
  // price_end is a price, wei per share, whatever unit a results file gives it (helper-56's F6:
  // drawn as 1.0085e-09 "asset units"; helper-58's R3: files made before say `wei`).
  CHECK(chart_scale("price_end") == 1.0);
  CHECK(chart_scale("capital_time_wei_s") == 1.0);
  // A results file made before 2026-12-06 gives price_end the unit `wei`: drawn as it is all the
  // same (helper-58's R3).
  TempDir dir;
  const std::string db = make_db(
      dir, "old.db",
      read_file(kFixture) +
          "INSERT INTO metric_info VALUES ('price_end', 'int', 'wei', 'share price at end');\n"
          "INSERT INTO metrics SELECT point, run, 'price_end', '', 'ETH', CAST(1000000000 + "
          "point * 1000 + run AS TEXT), NULL FROM runs;\n");
  REQUIRE(run_cli({"compare", db, "--out", dir.path("c.html")}).exit_code == 0);
  const std::string html = read_file(dir.path("c.html"));
  CHECK(html.find("\"y\":1000001003") != std::string::npos);  // point 1, run 3
  CHECK(html.find("e-09") == std::string::npos);
  // The lab's metrics: drawn in asset units exactly those of unit wei.
  for (const yl::lab::MetricInfo& m : yl::lab::metric_infos()) {
    CAPTURE(m.name);
    CHECK((chart_scale(m.name) != 1.0) == (m.unit == "wei"));
  }
}

TEST_CASE("Compare: a metric of no run for an asset is named, not silently absent") {
  // gini for ETH, undefined in every run, had no section and no word (helper-60's F9).
  TempDir dir;
  const std::string db = make_db(
      dir, "usdb.db",
      read_file(kFixture) +
          "INSERT INTO metric_info VALUES ('insurance_end_wei', 'int', 'wei', 'insurance');\n"
          "INSERT INTO metrics SELECT point, run, 'insurance_end_wei', '', 'USDB', '7', NULL "
          "FROM runs;\n");
  const auto r = run_cli({"compare", db, "--format", "csv"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("compare: no run has a value of insurance_end_wei for ETH (undefined there: "
                   "README \"Metrics\")\n") != std::string::npos);
  CHECK(r.err.find("compare: no run has a value of protocol_revenue_wei for USDB (undefined "
                   "there: README \"Metrics\")\n") != std::string::npos);
  REQUIRE(run_cli({"compare", db, "--out", dir.path("u.html")}).exit_code == 0);
  CHECK(read_file(dir.path("u.html"))
            .find("Note: no run has a value of insurance_end_wei for "
                  "ETH") != std::string::npos);
  // --metrics naming it alone keeps the note: the file's assets, not the metrics read, are the
  // ones missing (helper-61's R3); with cohorts left out, it says so.
  CHECK(run_cli({"compare", db, "--metrics", "insurance_end_wei"})
            .err.find("compare: no run has a value of insurance_end_wei for ETH (undefined") !=
        std::string::npos);
  CHECK(run_cli({"compare", db, "--cohorts", "all", "--metrics", "protocol_revenue_wei"})
            .err.find(
                "no run has a value of protocol_revenue_wei for USDB in the cohorts compared") !=
        std::string::npos);
  // The fixture has one asset: no such note.
  CHECK(run_cli({"compare", fixture_db(dir)}).err.find("no run has") == std::string::npos);
}

TEST_CASE("Compare: --baseline by index or label, a name that is no point is refused") {
  TempDir dir;
  const auto results = yl::compare::read_results(fixture_db(dir));
  CHECK(yl::compare::find_point(results, "1") == 1);
  CHECK(yl::compare::find_point(results, "policy.distribution=streamed") == 1);
  // And as the table shows it, short (helper-77's F3: what was typed from the table was refused).
  CHECK(yl::compare::find_point(results, "distribution=streamed") == 1);
  CHECK(usage_error([&] { yl::compare::find_point(results, "7"); }) ==
        "--baseline '7' names no point of '" + results.path +
            "' (by index or label); its complete points: 0 'policy.distribution=instant', 1 "
            "'policy.distribution=streamed', 2 'policy.protocol_fee_bps=500 & <fee> \"quoted\"'");
  // The incomplete point cannot be the baseline either, and is named as such (by index or by
  // label; the default baseline 0 was "names no point" when point 0 was incomplete).
  const std::string left_out =
      "the baseline, point 3 'policy.distribution=incomplete', has 2 of 5 runs in '" +
      results.path +
      "' and is left out; sweep or merge its missing runs, or name a complete point as "
      "--baseline: 0 'policy.distribution=instant', 1 'policy.distribution=streamed', 2 "
      "'policy.protocol_fee_bps=500 & <fee> \"quoted\"'";
  CHECK(usage_error([&] { yl::compare::find_point(results, "3"); }) == left_out);
  CHECK(usage_error([&] { yl::compare::find_point(results, "policy.distribution=incomplete"); }) ==
        left_out);
  // A name two points answer to is refused: the first was taken without a word (helper-70's F9).
  const auto twice = yl::compare::read_results(make_db(
      dir, "twice.db",
      read_file(kFixture) + "UPDATE points SET label = '1' WHERE point = 2;\n"
                            "UPDATE points SET label = 'policy.distribution=instant' WHERE point "
                            "= 1;\n"));
  CHECK(usage_error([&] { yl::compare::find_point(twice, "policy.distribution=instant"); }) ==
        "--baseline 'policy.distribution=instant' names points 0, 1 of '" + twice.path +
            "'; name one by its index");
  // An index names its point, whatever a label says (point 2's label is "1").
  CHECK(yl::compare::find_point(twice, "1") == 1);
  CHECK(yl::compare::find_point(twice, "2") == 2);

  // Against point 1, point 0's difference is the negation: −120.000.
  const auto table = yl::compare::rows_table(yl::compare::compare_results(results, 1));
  CHECK(row_of(table, "apy_ppm", "", "0")["diff_mean"] == "-120.000");
  CHECK(row_of(table, "apy_ppm", "", "1")["diff_mean"] == "");
}

TEST_CASE("Compare: files of other programs, other versions and bad rows are refused") {
  TempDir dir;
  const std::string fixture = read_file(kFixture);
  auto refused = [&](const std::string& path) {
    return usage_error([&] { yl::compare::read_results(path); });
  };
  CHECK(refused(dir.path("missing.db")) ==
        "results file '" + dir.path("missing.db") + "' not found");
  std::filesystem::create_directory(dir.path("folder.db"));
  CHECK(refused(dir.path("folder.db")) ==
        "results file '" + dir.path("folder.db") + "' is a folder, not a file");
  CHECK(usage_error([&] { yl::compare::diff_ledgers(dir.path("folder.db"), "/dev/null"); }) ==
        "ledger '" + dir.path("folder.db") + "' is a folder, not a file");
  CHECK(usage_error([&] { yl::compare::diff_ledgers(dir.path("missing.db"), "/dev/null"); }) ==
        "ledger '" + dir.path("missing.db") + "' not found");
  const std::string empty = dir.write("empty.db", "");
  CHECK(refused(empty) == "'" + empty +
                              "' is not a yieldledger results file (application_id 0, not "
                              "1498174530); `sweep` writes results files");
  const std::string text = dir.write("text.db", "point,run\n0,0\n");
  CHECK(refused(text).starts_with("'" + text + "' is not a readable yieldledger results file: "));
  const std::string other =
      make_db(dir, "other.db", "PRAGMA application_id = 7; CREATE TABLE t(x);");
  CHECK(refused(other).find("application_id 7") != std::string::npos);

  auto variant = [&](const std::string& name, const std::string& from, const std::string& to) {
    std::string sql = fixture;
    const auto at = sql.find(from);
    REQUIRE(at != std::string::npos);
    sql.replace(at, from.size(), to);
    return make_db(dir, name, sql);
  };
  const std::string v3 = variant("v3.db", "PRAGMA user_version = 1;", "PRAGMA user_version = 3;");
  CHECK(refused(v3) == "'" + v3 +
                           "' is a results file of version 3; this yieldledger reads "
                           "versions 1 to 2");
  const std::string v0 = variant("v0.db", "PRAGMA user_version = 1;", "PRAGMA user_version = 0;");
  CHECK(refused(v0).starts_with("'" + v0 + "' is a results file of version 0; "));
  const std::string bad_int = variant("bad_int.db", "'40500'", "'40.5'");
  CHECK(refused(bad_int) == bad_int +
                                ": metrics (point 0, run 3, 'apy_ppm', cohort '', asset ''): an "
                                "'int' metric needs value_int, an integer of at most 100 digits "
                                "('40.5'), and no value_real");
  // 155 digits: the standard deviation's square is no double, and compare failed as an internal
  // error, exit 1 (helper-70's F1). 100 digits are read.
  const std::string digits155 = "1" + std::string(154, '0');
  const std::string huge = variant("huge.db", "'40500'", "'" + digits155 + "'");
  CHECK(refused(huge) == huge +
                             ": metrics (point 0, run 3, 'apy_ppm', cohort '', asset ''): an "
                             "'int' metric needs value_int, an integer of at most 100 digits ('" +
                             digits155.substr(0, 120) +
                             "... (155 bytes in all)'), and no "
                             "value_real");
  const std::string digits100 = "-" + std::string(100, '9');
  const auto wide = yl::compare::read_results(variant("wide.db", "'40500'", "'" + digits100 + "'"));
  CHECK(wide.values.at({"apy_ppm", "", ""})[0].at(3).text() == digits100);
  // A NUL in a text cell ended the message there (helper-70's F2).
  const std::string nul = variant("nul.db", "'40500'", "CAST(X'340030' AS TEXT)");
  CHECK(refused(nul) == nul + ": metrics (point 0, run 3, 'apy_ppm', cohort '', asset ''): an "
                              "'int' metric needs value_int, an integer of at most 100 digits "
                              "('4\\x000'), and no value_real");
  // A seed that is no seed made no pair, without a word (helper-70's F3).
  const std::string seed = variant("seed.db", "(0, 3, '1003', 100)", "(0, 3, 'xyz', 100)");
  CHECK(refused(seed) == seed + ": runs (point 0, run 3): seed 'xyz' is not a seed (a decimal "
                                "integer from 0 to 2^64 − 1)");
  // Rows of no point were left out without a word, where rows of no run were refused
  // (helper-70's F8).
  const std::string nowhere =
      make_db(dir, "nowhere.db",
              fixture + "INSERT INTO metrics VALUES (42, 0, 'apy_ppm', '', '', '1', NULL);\n");
  CHECK(refused(nowhere) ==
        nowhere + ": metrics (point 42, run 0, 'apy_ppm', cohort '', asset ''): no such point");
  const std::string nowhere_series = make_db(
      dir, "nowhere_series.db",
      fixture +
          "INSERT INTO series VALUES (42, 0, '2024-03-01T00:00:00Z', 'ETH', 'price', '1');\n");
  CHECK(refused(nowhere_series) == nowhere_series +
                                       ": series (point 42, run 0, t 2024-03-01T00:00:00Z, "
                                       "'price'): no such point");
  const std::string no_runs = variant("no_runs.db", "('runs', '5')", "('runs', '6')");
  CHECK(refused(no_runs) == no_runs + ": runs: no point has all its 6 runs: there is nothing to "
                                      "compare");
}

TEST_CASE("CLI: a file size limit met while reading a results file is not blamed on the file") {
  TempDir dir;
  const std::string db = fixture_db(dir);  // WAL: reading it creates its 32 KiB -shm file
  // Not "could not write '...'; what was being written was rolled back": a read writes no more
  // than SQLite's -shm index.
  const std::string full = "yieldledger: could not read '" + db +
                           "': SQLite could not write the index it reads it with (its -shm "
                           "file): the disk is full, a file size limit was reached, or the disk "
                           "failed (disk I/O error); nothing was changed\n";
  const auto compared = run_cli({"compare", db}, "ulimit -f 8; exec ");
  CHECK(compared.exit_code == 1);
  CHECK(compared.err == full);
  const auto merged = run_cli({"merge", db, "--out", dir.path("m.db")}, "ulimit -f 8; exec ");
  CHECK(merged.exit_code == 1);
  CHECK(merged.err == full);
}

TEST_CASE("CLI: a compare workbook cut short by a file size limit is one message, and no file") {
  TempDir dir;
  // Not WAL, so that reading it writes nothing; the workbook is about 18 KiB.
  const std::string db =
      make_db(dir, "results.db", "PRAGMA journal_mode = DELETE;\n" + read_file(kFixture));
  const std::string xlsx = dir.path("c.xlsx");
  const auto result = run_cli({"compare", db, "--out", xlsx}, "ulimit -f 12; exec ");
  CHECK(result.exit_code == 1);
  CHECK(result.err.starts_with("yieldledger: could not write '" + xlsx +
                               "': Zip generic error ZIP_ERRNO while creating the xlsx file. ("));
  CHECK(result.err.ends_with("System error = File too large)\n"));
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK(result.err.find("[ERROR]") == std::string::npos);  // libxlsxwriter's lines are folded in
  CHECK_FALSE(std::filesystem::exists(xlsx));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path(".")),
                      std::filesystem::directory_iterator()) == 1);  // the results file alone
  CHECK(run_cli({"compare", db, "--out", xlsx}).exit_code == 0);
}

TEST_CASE("CLI: compare's table, CSV, XLSX and HTML show the same numbers") {
  TempDir dir;
  const std::string db = fixture_db(dir);
  const auto table = run_cli({"compare", db});
  REQUIRE(table.exit_code == 0);
  CHECK(table.err == "compare: point 3 'policy.distribution=incomplete' has 2 of 5 runs and is "
                     "left out\ncompare: labels are cut at 32 bytes; --format csv gives them "
                     "whole\n");
  const auto csv = run_cli({"compare", db, "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  const auto rows = parse_csv(csv.out);
  REQUIRE(rows.size() == 13);  // header + 3 points × (apy_ppm × 2 cohorts, revenue, gini)
  CHECK(rows[0][7] == "mean");
  CHECK(rows[2][7] == "40120.000");
  CHECK(rows[2][17] == "304.169");

  REQUIRE(run_cli({"compare", db, "--format", "html", "--out", dir.path("c.html")}).exit_code == 0);
  REQUIRE(run_cli({"compare", db, "--format", "xlsx", "--out", dir.path("c.xlsx")}).exit_code == 0);
  const std::string html = read_file(dir.path("c.html"));
  const std::string sheet = [&] {
    const std::string command = "unzip -p '" + dir.path("c.xlsx") + "' xl/sharedStrings.xml " +
                                "xl/worksheets/sheet1.xml 2>/dev/null";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    pclose(pipe);
    return out;
  }();
  for (std::size_t r = 1; r < rows.size(); ++r) {
    // The table shows each cell of the CSV (aligned), the page each cell HTML-escaped in a <td>,
    // the workbook each as a number or, past 15 digits, as text.
    for (std::size_t column = 0; column < rows[r].size(); ++column) {
      const std::string& cell = rows[r][column];
      if (cell.empty()) continue;
      // The table and the page's metric tables show a label short (the Points table whole,
      // below).
      const std::string shown = column == 5 ? yl::compare::short_label(cell) : cell;
      CHECK_MESSAGE(table.out.find(shown) != std::string::npos, cell);
      CHECK_MESSAGE(html.find(">" + yl::html::html_escape(shown) + "</td>") != std::string::npos,
                    cell);
    }
  }
  // Its charts' markers are OOXML's: libxlsxwriter writes its dash markers as `long_dash`, which
  // no spreadsheet knows (helper-71's F1). A spread chart is triangle, diamond, circle, triangle.
  const std::vector<std::string> symbols = yl::testing::chart_symbols(dir.path("c.xlsx"));
  REQUIRE(symbols.size() >= 4);
  CHECK(std::vector<std::string>(symbols.begin(), symbols.begin() + 4) ==
        std::vector<std::string>{"triangle", "diamond", "circle", "triangle"});
  for (const std::string& s : symbols) CHECK_MESSAGE(!s.starts_with("invalid:"), s);
  // Every column of the compare sheet as wide as its widest text: the last had no width, and a
  // wei text cut at a narrow column's edge read as another number (helper-71's F4).
  const std::string compare_sheet =
      yl::testing::unzip(dir.path("c.xlsx"), "xl/worksheets/sheet1.xml");
  CHECK(compare_sheet.find(R"(<col min="18" max="18" )") != std::string::npos);
  CHECK(compare_sheet.find(R"(<col min="19")") == std::string::npos);
  // chart_data is laid out as export's, and a group is the parts it has: "apy_ppm", not
  // "apy_ppm  " (a filter on the name found nothing: helper-71's F5).
  const std::string chart_data = yl::testing::unzip(dir.path("c.xlsx"), "xl/worksheets/sheet3.xml");
  CHECK(chart_data.find(R"(state="frozen")") != std::string::npos);
  CHECK(chart_data.find("<autoFilter ref=\"A1:I") != std::string::npos);
  const std::string strings = yl::testing::unzip(dir.path("c.xlsx"), "xl/sharedStrings.xml");
  CHECK(strings.find("<t>apy_ppm</t>") != std::string::npos);
  CHECK(strings.find(" </t>") == std::string::npos);
  // In the workbook: a wei mean is text (22 digits), a ppm mean a number.
  CHECK(sheet.find("1000000000000000000002.600") != std::string::npos);
  CHECK(sheet.find("<v>40120</v>") != std::string::npos);
  CHECK(sheet.find("<v>-64.169</v>") != std::string::npos);
  CHECK(html.find(">policy.distribution=streamed</td>") != std::string::npos);  // Points
  CHECK(html.find(">distribution=streamed</td>") != std::string::npos);         // a metric's
  // The labels are escaped: the page never holds the raw '<fee>'.
  CHECK(html.find("<fee>") == std::string::npos);
  CHECK(html.find("&lt;fee&gt; &quot;quoted&quot;") != std::string::npos);

  // --cohorts keeps the rows of the cohorts named, `all` the whole run's (helper-48's F6: a
  // study's page had every cohort of every metric); an unknown one is refused, naming those there.
  const auto snipers = run_cli({"compare", db, "--cohorts", "sniper/user", "--format", "csv"});
  REQUIRE(snipers.exit_code == 0);
  const auto sniper_rows = parse_csv(snipers.out);
  REQUIRE(sniper_rows.size() == 4);  // header + 3 points of apy_ppm
  for (std::size_t r = 1; r < sniper_rows.size(); ++r) {
    CHECK(sniper_rows[r][3] == "sniper/user");
    CHECK(sniper_rows[r] == rows[3 + r]);  // the same numbers as in the whole table
  }
  const auto both = run_cli({"compare", db, "--cohorts", "all,sniper/user", "--format", "csv"});
  CHECK(both.out == csv.out);
  // One word, before the file too, spaces around a name dropped (it took the file after it, and
  // refused " sniper/user": helper-49's F7).
  const auto spaced = run_cli({"compare", "--cohorts", "all, sniper/user", db, "--format", "csv"});
  CHECK(spaced.exit_code == 0);
  CHECK(spaced.out == csv.out);
  CHECK(run_cli({"compare", "--cohorts", "", db}).err ==
        "yieldledger: --cohorts: an empty name; the whole run's cohort is 'all' (there are all, "
        "sniper/user)\n");
  const auto all = run_cli({"compare", db, "--cohorts", "all", "--format", "csv"});
  CHECK(parse_csv(all.out).size() == 10);  // header + 3 points × (apy_ppm, revenue, gini)
  const auto unknown = run_cli({"compare", db, "--cohorts", "sniper", "--format", "csv"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err ==
        "yieldledger: --cohorts: no metric has the cohort 'sniper'; there are all, sniper/user\n");

  // --baseline by label; --out for CSV writes the same text there.
  const auto by_label = run_cli({"compare", db, "--baseline", "policy.distribution=streamed",
                                 "--format", "csv", "--out", dir.path("c.csv")});
  REQUIRE(by_label.exit_code == 0);
  CHECK(parse_csv(read_file(dir.path("c.csv")))[1][13] == "-120.000");
  // And says so, as xlsx and html do (it was silent: helper-52's W9).
  CHECK(by_label.out == "compared 3 points × 5 runs of '" + db +
                            "' (baseline point 1): 12 rows, "
                            "written to " +
                            dir.path("c.csv") + " (csv)\n");
}

TEST_CASE("Compare: --contrast is the difference-in-differences (A − B) − (C − D), paired by run") {
  TempDir dir;
  const std::string db = fixture_db(dir);
  // (2 − 1) − (1 − 0), the second difference, of apy_ppm (cohort ''), run by run:
  //   point 0: 40000 41000 39000 40500 39500; point 1: 40100 41300 39100 40400 39700;
  //   point 2: 39000 40000 38000 39500 38500
  //   2 − 1 = −1100 −1300 −1100 −900 −1200 (mean −1120), 1 − 0 = 100 300 100 −100 200 (mean 120),
  //   contrast −1200 −1600 −1200 −800 −1400: mean −1240, sd √(352000/4) = 296.648, half-width
  //   2.776445105 · 296.648 / √5 = 368.33707 → 368.338, bounds −1608.338 and −871.662.
  // sniper/user: 2 − 1 = 5001 6001 4001 5501 4501, 1 − 0 = −5000 −6000 −4000 −5500 −4500,
  //   contrast 10001 12001 8001 11001 9001: mean 10001, sd 1581.14, half 1963.2432 → 1963.244.
  // gini (real): 2 − 1 = −0.125 −0.125 0 0 0.125, 1 − 0 = 0 0.25 −0.25 0 0: mean −0.025.
  const auto csv = run_cli({"compare", db, "--contrast", "2", "1", "1", "0", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.err == "compare: contrast (A − B) − (C − D), A = point 2 'policy.protocol_fee_bps=500 "
                   "& <fee> \"quoted\"', B = point 1 'policy.distribution=streamed', C = point 1 "
                   "'policy.distribution=streamed', D = point 0 'policy.distribution=instant'\n");
  const auto rows = parse_csv(csv.out);
  REQUIRE(rows.size() == 5);  // header + apy_ppm × 2 cohorts, revenue, gini
  CHECK(rows[0] == std::vector<std::string>{"metric", "unit", "asset", "cohort", "n",
                                            "a_minus_b_mean", "c_minus_d_mean", "contrast_mean",
                                            "contrast_sd_float", "contrast_ci95_half_float",
                                            "contrast_ci95_low", "contrast_ci95_high"});
  CHECK(rows[1] == std::vector<std::string>{"apy_ppm", "ppm", "", "", "5", "-1120.000", "120.000",
                                            "-1240.000", "296.648", "368.337", "-1608.338",
                                            "-871.662"});
  CHECK(rows[2] == std::vector<std::string>{"apy_ppm", "ppm", "", "sniper/user", "5", "5001.000",
                                            "-5000.000", "10001.000", "1581.14", "1963.24",
                                            "8037.756", "11964.244"});
  CHECK(rows[3][0] == "gini");
  CHECK(rows[3][7] == "-0.025");
  // protocol_revenue_wei: 2 − 1 = −500·10^18 − (1, 2, 2, 3, 5), 1 − 0 = 10^21 + (1, 2, 2, 3, 5):
  // exact to the wei in 22 digits, where a double keeps 16.
  CHECK(rows[4][0] == "protocol_revenue_wei");
  CHECK(rows[4][5] == "-500000000000000000002.600");
  CHECK(rows[4][6] == "1000000000000000000002.600");
  CHECK(rows[4][7] == "-1500000000000000000005.200");
  // The text table: `all` for the whole run's cohort, as compare's own rows.
  const auto table = run_cli({"compare", db, "--contrast", "2", "1", "1", "0"});
  REQUIRE(table.exit_code == 0);
  const std::size_t first_at = table.out.find("\napy_ppm");
  REQUIRE(first_at != std::string::npos);
  const std::string first_row = table.out.substr(first_at + 1, 120);
  CHECK(first_row.find(" all ") != std::string::npos);
  CHECK(first_row.find(" -1120.000 ") != std::string::npos);
  // To --out, the same text, and a line saying so.
  const auto to_file = run_cli({"compare", db, "--contrast", "2", "1", "1", "0", "--cohorts", "all",
                                "--metrics", "apy_ppm", "--out", dir.path("c.csv")});
  REQUIRE(to_file.exit_code == 0);
  CHECK(parse_csv(read_file(dir.path("c.csv"))) ==
        std::vector<std::vector<std::string>>{rows[0], rows[1]});
  const std::string prefix = "compare: contrast ";
  REQUIRE(csv.err.starts_with(prefix));
  CHECK(to_file.out ==
        "contrasted " + csv.err.substr(prefix.size(), csv.err.size() - prefix.size() - 1) +
            " over the runs of '" + db + "': 1 row, written to " + dir.path("c.csv") + " (csv)\n");

  // XLSX: a `contrast` sheet after `compare`, the statement over its table; HTML: a section with
  // a chart per metric and the table.
  REQUIRE(run_cli({"compare", db, "--contrast", "2", "1", "1", "0", "--out", dir.path("c.xlsx")})
              .exit_code == 0);
  const std::string workbook = yl::testing::unzip(dir.path("c.xlsx"), "xl/workbook.xml");
  CHECK(workbook.find(R"(<sheet name="compare" sheetId="1" r:id="rId1"/><sheet name="contrast")") !=
        std::string::npos);
  const std::string contrast_sheet =
      yl::testing::unzip(dir.path("c.xlsx"), "xl/worksheets/sheet2.xml");
  CHECK(contrast_sheet.find("<v>-1240</v>") != std::string::npos);
  CHECK(contrast_sheet.find(R"(<autoFilter ref="A2:L6"/>)") != std::string::npos);
  const std::string strings = yl::testing::unzip(dir.path("c.xlsx"), "xl/sharedStrings.xml");
  CHECK(strings.find("<t>(A − B) − (C − D), A = point 2") != std::string::npos);
  CHECK(strings.find("<t>-1500000000000000000005.200</t>") != std::string::npos);
  const auto page =
      run_cli({"compare", db, "--contrast", "2", "1", "1", "0", "--out", dir.path("c.html")});
  REQUIRE(page.exit_code == 0);
  const std::string html = read_file(dir.path("c.html"));
  CHECK(html.find("<h2>Contrast</h2>") != std::string::npos);
  CHECK(html.find(R"x(aria-label="apy_ppm: (A − B) − (C − D)")x") != std::string::npos);
  CHECK(html.find(R"x(aria-label="protocol_revenue_wei · ETH: (A − B) − (C − D)")x") !=
        std::string::npos);
  CHECK(html.find(">-1608.338</td>") != std::string::npos);
  // The Points table names each point's roles; each contrast chart's axis holds 0 (helper-77's
  // F9, F10).
  CHECK(html.find(">policy.distribution=instant (baseline, D)</td>") != std::string::npos);
  CHECK(html.find(">policy.distribution=streamed (B, C)</td>") != std::string::npos);
  CHECK(html.find("(A)</td>") != std::string::npos);
  CHECK(html.find(R"("beginAtZero":true)") != std::string::npos);
  CHECK(page.err.find("compare: contrast (A − B) − (C − D), A = point 2") != std::string::npos);

  // Runs pair where all four points ran on one seed: point 1's run 0 on another seed leaves four.
  const std::string reseeded =
      make_db(dir, "reseeded.db",
              read_file(kFixture) + "UPDATE runs SET seed = '7' WHERE point = 1 AND run = 0;");
  const auto four =
      run_cli({"compare", reseeded, "--contrast", "2", "1", "1", "0", "--format", "csv"});
  REQUIRE(four.exit_code == 0);
  // Without run 0: contrast −1600 −1200 −800 −1400, mean −1250; 2 − 1 over the same runs −1125.
  CHECK(parse_csv(four.out)[1][4] == "4");
  CHECK(parse_csv(four.out)[1][5] == "-1125.000");
  CHECK(parse_csv(four.out)[1][7] == "-1250.000");
  // Four points: point 3 completed, apy_ppm 1 to 5. Run 0 of C (3) and D (0) on a seed of their
  // own pairs C with D, and A (2) with B (1), but not the four: it is left out (a rule of pairs
  // alone would keep it, n = 5). Runs 1-4: (2 − 1) − (3 − 0) = −1300 − (2 − 41000), … = 39698,
  // 37897, 39596, 38295: mean 38871.5.
  const std::string completed =
      read_file(kFixture) +
      "INSERT INTO runs VALUES (3, 2, '1002', 100), (3, 3, '1003', 100), (3, 4, '1004', 100);\n"
      "INSERT INTO metrics VALUES (3, 2, 'apy_ppm', '', '', '3', NULL), (3, 3, 'apy_ppm', '', '', "
      "'4', NULL), (3, 4, 'apy_ppm', '', '', '5', NULL);\n";
  const std::vector<std::string> all_four = {
      "compare",   "",        "--contrast", "2",   "1",        "3",  "0",
      "--metrics", "apy_ppm", "--cohorts",  "all", "--format", "csv"};
  auto with = [&](std::vector<std::string> args, const std::string& file) {
    args[1] = file;
    return run_cli(args);
  };
  const auto whole = with(all_four, make_db(dir, "four.db", completed));
  REQUIRE(whole.exit_code == 0);
  CHECK(parse_csv(whole.out)[1][4] == "5");
  CHECK(parse_csv(whole.out)[1][7] == "38877.000");
  const auto paired_pairs =
      with(all_four, make_db(dir, "pairs.db",
                             completed + "UPDATE runs SET seed = '7' WHERE point IN (3, 0) AND "
                                         "run = 0;"));
  REQUIRE(paired_pairs.exit_code == 0);
  CHECK(parse_csv(paired_pairs.out)[1][4] == "4");
  CHECK(parse_csv(paired_pairs.out)[1][7] == "38871.500");
  // With only a contrast to print, no baseline is looked for: an incomplete point 0 refused it,
  // and --baseline is refused beside --contrast (helper-76's F1).
  const std::string gone = make_db(
      dir, "gone.db",
      completed + "DELETE FROM metrics WHERE point = 0 AND run >= 2; DELETE FROM runs WHERE "
                  "point = 0 AND run >= 2;");
  CHECK(run_cli({"compare", gone, "--contrast", "2", "1", "3", "1"}).exit_code == 0);

  // A row of no value at one of the four is left out, and named with the points it lacks.
  const std::string no_snipers = make_db(
      dir, "no_snipers.db",
      read_file(kFixture) + "DELETE FROM metrics WHERE point = 1 AND cohort = 'sniper/user';");
  const auto left_out =
      run_cli({"compare", no_snipers, "--contrast", "2", "1", "1", "0", "--format", "csv"});
  REQUIRE(left_out.exit_code == 0);
  CHECK(parse_csv(left_out.out).size() == 4);
  const std::string note =
      "1 row of no value at some of the four points, in the runs they ran on one seed, is left "
      "out: apy_ppm of sniper/user (none at B, C)";
  CHECK(left_out.err.ends_with("compare: " + note + "\n"));
  // The workbook's contrast sheet says so too, under the statement and over the table.
  REQUIRE(run_cli({"compare", no_snipers, "--contrast", "2", "1", "1", "0", "--out",
                   dir.path("left_out.xlsx")})
              .exit_code == 0);
  const std::string sheet =
      yl::testing::unzip(dir.path("left_out.xlsx"), "xl/worksheets/sheet2.xml");
  CHECK(sheet.find(R"(<autoFilter ref="A3:L6"/>)") != std::string::npos);
  CHECK(yl::testing::unzip(dir.path("left_out.xlsx"), "xl/sharedStrings.xml")
            .find("<t>" + note + "</t>") != std::string::npos);
  // None left: the refusal says why, the rows or the seeds (it blamed the seeds for both:
  // helper-76's F3, helper-77's F4).
  const auto no_rows = run_cli(
      {"compare", no_snipers, "--contrast", "2", "1", "1", "0", "--cohorts", "sniper/user"});
  CHECK(no_rows.exit_code == 2);
  CHECK(no_rows.err == "yieldledger: --contrast: no row of --cohorts sniper/user has a value at "
                       "all four points: " +
                           note + "\n");
  const std::string other_seeds = make_db(
      dir, "other_seeds.db",
      read_file(kFixture) + "UPDATE runs SET seed = CAST(seed + 100 AS TEXT) WHERE point = 1;");
  const auto unpaired = run_cli({"compare", other_seeds, "--contrast", "2", "1", "1", "0"});
  CHECK(unpaired.exit_code == 2);
  CHECK(unpaired.err.starts_with("yieldledger: --contrast (A − B) − (C − D), A = point 2 '"));
  CHECK(unpaired.err.ends_with(
      ": no run was run on one seed at all four points, so none pairs; the file's runs are of "
      "lab version 1, where a point that changes more than policy or gas keys has runs of its "
      "own; a sweep of version 5 or later pairs every point\n"));
}

TEST_CASE("Compare HTML: a point's label is shown short on charts and in metric tables") {
  // Six policy keys made labels of 200 characters, each the same for its first 63: the charts'
  // ticks left no room to plot, and the tables' numbers were out of sight (helper-48's F5).
  using yl::compare::short_label;
  CHECK(short_label("") == "");
  CHECK(short_label("population.users=10") == "users=10");
  CHECK(short_label("scenario.policy.rebalance=true, population.users=10") ==
        "rebalance=true, users=10");
  // Longer with its keys: the values alone, plain strings without quotes (cut, the key that told
  // points apart was lost: helper-52's W11, helper-56's F3).
  CHECK(short_label("scenario.policy.distribution=\"snapshot\", scenario.policy.void_yield=\""
                    "to_active\", scenario.policy.negative_yield=\"debt\"") ==
        "snapshot, to_active, debt");
  CHECK(short_label("source.lido.slashes_per_year=0, scenario.policy.negative_yield=\"debt\", "
                    "scenario.policy.distribution=\"streamed\", "
                    "scenario.policy.unlock_seconds=3600") == "0, debt, streamed, 3600");
  CHECK(short_label("a.schedule=\"r, v2.csv\", b.c=\"x\\\"y\", users=10000000") ==
        "\"r, v2.csv\", \"x\\\"y\", 10000000");
  // A value holding ", " stays whole (it was split, and cut at a dot: helper-49's F5).
  CHECK(short_label("source.tbill.schedule=\"r, v2.csv\"") == "schedule=\"r, v2.csv\"");
  // A hand-made results file's label of no key, or of keys with empty parts, as it is.
  CHECK(short_label("=5") == "=5");
  CHECK(short_label("a.=1, .b=2") == "=1, b=2");
  // Two keys ending alike keep their last two parts.
  CHECK(short_label("source.a.schedule=\"x\", source.b.schedule=\"y\", users=1") == "x, y, 1");
  CHECK(short_label("source.a.schedule=\"x\", source.b.schedule=\"y\"") ==
        "a.schedule=\"x\", b.schedule=\"y\"");
  // And a key that ends like another point's (helper-66's F2: points giving strategy.1.share,
  // strategy.2.share and strategy.3.share one each were all "share=10").
  const std::vector<std::string_view> keys{
      "strategy.1.share", "strategy.2.share", "x.b", ".b", "a.b.c", "d.b.c"};
  CHECK(short_label("strategy.2.share=10", true, keys) == "2.share=10");
  CHECK(short_label("strategy.2.share=10") == "share=10");
  CHECK(short_label("a.b.c=1, population.users=3", true, keys) == "a.b.c=1, users=3");
  CHECK(short_label(".b=1", true, keys) == ".b=1");  // parts of no name, whole
  CHECK(short_label("..=1, ...=2") == "..=1, ...=2");
  // Where the points give other keys (points of [[sweep.points]]), values alone could read one
  // point as another ("500, streamed" and "streamed, 500": helper-58's R4): cut with keys.
  CHECK(short_label("scenario.policy.insurance_fee_bps=500, scenario.policy.distribution=\""
                    "streamed\"",
                    false) == "insurance_fee_bps=500, distri…");
  // At most 32 bytes with the '…', a UTF-8 character never split: "é" is two bytes.
  CHECK(short_label("k=" + std::string(20, 'a') + "ééééééé") ==
        "k=" + std::string(20, 'a') + "ééé…");
  CHECK(short_label("k=" + std::string(30, 'a')) == "k=" + std::string(30, 'a'));  // 32 bytes
  CHECK(short_label("k=" + std::string(31, 'a')) == "k=" + std::string(27, 'a') + "…");
  for (const std::string& label :
       {std::string("k=") + std::string(100, 'b'), std::string(60, 'x') + "=1",
        std::string("a.b.c=") + std::string(40, 'z') + ", d.e=1"}) {
    CHECK(short_label(label).size() <= 32);
  }
}

TEST_CASE("Compare: points that add keys to a product's are named by their values") {
  // A product crossed with [[sweep.points]] whose points give two keys or four: the labels were
  // cut with their keys at every point ("0: slashes_per_year=0, negative_…", helper-56's F3), on
  // the page, in the text table (at 64 characters: helper-60's F3) and on the XLSX charts (whole).
  // Every point's keys are the first of one list, so a value's place names its key.
  TempDir dir;
  const std::string two = "source.lido.slashes_per_year=0, scenario.policy.negative_yield=\"debt\"";
  const std::string four =
      two + ", scenario.policy.distribution=\"streamed\", scenario.policy.unlock_seconds=3600";
  auto results = [&](const std::string& name, const std::string& third) {
    return make_db(dir, name,
                   read_file(kFixture) + "UPDATE points SET label = '" + two +
                       "' WHERE point = 0;\nUPDATE points SET label = '" + four +
                       "' WHERE point = 1;\nUPDATE points SET label = '" + third +
                       "' WHERE point = 2;\n");
  };
  auto page = [&](const std::string& db) {
    REQUIRE(run_cli({"compare", db, "--out", db + ".html"}).exit_code == 0);
    return read_file(db + ".html");
  };
  const std::string added = results("added.db", "source.lido.slashes_per_year=8");
  std::string html = page(added);
  CHECK(html.find("\"0: 0, debt\"") != std::string::npos);
  CHECK(html.find("\"1: 0, debt, streamed, 3600\"") != std::string::npos);
  CHECK(html.find("\"2: slashes_per_year=8\"") != std::string::npos);  // short with its key
  CHECK(html.find("shown on charts and in metric tables by its values alone, in the order of the "
                  "keys source.lido.slashes_per_year, scenario.policy.negative_yield, "
                  "scenario.policy.distribution, scenario.policy.unlock_seconds.") !=
        std::string::npos);
  auto table = run_cli({"compare", added, "--cohorts", "all"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.err.find("compare: a label longer than 32 bytes is shown by its values alone, in "
                       "the order of the keys source.lido.slashes_per_year, "
                       "scenario.policy.negative_yield, scenario.policy.distribution, "
                       "scenario.policy.unlock_seconds; --format csv gives labels whole\n") !=
        std::string::npos);
  CHECK(table.out.find("      1  0, debt, streamed, 3600  5 ") != std::string::npos);
  CHECK(table.out.find("scenario.policy") == std::string::npos);
  const auto csv = run_cli({"compare", added, "--format", "csv"});
  CHECK(csv.out.find("scenario.policy.unlock_seconds=3600\",5,") != std::string::npos);  // whole
  CHECK(csv.err.find("by its values alone") == std::string::npos);
  REQUIRE(run_cli({"compare", added, "--out", added + ".xlsx"}).exit_code == 0);
  CHECK(yl::testing::unzip(added + ".xlsx", "xl/sharedStrings.xml")
            .find("<t>1: 0, debt, streamed, 3600</t>") != std::string::npos);

  // A point giving keys in another order: its values in the order of every point's keys, so a
  // place names one key (helper-58's R4 had such labels cut with their keys).
  const std::string moved = results(
      "moved.db", "scenario.policy.negative_yield=\"debt\", source.lido.slashes_per_year=8");
  html = page(moved);
  CHECK(html.find("\"0: 0, debt\"") != std::string::npos);
  CHECK(html.find("\"1: 0, debt, streamed, 3600\"") != std::string::npos);
  CHECK(html.find("\"2: 8, debt\"") != std::string::npos);
  // A point that leaves out keys another gives: '–' in their places, up to its last (four
  // policies of [[sweep.points]] crossed with a product read alike, cut to the product's keys:
  // helper-72's F2).
  const std::string gaps =
      results("gaps.db", "source.lido.slashes_per_year=8, scenario.policy.unlock_seconds=600");
  html = page(gaps);
  CHECK(html.find("\"2: 8, –, –, 600\"") != std::string::npos);
  CHECK(html.find("scenario.policy.unlock_seconds (– where a point gives none).") !=
        std::string::npos);
  table = run_cli({"compare", gaps, "--cohorts", "all"});
  CHECK(table.err.find("compare: a label longer than 32 bytes is shown by its values alone, in "
                       "the order of the keys source.lido.slashes_per_year, "
                       "scenario.policy.negative_yield, scenario.policy.distribution, "
                       "scenario.policy.unlock_seconds (– where a point gives none); --format csv "
                       "gives labels whole\n") != std::string::npos);
  CHECK(table.out.find("      2  8, –, –, 600 ") != std::string::npos);
  // A label its values alone still make too long is cut ('…').
  const std::string long_values = make_db(dir, "long.db",
                                          read_file(kFixture) + "UPDATE points SET label = 'a=\"" +
                                              std::string(40, 'x') + "\", b=1' WHERE point = 1;\n");
  table = run_cli({"compare", long_values, "--cohorts", "all"});
  CHECK(table.err.find("compare: a label longer than 32 bytes is shown by its values alone") !=
        std::string::npos);
  CHECK(table.out.find("      1  –, " + std::string(24, 'x') + "…") != std::string::npos);

  // Labels of one key each: none by its values alone (one cut, above).
  const std::string db = fixture_db(dir);
  CHECK(page(db).find("by its values alone") == std::string::npos);
  CHECK(run_cli({"compare", db}).err.find("by its values alone") == std::string::npos);
}

TEST_CASE("CLI: compare refuses bad input with exit 2 and writes nothing") {
  TempDir dir;
  const std::string db = fixture_db(dir);
  auto refused = [](const std::vector<std::string>& args) {
    const auto r = run_cli(args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    return r.err;
  };
  CHECK(refused({"compare", db, "--baseline", "nine"})
            .starts_with("yieldledger: --baseline 'nine' names no point of '"));
  const std::string missing = dir.path("no/such/folder/c.html");
  CHECK(refused({"compare", db, "--format", "html", "--out", missing}) ==
        "yieldledger: cannot write '" + missing + "': the folder '" + dir.path("no/such/folder") +
            "' does not exist\n");
  // A file where the folder should be is said so: it was "does not exist" (helper-70's F6).
  const std::string mine = dir.write("mine.csv", "precious");
  CHECK(refused({"compare", db, "--out", mine + "/x.csv"})
            .ends_with("\nyieldledger: cannot write '" + mine + "/x.csv': '" + mine +
                       "' is a file, not a folder\n"));
  CHECK(refused({"compare", db, "--out", mine + "/sub/x.csv"})
            .ends_with("\nyieldledger: cannot write '" + mine + "/sub/x.csv': '" + mine +
                       "' is a file, not a folder\n"));
  CHECK(read_file(mine) == "precious");
  // A symbolic link to nothing where the folder should be: it was "does not exist", the walk up
  // following the link past it.
  const std::string dangling = dir.path("dangling");
  std::filesystem::create_symlink(dir.path("nowhere"), dangling);
  CHECK(refused({"compare", db, "--format", "html", "--out", dangling + "/c.html"}) ==
        "yieldledger: cannot write '" + dangling + "/c.html': '" + dangling +
            "' is a broken symbolic link, not a folder\n");
  CHECK(!std::filesystem::exists(dir.path("nowhere")));
  CHECK(refused({"compare", db, "--format", "html"}) ==
        "yieldledger: --format html needs --out FILE\n");
  const std::string empty = dir.write("empty.db", "");
  CHECK(refused({"compare", empty, "--format", "html", "--out", dir.path("e.html")})
            .find("is not a yieldledger results file") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path("e.html")));
  // An existing file is kept unless --force.
  const std::string kept = dir.write("kept.html", "mine");
  CHECK(refused({"compare", db, "--format", "html", "--out", kept}) ==
        "yieldledger: '" + kept +
            "' already exists; choose another --out, or add --force to "
            "replace it\n");
  CHECK(read_file(kept) == "mine");
  CHECK(run_cli({"compare", db, "--format", "html", "--out", kept, "--force"}).exit_code == 0);
  CHECK(read_file(kept).starts_with("<!DOCTYPE html>"));
  // --contrast: four points, A and B (C and D) two, a complete point each, and not with --baseline
  // where only its table is written, nor for two ledgers.
  // CLI11's count ("At least 4 required but received 3") said as what the four are.
  CHECK(refused({"compare", db, "--contrast", "2", "1", "0"}) ==
        "yieldledger: --contrast takes four points once, A B C D, for (A − B) − (C − D); it was "
        "given 3\nRun with --help for more information.\n");
  CHECK(refused(
            {"compare", db, "--contrast", "2", "1", "1", "0", "--contrast", "0", "1", "2", "1"}) ==
        "yieldledger: --contrast takes four points once, A B C D, for (A − B) − (C − D); it was "
        "given 8\nRun with --help for more information.\n");
  // Any option given twice, said so (helper-85's F10: "--out: At Most 1 required but received 2").
  CHECK(refused({"compare", db, "--out", kept, "--out", kept}) ==
        "yieldledger: --out was given 2 times; give it once\nRun with --help for more "
        "information.\n");
  CHECK(refused({"compare", db, "--contrast", "2", "2", "1", "0"}) ==
        "yieldledger: --contrast A B C D is (A − B) − (C − D): A and B are one point, 2, and "
        "their difference is 0 in every run\n");
  CHECK(refused({"compare", db, "--contrast", "2", "1", "2", "1"}) ==
        "yieldledger: --contrast A B C D is (A − B) − (C − D): A − B and C − D are one "
        "difference, of points 2 and 1, and the contrast is 0\n");
  CHECK(refused({"compare", db, "--contrast", "2", "1", "0", "0"}) ==
        "yieldledger: --contrast A B C D is (A − B) − (C − D): C and D are one point, 0, and "
        "their difference is 0 in every run\n");
  // Which of the four a point is, named (helper-76's F10).
  CHECK(refused({"compare", db, "--contrast", "2", "1", "3", "0"})
            .starts_with("yieldledger: --contrast's C, point 3 'policy.distribution=incomplete'"
                         ", has 2 of 5 runs in '"));
  CHECK(refused({"compare", db, "--contrast", "2", "1", "1", "nine"})
            .starts_with("yieldledger: --contrast's D 'nine' names no point of '"));
  CHECK(refused({"compare", db, "--contrast", "2", "1", "1", "0", "--baseline", "1"}) ==
        "yieldledger: --baseline is the point of the comparison's differences, and --contrast "
        "gives its table alone in table and csv; --format xlsx or html gives both\n");
  // No metric row to contrast: a series alone, a run-wide metric of another cohort (it crashed:
  // helper-78's F1).
  const std::string no_row =
      "yieldledger: --contrast: there is no metric row of {} to contrast (a series, such as "
      "debt_wei, is drawn over time only; the run's own metrics, such as debt_end_wei, are the "
      "cohort 'all' only)\n";
  CHECK(refused({"compare", db, "--contrast", "2", "1", "1", "0", "--metrics", "price"}) ==
        fmt::format(fmt::runtime(no_row), "--metrics price"));
  CHECK(refused({"compare", db, "--contrast", "2", "1", "1", "0", "--metrics", "price", "--out",
                 dir.path("series.html")}) == fmt::format(fmt::runtime(no_row), "--metrics price"));
  CHECK_FALSE(std::filesystem::exists(dir.path("series.html")));
  CHECK(refused({"compare", db, "--contrast", "2", "1", "1", "0", "--metrics",
                 "protocol_revenue_wei", "--cohorts", "sniper/user"}) ==
        fmt::format(fmt::runtime(no_row),
                    "--metrics protocol_revenue_wei and --cohorts sniper/user"));
  CHECK(refused({"compare", db, db, "--contrast", "2", "1", "1", "0"}) ==
        "yieldledger: --contrast names four points of a sweep's results; two ledgers have none\n");
  // No temporary file is left in the folder.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path(""))) {
    CHECK_MESSAGE(entry.path().extension() != ".partial", entry.path());
  }
}

TEST_CASE("CLI: compare A.db B.db: two ledgers over the same events, side by side") {
  TempDir dir;
  const std::string scenario = yl::testing::example_scenario("blast-launch");
  const std::string events =
      (std::filesystem::path(scenario).parent_path() / "events.csv").string();
  std::string toml = read_file(scenario);
  // B: the same events under a 20% insurance fee instead of the example's.
  const auto fee = toml.find("insurance_fee_bps");
  REQUIRE(fee != std::string::npos);
  const auto end = toml.find('\n', fee);
  std::string toml_b = toml;
  toml_b.replace(fee, end - fee, "insurance_fee_bps = 2000");
  auto with_events = [&](std::string text, const std::string& file) {
    const auto at = text.find("events");
    const auto line_end = text.find('\n', at);
    text.replace(at, line_end - at, "events = \"" + file + "\"");
    return text;
  };
  dir.write("a.toml", with_events(toml, events));
  dir.write("b.toml", with_events(toml_b, events));
  REQUIRE(run_cli({"run", dir.path("a.toml"), "--db", dir.path("a.db")}).exit_code == 0);
  REQUIRE(run_cli({"run", dir.path("b.toml"), "--db", dir.path("b.db")}).exit_code == 0);
  // One ledger that is the other's -shm (a copy so named): SQLite took it for a's own index as a
  // opened, and deleted it (helper-89's F2). Refused, in either order, and kept.
  const std::string shm = dir.path("a.db-shm");
  std::filesystem::copy_file(dir.path("b.db"), shm);
  const std::string ledger_b = read_file(shm);
  for (const auto& [first, second] : std::vector<std::pair<std::string, std::string>>{
           {dir.path("a.db"), shm}, {shm, dir.path("a.db")}}) {
    const auto refused = run_cli({"compare", first, second});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == "yieldledger: will not read '" + shm +
                             "' as a ledger compared: it is the shared-memory index SQLite keeps "
                             "beside the database '" +
                             dir.path("a.db") +
                             "', and opening that database would take it for its own, write over "
                             "it and delete it; give a copy of it under a name of its own (and if "
                             "it is the database's own shared-memory index, leave it where it "
                             "is)\n");
    CHECK(read_file(shm) == ledger_b);
  }
  std::filesystem::remove(shm);
  const auto r = run_cli({"compare", dir.path("a.db"), dir.path("b.db"), "--format", "csv"});
  REQUIRE(r.exit_code == 0);
  const auto rows = parse_csv(r.out);
  REQUIRE(rows[0] ==
          std::vector<std::string>{"section", "account", "asset", "item", "a", "b", "b_minus_a"});
  // Each row: b − a is b minus a, exactly (checked with the project's own wei parser).
  bool insurance_differs = false;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][0] == "asset" && rows[i][3] == "insurance" && rows[i][5] != rows[i][4]) {
      insurance_differs = true;
    }
  }
  CHECK(insurance_differs);
  // Per asset, the rows of `ledgers`, revenue and locked too (SPEC §9.4, §9.1; helper-35's F3).
  std::vector<std::string> items;
  for (const auto& row : rows) {
    if (row[0] == "asset" && row[2] == "ETH") items.push_back(row[3]);
  }
  CHECK(items == std::vector<std::string>{"price", "pending", "total_shares", "buffer", "debt",
                                          "insurance", "retained", "revenue", "locked"});
  // balances agree with `balances` of each ledger.
  const auto balances_a = run_cli({"balances", "--db", dir.path("a.db"), "--format", "csv"});
  const auto alice_a = parse_csv(balances_a.out)[1];  // the first account row: @gas
  REQUIRE(alice_a[0] == "@gas");
  bool found = false;
  for (const auto& row : rows) {
    // Its name defused as export's CSV writes it (helper-44's F19: `-A1` opened as a formula).
    if (row[0] == "account" && row[1] == "'@gas" && row[2] == alice_a[2] && row[3] == "balance") {
      CHECK(row[4] == alice_a[4]);
      found = true;
    }
  }
  CHECK(found);

  // A ledger whose events differ at one line is refused, naming the event and both texts.
  std::string changed = read_file(events);
  const auto second_line = changed.find('\n') + 1;
  const auto third_line = changed.find('\n', second_line) + 1;
  const std::string first_event = changed.substr(second_line, third_line - second_line - 1);
  std::string altered = first_event;
  REQUIRE(altered.starts_with("e001,"));
  altered.replace(0, 4, "e000");  // the same event under another id
  changed.replace(second_line, first_event.size(), altered);
  dir.write("c.csv", changed);
  dir.write("c.toml", with_events(toml, dir.path("c.csv")));
  REQUIRE(run_cli({"run", dir.path("c.toml"), "--db", dir.path("c.db")}).exit_code == 0);
  const auto refused = run_cli({"compare", dir.path("a.db"), dir.path("c.db")});
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err.starts_with("yieldledger: the two ledgers have different events; the first "
                                "difference is event 1: " +
                                dir.path("a.db") + ": event 1 ("));
  CHECK(refused.err.find(dir.path("c.db") + ": event 1 (") != std::string::npos);
  CHECK(refused.err.find(",e000\n") != std::string::npos);  // B's, at the end
  CHECK(refused.err.find(",e001; ") != std::string::npos);  // A's

  // Ledgers of other horizons are compared, with a note: the yield of the longer one is not the
  // policy's (it was compared in silence).
  std::string toml_d = with_events(toml, events);
  const auto end_key = toml_d.find("\nend = ");
  REQUIRE(end_key != std::string::npos);
  toml_d.replace(end_key, toml_d.find('\n', end_key + 1) - end_key,
                 "\nend = \"2024-07-01T00:00:00Z\"");
  dir.write("d.toml", toml_d);
  REQUIRE(run_cli({"run", dir.path("d.toml"), "--db", dir.path("d.db")}).exit_code == 0);
  const auto longer = run_cli({"compare", dir.path("a.db"), dir.path("d.db"), "--format", "csv"});
  CHECK(longer.exit_code == 0);
  CHECK(longer.err == "compare: the ledgers' ends differ (a: 2024-06-01T00:00:00Z, b: "
                      "2024-07-01T00:00:00Z): their differences are not the policies' alone\n");
  CHECK(r.err.empty());  // a and b: the same horizon, no note
  // A results file where a ledger goes is named as one (it was "not a yieldledger database").
  const std::string results = fixture_db(dir);
  const auto mixed = run_cli({"compare", dir.path("a.db"), results});
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.err == "yieldledger: '" + results +
                         "' is a sweep's results file, not a ledger "
                         "(`yieldledger compare " +
                         results + "` compares its points)\n");
  // --baseline names a sweep's point: refused for two ledgers (it was ignored).
  const auto baseline = run_cli({"compare", dir.path("a.db"), dir.path("b.db"), "--baseline", "1"});
  CHECK(baseline.exit_code == 2);
  CHECK(baseline.err == "yieldledger: --baseline names a point of a sweep's results; two ledgers "
                        "are compared as b − a (swap them to change sides)\n");
}

TEST_CASE("Compare XLSX: rows past a sheet's limit are refused before any work, exit 2") {
  // It did all the work and stopped with exit 1 in libxlsxwriter's words, naming neither the file
  // nor the limit (helper-44's F16). Here a sheet of 4 rows, the header one of them.
  TempDir dir;
  const yl::compare::Results results = yl::compare::read_results(fixture_db(dir));
  const auto c = yl::compare::compare_results(results, 0);
  REQUIRE(c.rows.size() > 3);
  const std::string xlsx = dir.path("c.xlsx");
  {
    yl::OutputFile out(xlsx, yl::OutputFile::Existing::refuse);
    CHECK_THROWS_WITH_AS(yl::compare::write_comparison_xlsx(c, out, nullptr, 4),
                         ("'" + xlsx + "': the comparison has " + std::to_string(c.rows.size()) +
                          " rows, more than the 3 a spreadsheet sheet holds; compare it as "
                          "--format csv or html")
                             .c_str(),
                         yl::UsageError);
  }
  CHECK_FALSE(std::filesystem::exists(xlsx));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path(".")),
                      std::filesystem::directory_iterator()) == 1);  // results.db alone
}

TEST_CASE("Compare: the whole-run cohort is 'all' in the text table and on the page, '' in CSV") {
  // helper-62's F5: an empty cell in the table, `all` in --cohorts and in the charts' legends.
  TempDir dir;
  const std::string db = fixture_db(dir);
  const auto table = run_cli({"compare", db, "--metrics", "gini"});
  REQUIRE(table.exit_code == 0);
  INFO(table.out);
  CHECK(table.out.find(" all  ") != std::string::npos);
  CHECK(table.out.find("\ngini ") != std::string::npos);
  const auto csv = run_cli({"compare", db, "--metrics", "gini", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  const auto rows = parse_csv(csv.out);
  REQUIRE(rows.size() == 4);  // header + 3 points
  CHECK(rows[1][3] == "");
  REQUIRE(run_cli({"compare", db, "--metrics", "gini", "--out", dir.path("g.html")}).exit_code ==
          0);
  CHECK(read_file(dir.path("g.html")).find("<td>all</td>") != std::string::npos);
}
