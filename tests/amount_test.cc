#include "engine/core/amount.h"

#include <algorithm>
#include <array>

#include <doctest/doctest.h>

#include "tests/random.h"
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
  for (const char* bad :
       {"", "-1", "+1", "1e18", "1,000", " 1", "1 ", "1.", ".5", "1.2.3", "0x10", "１"}) {
    std::string error;
    CHECK_MESSAGE(!Amount::parse_units(bad, 18, &error).has_value(), bad);
    CHECK(!error.empty());
  }
  std::string error;
  CHECK(!Amount::parse_units("0.1234567", 6, &error).has_value());
  CHECK(error == "'0.1234567' has 7 fraction digits; at most 6 allowed");
}

TEST_CASE("Amount: 2^256 - 1 parses and 2^256 does not") {
  const std::string max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  const std::string past =
      "115792089237316195423570985008687907853269984665640564039457584007913129639936";
  std::string error;
  CHECK(Amount::parse_units(max, 0, &error)->wei_string() == max);
  CHECK(Amount::max().wei_string() == max);
  CHECK(!Amount::parse_units(past, 0, &error).has_value());
  CHECK(error.find("2^256") != std::string::npos);
  // In ETH units, 2^256 wei is 115792089237316195423570985008687907853269984665640564039457.58...
  CHECK(!Amount::parse_units("115792089237316195423570985008687907853269984665640564039458", 18,
                             &error)
             .has_value());
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

// ---------------------------------------------------------------------------------------------
// Differential tests: Amount's own 4-limb arithmetic against Boost's cpp_int, the
// implementation it replaced, on seeded random operands biased towards the limb boundaries
// (2^64, 2^128, 2^192, 2^256 - 1), where carries, borrows and normalization go wrong.

namespace {

using yl::U256;
using yl::U512;
using yl::testing::Random;

const U512& two_pow_256() {
  static const U512 value = U512(1) << 256;
  return value;
}

// A 64-bit limb: often one of the edge values, else uniform.
std::uint64_t random_limb(Random& rng) {
  static constexpr std::uint64_t kEdges[] = {0,
                                             1,
                                             2,
                                             0x7FFF'FFFF'FFFF'FFFFULL,
                                             0x8000'0000'0000'0000ULL,
                                             0xFFFF'FFFF'FFFF'FFFEULL,
                                             0xFFFF'FFFF'FFFF'FFFFULL,
                                             10'000'000'000'000'000'000ULL,
                                             1'000'000'000'000'000'000ULL};
  if (rng.chance(40)) return kEdges[rng.below(std::size(kEdges))];
  return rng.next() >> rng.below(64);
}

// A reference value below 2^256 with 0 to 4 limbs in use (built with Boost shifts only).
U256 random_reference(Random& rng) {
  const auto limbs = rng.below(5);
  U256 value = 0;
  for (std::uint64_t i = 0; i < limbs; ++i) value = (value << 64) | U256(random_limb(rng));
  if (rng.chance(10)) value = value >> static_cast<unsigned>(rng.below(256));  // any bit length
  return value;
}

// The Amount equal to `reference`, checked both ways: through the decimal text and back.
Amount amount_of(const U256& reference) {
  const Amount amount = Amount::from_u512(U512(reference));
  REQUIRE(amount.raw() == reference);
  REQUIRE(amount.wide() == U512(reference));
  REQUIRE(amount.wei_string() == reference.str());
  return amount;
}

// The previous implementation of units_string, on Boost's decimal text.
std::string reference_units(const U256& value, unsigned decimals) {
  std::string digits = value.str();
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

// The previous implementation of parse_units (512-bit accumulation), kept as the oracle.
std::optional<U256> reference_parse_units(std::string_view text, unsigned decimals,
                                          std::string* error) {
  auto fail = [&](std::string message) -> std::optional<U256> {
    *error = std::move(message);
    return std::nullopt;
  };
  auto all_digits = [](std::string_view t) {
    return !t.empty() &&
           std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  auto digits_value = [](std::string_view digits) {
    U512 value = 0;
    for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
    return value;
  };
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
    return fail("'" + std::string(text) +
                "' is not a plain decimal number (digits, optionally '.' and more digits)");
  }
  if (fraction.size() > decimals) {
    return fail("'" + std::string(text) + "' has " + std::to_string(fraction.size()) +
                " fraction digits; at most " + std::to_string(decimals) + " allowed");
  }
  const auto first_nonzero = whole.find_first_not_of('0');
  const std::string_view significant =
      first_nonzero == std::string_view::npos ? std::string_view() : whole.substr(first_nonzero);
  const std::string too_large = "'" + std::string(text) + "' is not below 2^256 base units";
  if (significant.size() > 78) return fail(too_large);
  U512 value = digits_value(significant);
  for (unsigned i = 0; i < decimals; ++i) {
    value *= 10;
    if (value >= two_pow_256()) return fail(too_large);
  }
  U512 fraction_value = digits_value(fraction);
  for (std::size_t i = fraction.size(); i < decimals; ++i) fraction_value *= 10;
  value += fraction_value;
  if (value >= two_pow_256()) return fail(too_large);
  return U256(value);
}

std::string random_digits(Random& rng, std::size_t count) {
  std::string digits;
  for (std::size_t i = 0; i < count; ++i) {
    digits.push_back(static_cast<char>('0' + (rng.chance(30) ? 9 * rng.below(2) : rng.below(10))));
  }
  return digits;
}

}  // namespace

// Knuth's division has a rare step (the estimated quotient digit one too large, the divisor
// added back); with these operands it runs a dozen times over the two differential cases below
// (counted with an instrumented build while writing them).
TEST_CASE("Amount: differential against Boost: + - * / % and comparisons, 300,000 pairs") {
  Random rng(20261130);
  for (int i = 0; i < 300'000; ++i) {
    const U256 ra = random_reference(rng);
    const U256 rb = random_reference(rng);
    INFO("a = " << ra.str() << ", b = " << rb.str());
    const Amount a = amount_of(ra);
    const Amount b = amount_of(rb);
    REQUIRE((a == b) == (ra == rb));
    REQUIRE((a < b) == (ra < rb));
    REQUIRE((a > b) == (ra > rb));
    REQUIRE(a.is_zero() == ra.is_zero());

    const U512 sum = U512(ra) + U512(rb);
    if (sum >= two_pow_256()) {
      REQUIRE_THROWS_AS(a + b, yl::OverflowError);
    } else {
      REQUIRE((a + b).raw() == U256(sum));
    }
    if (ra >= rb) {
      REQUIRE((a - b).raw() == ra - rb);
    } else {
      REQUIRE((b - a).raw() == rb - ra);
    }
    const U512 product = U512(ra) * U512(rb);
    if (product >= two_pow_256()) {
      REQUIRE_THROWS_AS(a * b, yl::OverflowError);
    } else {
      REQUIRE((a * b).raw() == U256(product));
    }
    if (!rb.is_zero()) {
      const auto qr = yl::div_floor_rem(a, b);
      REQUIRE(qr.quotient.raw() == ra / rb);
      REQUIRE(qr.remainder.raw() == ra % rb);
      REQUIRE(yl::div_floor(a, b) == qr.quotient);
      REQUIRE(yl::mod(a, b) == qr.remainder);
    }
  }
}

// mul_div_floor(a, b, c) against Boost's floor(a·b/c): the same quotient, or an OverflowError
// where it is 2^256 or more. Returns whether it overflowed.
bool mul_div_floor_matches_boost(const U256& ra, const U256& rb, const U256& rc) {
  INFO("a = " << ra.str() << ", b = " << rb.str() << ", c = " << rc.str());
  const U512 expected = U512(ra) * U512(rb) / U512(rc);
  if (expected >= two_pow_256()) {
    REQUIRE_THROWS_AS(yl::mul_div_floor(amount_of(ra), amount_of(rb), amount_of(rc)),
                      yl::OverflowError);
    return true;
  }
  REQUIRE(yl::mul_div_floor(amount_of(ra), amount_of(rb), amount_of(rc)).raw() == U256(expected));
  return false;
}

TEST_CASE("Amount: differential against Boost: mul_div_floor with its 512-bit product") {
  const U256 ray("1000000000000000000000000000");
  REQUIRE(Amount::from_limbs(yl::detail::kRayLimbs).raw() == ray);
  Random rng(512);
  int overflows = 0;
  for (int i = 0; i < 200'000; ++i) {
    const U256 ra = random_reference(rng);
    const U256 rb = random_reference(rng);
    U256 rc = random_reference(rng);
    if (rc.is_zero()) rc = 1;
    if (i % 4 == 0) rc = ray;  // RAY's own path: a shift and a division by 5^27
    if (mul_div_floor_matches_boost(ra, rb, rc)) ++overflows;
  }
  CHECK(overflows > 1000);  // both outcomes are exercised
}

TEST_CASE("Amount: differential against Boost: mul_div_floor by a one-limb factor and divisor") {
  // The path of deposits' weights (amount·weight/BPS) and staking's accrual
  // (value·apr·Δt/(BPS·YEAR)): a five-limb product, divided a limb at a time.
  Random rng(64);
  int overflows = 0;
  for (int i = 0; i < 100'000; ++i) {
    const U256 ra = random_reference(rng);
    const U256 rb = random_reference(rng) & U256(~0ULL);
    U256 rc = rng.chance(50) ? U256(random_limb(rng) >> rng.below(64)) : U256(10'000);
    if (rc.is_zero()) rc = 1;
    if (mul_div_floor_matches_boost(ra, rb, rc)) ++overflows;
  }
  CHECK(overflows > 1000);
  // The product's fifth limb: (2^256 − 1)·2 / 2 = 2^256 − 1, and / 1 overflows.
  CHECK(yl::mul_div_floor(Amount::max(), amount_of(2), amount_of(2)) == Amount::max());
  CHECK_THROWS_AS(yl::mul_div_floor(Amount::max(), amount_of(2), amount_of(1)), yl::OverflowError);
}

TEST_CASE("WideSum: differential against Boost: products and sums in 512 bits") {
  // The invariants' sum P·C + Σ… and the journal's per-entry balance (SPEC §6).
  Random rng(1024);
  for (int i = 0; i < 50'000; ++i) {
    const U256 ra = random_reference(rng);
    const U256 rb = random_reference(rng);
    const U256 rc = random_reference(rng);
    INFO("a = " << ra.str() << ", b = " << rb.str() << ", c = " << rc.str());
    yl::WideSum sum = yl::WideSum::product(amount_of(ra), amount_of(rb));
    sum += amount_of(rc);
    sum += yl::WideSum(amount_of(rc));
    const U512 expected = U512(ra) * U512(rb) + U512(rc) * 2;
    REQUIRE(sum.wide() == expected);
    CHECK(sum.below_2_256() == (expected < two_pow_256()));
    CHECK((sum == yl::WideSum::product(amount_of(rb), amount_of(ra))) == rc.is_zero());
  }
  // (2^256 − 1)² + 2·(2^256 − 1) = 2^512 − 1: the largest sum that fits, every limb full.
  yl::WideSum full = yl::WideSum::product(yl::Amount::max(), yl::Amount::max());
  full += yl::Amount::max();
  full += yl::Amount::max();
  CHECK(full.wide() == (U512(1) << 511) + ((U512(1) << 511) - 1));
}

TEST_CASE("NetSum: differential against Boost: debits minus credits in 320 bits") {
  // Journal::close checks each entry with it; the auditor keeps one per journal account.
  Random rng(320);
  for (int round = 0; round < 2'000; ++round) {
    yl::NetSum net, other;
    yl::S512 expected = 0, expected_other = 0;
    const auto terms = 1 + rng.below(40);
    for (std::uint64_t i = 0; i < terms; ++i) {
      const U256 r = random_reference(rng);
      const bool debit = rng.chance(50);
      yl::NetSum& into = rng.chance(50) ? net : other;
      yl::S512& reference = &into == &net ? expected : expected_other;
      if (debit) {
        into.add(amount_of(r));
        reference += yl::S512(r);
      } else {
        into.subtract(amount_of(r));
        reference -= yl::S512(r);
      }
    }
    INFO("expected " << expected.str() << " and " << expected_other.str());
    REQUIRE(net.value() == expected);
    REQUIRE(net.is_zero() == expected.is_zero());
    net += other;
    REQUIRE(net.value() == expected + expected_other);
  }
  // The extremes of 2^40 terms of 2^256 − 1 each way, reached by doubling: far inside ±2^319.
  yl::NetSum high, low;
  high.add(Amount::max());
  low.subtract(Amount::max());
  for (int i = 0; i < 40; ++i) {
    high += yl::NetSum(high);
    low += yl::NetSum(low);
  }
  const yl::S512 max = yl::S512(Amount::max().raw());
  CHECK(high.value() == max * (yl::S512(1) << 40));
  CHECK(low.value() == -max * (yl::S512(1) << 40));
  high += low;
  CHECK(high.is_zero());
  CHECK(high.value() == 0);
}

TEST_CASE("Amount: differential against Boost: decimal text both ways") {
  Random rng(10);
  for (int i = 0; i < 100'000; ++i) {
    const U256 r = random_reference(rng);
    INFO("value = " << r.str());
    const Amount a = amount_of(r);  // wei_string against Boost's str()
    REQUIRE(Amount::parse_wei(r.str()) == a);
    for (unsigned decimals : {0U, 6U, 18U}) {
      const std::string units = a.units_string(decimals);
      REQUIRE(units == reference_units(r, decimals));
      REQUIRE(Amount::parse_units(units, decimals, nullptr) == a);
    }
  }
  // Random decimal text, valid and not: the same value or the same message as the oracle.
  for (int i = 0; i < 200'000; ++i) {
    std::string text = random_digits(rng, rng.below(rng.chance(20) ? 90 : 25));
    if (rng.chance(60)) text += "." + random_digits(rng, rng.below(22));
    if (rng.chance(2)) text.insert(rng.below(text.size() + 1), 1, "x-. "[rng.below(4)]);
    const unsigned decimals = std::array<unsigned, 4>{0, 6, 18, 30}[rng.below(4)];
    INFO("text = '" << text << "', decimals = " << decimals);
    std::string error, expected_error;
    const auto parsed = Amount::parse_units(text, decimals, &error);
    const auto expected = reference_parse_units(text, decimals, &expected_error);
    REQUIRE(parsed.has_value() == expected.has_value());
    if (expected) {
      REQUIRE(parsed->raw() == *expected);
    } else {
      REQUIRE(error == expected_error);
    }
    // parse_wei takes exactly the canonical integers below 2^256.
    const auto wei_parsed = Amount::parse_wei(text);
    std::string ignored;
    const auto integer = reference_parse_units(text, 0, &ignored);
    const bool canonical = integer && text == integer->str();
    REQUIRE(wei_parsed.has_value() == canonical);
    if (canonical) REQUIRE(wei_parsed->raw() == *integer);
  }
}

TEST_CASE("Amount: carries, borrows and overflow exactly at 2^64, 2^128, 2^192 and 2^256") {
  const Amount one = Amount::from_u64(1);
  for (unsigned bits : {64U, 128U, 192U}) {
    INFO("bits = " << bits);
    const U256 power = U256(1) << bits;
    const Amount below = amount_of(power - 1);
    CHECK((below + one).raw() == power);       // the carry ripples through every lower limb
    CHECK((amount_of(power) - one) == below);  // the borrow ripples back
    if (bits < 192) {  // (2^k - 1)^2 < 2^256 for k <= 128; (2^192 - 1)^2 is not
      CHECK((below * below).raw() == (power - 1) * (power - 1));
    } else {
      CHECK_THROWS_AS(below * below, yl::OverflowError);
    }
    CHECK(yl::div_floor(amount_of(power), below) == one);
    CHECK(yl::mod(amount_of(power), below) == one);
  }
  // (2^128 - 1)(2^128 + 1) = 2^256 - 1 fits; 2^128 · 2^128 does not; nor 2^64 · 2^192.
  const Amount low = amount_of((U256(1) << 128) - 1);
  const Amount high = amount_of((U256(1) << 128) + 1);
  CHECK(low * high == Amount::max());
  CHECK_THROWS_AS(amount_of(U256(1) << 128) * amount_of(U256(1) << 128), yl::OverflowError);
  CHECK_THROWS_AS(amount_of(U256(1) << 64) * amount_of(U256(1) << 192), yl::OverflowError);
  CHECK(amount_of(U256(1) << 64) * amount_of((U256(1) << 192) - 1) ==
        amount_of(Amount::max().raw() - ((U256(1) << 64) - 1)));
  CHECK_THROWS_AS(Amount::max() + one, yl::OverflowError);
  CHECK_THROWS_AS(Amount::from_u512(two_pow_256()), yl::OverflowError);
  CHECK(Amount::from_u512(two_pow_256() - 1) == Amount::max());
  // mul_div_floor: (2^256 - 1) · 2^255 fits in the 512-bit product; only the quotient overflows.
  CHECK_THROWS_AS(yl::mul_div_floor(Amount::max(), amount_of(U256(1) << 255), one),
                  yl::OverflowError);
  CHECK(yl::mul_div_floor(Amount::max(), amount_of(U256(1) << 255), amount_of(U256(1) << 255)) ==
        Amount::max());
  // M = 2^256 - 1: M·M / (M - 1) = M + 1 + 1/(M - 1), whose floor 2^256 is one too many.
  const Amount max_less_one = amount_of(Amount::max().raw() - 1);
  CHECK_THROWS_AS(yl::mul_div_floor(Amount::max(), Amount::max(), max_less_one), yl::OverflowError);
}
