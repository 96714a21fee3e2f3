#include "engine/core/amount.h"

#include <doctest/doctest.h>

#include "tests/test_util.h"

using yl::Amount;
using yl::testing::wei;

TEST_CASE("Amount: parse_units reads exact decimals (SPEC §1.2 amounts)") {
  std::string error;
  CHECK(Amount::parse_units("1.5", 18, &error)->wei_string() == "1500000000000000000");
  CHECK(Amount::parse_units("0.000000000000000001", 18, &error)->wei_string() == "1");
  CHECK(Amount::parse_units("007", 18, &error)->wei_string() == "7000000000000000000");
  CHECK(Amount::parse_units("0", 18, &error)->is_zero());
  CHECK(Amount::parse_units("2.5", 6, &error)->wei_string() == "2500000");
}

TEST_CASE("Amount: parse_units rejects signs, exponents, separators and excess decimals") {
  for (const char* bad : {"", "-1", "+1", "1e18", "1,000", " 1", "1 ", "1.", ".5", "1.2.3", "0x10",
                          "１"}) {
    std::string error;
    CHECK_MESSAGE(!Amount::parse_units(bad, 18, &error).has_value(), bad);
    CHECK(!error.empty());
  }
  std::string error;
  CHECK(!Amount::parse_units("0.1234567", 6, &error).has_value());
  CHECK(error == "'0.1234567' has 7 fraction digits; at most 6 allowed");
}

TEST_CASE("Amount: 2^256 - 1 parses and 2^256 does not") {
  const std::string max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  const std::string past = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
  std::string error;
  CHECK(Amount::parse_units(max, 0, &error)->wei_string() == max);
  CHECK(Amount::max().wei_string() == max);
  CHECK(!Amount::parse_units(past, 0, &error).has_value());
  CHECK(error.find("2^256") != std::string::npos);
  // In ETH units, 2^256 wei is 115792089237316195423570985008687907853269984665640564039457.58...
  CHECK(!Amount::parse_units("115792089237316195423570985008687907853269984665640564039458", 18,
                             &error).has_value());
  CHECK(!Amount::parse_units(std::string(200, '9'), 0, &error).has_value());
}

TEST_CASE("Amount: units_string prints the shortest exact form") {
  CHECK(wei("0").units_string(18) == "0");
  CHECK(wei("1500000000000000000").units_string(18) == "1.5");
  CHECK(wei("1").units_string(18) == "0.000000000000000001");
  CHECK(wei("1000000000000000000000").units_string(18) == "1000");
  CHECK(wei("123").units_string(0) == "123");
}

TEST_CASE("Amount: arithmetic is checked at 2^256") {
  CHECK_THROWS_AS(Amount::max() + wei("1"), yl::OverflowError);
  CHECK_THROWS_AS(Amount::max() * wei("2"), yl::OverflowError);
  CHECK((Amount::max() - Amount::max()).is_zero());
  // mul_div_floor keeps a 512-bit intermediate: (2^256-1)·(2^256-1)/(2^256-1) = 2^256-1.
  CHECK(yl::mul_div_floor(Amount::max(), Amount::max(), Amount::max()) == Amount::max());
  CHECK(yl::mul_div_floor(wei("10"), wei("1"), wei("3")) == wei("3"));  // floor
  CHECK(yl::div_floor(wei("7"), wei("2")) == wei("3"));
  CHECK(yl::mod(wei("7"), wei("2")) == wei("1"));
}

TEST_CASE("Amount: parse_wei accepts only canonical integers") {
  CHECK(Amount::parse_wei("0")->is_zero());
  CHECK(Amount::parse_wei("42")->wei_string() == "42");
  CHECK(!Amount::parse_wei("042").has_value());
  CHECK(!Amount::parse_wei("").has_value());
  CHECK(!Amount::parse_wei("1.0").has_value());
}

TEST_CASE("SignedAmount: differences and magnitudes") {
  const auto d = yl::SignedAmount::difference(wei("3"), wei("10"));
  CHECK(d.is_negative());
  CHECK(d.wei_string() == "-7");
  CHECK(d.magnitude() == wei("7"));
  CHECK(yl::SignedAmount::difference(wei("10"), wei("3")).wei_string() == "7");
}
