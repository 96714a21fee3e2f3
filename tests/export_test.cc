// `yieldledger export`: the tables agree with `balances`, `ledgers`, `reports` and `explain` to the
// wei; realized APY is exact; thinning and account selection; the XLSX workbook read back from its
// zip; limits and failures leave nothing behind.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "bench/synthetic.h"
#include "engine/export/csv_sink.h"
#include "engine/export/exporter.h"
#include "engine/export/history.h"
#include "engine/export/realized_apy.h"
#include "engine/export/xlsx_sink.h"
#include "engine/input/csv_reader.h"
#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "engine/statement.h"
#include "engine/storage/journal_codec.h"
#include "engine/storage/migrations.h"
#include "engine/usage_error.h"
#include "tests/test_util.h"

using yl::testing::read_file;
using yl::testing::TempDir;
using yl::testing::unzip;

namespace {

using Row = std::map<std::string, std::string>;

// Reads an exported CSV file with the project's RFC 4180 reader, as a list of column -> cell.
std::vector<Row> read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  yl::CsvReader reader(in, path);
  yl::CsvRecord header, record;
  REQUIRE(reader.next(header));
  std::vector<Row> rows;
  while (reader.next(record)) {
    REQUIRE(record.fields.size() == header.fields.size());
    Row row;
    for (std::size_t i = 0; i < header.fields.size(); ++i) row[header.fields[i]] = record.fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Row> where(const std::vector<Row>& rows, const std::string& column,
                       const std::string& value) {
  std::vector<Row> found;
  for (const Row& r : rows) {
    if (r.at(column) == value) found.push_back(r);
  }
  return found;
}

// A ledger of the blast-launch example, run once per test into `dir`.
std::string blast_launch_db(const TempDir& dir) {
  const std::string db = dir.path("blast.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), db);
  return db;
}

yl::ExportResult export_csv(const std::string& db_path, const std::string& folder,
                            const yl::ExportOptions& options = {}) {
  yl::storage::Database db(db_path, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(db);
  yl::CsvSink sink(folder);
  return yl::export_ledger(store, options, sink);
}

// How many temporary `.partial` files are in `folder` (an export leaves none).
std::size_t partial_files(const std::string& folder) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".partial") ++count;
  }
  return count;
}

yl::Amount wei_sum(const std::vector<Row>& rows, const std::string& column) {
  yl::Amount sum;
  for (const Row& r : rows) sum += yl::testing::wei(r.at(column));
  return sum;
}

}  // namespace

TEST_CASE("Realized APY: exact rational, rounded toward zero to 9 digits of a percent") {
  // The first ETH day of blast-launch: P 1,000,000,000 -> 1,000,066,596 over 86,400 s.
  // 100 × 66,596 × 31,536,000 / (10^9 × 86,400) = 66,596 × 0.0000365 = 2.430754 exactly.
  CHECK(yl::price_apy_percent(yl::testing::wei("1000000000"), yl::testing::wei("1000066596"),
                              86400) == std::optional<std::string>("2.430754000"));
  // 1 wei on 3 over a year: 100/3 % = 33.333333333... , cut (not rounded) at 9 digits.
  CHECK(yl::price_apy_percent(yl::testing::wei("3"), yl::testing::wei("4"), 31536000) ==
        std::optional<std::string>("33.333333333"));
  // 2/3 would round up to ...667; toward zero keeps ...666.
  CHECK(yl::decimal_toward_zero(2, 3, 3) == "0.666");
  CHECK(yl::decimal_toward_zero(-2, 3, 3) == "-0.666");
  CHECK(yl::decimal_toward_zero(-1, 3000, 3) == "0.000");  // never "-0.000"
  CHECK(yl::decimal_toward_zero(7, 1, 0) == "7");
  // No time or no capital: no rate at all, rather than a division by zero.
  CHECK_FALSE(yl::price_apy_percent(yl::testing::wei("5"), yl::testing::wei("6"), 0));
  CHECK_FALSE(yl::annualized_percent(10, 0));
  CHECK(yl::float_text("2.430754000") == "2.430754");
}

TEST_CASE("Export options: tables, --every and --accounts are checked with plain messages") {
  CHECK(yl::parse_export_tables("events,accounts") ==
        std::vector<std::string>{"events", "accounts"});
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const yl::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK(message([] { yl::parse_export_tables("events,ledger"); }) ==
        "--tables: unknown table 'ledger' (the tables are accounts, ledger_history, "
        "balance_history, reports, events, journal)");
  CHECK(message([] { yl::parse_export_tables("events,events"); }) ==
        "--tables: 'events' is listed twice");
  CHECK(yl::parse_every("7d") == 7 * 86400);
  CHECK(message([] { yl::parse_every("1w"); }) ==
        "--every: expected a period like 1d, 7d, 12h, 30m or 90s (got '1w')");
  const yl::AccountSelection selection = yl::parse_account_selection("top:3,alice,top:2");
  CHECK_FALSE(selection.all);
  CHECK(selection.top == 3);
  CHECK(selection.names == std::vector<std::string>{"alice"});
  CHECK(message([] { yl::parse_account_selection("top:0"); }) ==
        "--accounts: 'top:0' is not top:N with N a whole number of at least 1");
  CHECK(message([] { yl::parse_account_selection("top:x"); }) ==
        "--accounts: 'top:x' is not top:N with N a whole number of at least 1");
  CHECK(message([] { yl::parse_account_selection("alice,,bob"); }) ==
        "--accounts: an empty name in the list");
}

