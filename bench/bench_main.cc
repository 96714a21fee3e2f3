// yl_bench: reproducible throughput figures for yieldledger (run on demand, never in CI).
//
//   build/bench/yl_bench [--accounts N] [--events M] [--days D] [--seed S] [--dir DIR]
//                        [--only engine|run|audit|export|reports|generate]   (one phase)
//                        [--reuse yes]   (keep the scenario already generated in DIR)
//
// It generates the synthetic scenario (bench/synthetic.h), then measures, in one process:
//   1. parse only: reading and parsing events.csv, the baseline the other figures are ratios of;
//   2. engine alone: applying the parsed events (and the daily reports) to a Ledger in memory;
//   3. end to end: `run` into a fresh SQLite database, exactly as the CLI does, and the same run
//      without writing the journal (what the journal costs), then `audit` of the full run;
//   4. export of the run's history (ledger_history and balance_history, a sample per daily report,
//      the top 1,000 holders of each asset) as CSV and as XLSX, against the run's own time;
//   5. report cost with 1,000 and with 1,000,000 holders, to show it does not grow with holders.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include "bench/synthetic.h"
#include "engine/core/ledger.h"
#include "engine/input/event_parser.h"
#include "engine/input/scenario.h"
#include "engine/audit.h"
#include "engine/export/exporter.h"
#include "engine/runner.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<yl::Event> parse_all(const yl::Scenario& scenario) {
  std::ifstream in(scenario.events_path, std::ios::binary);
  yl::EventReader reader(in, "events.csv");
  std::vector<yl::Event> events;
  while (const auto raw = reader.next_raw()) events.push_back(yl::parse_event(*raw, "events.csv"));
  return events;
}

// Average cost of one forced report of both assets over `holders` AUTOMATIC holders.
double report_seconds(int holders, int reports) {
  yl::LedgerParams params;
  params.start = yl::Timestamp{1704067200};
  params.end = yl::Timestamp{params.start.seconds + 10 * 365 * 86400};
  params.report_every_s = params.end.seconds - params.start.seconds;  // one scheduled, at the end
  params.sources = {{"lido", yl::Asset::eth, yl::SourceKind::staking, 400, 9000},
                    {"tbill", yl::Asset::usdb, yl::SourceKind::treasury, 500, 9000}};
  yl::Ledger ledger(params);
  for (int i = 0; i < holders; ++i) {
    const std::string name = fmt::format("h{}", i);
    ledger.apply({params.start, yl::OpenAccount{name, yl::AccountKind::user}});
    ledger.apply({params.start, yl::Deposit{name, yl::DepositAsset::eth,
                                            yl::Amount::from_u64(1'000'000'000'000'000'000ULL)}});
    ledger.apply({params.start, yl::Deposit{name, yl::DepositAsset::usdb,
                                            yl::Amount::from_u64(1'000'000'000'000'000'000ULL)}});
    ledger.clear_journal();
  }
  const auto start = Clock::now();
  for (int r = 1; r <= reports; ++r) {
    const yl::Timestamp t{params.start.seconds + r * 3600};
    if (ledger.apply({t, yl::ForceReport{std::nullopt}})) return -1;
    ledger.take_reports();
    ledger.clear_journal();
  }
  return seconds_since(start) / reports;
}

}  // namespace

