// `yieldledger apply`: appending continues the simulation exactly; ids make it idempotent
// (SPEC §8.3); a bad file changes nothing.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "engine/audit.h"
#include "engine/input/input_error.h"
#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "tests/test_util.h"

using yl::testing::TempDir;

namespace {

const std::string kFirst = "id,time,type,account,asset,amount,to,value\n"
                           "a1,2024-03-01T00:00:00Z,open,alice,,,,user\n"
                           "a2,2024-03-01T00:00:00Z,open,bob,,,,user\n"
                           "a3,2024-03-01T00:00:00Z,deposit,alice,ETH,100,,\n"
                           "a4,2024-03-02T06:00:00Z,deposit,bob,USDC,5000,,\n"
                           "a5,2024-03-03T00:00:00Z,configure,bob,USDB,,,CLAIMABLE\n";
const std::string kMore = "id,time,type,account,asset,amount,to,value\n"
                          "b1,2024-03-08T00:00:00Z,transfer,alice,ETH,10,bob,\n"
                          "b2,2024-03-09T12:00:00Z,claim,bob,USDB,,alice,\n"
                          "b3,2024-03-12T00:00:00Z,withdraw,alice,ETH,50,,\n";

struct Digest {
  yl::Snapshot state;
  std::vector<yl::storage::StoredReportRow> reports;
  std::int64_t events;
};

Digest digest(const std::string& db_path) {
  yl::storage::Database db(db_path, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(db);
  return Digest{store.read_snapshot(), store.read_reports(), store.event_count()};
}

}  // namespace

TEST_CASE("apply: run then apply equals one uninterrupted run of all the events") {
  TempDir dir;
  // Split: the scenario ends 2024-03-08; apply extends it to 2024-03-15.
  dir.write("first.csv", kFirst);
  std::string scenario = yl::testing::small_scenario_toml("first.csv");
  const std::string split_toml = dir.write("split.toml", scenario);
  yl::run_into_database(split_toml, dir.path("split.db"));
  const std::string more = dir.write("more.csv", kMore);
  const auto applied =
      yl::apply_into_database(dir.path("split.db"), more, yl::testing::at("2024-03-15T00:00:00Z"));
  CHECK(applied.events == 3);
  CHECK(applied.duplicates == 0);
  // Whole: one scenario to 2024-03-15 with every event.
  dir.write("all.csv", kFirst + kMore.substr(kMore.find('\n') + 1));
  scenario = yl::testing::small_scenario_toml("all.csv");
  scenario.replace(scenario.find("2024-03-08T00:00:00Z"), 20, "2024-03-15T00:00:00Z");
  yl::run_into_database(dir.write("whole.toml", scenario), dir.path("whole.db"));

  const Digest split = digest(dir.path("split.db"));
  const Digest whole = digest(dir.path("whole.db"));
  CHECK(split.state == whole.state);
  CHECK(split.reports == whole.reports);
  CHECK(split.events == whole.events);
  CHECK(yl::testing::audit_result(dir.path("split.db")) == "OK");
}

TEST_CASE("apply: the same file twice changes nothing and counts duplicates (SPEC §8.3)") {
  TempDir dir;
  dir.write("first.csv", kFirst);
  yl::run_into_database(dir.write("s.toml", yl::testing::small_scenario_toml("first.csv")),
                        dir.path("l.db"));
  const std::string more = dir.write("more.csv", kMore);
  const auto until = yl::testing::at("2024-03-15T00:00:00Z");
  yl::apply_into_database(dir.path("l.db"), more, until);
  const Digest once = digest(dir.path("l.db"));
  const auto again = yl::apply_into_database(dir.path("l.db"), more, until);
  CHECK(again.events == 0);
  CHECK(again.duplicates == 3);
  const Digest twice = digest(dir.path("l.db"));
  CHECK(twice.state == once.state);
  CHECK(twice.reports == once.reports);
  CHECK(twice.events == once.events);
  // The run's own rows count as duplicates too.
  CHECK(yl::apply_into_database(dir.path("l.db"), dir.path("first.csv"), std::nullopt).duplicates ==
        5);
}

TEST_CASE("apply: a bad file is rejected at its line and changes nothing") {
  TempDir dir;
  dir.write("first.csv", kFirst);
  yl::run_into_database(dir.write("s.toml", yl::testing::small_scenario_toml("first.csv")),
                        dir.path("l.db"));
  const Digest before = digest(dir.path("l.db"));
  const std::string header = "id,time,type,account,asset,amount,to,value\n";
  const auto until = yl::testing::at("2024-03-15T00:00:00Z");
  auto apply = [&](const std::string& text, std::optional<yl::Timestamp> end) {
    const std::string path = dir.write("bad.csv", text);
    return yl::testing::rejection([&] { yl::apply_into_database(dir.path("l.db"), path, end); });
  };
  const std::string bad = dir.path("bad.csv");
  CHECK(apply(header + "a3,2024-03-01T00:00:00Z,deposit,alice,ETH,999,,\n", until) ==
        bad + ":2: deposit: id 'a3' is already in the ledger with other content (first.csv:4)");
  CHECK(apply(header + "c1,2024-03-07T00:00:00Z,deposit,alice,ETH,1,,\n", until) ==
        bad + ":2: deposit: time 2024-03-07T00:00:00Z is before 2024-03-08T00:00:00Z, where the "
              "ledger stopped (append events at or after it)");
  // Inside the file, an event before the previous one is named as such (it was blamed on
  // "where the ledger stopped", which it is not before).
  CHECK(apply(header + "c1,2024-03-10T00:00:00Z,deposit,alice,ETH,1,,\n"
                       "c2,2024-03-09T00:00:00Z,deposit,alice,ETH,1,,\n",
              until) == bad + ":3: deposit: time 2024-03-09T00:00:00Z is before the previous "
                              "event's time 2024-03-10T00:00:00Z");
  // A skipped duplicate is a row of the file too: its time may not go back either (SPEC §1.2).
  CHECK(apply(header + "c1,2024-03-10T00:00:00Z,deposit,alice,ETH,1,,\n"
                       "a3,2024-03-01T00:00:00Z,deposit,alice,ETH,100,,\n",
              until) == bad + ":3: deposit: time 2024-03-01T00:00:00Z is before the previous "
                              "event's time 2024-03-10T00:00:00Z");
  CHECK(apply(header + "c1,2024-03-09T00:00:00Z,deposit,alice,ETH,1,,\n", std::nullopt) ==
        bad + ":2: deposit: time 2024-03-09T00:00:00Z is after end 2024-03-08T00:00:00Z");
  CHECK(apply(header + "c1,2024-03-09T00:00:00Z,deposit,alice,ETH,1,,\n"
                       "c2,2024-03-09T00:00:00Z,withdraw,bob,ETH,1,,\n",
              until) == bad + ":3: withdraw: insufficient balance: bob holds 0 ETH, needs 1");
  const Digest after = digest(dir.path("l.db"));
  CHECK(after.state == before.state);
  CHECK(after.reports == before.reports);
  CHECK(after.events == before.events);
  CHECK(yl::testing::audit_result(dir.path("l.db")) == "OK");
}

namespace {

// Every SPEC §9 rule at once, with fees: the policy the continuation tests below run under.
const std::string kPolicy =
    "\n[policy]\ninsurance_fee_bps = 1000\nprotocol_fee_bps = 1000\nfee_hurdle_bps = 300\n"
    "distribution = \"streamed\"\nunlock_seconds = 172800\nvoid_yield = \"to_protocol\"\n"
    "negative_yield = \"socialize\"\nrebalance = true\n";
// kFirst, with a VOID dapp, a slashing larger than the insurance fund and a CLAIMABLE holder.
const std::string kFirstPolicy = kFirst +
                                 "a6,2024-03-03T06:00:00Z,open,dex,,,,dapp\n"
                                 "a7,2024-03-03T06:00:00Z,deposit,dex,ETH,40,,\n"
                                 "a8,2024-03-03T06:00:00Z,configure,alice,ETH,,,CLAIMABLE\n"
                                 "a9,2024-03-04T09:30:00Z,loss,lido,,3,,\n"
                                 "a10,2024-03-06T17:00:00Z,report,,ETH,,,\n";

}  // namespace

TEST_CASE("apply: a streamed ledger (every §9 rule) continues exactly as an uninterrupted run") {
  TempDir dir;
  dir.write("first.csv", kFirstPolicy);
  yl::run_into_database(
      dir.write("split.toml", yl::testing::small_scenario_toml("first.csv") + kPolicy),
      dir.path("split.db"));
  yl::apply_into_database(dir.path("split.db"), dir.write("more.csv", kMore),
                          yl::testing::at("2024-03-15T00:00:00Z"));
  dir.write("all.csv", kFirstPolicy + kMore.substr(kMore.find('\n') + 1));
  std::string scenario = yl::testing::small_scenario_toml("all.csv") + kPolicy;
  scenario.replace(scenario.find("2024-03-08T00:00:00Z"), 20, "2024-03-15T00:00:00Z");
  yl::run_into_database(dir.write("whole.toml", scenario), dir.path("whole.db"));
  const Digest split = digest(dir.path("split.db"));
  const Digest whole = digest(dir.path("whole.db"));
  CHECK(split.state == whole.state);
  CHECK(split.reports == whole.reports);
  CHECK(yl::testing::audit_result(dir.path("split.db")) == "OK");
  CHECK(yl::testing::audit_result(dir.path("whole.db")) == "OK");
  // The policies did act: something was locked, socialized and paid to @fee_vault.
  bool locked = false, socialized = false, void_share = false;
  for (const auto& r : whole.reports) {
    locked = locked || r.locked_after_wei != "0";
    socialized = socialized || r.socialized_wei != "0";
    void_share = void_share || r.void_share_wei != "0";
  }
  CHECK(locked);
  CHECK(socialized);
  CHECK(void_share);
}

TEST_CASE("--at under every §9 rule is the state of a run that ends at that time (no drip at it)") {
  TempDir dir;
  dir.write("all.csv", kFirstPolicy);
  yl::run_into_database(
      dir.write("all.toml", yl::testing::small_scenario_toml("all.csv") + kPolicy),
      dir.path("all.db"));
  for (const char* time : {"2024-03-02T00:00:00Z", "2024-03-03T12:00:00Z", "2024-03-04T09:30:00Z",
                           "2024-03-06T18:00:00Z"}) {
    CAPTURE(time);
    // A run whose scenario ends at `time`, with the events stamped up to it.
    std::istringstream rows(kFirstPolicy);
    std::string line, kept;
    while (std::getline(rows, line)) {
      const auto comma = line.find(',');
      if (kept.empty() || line.substr(comma + 1, 20) <= time) kept += line + "\n";
    }
    dir.write("cut.csv", kept);
    std::string scenario = yl::testing::small_scenario_toml("cut.csv") + kPolicy;
    scenario.replace(scenario.find("2024-03-08T00:00:00Z"), 20, time);
    std::filesystem::remove(dir.path("cut.db"));
    yl::run_into_database(dir.write("cut.toml", scenario), dir.path("cut.db"));
    yl::storage::Database db(dir.path("all.db"), yl::storage::Database::Mode::read_only);
    yl::storage::LedgerStore store(db);
    const yl::Snapshot at = yl::take_snapshot(yl::replay(store, yl::testing::at(time)));
    CHECK(at == digest(dir.path("cut.db")).state);
  }
}