TEST_CASE("Export CSV: the tables agree with balances, ledgers, reports and explain to the wei") {
  TempDir dir;
  const std::string db = blast_launch_db(dir);
  const std::string out = dir.path("csv");
  const yl::ExportResult result = export_csv(db, out);
  CHECK(result.scenario == "blast-launch");
  // 92 daily reports plus the forced report of the slashing (2024-04-15T06:00:00Z).
  CHECK(result.samples == 93);
  const std::string golden = std::string(YL_SOURCE_DIR) + "/tests/golden/blast-launch/";

  SUBCASE("reports.csv is `reports --format csv`, byte for byte") {
    CHECK(read_file(out + "/reports.csv") == read_file(golden + "reports.csv"));
  }
  SUBCASE("balance_history at a time is `balances --at` that time") {
    const auto history = read_csv(out + "/balance_history.csv");
    CHECK(history.size() == static_cast<std::size_t>(result.rows.at("balance_history")));
    for (const auto& [time, file] :
         {std::pair{"2024-04-16T00:00:00Z", "balances_at_2024-04-16.csv"},
          std::pair{"2024-06-01T00:00:00Z", "balances.csv"}}) {
      const auto expected = read_csv(golden + file);
      const auto at = where(history, "time", time);
      REQUIRE(at.size() == expected.size());
      for (std::size_t i = 0; i < at.size(); ++i) {
        // A system account's name (`@gas`) begins like a formula: the export defuses it.
        CHECK(at[i].at("account") == yl::defuse_formula(expected[i].at("account")));
        for (const char* column :
             {"kind", "asset", "mode", "balance", "balance_wei", "claimable_wei", "shares"}) {
          CHECK(at[i].at(column) == expected[i].at(column));
        }
      }
    }
  }
  SUBCASE("ledger_history at a time is `ledgers --at` that time") {
    const auto at = where(read_csv(out + "/ledger_history.csv"), "time", "2024-04-16T00:00:00Z");
    const auto expected = read_csv(golden + "ledgers_at_2024-04-16.csv");
    REQUIRE(at.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      for (const char* column :
           {"asset", "price", "pending_wei", "total_shares", "buffer_wei", "debt_wei",
            "insurance_wei", "retained_wei", "revenue_wei", "locked_wei"}) {
        CHECK(at[i].at(column) == expected[i].at(column));
      }
    }
    // The day after the slashing: the debt (26.77 ETH) takes the yield, the price stays put.
    CHECK(at[0].at("debt") == "26.765855788668535962");
    CHECK(at[0].at("realized_apy_pct") == "0.000000000");
  }
  SUBCASE("realized APY and the units columns of ledger_history") {
    const auto first = where(read_csv(out + "/ledger_history.csv"), "time", "2024-03-02T00:00:00Z");
    REQUIRE(first.size() == 2);
    CHECK(first[0].at("price") == "1000066596");
    CHECK(first[0].at("period_s") == "86400");
    CHECK(first[0].at("realized_apy_pct") == "2.430754000");
    CHECK(first[0].at("realized_apy_pct_float") == "2.430754");
    CHECK(first[0].at("insurance_wei") == "19978974306433243");
    CHECK(first[0].at("insurance") == "0.019978974306433243");
  }
  SUBCASE("accrued adds up to explain's accruals: dave's ETH, 5.285222803695363708") {
    const auto dave =
        where(where(read_csv(out + "/balance_history.csv"), "account", "dave"), "asset", "ETH");
    CHECK(wei_sum(dave, "accrued_wei") == yl::testing::wei("5285222803695363708"));
    // A VOID account accrues nothing.
    const auto nft = where(where(read_csv(out + "/balance_history.csv"), "account", "nftmarket"),
                           "asset", "ETH");
    CHECK(wei_sum(nft, "accrued_wei").is_zero());
  }
  SUBCASE("events, accounts and journal") {
    const auto events = read_csv(out + "/events.csv");
    REQUIRE(events.size() == 59);
    const auto bob = where(where(events, "account", "bob"), "type", "deposit");
    REQUIRE_FALSE(bob.empty());
    // 2.5M USDC, 6 decimals, credited 1:1 as USDB wei (SPEC §2.1).
    CHECK(bob[0].at("asset") == "USDC");
    CHECK(bob[0].at("amount") == "2500000");
    CHECK(bob[0].at("amount_wei") == "2500000000000000000000000");
    const auto accounts = read_csv(out + "/accounts.csv");
    REQUIRE(accounts.size() == 10);
    CHECK(accounts[0].at("account") == "'@gas");  // defused: it begins like a formula
    CHECK(where(accounts, "account", "dex")[0].at("gas_mode") == "CLAIMABLE");
    // Every journal entry balances per asset: Σ debits = Σ credits.
    const auto journal = read_csv(out + "/journal.csv");
    CHECK(journal.size() == 2581);
    CHECK(wei_sum(where(journal, "side", "debit"), "amount_wei") ==
          wei_sum(where(journal, "side", "credit"), "amount_wei"));
  }
  SUBCASE("the summary: scenario, totals at the end, realized APYs") {
    const auto summary = read_csv(out + "/summary.csv");
    auto value = [&](const std::string& item, const std::string& asset) {
      for (const Row& r : summary) {
        if (r.at("item") == item && r.at("asset") == asset) return r.at("value");
      }
      return std::string("(missing)");
    };
    CHECK(value("name", "") == "blast-launch");
    CHECK(value("debt", "ETH") == "3.657163768286063532");
    CHECK(value("insurance", "USDB") == "2825.161135921320188087");
    CHECK(value("price", "ETH") == "1004405189");
    // 100 × 4,405,189 × 31,536,000 / (10^9 × 92 days × 86,400 s).
    CHECK(value("share_price", "ETH") == "1.747710853");
    CHECK(value("users", "ETH") == "1.347097097");
    CHECK(value("dapps", "ETH") == "1.741766873");
  }
}