int main(int argc, char** argv) {
  yl::bench::SyntheticOptions options;
  std::string dir = (std::filesystem::temp_directory_path() / "yl_bench").string();
  std::string only;
  bool reuse = false;
  const auto usage = [] {
    fmt::print(stderr, "usage: yl_bench [--accounts N] [--events M] [--days D] [--seed S] "
                       "[--dir DIR] [--only engine|run|audit|export|reports|generate] "
                       "[--reuse yes]\n");
    return 2;
  };
  if (argc % 2 == 0) return usage();  // flags come in pairs; this also catches --help
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--accounts") options.accounts = std::stoi(value);
    else if (flag == "--events") options.events = std::stoi(value);
    else if (flag == "--days") options.days = std::stoi(value);
    else if (flag == "--seed") options.seed = std::stoull(value);
    else if (flag == "--dir") dir = value;
    else if (flag == "--only") only = value;
    else if (flag == "--reuse") reuse = value == "yes";
    else return usage();
  }
  if (!only.empty() && only != "engine" && only != "run" && only != "audit" &&
      only != "export" && only != "reports" && only != "generate") {
    return usage();
  }
  if (only == "generate") {  // just write the scenario (scripts/crash_test.sh uses it)
    fmt::print("{}\n", yl::bench::write_synthetic_scenario(dir, options));
    return 0;
  }
  const auto wanted = [&](const char* phase) { return only.empty() || only == phase; };
  fmt::print("yieldledger benchmark: {} accounts, {} events, {} days of daily reports, seed {}\n",
             options.accounts, options.events, options.days, options.seed);
  if (wanted("engine") || wanted("run") || wanted("audit") || wanted("export")) {
    auto start = Clock::now();
    std::string scenario_path = dir + "/scenario.toml";
    if (reuse && std::filesystem::exists(scenario_path)) {
      fmt::print("  reusing {}\n", dir);
    } else {
      scenario_path = yl::bench::write_synthetic_scenario(dir, options);
      fmt::print("  generated {} in {:.1f} s\n", dir, seconds_since(start));
    }
    const yl::Scenario scenario = yl::load_scenario(scenario_path);

    start = Clock::now();
    const std::vector<yl::Event> events = parse_all(scenario);
    const double parse_s = seconds_since(start);
    const double n = static_cast<double>(events.size());
    fmt::print("  {:<34} {:>12} {:>14} {:>10}\n", "", "seconds", "events/s", "vs parse");
    auto line = [&](const char* what, double s) {
      fmt::print("  {:<34} {:>12.3f} {:>14.0f} {:>9.2f}x\n", what, s, n / s, parse_s / s);
    };
    line("parse only (CSV -> events), base", parse_s);

    if (wanted("engine")) {
      start = Clock::now();
      yl::Ledger ledger(scenario.params);
      for (const yl::Event& event : events) {
        if (const auto rejected = ledger.apply(event)) {
          fmt::print(stderr, "unexpected rejection: {}\n", rejected->reason);
          return 1;
        }
        ledger.take_reports();
        ledger.clear_journal();
      }
      ledger.advance_to(scenario.params.end);
      ledger.take_reports();
      ledger.clear_journal();
      line("engine alone (in memory)", seconds_since(start));
    }
    const std::string db = dir + "/bench.db";
    auto fresh = [&] {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    };
    double run_s = 0;
    auto timed_run = [&] {
      fresh();
      start = Clock::now();
      const yl::RunSummary summary = yl::run_into_database(scenario_path, db);
      run_s = seconds_since(start);
      line("end to end (run, SQLite, FULL)", run_s);
      return summary;
    };
    if (wanted("run")) {
      fresh();
      start = Clock::now();
      yl::RunOptions without_journal;
      without_journal.write_journal = false;
      yl::run_into_database(scenario_path, db, without_journal);
      const double without_journal_s = seconds_since(start);
      line("end to end, journal not written", without_journal_s);
      const yl::RunSummary summary = timed_run();
      fmt::print("  the run stored {} events, {} asset reports, {} journal entries; the journal "
                 "costs {:.2f}x the run without it\n",
                 summary.events, summary.reports, summary.journal_entries,
                 run_s / without_journal_s);
    }
    if (wanted("audit")) {
      if (!std::filesystem::exists(db)) yl::run_into_database(scenario_path, db);
      start = Clock::now();
      yl::storage::Database handle(db, yl::storage::Database::Mode::read_only);
      yl::storage::LedgerStore store(handle);
      const yl::AuditSummary audited = yl::audit_ledger(store);
      line("audit (replay and compare all)", seconds_since(start));
      fmt::print("  audit checked {} events, {} report rows, {} journal entries\n",
                 audited.events, audited.report_rows, audited.journal_entries);
    }
    if (wanted("export")) {
      if (run_s == 0) timed_run();  // the figure the export is compared with, from this process
      yl::ExportOptions history;
      history.tables = {"ledger_history", "balance_history"};
      history.accounts = yl::parse_account_selection("top:1000");
      history.every_s = 86400;
      for (const std::string format : {"csv", "xlsx"}) {
        start = Clock::now();
        yl::storage::Database handle(db, yl::storage::Database::Mode::read_only);
        yl::storage::LedgerStore store(handle);
        const auto sink =
            yl::make_export_sink(format, dir + (format == "csv" ? "/export" : "/export.xlsx"));
        const yl::ExportResult result = yl::export_ledger(store, history, *sink);
        const double export_s = seconds_since(start);
        line(format == "csv" ? "export history, CSV" : "export history, XLSX", export_s);
        fmt::print("  the {} export wrote {} history samples, {} balance rows: {:.2f}x the run's "
                   "time\n",
                   format, result.samples, result.rows.at("balance_history"), export_s / run_s);
      }
    }
  }
  if (wanted("reports")) {
    const int probes = 1000;
    const double small = report_seconds(1'000, probes);
    const double large = report_seconds(1'000'000, probes);
    fmt::print("  report (ETH + USDB), 1,000 holders:     {:8.2f} us\n", small * 1e6);
    fmt::print("  report (ETH + USDB), 1,000,000 holders: {:8.2f} us  ({:.2f}x the 1,000-holder "
               "cost)\n",
               large * 1e6, large / small);
  }
  return 0;
}
