#include "engine/input/event_parser.h"

#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/input/event_lookahead.h"
#include "engine/input/input_error.h"

using namespace yl;

namespace {

RawEvent row(std::string type, std::string account, std::string asset, std::string amount,
             std::string to, std::string value) {
  return RawEvent{7,
                  "",
                  "2024-03-01T00:00:00Z",
                  std::move(type),
                  std::move(account),
                  std::move(asset),
                  std::move(amount),
                  std::move(to),
                  std::move(value)};
}

}  // namespace

TEST_CASE("EventParser: every type parses into its event (SPEC §1.2 table)") {
  CHECK(std::get<OpenAccount>(parse_event(row("open", "a", "", "", "", "dapp"), "f").body).kind ==
        AccountKind::dapp);
  const auto deposit =
      std::get<Deposit>(parse_event(row("deposit", "a", "USDT", "1.5", "", ""), "f").body);
  CHECK(deposit.asset == DepositAsset::usdt);
  CHECK(deposit.amount.wei_string() == "1500000");  // USDT base units: 6 decimals
  const auto claim = std::get<Claim>(parse_event(row("claim", "a", "USDB", "", "", ""), "f").body);
  CHECK_FALSE(claim.amount.has_value());  // empty = all
  CHECK(claim.to.empty());                // empty = self
  CHECK(std::get<Claim>(parse_event(row("claim", "a", "ETH", "0", "b", ""), "f").body)
            .amount->is_zero());
  CHECK_FALSE(
      std::get<ForceReport>(parse_event(row("report", "", "", "", "", ""), "f").body).asset);
  CHECK(std::get<SetRate>(parse_event(row("set_rate", "lido", "", "", "", "00000400"), "f").body)
            .apr_bps == 400);
  CHECK(
      std::get<SetRate>(parse_event(row("set_rate", "lido", "", "", "", "0"), "f").body).apr_bps ==
      0);
  CHECK(std::get<Loss>(parse_event(row("loss", "lido", "", "2", "", ""), "f").body)
            .amount.wei_string() == "2000000000000000000");
  CHECK(std::holds_alternative<ClaimGas>(
      parse_event(row("claim_gas", "d", "ETH", "", "", ""), "f").body));
}

TEST_CASE("EventParser: field rules name the file, line and type") {
  CHECK_THROWS_WITH_AS(parse_event(row("set_rate", "lido", "", "", "", "100001"), "f.csv"),
                       "f.csv:7: set_rate: value must be an APR in basis points, 0 to 100000 (got "
                       "'100001')",
                       InputError);
  CHECK_THROWS_WITH_AS(parse_event(row("set_rate", "lido", "", "", "", "4e2"), "f.csv"),
                       "f.csv:7: set_rate: value must be an APR in basis points, 0 to 100000 (got "
                       "'4e2')",
                       InputError);
  CHECK_THROWS_WITH_AS(parse_event(row("report", "alice", "", "", "", ""), "f.csv"),
                       "f.csv:7: report: account must be empty for report (got 'alice')",
                       InputError);
  CHECK_THROWS_WITH_AS(parse_event(row("transfer", "a", "ETH", "1", "", ""), "f.csv"),
                       "f.csv:7: transfer: to is required for transfer", InputError);
  CHECK_THROWS_WITH_AS(parse_event(row("withdraw", "a", "DAI", "1", "", ""), "f.csv"),
                       "f.csv:7: withdraw: unknown asset 'DAI' (expected ETH or USDB)", InputError);
  CHECK_THROWS_WITH_AS(parse_event(row("claim_gas", "d", "", "", "", ""), "f.csv"),
                       "f.csv:7: claim_gas: asset must be ETH for claim_gas (got '')", InputError);
}

TEST_CASE("EventReader: columns in any order, optional id, and a header with no rows") {
  std::istringstream in(
      "value,to,amount,asset,account,type,time,id\nuser,,,,bob,open,2024-03-01T00:00:00Z,x1\n");
  EventReader reader(in, "e.csv");
  const auto raw = reader.next_raw();
  REQUIRE(raw.has_value());
  CHECK(raw->account == "bob");
  CHECK(raw->value == "user");
  CHECK(raw->id == "x1");
  CHECK(raw->line == 2);
  CHECK_FALSE(reader.next_raw().has_value());
  std::istringstream empty("time,type,account,asset,amount,to,value\r\n");
  EventReader no_rows(empty, "e.csv");
  CHECK_FALSE(no_rows.next_raw().has_value());
}