// blast-launch under SPEC §9.1 `streamed` with a 7-day unlock, everything else as it is.
std::string streamed_blast_launch_db(const TempDir& dir) {
  const std::string example = std::string(YL_SOURCE_DIR) + "/examples/blast-launch/";
  dir.write("events.csv", read_file(example + "events.csv"));
  std::string toml = read_file(example + "scenario.toml");
  const std::string policy = "[policy]\n";
  const auto at_policy = toml.find(policy);
  REQUIRE(at_policy != std::string::npos);
  toml.insert(at_policy + policy.size(), "distribution = \"streamed\"\nunlock_seconds = 604800\n");
  const std::string db = dir.path("streamed.db");
  yl::run_into_database(dir.write("scenario.toml", toml), db);
  return db;
}

TEST_CASE("Export CSV: a streamed ledger's locked_wei at a sample is `ledgers --at` that time") {
  TempDir dir;
  const std::string db = streamed_blast_launch_db(dir);
  const std::string out = dir.path("csv");
  export_csv(db, out);
  const auto history = read_csv(out + "/ledger_history.csv");
  // The first day's ETH yield is locked for 7 days (SPEC §9.1); the day after the slashing
  // (2024-04-15) nothing is locked: the loss took the lock, and the debt takes the yield.
  for (const auto& [time, locked] :
       {std::pair{"2024-03-02T00:00:00Z", true}, std::pair{"2024-04-16T00:00:00Z", false}}) {
    const yl::testing::CliResult ledgers =
        yl::testing::run_cli({"ledgers", "--db", db, "--at", time, "--format", "csv"});
    REQUIRE(ledgers.exit_code == 0);
    const auto expected = read_csv(dir.write("ledgers.csv", ledgers.out));
    const auto at = where(history, "time", time);
    REQUIRE(at.size() == 2);
    REQUIRE(expected.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      for (const char* column : {"asset", "price", "pending_wei", "locked_wei", "revenue_wei"}) {
        CHECK(at[i].at(column) == expected[i].at(column));
      }
    }
    CHECK((at[0].at("locked_wei") != "0") == locked);
  }
}

TEST_CASE("Export summary: the policy of SPEC §9, and the end's revenue and locked yield") {
  TempDir dir;
  // The summaries of blast-launch under its own policy and under streamed listed the same
  // parameters, and their end figures left the locked yield out.
  const std::string db = streamed_blast_launch_db(dir);
  const std::string out = dir.path("csv");
  export_csv(db, out);
  const auto summary = read_csv(out + "/summary.csv");
  auto value = [&](const std::string& section, const std::string& item, const std::string& asset) {
    for (const Row& row : summary) {
      if (row.at("section") == section && row.at("item") == item && row.at("asset") == asset) {
        return row.at("value") + " " + row.at("value_wei");
      }
    }
    return std::string("(none)");
  };
  CHECK(value("scenario", "distribution", "") == "streamed ");
  CHECK(value("scenario", "unlock_seconds", "") == "604800 ");
  CHECK(value("scenario", "void_yield", "") == "to_active ");
  CHECK(value("scenario", "negative_yield", "") == "debt ");
  CHECK(value("scenario", "protocol_fee_bps", "") == "0 ");
  CHECK(value("scenario", "fee_hurdle_bps", "") == "0 ");
  CHECK(value("scenario", "rebalance", "") == "false ");
  // `ledgers` at the end: the same locked and revenue, to the wei.
  const yl::testing::CliResult ledgers =
      yl::testing::run_cli({"ledgers", "--db", db, "--format", "csv"});
  REQUIRE(ledgers.exit_code == 0);
  const auto end = read_csv(dir.write("ledgers.csv", ledgers.out));
  REQUIRE(end.size() == 2);
  for (const Row& row : end) {
    CAPTURE(row.at("asset"));
    CHECK(value("end", "locked", row.at("asset")).ends_with(" " + row.at("locked_wei")));
    CHECK(value("end", "revenue", row.at("asset")).ends_with(" " + row.at("revenue_wei")));
  }
  CHECK(value("end", "locked", "USDB") != "0 0");
}

TEST_CASE("Export summary: a group's yield is its accounts' accruals, under either distribution") {
  // The users' and dapps' realized APY divides the yield credited to the group's shares. It was
  // counted from the reports' price steps alone, so under SPEC §9.1 (streamed), where the drips
  // step the price and a report does not, it was 0 (helper-35's F2): it is every price step
  // times the group's shares, which `explain`'s accruals, summed over the group, must equal.
  TempDir dir;
  for (const std::string& db : {blast_launch_db(dir), streamed_blast_launch_db(dir)}) {
    CAPTURE(db);
    yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
    yl::storage::LedgerStore store(database);
    const yl::SelectedAccounts all;  // the sampler keeps a reference: it must outlive the replay
    yl::HistorySampler history(std::nullopt, all, {}, {}, nullptr);
    yl::replay_window(store, std::nullopt, std::nullopt, &history);
    for (yl::Asset asset : yl::kAssets) {
      CAPTURE(yl::asset_name(asset));
      yl::SignedAmount users, dapps;
      for (const yl::BalanceRow& row : store.read_snapshot().balances) {
        if (row.asset != asset || row.kind == yl::AccountKind::system) continue;
        const yl::SignedAmount accruals =
            yl::explain_account(store, row.account, asset, std::nullopt, std::nullopt).accruals;
        yl::SignedAmount& sum = row.kind == yl::AccountKind::user ? users : dapps;
        sum = sum + accruals;
      }
      CHECK(users.is_positive());
      CHECK(history.group_yield(yl::AccountGroup::users, asset).yield_wei.str() ==
            users.wei_string());
      CHECK(history.group_yield(yl::AccountGroup::dapps, asset).yield_wei.str() ==
            dapps.wei_string());
    }
  }
}

