// One run of a study, simulated in memory (a Ledger, no database, journal cleared after every
// event) and reduced to metrics (issue #11). Exact integers from the engine; a float only for a
// ratio, in a metric whose kind is 'real'. Every metric is described in metric_infos() and, for
// readers, in the README ("Policy lab: metrics").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/lab/generator.h"
#include "engine/lab/study.h"

namespace yl::lab {

struct MetricInfo {
  std::string_view name;
  std::string_view kind;  // "int" | "real"
  std::string_view unit;
  std::string_view description;
};
const std::vector<MetricInfo>& metric_infos();

// The version of what a run of a study and seed is: its events (the generator) and its metrics.
// A results file records the version its runs were made by (the `study` row `lab`; a file
// without it is of version 1), and a sweep resumes, or merge adds shards to, only a file of the
// same version, so that no file mixes two. Raised whenever a run's events or metrics change.
//   2: yield_wei counts a withdrawal at its payout, less the §5.5 discount (it counted the amount
//      debited: a sniper withdrawing at a discount while the ledger was in debt showed a gain,
//      helper-48's F1); discount_wei per cohort; a sniper's configure windows that overlap are
//      one (8f827a6); rejected_events per users/dapps and strategy cohort.
//   3: a withdrawal a socialized loss (SPEC §9.3) left short is cut to what the account holds
//      (apply_generated), not skipped: a sniper whose exit was refused stayed in as a holder, and
//      the sniper cohort under socialize measured trapped holders (helper-48's F7);
//      withdrawals_cut.
//   4: exit_discount_wei and exit_yield_wei per cohort: the debt still owed at end charged to the
//      holdings that would pay it, withdrawn at end (helper-60's F1).
//   5: run k of every point has one seed (before, a point that changed more than policy or gas
//      keys had runs of its own), and a transfer's recipient always takes four draws, so that
//      run k of two points draws alike and compare pairs them: a strategy counterfactual could
//      not be paired (helper-62's F1).
//   6: where the sources' yield went, per asset: source_yield_wei, insurance_fee_wei,
//      insurance_cover_wei, protocol_fee_wei, void_share_wei, socialized_wei (sums of the
//      reports' columns), and protocol_revenue_wei's two parts, fee_vault_end_wei and
//      revenue_end_wei (helper-72's F3).
//   7: pending_end_wei and retained_end_wei, so that a run's yield_wei reconciles with the
//      books from its metrics alone (README "Metrics"; the simulation asserts it: helper-72's F4);
//      a holder's churn time is drawn at any churn_per_year, so that a point of churn 0 pairs
//      with one of churn > 0 (helper-83's F1: its holders drew every later move afresh).
inline constexpr std::string_view kLabVersion = "7";

struct MetricValue {
  std::string name;
  std::string cohort;                    // "" = the whole run
  std::string asset;                     // "" or ETH / USDB
  std::optional<std::string> int_value;  // exact decimal integer
  std::optional<double> real_value;
};

struct SeriesValue {
  Timestamp time;
  Asset asset = Asset::eth;
  std::string name;
  std::string value;  // exact decimal integer
};

struct RunMetrics {
  std::int64_t events = 0;  // applied
  std::vector<MetricValue> metrics;
  std::vector<SeriesValue> series;
};

// Simulates `generated` under `study`'s scenario, sampling the series every `series_every_s`
// seconds from start (0: none).
RunMetrics simulate(const Study& study, const Generated& generated, std::int64_t series_every_s);

}  // namespace yl::lab