TEST_CASE("EventReader: a row read into the previous row's RawEvent keeps nothing of it") {
  // `run` reads every row into one RawEvent; a field empty here must not keep the last text.
  std::istringstream in("id,time,type,account,asset,amount,to,value\n"
                        "x1,2024-03-01T00:00:00Z,transfer,alice-with-a-long-name,ETH,1.25,bob,\n"
                        ",2024-03-02T00:00:00Z,open,carol,,,,user\n");
  EventReader reader(in, "e.csv");
  std::istringstream no_id("time,type,account,asset,amount,to,value\n"
                           "2024-03-01T00:00:00Z,open,dave,,,,user\n");
  EventReader without_ids(no_id, "f.csv");
  yl::RawEvent raw;
  REQUIRE(reader.next_raw(raw));
  CHECK(raw == yl::RawEvent{2, "x1", "2024-03-01T00:00:00Z", "transfer", "alice-with-a-long-name",
                            "ETH", "1.25", "bob", ""});
  REQUIRE(reader.next_raw(raw));
  CHECK(raw == yl::RawEvent{3, "", "2024-03-02T00:00:00Z", "open", "carol", "", "", "", "user"});
  CHECK_FALSE(reader.next_raw(raw));
  raw.id = "x1";
  REQUIRE(without_ids.next_raw(raw));  // the id column is absent: the last row's id is dropped
  CHECK(raw == yl::RawEvent{2, "", "2024-03-01T00:00:00Z", "open", "dave", "", "", "", "user"});
}

namespace {

// `count` open rows, accounts a1, a2, ..., then `tail` verbatim.
std::string opens(int count, const std::string& tail) {
  std::string csv = "time,type,account,asset,amount,to,value\n";
  for (int i = 1; i <= count; ++i) csv += fmt::format("2024-03-01T00:00:00Z,open,a{},,,,user\n", i);
  return csv + tail;
}

std::string account_of(const Event& event) { return std::get<OpenAccount>(event.body).account; }

}  // namespace

TEST_CASE("EventLookahead: every row in order, and the events ahead of each as far as kAhead") {
  constexpr int kRows = 40;  // the 32-slot ring wraps
  std::istringstream in(opens(kRows, ""));
  EventReader reader(in, "e.csv");
  EventLookahead rows(reader);
  for (int i = 1; i <= kRows; ++i) {
    const EventLookahead::Row* row = rows.next();
    REQUIRE(row != nullptr);
    CHECK(row->raw.line == static_cast<std::uint64_t>(i + 1));
    CHECK(account_of(row->event) == fmt::format("a{}", i));
    for (std::size_t k = 1; k <= EventLookahead::kAhead; ++k) {
      const Event* ahead = rows.ahead(k);
      if (i + static_cast<int>(k) > kRows) {
        CHECK(ahead == nullptr);
      } else {
        REQUIRE(ahead != nullptr);
        CHECK(account_of(*ahead) == fmt::format("a{}", i + static_cast<int>(k)));
      }
    }
  }
  CHECK(rows.next() == nullptr);
  CHECK(rows.next() == nullptr);
}

TEST_CASE("EventLookahead: a row in error throws when it is reached, after every row before it") {
  // A bad time (a parse error), then a short row (a CSV error) that is never read.
  for (const auto& [tail, message] :
       {std::pair{std::string("2024-03-01 00:00:00,open,bad,,,,user\n2024-03-01T00:00:00Z,open\n"),
                  std::string("e.csv:5: open: bad time '2024-03-01 00:00:00' (expected "
                              "YYYY-MM-DDTHH:MM:SSZ)")},
        std::pair{std::string("2024-03-01T00:00:00Z,open\n2024-03-01 00:00:00,open,bad,,,,user\n"),
                  std::string("e.csv:5: csv: expected 7 fields, found 2")}}) {
    std::istringstream in(opens(3, tail));
    EventReader reader(in, "e.csv");
    EventLookahead rows(reader);
    REQUIRE(rows.next() != nullptr);
    CHECK(rows.ahead(1) != nullptr);
    CHECK(rows.ahead(2) != nullptr);
    CHECK(rows.ahead(3) == nullptr);  // the row in error
    CHECK(rows.ahead(4) == nullptr);  // never read
    REQUIRE(rows.next() != nullptr);
    REQUIRE(rows.next() != nullptr);
    CHECK_THROWS_WITH_AS(rows.next(), message.c_str(), InputError);
    CHECK(rows.next() == nullptr);  // read no further
  }
}

TEST_CASE("FirstLines: the line each id was first used on, across the table's growth") {
  yl::FirstLines lines;
  // 100,000 ids (the table grows from 1,024 slots seven times), some of them prefixes of others.
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    REQUIRE(lines.insert("id-" + std::to_string(i), i + 2) == 0);
  }
  CHECK(lines.size() == 100'000);
  for (std::uint64_t i = 0; i < 100'000; i += 997) {
    CHECK(lines.insert("id-" + std::to_string(i), 200'000) == i + 2);
  }
  CHECK(lines.insert("id-", 7) == 0);  // a prefix of every id above, new
  CHECK(lines.insert("id-", 8) == 7);
  CHECK(lines.insert("id-1000000", 9) == 0);
  CHECK(lines.size() == 100'002);  // a repeat records nothing
}