TEST_CASE("Export charts: a streamed ledger's released yield is cumulative, its drips to date") {
  TempDir dir;
  const std::string db = streamed_blast_launch_db(dir);
  yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(database);
  // What the journal says the streams released: every SPEC §9.1 drip, summed exactly.
  std::array<yl::BigInt, 2> dripped{yl::BigInt(0), yl::BigInt(0)};
  auto entries = store.journal_in_order();
  yl::storage::StoredJournalEntry entry;
  while (entries.next(entry)) {
    const auto postings = yl::storage::decode_postings(entry.postings);
    REQUIRE(postings);
    for (const auto& posting : *postings) {
      if (posting.memo == yl::Memo::drip && posting.debit) {
        dripped[yl::index_of(posting.asset)] += yl::BigInt(posting.amount.raw());
      }
    }
  }
  const yl::SelectedAccounts all;  // the sampler keeps a reference: it must outlive the replay
  yl::HistorySampler history(std::nullopt, all, {}, {}, nullptr);
  yl::replay_window(store, std::nullopt, std::nullopt, &history);
  for (yl::Asset asset : yl::kAssets) {
    const std::string title = std::string(yl::asset_name(asset)) + " locked vs released yield";
    const yl::ChartSpec* chart = nullptr;
    for (const yl::ChartSpec& c : history.charts().charts) {
      if (c.title == title) chart = &c;
    }
    REQUIRE(chart != nullptr);
    const std::vector<double>& released = chart->series.at(1).values;
    CHECK(chart->series.at(1).name == "released (cumulative)");
    REQUIRE(released.size() == history.charts().times.size());
    // Never falls (a loss takes locked profit, never what was released), and ends at the sum.
    CHECK(std::is_sorted(released.begin(), released.end()));
    CHECK(dripped[yl::index_of(asset)] > 0);
    CHECK(released.back() == yl::to_double(yl::wide_units(dripped[yl::index_of(asset)])));
  }
}

TEST_CASE("Export CSV: --every thins the history without losing a wei of accrual") {
  TempDir dir;
  const std::string db = blast_launch_db(dir);
  export_csv(db, dir.path("all"));
  yl::ExportOptions weekly;
  weekly.every_s = 7 * 86400;
  weekly.tables = {"ledger_history", "balance_history"};
  const yl::ExportResult result = export_csv(db, dir.path("weekly"), weekly);
  // start + 7d·k for k = 1..13 (2024-05-31), then the end of the run, 2024-06-01.
  CHECK(result.samples == 14);
  CHECK_FALSE(std::filesystem::exists(dir.path("weekly/events.csv")));
  const auto thin = read_csv(dir.path("weekly/ledger_history.csv"));
  REQUIRE(thin.size() == 28);
  CHECK(thin[0].at("time") == "2024-03-08T00:00:00Z");
  CHECK(thin[0].at("period_s") == "604800");
  CHECK(thin[26].at("time") == "2024-06-01T00:00:00Z");
  CHECK(thin[26].at("period_s") == "86400");
  const auto all = read_csv(dir.path("all/balance_history.csv"));
  const auto weekly_rows = read_csv(dir.path("weekly/balance_history.csv"));
  for (const std::string name : {"alice", "dave", "dex", "bob"}) {
    for (const std::string asset : {"ETH", "USDB"}) {
      CAPTURE(name);
      CAPTURE(asset);
      CHECK(wei_sum(where(where(weekly_rows, "account", name), "asset", asset), "accrued_wei") ==
            wei_sum(where(where(all, "account", name), "asset", asset), "accrued_wei"));
    }
  }
}

TEST_CASE("Export CSV: on random ledgers, every account's accrued adds up to explain's accruals") {
  TempDir dir;
  for (std::uint64_t seed = 5; seed <= 6; ++seed) {
    CAPTURE(seed);
    const std::string folder = dir.path("synthetic" + std::to_string(seed));
    const std::string scenario = yl::bench::write_synthetic_scenario(
        folder, yl::bench::SyntheticOptions{seed, 40, 3000, 30});
    const std::string db = folder + "/ledger.db";
    yl::run_into_database(scenario, db);
    yl::ExportOptions options;
    options.every_s = 3 * 86400;
    options.tables = {"balance_history", "ledger_history"};
    export_csv(db, folder + "/out", options);
    const auto history = read_csv(folder + "/out/balance_history.csv");
    yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
    yl::storage::LedgerStore store(database);
    const yl::Snapshot final_state = store.read_snapshot();
    REQUIRE(final_state.balances.size() > 40);
    for (const yl::BalanceRow& row : final_state.balances) {
      const std::string asset(yl::asset_name(row.asset));
      CAPTURE(row.account);
      CAPTURE(asset);
      const auto rows =
          where(where(history, "account", yl::defuse_formula(row.account)), "asset", asset);
      REQUIRE_FALSE(rows.empty());
      // Explain computes accruals report by report, apart from the export's lazy settlement.
      const yl::AccountStatement statement =
          yl::explain_account(store, row.account, row.asset, std::nullopt, std::nullopt);
      CHECK(yl::SignedAmount::of(wei_sum(rows, "accrued_wei")) == statement.accruals);
      CHECK(rows.back().at("balance_wei") == row.balance.wei_string());
      CHECK(rows.back().at("claimable_wei") == row.claimable.wei_string());
    }
    // The sums of ledger_history, kept as running totals, against the final state's rows.
    const auto ledgers = read_csv(folder + "/out/ledger_history.csv");
    REQUIRE(ledgers.size() >= 2);
    for (yl::Asset asset : yl::kAssets) {
      yl::Amount balances, claimable;
      for (const yl::BalanceRow& row : final_state.balances) {
        if (row.asset != asset) continue;
        balances += row.balance;
        claimable += row.claimable;
      }
      const Row& last = ledgers[ledgers.size() - 2 + yl::index_of(asset)];
      REQUIRE(last.at("asset") == yl::asset_name(asset));
      CHECK(last.at("balances_wei") == balances.wei_string());
      CHECK(last.at("claimable_wei") == claimable.wei_string());
      CHECK_FALSE(claimable.is_zero());
    }
  }
}

