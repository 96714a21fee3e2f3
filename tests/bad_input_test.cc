// The catalogue of bad inputs (SPEC §1.3): each is rejected with `FILE:LINE: TYPE: reason`, and a
// rejected run leaves the database exactly as it was before.
#include <filesystem>

#include <doctest/doctest.h>

#include "engine/input/input_error.h"
#include "engine/runner.h"
#include "engine/storage/ledger_store.h"
#include "engine/storage/migrations.h"
#include "tests/test_util.h"

using yl::testing::TempDir;

namespace {

// Three good rows (lines 2-4) that every events case starts from.
const std::string kHeader = "time,type,account,asset,amount,to,value\n";
const std::string kPrelude = kHeader + "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                                       "2024-03-01T00:00:00Z,open,dex,,,,dapp\n"
                                       "2024-03-01T00:00:00Z,deposit,alice,ETH,10,,\n";
const std::string kMax =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

struct Case {
  const char* name;
  std::string events;    // full file text
  std::string expected;  // the whole message, FILE included
};

// What a database holds, as text, to check that a rejected run changed nothing.
std::string database_digest(const std::string& db_path) {
  yl::storage::Database db(db_path, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(db);
  std::string digest = store.read_scenario().toml;
  auto events = store.events_in_order();
  yl::storage::StoredEvent e;
  while (events.next(e))
    digest += e.file + e.raw.time + e.raw.type + e.raw.account + e.raw.amount + "\n";
  for (const auto& r : store.read_reports()) digest += r.time + r.t_wei + r.price_after + "\n";
  for (const auto& b : store.read_snapshot().balances) digest += b.account + b.balance.wei_string();
  return digest;
}

}  // namespace

TEST_CASE("Bad events are rejected at their line and change nothing (SPEC §1.2, §1.3, §3-§5)") {
  const std::vector<Case> cases = {
      {"empty file", "", "events.csv:1: csv: missing header row"},
      {"unknown column", "time,type,account,asset,amount,to,value,memo\n",
       "events.csv:1: csv: unknown column 'memo'"},
      {"repeated column", "time,type,account,asset,amount,to,value,time\n",
       "events.csv:1: csv: repeated column 'time'"},
      {"missing column", "time,type,account,asset,amount,to\n",
       "events.csv:1: csv: missing column 'value'"},
      {"short row", kPrelude + "2024-03-01T00:00:00Z,open,bob,,,user\n",
       "events.csv:5: csv: expected 7 fields, found 6"},
      {"unclosed quote", kPrelude + "2024-03-01T00:00:00Z,open,\"bob,,,,user\n",
       "events.csv:5: csv: a quoted field is not closed before the end of the file"},
      {"unknown type", kPrelude + "2024-03-01T00:00:00Z,mint,alice,ETH,1,,\n",
       "events.csv:5: csv: unknown event type 'mint'"},
      {"bad time", kPrelude + "2024-03-01 00:00:00,open,bob,,,,user\n",
       "events.csv:5: open: bad time '2024-03-01 00:00:00' (expected YYYY-MM-DDTHH:MM:SSZ)"},
      {"impossible date", kPrelude + "2024-02-30T00:00:00Z,open,bob,,,,user\n",
       "events.csv:5: open: bad time '2024-02-30T00:00:00Z': 2024-02-30 is not a calendar date"},
      {"before start", kHeader + "2024-02-29T23:59:59Z,open,bob,,,,user\n",
       "events.csv:2: open: time 2024-02-29T23:59:59Z is before start 2024-03-01T00:00:00Z"},
      {"after end", kPrelude + "2024-03-08T00:00:01Z,open,bob,,,,user\n",
       "events.csv:5: open: time 2024-03-08T00:00:01Z is after end 2024-03-08T00:00:00Z"},
      {"time goes backwards",
       kPrelude + "2024-03-02T00:00:00Z,open,bob,,,,user\n2024-03-01T23:00:00Z,open,eve,,,,user\n",
       "events.csv:6: open: time 2024-03-01T23:00:00Z is before the previous event's time "
       "2024-03-02T00:00:00Z"},
      {"unknown account", kPrelude + "2024-03-01T00:00:00Z,deposit,bob,ETH,1,,\n",
       "events.csv:5: deposit: unknown account 'bob'"},
      {"unknown source", kPrelude + "2024-03-01T00:00:00Z,loss,aave,,1,,\n",
       "events.csv:5: loss: unknown source 'aave'"},
      {"too many decimals",
       kPrelude + "2024-03-01T00:00:00Z,deposit,alice,ETH,0.0000000000000000001,,\n",
       "events.csv:5: deposit: bad amount: '0.0000000000000000001' has 19 fraction digits; "
       "at most 18 allowed"},
      {"USDC has 6 decimals", kPrelude + "2024-03-01T00:00:00Z,deposit,alice,USDC,1.0000001,,\n",
       "events.csv:5: deposit: bad amount: '1.0000001' has 7 fraction digits; at most 6 allowed"},
      {"negative amount", kPrelude + "2024-03-01T00:00:00Z,deposit,alice,ETH,-1,,\n",
       "events.csv:5: deposit: bad amount: '-1' is not a plain decimal number (digits, optionally "
       "'.' and more digits)"},
      {"exponent amount", kPrelude + "2024-03-01T00:00:00Z,deposit,alice,ETH,1e18,,\n",
       "events.csv:5: deposit: bad amount: '1e18' is not a plain decimal number (digits, "
       "optionally '.' and more digits)"},
      {"zero deposit", kPrelude + "2024-03-01T00:00:00Z,deposit,alice,ETH,0,,\n",
       "events.csv:5: deposit: amount must be greater than 0"},
      {"amount past 2^256", kPrelude + "2024-03-01T00:00:00Z,deposit,alice,ETH," + kMax + ",,\n",
       "events.csv:5: deposit: bad amount: '" + kMax + "' is not below 2^256 base units"},
      {"overflow",
       kPrelude + "2024-03-01T00:00:00Z,open,bob,,,,user\n"
                  "2024-03-01T00:00:00Z,deposit,bob,USDB,"
                  "115792089237316195423570985008687907853269984665640564039457,,\n"
                  "2024-03-01T00:00:00Z,deposit,bob,USDB,1,,\n",
       "events.csv:7: deposit: overflow: result would not fit in 256 bits"},
      {"the first error wins, however close the next",
       kPrelude + "2024-03-01T00:00:00Z,deposit,bob,ETH,1,,\n2024-03-01 00:00:00,open,eve,,,,user\n"
                  "2024-03-01T00:00:00Z,open\n",
       "events.csv:5: deposit: unknown account 'bob'"},
      {"overdraft transfer", kPrelude + "2024-03-01T00:00:00Z,transfer,alice,ETH,10.5,dex,\n",
       "events.csv:5: transfer: insufficient balance: alice holds 10 ETH, needs 10.5"},
      {"overdraft withdraw", kPrelude + "2024-03-01T00:00:00Z,withdraw,alice,USDB,1,,\n",
       "events.csv:5: withdraw: insufficient balance: alice holds 0 USDB, needs 1"},
      // SPEC §5.5: the payout leaves from the buffer (1 ETH), then from each source's
      // min(value, principal): lido's unreported loss leaves it 1 ETH of its 9.
      {"withdrawal not covered",
       kPrelude + "2024-03-01T00:00:00Z,loss,lido,,8,,\n"
                  "2024-03-01T00:00:00Z,withdraw,alice,ETH,3,,\n",
       "events.csv:6: withdraw: withdrawal not covered: payout 3 ETH exceeds what the buffer and "
       "sources can give by 1"},
      {"transfer to self", kPrelude + "2024-03-01T00:00:00Z,transfer,alice,ETH,1,alice,\n",
       "events.csv:5: transfer: cannot transfer from alice to itself"},
      {"claim on AUTOMATIC", kPrelude + "2024-03-01T00:00:00Z,claim,alice,ETH,,,\n",
       "events.csv:5: claim: alice's ETH yield mode is AUTOMATIC, not CLAIMABLE"},
      {"claim above claimable",
       kPrelude + "2024-03-01T00:00:00Z,configure,alice,ETH,,,CLAIMABLE\n"
                  "2024-03-01T00:00:00Z,claim,alice,ETH,0.1,,\n",
       "events.csv:6: claim: claim exceeds claimable: alice can claim 0 ETH, asked 0.1"},
      {"nothing to claim_gas", kPrelude + "2024-03-01T00:00:00Z,claim_gas,dex,ETH,,,\n",
       "events.csv:5: claim_gas: nothing to claim: dex has no unclaimed gas fees"},
      {"claim_gas by a user", kPrelude + "2024-03-01T00:00:00Z,claim_gas,alice,ETH,,,\n",
       "events.csv:5: claim_gas: alice is a user, not a dapp"},
      {"gas_mode on a user", kPrelude + "2024-03-01T00:00:00Z,gas_mode,alice,,,,CLAIMABLE\n",
       "events.csv:5: gas_mode: alice is a user, not a dapp"},
      {"gas in USDB", kPrelude + "2024-03-01T00:00:00Z,gas,alice,USDB,1,dex,\n",
       "events.csv:5: gas: asset must be ETH for gas (got 'USDB')"},
      {"loss above value", kPrelude + "2024-03-01T00:00:00Z,loss,lido,,9.000000000000000001,,\n",
       "events.csv:5: loss: loss exceeds the source's value: lido holds 9 ETH, loss is "
       "9.000000000000000001"},
      {"duplicate open", kPrelude + "2024-03-01T00:00:00Z,open,alice,,,,dapp\n",
       "events.csv:5: open: account 'alice' already exists"},
      {"reserved name", kPrelude + "2024-03-01T00:00:00Z,open,@treasury,,,,user\n",
       "events.csv:5: open: account name '@treasury' is reserved for system accounts"},
      {"system account named", kPrelude + "2024-03-01T00:00:00Z,transfer,alice,ETH,1,@fee_vault,\n",
       "events.csv:5: transfer: unknown account '@fee_vault'"},
      {"invalid name", kPrelude + "2024-03-01T00:00:00Z,open,al ice,,,,user\n",
       "events.csv:5: open: invalid account name 'al ice' (1-64 of A-Z a-z 0-9 _ . -)"},
      {"unused field filled", kPrelude + "2024-03-01T00:00:00Z,open,bob,ETH,,,user\n",
       "events.csv:5: open: asset must be empty for open (got 'ETH')"},
      {"bad mode", kPrelude + "2024-03-01T00:00:00Z,configure,alice,ETH,,,automatic\n",
       "events.csv:5: configure: value must be AUTOMATIC, VOID or CLAIMABLE (got 'automatic')"},
      {"rate out of range", kPrelude + "2024-03-01T00:00:00Z,set_rate,lido,,,,100001\n",
       "events.csv:5: set_rate: value must be an APR in basis points, 0 to 100000 (got '100001')"},
      {"unknown asset", kPrelude + "2024-03-01T00:00:00Z,deposit,alice,BTC,1,,\n",
       "events.csv:5: deposit: unknown asset 'BTC' (expected ETH, USDB, USDC, USDT or DAI)"},
      {"repeated id",
       "id,time,type,account,asset,amount,to,value\n"
       "a,2024-03-01T00:00:00Z,open,alice,,,,user\n"
       "a,2024-03-01T00:00:00Z,open,bob,,,,user\n",
       "events.csv:3: open: id 'a' is repeated (first used at line 2)"},
      // A long reason loses its middle, not its end: "is repeated ..." was cut off.
      {"repeated long id",
       "id,time,type,account,asset,amount,to,value\n" + std::string(500, 'i') +
           ",2024-03-01T00:00:00Z,open,alice,,,,user\n" + std::string(500, 'i') +
           ",2024-03-01T00:00:00Z,open,bob,,,,user\n",
       "events.csv:3: open: id '" + std::string(296, 'i') + "... (140 bytes left out) ..." +
           std::string(64, 'i') + "' is repeated (first used at line 2)"},
  };
  TempDir dir;
  const std::string scenario = dir.write("scenario.toml", yl::testing::small_scenario_toml());
  const std::string db = dir.path("ledger.db");
  dir.write("events.csv", kPrelude);
  yl::run_into_database(scenario, db);
  const std::string before = database_digest(db);
  CHECK(cases.size() >= 30);
  for (const Case& c : cases) {
    CAPTURE(c.name);
    dir.write("events.csv", c.events);
    CHECK(yl::testing::rejection([&] { yl::run_into_database(scenario, db); }) == c.expected);
    CHECK(database_digest(db) == before);
  }
}

namespace {

std::string dots(int n) {  // "a.a.a." n times
  std::string text;
  for (int i = 0; i < n; ++i) text += "a.";
  return text;
}

}  // namespace

TEST_CASE("Bad scenarios are rejected at the offending line (SPEC §1.1)") {
  TempDir dir;
  dir.write("events.csv", kPrelude);
  const std::string good = yl::testing::small_scenario_toml();
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  struct ScenarioCase {
    const char* name;
    std::string text;
    std::string expected;  // after "<path>:"
  };
  const std::vector<ScenarioCase> cases = {
      {"not TOML", "this is not toml\n",
       "1: scenario: Error while parsing key-value pair: expected '=', saw 'i'"},
      {"unknown key", "color = \"blue\"\n" + good, "1: scenario: unknown key 'color'"},
      // toml++ reads each part of a dotted key a level deeper on the stack: 40,000 parts were a
      // segfault, exit 139 (helper-87's F1). Dots in a comment or a string count for nothing: the
      // scenario is refused at its unknown key, after them.
      {"a key of 40,000 dotted parts", good + "\n" + dots(40000) + "a = 1\n",
       "24: scenario: more than 4096 '.' on one line: a key of so many dotted parts is refused "
       "(no key needs more than a few)"},
      {"a table of 40,000 dotted parts", good + "[" + dots(40000) + "a]\n",
       "23: scenario: more than 4096 '.' on one line: a key of so many dotted parts is refused "
       "(no key needs more than a few)"},
      {"dots in comments and strings",
       good + "# " + dots(5000) + "\n[x]\nb = \"" + dots(5000) + "\\\"" + dots(5000) + "\"\nc = '" +
           dots(5000) + "'\nd = \"\"\"\n" + dots(5000) + "\"\"\"\ne = '\'\'" + dots(5000) + "\n" +
           dots(5000) + "\'\'\'\n",
       "24: scenario: unknown key 'x'"},
      // toml++ said "Encountered invalid utf-8 sequence", or showed a NUL as '\u0000' in a
      // parse error, naming neither key nor column (helper-93's F2).
      {"invalid UTF-8 in a value",
       replace("\"lido\"", "\"li\xFF"
                           "do\""),
       "11: scenario: the value of 'name' is not valid UTF-8 (byte 0xFF at column 11)"},
      {"a NUL in a value", replace("\"tbill\"", std::string("\"tb\0ill\"", 8)),
       "18: scenario: the value of 'name' contains a NUL byte (column 11)"},
      {"an overlong NUL in a quoted key", good + "\"a\xC0\x80\" = 1\n",
       "23: scenario: the line is not valid UTF-8 (byte 0xC0 at column 3)"},
      {"a surrogate in a quoted key's value", good + "# note\n[x]\n  \"k.y\" = 'a\xED\xA0\x80'\n",
       "25: scenario: the value of \"k.y\" is not valid UTF-8 (byte 0xED at column 13)"},
      {"unknown key in a source", good + "color = \"blue\"\n",
       "23: scenario: unknown key 'color' in [[source]]"},
      {"unknown table", good + "[fees]\nx = 1\n", "23: scenario: unknown key 'fees'"},
      {"missing start", replace("start = \"2024-03-01T00:00:00Z\"\n", ""),
       "1: scenario: missing key 'start'"},
      {"missing initial_price", replace("initial_price = 1_000_000_000\n", ""),
       "7: scenario: missing key 'initial_price' in [ledger]"},
      {"end before start",
       replace("end = \"2024-03-08T00:00:00Z\"", "end = \"2024-02-08T00:00:00Z\""),
       "3: scenario: 'end' is before 'start'"},
      {"bad cadence", replace("\"1d\"", "\"1w\""),
       "4: scenario: 'report_every' must look like 1d, 12h, 30m or 90s (got '1w')"},
      {"apr out of range", replace("apr_bps = 400", "apr_bps = 100001"),
       "14: scenario: 'apr_bps' must be between 0 and 100000 (got 100001)"},
      {"weights over 10000",
       replace("weight_bps = 9000", "weight_bps = 9000\n[[source]]\nname = \"x\"\n"
                                    "asset = \"ETH\"\nkind = \"staking\"\n"
                                    "apr_bps = 1\nweight_bps = 1001"),
       "21: scenario: the weights of the ETH sources add up to more than 10000 bps"},
      // A relation between two keys, at the later (it was at the second [[source]] header).
      {"repeated source", replace("name = \"tbill\"", "name = \"lido\""),
       "18: scenario: source name 'lido' is repeated"},
      // Of several errors, the first in the file, whatever their tables (SPEC §1.1): each of
      // these reported the later one.
      {"first error first, in a source",
       replace("apr_bps = 400", "apr_bps = -5") + "color = \"blue\"\n",
       "14: scenario: 'apr_bps' must be between 0 and 100000 (got -5)"},
      {"first error first, across tables",
       replace("[ledger]\ninitial_price = 1_000_000_000",
               "[policy]\ndistribution = \"bogus\"\n[ledger]\ninitial_price = 0"),
       "8: scenario: 'distribution' must be one of snapshot, streamed (got 'bogus')"},
      {"first error first, at the top",
       replace("end = \"2024-03-08T00:00:00Z\"", "end = \"x\"") +
           "[gas]\nbase_claim_rate_bps = 0\n",
       "3: scenario: 'end': bad time 'x' (expected YYYY-MM-DDTHH:MM:SSZ)"},
      {"first error first, in [gas]",
       good + "[gas]\nceil_gas_seconds = \"x\"\nbase_claim_rate_bps = 1.5\n",
       "24: scenario: 'ceil_gas_seconds' must be an integer"},
      {"end before start, at the later key",
       "end = \"2024-02-08T00:00:00Z\"\n" + replace("end = \"2024-03-08T00:00:00Z\"\n", ""),
       "3: scenario: 'end' is before 'start'"},
      // toml++ named neither the key nor the sign: "Error while parsing decimal integer:
      // '9223372036854775809' is not representable in 64 bits".
      {"integer past 64 bits",
       replace("initial_price = 1_000_000_000", "initial_price = -9223372036854775809  # low"),
       "8: scenario: 'initial_price' = -9223372036854775809 is not a 64-bit integer (TOML's "
       "integers are -9223372036854775808 to 9223372036854775807)"},
      // In an inline table, its own key and the number alone (helper-87's F2: named 'ledger' and
      // showed the rest of the line).
      {"integer past 64 bits in an inline table",
       replace("[ledger]\ninitial_price = 1_000_000_000",
               "ledger = { initial_price = 99_999_999_999_999_999_999 } # high"),
       "7: scenario: 'initial_price' = 99_999_999_999_999_999_999 is not a 64-bit integer "
       "(TOML's integers are -9223372036854775808 to 9223372036854775807)"},
      // toml++ garbled a quoted key given twice ('"popopulation.users" '; helper-54's R5).
      {"key twice", replace("apr_bps = 400", "apr_bps = 400\napr_bps = 500"),
       "15: scenario: 'apr_bps' is given twice in one table (TOML allows a key once)"},
      {"quoted key twice", replace("apr_bps = 400", "\"apr_bps\" = 400\n\"apr_bps\" = 500"),
       "15: scenario: \"apr_bps\" is given twice in one table (TOML allows a key once)"},
      // The key of an inline table, not the table's; a '=' or '#' inside quotes (helper-55's Q4).
      {"inline key twice", replace("apr_bps = 400", "apr_bps = 400\nx = { y = 1, y = 2 }"),
       "15: scenario: 'y' is given twice in one table (TOML allows a key once)"},
      {"quoted key twice, = and # in it",
       replace("apr_bps = 400", "\"a=b#c\" = 1\n\"a=b#c\" = 2  # again"),
       "15: scenario: \"a=b#c\" is given twice in one table (TOML allows a key once)"},
      {"float number", replace("apr_bps = 400", "apr_bps = 4.0"),
       "14: scenario: 'apr_bps' must be an integer"},
      {"bad kind", replace("kind = \"staking\"", "kind = \"lending\""),
       "13: scenario: 'kind' must be staking or treasury"},
      // A relation at the later of its keys, a key's own range at its line (they were all at
      // the [gas] header, line 23).
      {"bad gas curve", good + "[gas]\nbase_claim_rate_bps = 0\n",
       "24: scenario: [gas] needs zero_claim_rate_bps < base_claim_rate_bps (got 0 and 0)"},
      {"gas curve broken by the later key",
       good + "[gas]\nzero_claim_rate_bps = 0\nbase_claim_rate_bps = 5000\n"
              "ceil_claim_rate_bps = 4000\n",
       "26: scenario: [gas] needs base_claim_rate_bps < ceil_claim_rate_bps (got 5000 and 4000)"},
      // Each relation at the later of its own two keys (the chain's third key, written later,
      // is not one of them), and zero and base bounded by the relations alone: 20000 was refused
      // at its own line, the relation it breaks being at the later key (helper-47's F2).
      {"gas relation at the later of its two keys",
       good + "[gas]\nzero_claim_rate_bps = 6000\nceil_claim_rate_bps = 9000\n",
       "24: scenario: [gas] needs zero_claim_rate_bps < base_claim_rate_bps (got 6000 and 5000)"},
      {"gas zero rate past 10000",
       good + "[gas]\nzero_claim_rate_bps = 20000\nbase_claim_rate_bps = 5000\n",
       "25: scenario: [gas] needs zero_claim_rate_bps < base_claim_rate_bps (got 20000 and 5000)"},
      {"gas base rate past 10000, ceil past it too",
       good + "[gas]\nbase_claim_rate_bps = 20000\nceil_claim_rate_bps = 30000\n",
       "25: scenario: 'ceil_claim_rate_bps' must be between 0 and 10000 (got 30000)"},
      // Both past 10000: compared as written (they were clamped alike, and zero < base broke).
      {"gas zero and base past 10000",
       good + "[gas]\nzero_claim_rate_bps = 20000\nbase_claim_rate_bps = 30000\n"
              "ceil_claim_rate_bps = 10000\n",
       "26: scenario: [gas] needs base_claim_rate_bps < ceil_claim_rate_bps (got 30000 and 10000)"},
      {"gas base rate past 10000", good + "[gas]\nbase_claim_rate_bps = 99999999999\n",
       "24: scenario: [gas] needs base_claim_rate_bps < ceil_claim_rate_bps (got 99999999999 and "
       "10000)"},
      {"gas rate negative", good + "[gas]\nzero_claim_rate_bps = -1\n",
       "24: scenario: 'zero_claim_rate_bps' must be at least 0 (got -1)"},
      {"gas seconds reversed", good + "[gas]\nceil_gas_seconds = 5\nbase_gas_seconds = 10\n",
       "25: scenario: [gas] needs 0 < base_gas_seconds < ceil_gas_seconds (got 10 and 5)"},
      {"gas seconds zero", good + "[gas]\nbase_gas_seconds = 0\nceil_gas_seconds = 100\n",
       "24: scenario: 'base_gas_seconds' must be between 1 and 9223372036854775807 (got 0)"},
      {"missing events file", replace("events.csv", "nowhere.csv"),
       "5: scenario: events file 'nowhere.csv' not found"},
      // In the file's order too: a later key's error was reported first.
      {"missing events file, then a bad key",
       replace("events.csv", "nowhere.csv") + "[gas]\nbase_gas_seconds = 0\n",
       "5: scenario: events file 'nowhere.csv' not found"},
  };
  for (const ScenarioCase& c : cases) {
    CAPTURE(c.name);
    const std::string path = dir.write("scenario.toml", c.text);
    CHECK(yl::testing::rejection([&] { yl::run_into_database(path, dir.path("x.db")); }) ==
          path + ":" + c.expected);
    CHECK_FALSE(std::filesystem::exists(dir.path("x.db")));  // a failed run leaves no new file
  }
}

TEST_CASE("A scheduled report after the last event that overflows is rejected at report_every") {
  // It was placed at line 1 of the scenario, which may be a comment.
  TempDir dir;
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
                          "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                          "2024-03-01T00:00:00Z,deposit,alice,ETH,"
                          "115792089237316195423570985008687907853269984665640564039457."
                          "584007913129639935,,\n");
  const std::string path =
      dir.write("s.toml", "# a comment\n" + yl::testing::small_scenario_toml());
  const std::string rejected =
      yl::testing::rejection([&] { yl::run_into_database(path, dir.path("o.db")); });
  CHECK(rejected.starts_with(path + ":5: scenario: overflow in the scheduled report at "
                                    "2024-03-02T00:00:00Z: "));
  CHECK_FALSE(std::filesystem::exists(dir.path("o.db")));
}

