#include "engine/core/gas.h"

#include <doctest/doctest.h>

#include "tests/test_util.h"

using yl::testing::wei;

TEST_CASE("Gas: the mainnet example, 1 ETH aged 15 days, claims at 7499 bps (SPEC §4.2)") {
  // k = 1,296,000 s; rate = 5000 + floor(5000·(1,296,000 − 1)/(2,592,000 − 1)) = 5000 + 2499.
  const yl::GasParams params;
  const auto rate =
      yl::claim_rate(params, wei("1000000000000000000"), wei("1296000000000000000000000"));
  CHECK(rate.rate_bps == 7499);
  CHECK(rate.seconds_used == wei("1296000000000000000000000"));
}

TEST_CASE("Gas: below base seconds pays the zero rate and uses no seconds") {
  const yl::GasParams params;
  const auto rate = yl::claim_rate(params, wei("1000"), wei("999"));  // k = 0 < 1
  CHECK(rate.rate_bps == 0);
  CHECK(rate.seconds_used.is_zero());
}

TEST_CASE("Gas: at or past ceil seconds pays the ceil rate and banks the rest") {
  const yl::GasParams params;
  const auto rate = yl::claim_rate(params, wei("10"), wei("30000000"));  // k = 3,000,000
  CHECK(rate.rate_bps == 10000);
  CHECK(rate.seconds_used == wei("25920000"));                                // 10 · 2,592,000
  CHECK(yl::claim_rate(params, wei("1"), wei("2592000")).rate_bps == 10000);  // k = ceil exactly
  CHECK(yl::claim_rate(params, wei("1"), wei("1")).rate_bps == 5000);         // k = base exactly
}

TEST_CASE("Gas: age_gas adds B·elapsed to S") {
  yl::GasRecord record{yl::GasMode::claimable, wei("5"), wei("7"), yl::Timestamp{100}};
  yl::age_gas(record, yl::Timestamp{110});
  CHECK(record.age_wei_seconds == wei("57"));
  CHECK(record.updated.seconds == 110);
}