TEST_CASE("Export CSV: --accounts picks names and the top holders of each asset") {
  TempDir dir;
  const std::string db = blast_launch_db(dir);
  yl::ExportOptions options;
  options.accounts = yl::parse_account_selection("top:2,carol");
  options.tables = {"accounts", "balance_history"};
  export_csv(db, dir.path("out"), options);
  const auto history = read_csv(dir.path("out/balance_history.csv"));
  auto names_at_end = [&](const std::string& asset) {
    std::vector<std::string> names;
    for (const Row& r : where(where(history, "time", "2024-06-01T00:00:00Z"), "asset", asset)) {
      names.push_back(r.at("account"));
    }
    return names;
  };
  // In `balances` order. ETH's largest: alice (1803.3), dave (905.0); USDB's: bob, erin.
  CHECK(names_at_end("ETH") == std::vector<std::string>{"alice", "carol", "dave"});
  CHECK(names_at_end("USDB") == std::vector<std::string>{"bob", "carol", "erin"});
  CHECK(read_csv(dir.path("out/accounts.csv")).size() == 5);

  options.accounts = yl::parse_account_selection("alice,mallory");
  CHECK_THROWS_WITH_AS(export_csv(db, dir.path("bad"), options),
                       "--accounts: no account 'mallory' in this ledger", yl::UsageError);
  CHECK_FALSE(std::filesystem::exists(dir.path("bad/accounts.csv")));
}

TEST_CASE("Export XLSX: sheets, frozen headers, wei as text, numbers beside it, charts") {
  TempDir dir;
  const std::string db = blast_launch_db(dir);
  const std::string xlsx = dir.path("blast.xlsx");
  {
    yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
    yl::storage::LedgerStore store(database);
    yl::XlsxSink sink(xlsx);
    yl::export_ledger(store, {}, sink);
  }
  REQUIRE(std::filesystem::exists(xlsx));
  CHECK(partial_files(dir.path(".")) == 0);
  const std::string workbook = unzip(xlsx, "xl/workbook.xml");
  const std::string sheets =
      R"(<sheet name="summary" sheetId="1" r:id="rId1"/><sheet name="charts" sheetId="2" )"
      R"(r:id="rId2"/><sheet name="accounts" sheetId="3" r:id="rId3"/><sheet )"
      R"(name="ledger_history" sheetId="4" r:id="rId4"/><sheet name="balance_history" )"
      R"(sheetId="5" r:id="rId5"/><sheet name="reports" sheetId="6" r:id="rId6"/><sheet )"
      R"(name="events" sheetId="7" r:id="rId7"/><sheet name="journal" sheetId="8" )"
      R"(r:id="rId8"/><sheet name="chart_data" sheetId="9" r:id="rId9"/>)";
  CHECK(workbook.find(sheets) != std::string::npos);
  // An autofilter over every ledger_history row: 186 rows and the header, 24 columns.
  CHECK(workbook.find("ledger_history!$A$1:$X$187") != std::string::npos);

  const std::string ledger = unzip(xlsx, "xl/worksheets/sheet4.xml");
  CHECK(ledger.find(R"(<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" )"
                    R"(state="frozen"/>)") != std::string::npos);
  CHECK(ledger.find(R"(<c r="A1" s="1" t="inlineStr"><is><t>time</t></is></c>)") !=
        std::string::npos);
  // First row: pending_wei stays text; insurance in ETH is a number beside insurance_wei.
  CHECK(ledger.find(R"(<c r="D2" t="inlineStr"><is><t>1568757899189</t></is></c>)") !=
        std::string::npos);
  CHECK(ledger.find(R"(<c r="J2" t="inlineStr"><is><t>19978974306433243</t></is></c>)") !=
        std::string::npos);
  CHECK(ledger.find(R"(<c r="K2" s="4"><v>0.01997897430643324</v></c>)") != std::string::npos);
  // The time is a date-time: 2024-03-02 is Excel day 45353.
  CHECK(ledger.find(R"(<c r="A2" s="2"><v>45353</v></c>)") != std::string::npos);
  // The realized APY is exact text, its `_float` twin the number (it was a number only, 9E+26 for
  // 900000000000000000000021000.000000000: helper-43's F1).
  CHECK(ledger.find(R"(<c r="W2" t="inlineStr"><is><t>2.430754000</t></is></c>)") !=
        std::string::npos);
  CHECK(ledger.find(R"(<c r="X2" s="5"><v>2.430754</v></c>)") != std::string::npos);
  // The summary's USDB total shares, 16 digits, is text only, as in the tables (it was the number
  // 2901009409694925, which Excel shows as 2901009409694930: helper-43's F2).
  const std::string summary = unzip(xlsx, "xl/worksheets/sheet1.xml");
  CHECK(summary.find(R"(<c r="C55" t="inlineStr"><is><t>USDB</t></is></c><c r="E55" )"
                     R"(t="inlineStr"><is><t>2901009409694925</t></is></c>)") != std::string::npos);

  // A wei amount of 22 digits is text, never a rounded number.
  const std::string events = unzip(xlsx, "xl/worksheets/sheet7.xml");
  CHECK(events.find("<t>2500000000000000000000000</t>") != std::string::npos);

  const std::string chart = unzip(xlsx, "xl/charts/chart1.xml");
  CHECK(chart.find("<c:lineChart>") != std::string::npos);
  CHECK(chart.find("Share price") != std::string::npos);
  CHECK(chart.find("chart_data!$B$2:$B$94") != std::string::npos);
  CHECK(unzip(xlsx, "xl/charts/chart6.xml").find("Top USDB holders") != std::string::npos);
  CHECK(unzip(xlsx, "xl/drawings/_rels/drawing1.xml.rels").find("chart6.xml") != std::string::npos);

  // balance_history's shares (15 digits, numbers) fit their column: at 12 they showed as ###
  // (helper-71's F3).
  CHECK(unzip(xlsx, "xl/worksheets/sheet5.xml")
            .find(R"(<col min="10" max="10" width="17.7109375" customWidth="1"/>)") !=
        std::string::npos);
  for (const std::string& symbol : yl::testing::chart_symbols(xlsx)) {
    CHECK_MESSAGE(!symbol.starts_with("invalid:"), symbol);  // OOXML's markers only
  }
  // Every sheet's column widths are ranges in order that never overlap, as Excel requires (the
  // summary's column F had two: `<col min="5" max="6"/><col min="6" max="6"/>`, helper-69's F3).
  CHECK(summary.find(R"(<col min="5" max="5" width="30.7109375" customWidth="1"/><col min="6" )"
                     R"(max="6" width="30.7109375" customWidth="1"/></cols>)") !=
        std::string::npos);
  for (int n = 1; n <= 9; ++n) {
    const std::string sheet = unzip(xlsx, fmt::format("xl/worksheets/sheet{}.xml", n));
    CAPTURE(n);
    REQUIRE(sheet.ends_with("</worksheet>"));
    const std::regex col(R"re(<col min="(\d+)" max="(\d+)")re");
    int last = 0;
    for (auto it = std::sregex_iterator(sheet.begin(), sheet.end(), col);
         it != std::sregex_iterator(); ++it) {
      const int min = std::stoi((*it)[1]);
      const int max = std::stoi((*it)[2]);
      CHECK(min > last);
      CHECK(max >= min);
      last = max;
    }
  }
}