TEST_CASE(
    "Bad [policy] keys are rejected at their line, exit 2, database unchanged (SPEC §1.1, §9)") {
  TempDir dir;
  dir.write("events.csv", kPrelude);
  const std::string good = yl::testing::small_scenario_toml();  // 22 lines; [policy] is line 23
  auto policy = [&](const std::string& keys) { return good + "[policy]\n" + keys; };
  struct PolicyCase {
    const char* name;
    std::string keys;      // from line 24 on
    std::string expected;  // after "<path>:"
  };
  const std::vector<PolicyCase> cases = {
      {"unknown distribution word", "distribution = \"linear\"\n",
       "24: scenario: 'distribution' must be one of snapshot, streamed (got 'linear')"},
      {"unknown void_yield word", "void_yield = \"TO_PROTOCOL\"\n",
       "24: scenario: 'void_yield' must be one of to_active, to_protocol (got 'TO_PROTOCOL')"},
      {"unknown negative_yield word", "negative_yield = \"haircut\"\n",
       "24: scenario: 'negative_yield' must be one of debt, socialize (got 'haircut')"},
      {"a number where a word is expected", "distribution = 1\n",
       "24: scenario: 'distribution' must be one of snapshot, streamed"},
      {"unlock_seconds without streamed", "unlock_seconds = 60\n",
       "24: scenario: 'unlock_seconds' is allowed only with distribution = \"streamed\""},
      {"unlock_seconds with snapshot", "distribution = \"snapshot\"\nunlock_seconds = 60\n",
       "25: scenario: 'unlock_seconds' is allowed only with distribution = \"streamed\""},
      {"unlock_seconds of 0", "distribution = \"streamed\"\nunlock_seconds = 0\n",
       "25: scenario: 'unlock_seconds' must be between 1 and 31536000 (got 0)"},
      {"unlock_seconds above a year", "distribution = \"streamed\"\nunlock_seconds = 31536001\n",
       "25: scenario: 'unlock_seconds' must be between 1 and 31536000 (got 31536001)"},
      {"fee sum with the default insurance fee", "protocol_fee_bps = 9001\n",
       "24: scenario: insurance_fee_bps + protocol_fee_bps must be at most 10000 (got 1000 + "
       "9001)"},
      {"fee sum at the later key",
       "protocol_fee_bps = 6000\nrebalance = true\n"
       "insurance_fee_bps = 5000\n",
       "26: scenario: insurance_fee_bps + protocol_fee_bps must be at most 10000 (got 5000 + "
       "6000)"},
      {"hurdle above 100000", "fee_hurdle_bps = 100001\n",
       "24: scenario: 'fee_hurdle_bps' must be between 0 and 100000 (got 100001)"},
      {"negative fee", "protocol_fee_bps = -1\n",
       "24: scenario: 'protocol_fee_bps' must be at least 0 (got -1)"},
      // A fee past 10000 breaks only the sum, at the later fee key (helper-47's F1: it was
      // refused at its own line, 24).
      {"fee past 10000 before the other fee",
       "protocol_fee_bps = 10001\nrebalance = true\ninsurance_fee_bps = 0\n",
       "26: scenario: insurance_fee_bps + protocol_fee_bps must be at most 10000 (got 0 + "
       "10001)"},
      {"fee far past 10000 alone", "insurance_fee_bps = 9223372036854775807\n",
       "24: scenario: insurance_fee_bps + protocol_fee_bps must be at most 10000 (got "
       "9223372036854775807 + 0)"},
      {"rebalance not a boolean", "rebalance = \"yes\"\n",
       "24: scenario: 'rebalance' must be true or false"},
      {"rebalance as a number", "rebalance = 1\n",
       "24: scenario: 'rebalance' must be true or false"},
      {"unknown policy key", "distribution = \"streamed\"\ncolour = 1\n",
       "25: scenario: unknown key 'colour' in [policy]"},
      {"errors in file order", "rebalance = 2\ndistribution = \"x\"\n",
       "24: scenario: 'rebalance' must be true or false"},
      {"a float for a bps key", "protocol_fee_bps = 1.5\n",
       "24: scenario: 'protocol_fee_bps' must be an integer"},
  };
  // A ledger already in the file must survive every rejected run byte for byte.
  const std::string db = dir.path("kept.db");
  yl::run_into_database(dir.write("good.toml", good), db);
  const std::string before = yl::testing::read_file(db);
  for (const PolicyCase& c : cases) {
    CAPTURE(c.name);
    const std::string path = dir.write("scenario.toml", policy(c.keys));
    CHECK(yl::testing::rejection([&] { yl::run_into_database(path, db); }) ==
          path + ":" + c.expected);
    CHECK(yl::testing::read_file(db) == before);
  }
  const auto cli =
      yl::testing::run_cli({"run", dir.write("bad.toml", policy("rebalance = 1\n")), "--db", db});
  CHECK(cli.exit_code == 2);
  // Every key valid: accepted, with `unlock_seconds` defaulting to 604800 under "streamed".
  const std::string valid =
      policy("insurance_fee_bps = 500\nprotocol_fee_bps = 9500\nfee_hurdle_bps = 100000\n"
             "distribution = \"streamed\"\nvoid_yield = \"to_protocol\"\nnegative_yield = "
             "\"socialize\"\nrebalance = true\n");
  const yl::Scenario parsed = yl::parse_scenario(valid, "s.toml", dir.path(""));
  CHECK(parsed.params.policy.unlock_seconds == 604'800);
  CHECK(parsed.params.policy.protocol_fee_bps == 9500);
  CHECK(parsed.params.policy.rebalance);
  CHECK(yl::testing::rejection([&] { yl::run_into_database(dir.write("v.toml", valid), db); }) ==
        "(accepted)");
}