TEST_CASE("Export XLSX: dated 1980-01-01, not by the clock, and a ledger with no account exports") {
  TempDir dir;
  // The document's times were the clock's: two exports a second apart differed in core.xml.
  const std::string xlsx = dir.path("blast.xlsx");
  REQUIRE(yl::testing::run_cli({"export", "--db", blast_launch_db(dir), "--out", xlsx}).exit_code ==
          0);
  const std::string core = unzip(xlsx, "docProps/core.xml");
  CHECK(core.find(R"(<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z<)") !=
        std::string::npos);
  CHECK(core.find(R"(<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z<)") !=
        std::string::npos);

  // No event: reports ran, but the holders' charts have no series, which libxlsxwriter refuses
  // (it was exit 1, "could not write charts"). Each says so where its chart would be.
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n");
  const std::string scenario =
      dir.write("scenario.toml", yl::testing::small_scenario_toml(dir.path("events.csv")));
  const std::string empty_db = dir.path("empty.db");
  yl::run_into_database(scenario, empty_db);
  const std::string empty = dir.path("empty.xlsx");
  const auto exported = yl::testing::run_cli({"export", "--db", empty_db, "--out", empty});
  CHECK(exported.exit_code == 0);
  CHECK(exported.err.empty());
  const std::string charts = unzip(empty, "xl/worksheets/sheet2.xml");
  CHECK(charts.find("<t>Top ETH holders (balance + claimable): nothing to plot</t>") !=
        std::string::npos);
  CHECK(charts.find("<t>Top USDB holders (balance + claimable): nothing to plot</t>") !=
        std::string::npos);
  CHECK(unzip(empty, "xl/charts/chart1.xml").find("Share price") != std::string::npos);
  // The page says the same: it had two blank canvases it never drew (helper-63's F10).
  const std::string page = dir.path("empty.html");
  REQUIRE(yl::testing::run_cli({"export", "--db", empty_db, "--out", page}).exit_code == 0);
  const std::string html = read_file(page);
  std::size_t canvases = 0;
  for (auto at = html.find("<canvas"); at != std::string::npos; at = html.find("<canvas", at + 1)) {
    ++canvases;
  }
  CHECK(canvases == 4);
  CHECK(html.find("<h2>Top ETH holders (balance + claimable)</h2>\n<p class=\"note\">Nothing to "
                  "plot.</p>") != std::string::npos);
}

TEST_CASE("Export CSV: a run of no length (start = end) has its one history row, at its end") {
  // It had none, though the ledger holds balances; a later end without reports had its closing
  // row (helper-43's F6).
  TempDir dir;
  dir.write("events.csv",
            "time,type,account,asset,amount,to,value\n2024-03-01T00:00:00Z,open,alice,,,,user\n"
            "2024-03-01T00:00:00Z,deposit,alice,ETH,100,,\n");
  std::string toml = yl::testing::small_scenario_toml(dir.path("events.csv"));
  toml.replace(toml.find("2024-03-08T00:00:00Z"), 20, "2024-03-01T00:00:00Z");
  const std::string db = dir.path("zero.db");
  yl::run_into_database(dir.write("scenario.toml", toml), db);
  REQUIRE(yl::testing::run_cli({"export", "--db", db, "--out", dir.path("csv")}).exit_code == 0);
  const auto ledger = read_csv(dir.path("csv/ledger_history.csv"));
  REQUIRE(ledger.size() == 2);
  CHECK(ledger[0].at("time") == "2024-03-01T00:00:00Z");
  CHECK(ledger[0].at("asset") == "ETH");
  CHECK(ledger[0].at("period_s") == "0");
  CHECK(ledger[0].at("realized_apy_pct").empty());
  CHECK(ledger[0].at("balances_wei") == "100000000000000000000");
  const auto balances = read_csv(dir.path("csv/balance_history.csv"));
  CHECK(std::count_if(balances.begin(), balances.end(), [](const Row& r) {
          return r.at("account") == "alice" && r.at("asset") == "ETH" &&
                 r.at("balance_wei") == "100000000000000000000";
        }) == 1);
}

TEST_CASE("Export XLSX: a time before 1900, where a spreadsheet's dates begin, is its text") {
  // It was a negative day number, which Excel shows as ####### (helper-43's F5).
  TempDir dir;
  dir.write("events.csv",
            "time,type,account,asset,amount,to,value\n1899-12-30T00:00:00Z,open,alice,,,,user\n");
  std::string toml = yl::testing::small_scenario_toml(dir.path("events.csv"));
  toml.replace(toml.find("2024-03-01T00:00:00Z"), 20, "1899-12-30T00:00:00Z");
  toml.replace(toml.find("2024-03-08T00:00:00Z"), 20, "1900-01-02T00:00:00Z");
  const std::string db = dir.path("old.db");
  yl::run_into_database(dir.write("scenario.toml", toml), db);
  const std::string xlsx = dir.path("old.xlsx");
  REQUIRE(yl::testing::run_cli({"export", "--db", db, "--out", xlsx}).exit_code == 0);
  const std::string accounts = unzip(xlsx, "xl/worksheets/sheet3.xml");
  CHECK(accounts.find(R"(t="inlineStr"><is><t>1899-12-30T00:00:00Z</t>)") != std::string::npos);
  // Daily samples: 1899-12-31 as text, 1900-01-01 as Excel's day 1, 1900-01-02 as day 2.
  const std::string ledger = unzip(xlsx, "xl/worksheets/sheet4.xml");
  CHECK(ledger.find(R"(<c r="A2" t="inlineStr"><is><t>1899-12-31T00:00:00Z</t></is></c>)") !=
        std::string::npos);
  CHECK(ledger.find(R"(<c r="A4" s="5"><v>1</v></c>)") != std::string::npos);
  CHECK(ledger.find(R"(<c r="A6" s="5"><v>2</v></c>)") != std::string::npos);
}

TEST_CASE("Export XLSX: a table past the sheet's row limit stops the export and leaves nothing") {
  TempDir dir;
  const std::string db = blast_launch_db(dir);
  const std::string xlsx = dir.path("too_big.xlsx");
  yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(database);
  auto too_many_rows = [&] {
    yl::XlsxSink sink(xlsx, /*rows_per_sheet=*/100);
    yl::ExportOptions options;
    options.tables = {"balance_history"};
    yl::export_ledger(store, options, sink);
  };
  CHECK_THROWS_WITH_AS(
      too_many_rows(),
      "the 'balance_history' table has more than 99 rows, the most a spreadsheet sheet holds; "
      "thin it with --every (e.g. --every 7d) or --accounts (e.g. --accounts top:1000), leave it "
      "out with --tables, or export it as --format csv",
      yl::UsageError);
  CHECK_FALSE(std::filesystem::exists(xlsx));
  // The journal's length (2,581 postings) is known before any work: refused at once.
  auto long_journal = [&] {
    yl::XlsxSink sink(xlsx, /*rows_per_sheet=*/2581);
    yl::ExportOptions options;
    options.tables = {"events", "journal"};
    yl::export_ledger(store, options, sink);
  };
  CHECK_THROWS_WITH_AS(long_journal(),
                       "the 'journal' table has more than 2580 rows, the most a spreadsheet sheet "
                       "holds; leave it out with --tables, or export it as --format csv",
                       yl::UsageError);
  CHECK_FALSE(std::filesystem::exists(xlsx));
  CHECK(partial_files(dir.path(".")) == 0);
}

TEST_CASE("Export CSV: an export that fails keeps the folder's earlier files as they were") {
  TempDir dir;
  const std::string folder = dir.path("out");
  std::filesystem::create_directories(folder);
  dir.write("out/accounts.csv", "earlier\n");
  {
    yl::CsvSink sink(folder);
    auto table = sink.open_table({"accounts", {{"account"}}, ""});
    table->row({"alice"});
    table->close();
    // No finish(): the export stopped.
  }
  CHECK(read_file(folder + "/accounts.csv") == "earlier\n");
  CHECK(partial_files(folder) == 0);
  {
    yl::CsvSink sink(folder);
    auto table = sink.open_table({"accounts", {{"account"}, {"memo"}}, ""});
    table->row({"alice", "a \"quoted\", comma"});
    table->close();
    sink.finish({}, {});
  }
  CHECK(read_file(folder + "/accounts.csv") == "account,memo\nalice,\"a \"\"quoted\"\", comma\"\n");
}

TEST_CASE("CLI: export writes CSV or XLSX by --out, exit 2 for bad options or a missing ledger") {
  TempDir dir;
  const std::string db = blast_launch_db(dir);
  auto csv = yl::testing::run_cli({"export", "--db", db, "--out", dir.path("csv"), "--tables",
                                   "reports,ledger_history", "--every", "7d"});
  CHECK(csv.exit_code == 0);
  CHECK(csv.err == "");  // stderr is not a terminal: no progress bar
  CHECK(csv.out == "exported 'blast-launch' to " + dir.path("csv") +
                       " (csv): 14 history samples; rows: ledger_history 28, reports 281, "
                       "summary 70\n");
  // Without a history table, no samples to speak of (it said "93 history samples").
  auto accounts = yl::testing::run_cli(
      {"export", "--db", db, "--out", dir.path("accounts"), "--tables", "accounts"});
  CHECK(accounts.out == "exported 'blast-launch' to " + dir.path("accounts") +
                            " (csv): rows: accounts 10, summary 70\n");
  auto onto_folder =
      yl::testing::run_cli({"export", "--db", db, "--out", dir.path("csv"), "--format", "xlsx"});
  CHECK(onto_folder.exit_code == 2);
  CHECK(onto_folder.err ==
        "yieldledger: cannot write '" + dir.path("csv") + "': it is a folder, not a file\n");
  auto xlsx = yl::testing::run_cli({"export", "--db", db, "--out", dir.path("b.xlsx"), "--accounts",
                                    "top:3", "--tables", "balance_history"});
  CHECK(xlsx.exit_code == 0);
  CHECK(unzip(dir.path("b.xlsx"), "xl/workbook.xml").find("balance_history") != std::string::npos);

  auto bad =
      yl::testing::run_cli({"export", "--db", db, "--out", dir.path("x"), "--tables", "nope"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "yieldledger: --tables: unknown table 'nope' (the tables are accounts, ledger_history, "
        "balance_history, reports, events, journal)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("x")));
  for (const std::string flag : {"--tables", "--accounts", "--every"}) {
    auto empty = yl::testing::run_cli({"export", "--db", db, "--out", dir.path("x"), flag, ""});
    CHECK(empty.exit_code == 2);
    CHECK(empty.err == "yieldledger: " + flag + " is empty: leave it out for the default\n");
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("x")));
  auto missing =
      yl::testing::run_cli({"export", "--db", dir.path("none.db"), "--out", dir.path("y")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "yieldledger: database '" + dir.path("none.db") + "' not found\n");
}

TEST_CASE("CLI: run and export draw a progress bar when stderr is a terminal, and erase it") {
#if defined(__SANITIZE_ADDRESS__)
  return;  // 300,000 events take minutes under ASan; the plain build covers this
#endif
  if (std::system("command -v script >/dev/null 2>&1") != 0) return;  // util-linux's pty tool
  TempDir dir;
  // Large enough to take more than the bar's one quiet second on any machine we run on. (300,000
  // events stopped being enough once `run` passed 300,000 events a second: keep this well above
  // what a second of `run` does.)
  yl::bench::SyntheticOptions options;
  options.accounts = 2000;
  options.events = 1'500'000;
  options.days = 60;
  const std::string scenario = yl::bench::write_synthetic_scenario(dir.path("synthetic"), options);
  const std::string db = dir.path("synthetic.db");
  const std::string typescript = dir.path("typescript");
  auto on_terminal = [&](const std::string& args) {
    const std::string command = "script -q -e -c \"" + std::string(YL_CLI_PATH) + " " + args +
                                "\" /dev/null > '" + typescript + "' 2>&1 </dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    return read_file(typescript);
  };
  const std::string run = on_terminal("run " + scenario + " --db " + db);
  CHECK(run.find("\rrunning  [") != std::string::npos);
  CHECK(run.find(" events  ") != std::string::npos);
  CHECK(run.find("/s  ") != std::string::npos);
  CHECK(run.find(" left\x1b[K") != std::string::npos);
  // The bar is erased before the summary line is printed.
  CHECK(run.find("\r\x1b[Kran 'synthetic': 1500000 events") != std::string::npos);
  const std::string exported =
      on_terminal("export --db " + db + " --out " + dir.path("csv") + " --tables ledger_history");
  CHECK(exported.find("\rreplaying events  [") != std::string::npos);
  CHECK(exported.find("\r\x1b[Kexported 'synthetic'") != std::string::npos);
}

TEST_CASE("Export: under §9.3 socialize a price fall is a negative accrual, exact to the wei") {
  TempDir dir;
  const std::string db = dir.path("s.db");
  const std::string scenario = std::string(YL_SOURCE_DIR) + "/examples/policies/socialize.toml";
  REQUIRE(yl::testing::run_cli({"run", scenario, "--db", db}).exit_code == 0);
  const auto csv =
      yl::testing::run_cli({"export", "--db", db, "--out", dir.path("csv"), "--accounts", "u01"});
  REQUIRE(csv.exit_code == 0);
  // The 2024-07-02 report socializes the lido loss: the ETH price falls from 1020370688 to
  // 1017884570 (ΔP = −2486118, `reports`), and u01 holds 6090087260 shares through it, so its
  // accrual for the day is 6090087260 × −2486118 = −15140675558656680 wei.
  CHECK(read_file(dir.path("csv/balance_history.csv"))
            .find("2024-07-02T00:00:00Z,u01,user,ETH,AUTOMATIC,6199005852667396800,"
                  "6.1990058526673968,0,0,6090087260,-15140675558656680,-0.01514067555865668\n") !=
        std::string::npos);
  CHECK(yl::testing::run_cli({"export", "--db", db, "--out", dir.path("s.xlsx")}).exit_code == 0);

  // ledger_history's balances and claimable are the sums of every account's balance_history rows
  // at that time, which are `balances --at` there. After the fall, c01-c04 (CLAIMABLE) hold less
  // than their fixed balance: a balance of P·s + r and claimable 0, not P·s + r − f < 0, so the
  // sum of P·s + r − f over them (what ledger_history said) was negative, from 2024-07-02 to
  // 2024-07-22 (helper-35's F1).
  REQUIRE(yl::testing::run_cli({"export", "--db", db, "--out", dir.path("all")}).exit_code == 0);
  std::map<std::pair<std::string, std::string>, std::pair<yl::Amount, yl::Amount>> sums;
  for (const Row& r : read_csv(dir.path("all/balance_history.csv"))) {
    auto& [balances, claimable] = sums[{r.at("time"), r.at("asset")}];
    balances += yl::testing::wei(r.at("balance_wei"));
    claimable += yl::testing::wei(r.at("claimable_wei"));
  }
  const auto ledgers = read_csv(dir.path("all/ledger_history.csv"));
  REQUIRE(ledgers.size() == sums.size());
  for (const Row& r : ledgers) {
    CAPTURE(r.at("time"));
    CAPTURE(r.at("asset"));
    const auto& [balances, claimable] = sums.at({r.at("time"), r.at("asset")});
    CHECK(r.at("balances_wei") == balances.wei_string());
    CHECK(r.at("claimable_wei") == claimable.wei_string());
  }
  const auto fall = where(where(ledgers, "time", "2024-07-02T00:00:00Z"), "asset", "ETH");
  REQUIRE(fall.size() == 1);
  CHECK(fall[0].at("balances_wei") == "729418140283357686883");
  CHECK(fall[0].at("claimable_wei") == "0");
}
