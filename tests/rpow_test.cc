#include "engine/core/rpow.h"

#include <vector>

#include <doctest/doctest.h>

#include "engine/core/yield_source.h"
#include "tests/random.h"
#include "tests/test_util.h"

using yl::testing::wei;

namespace {

// pot.sol's rpow, transcribed literally with exact integers, as the table's reference.
yl::U1024 reference_rpow(yl::U1024 x, std::uint64_t n) {
  const yl::U1024 base("1000000000000000000000000000");
  const yl::U1024 half = base / 2;
  yl::U1024 z = n % 2 ? x : base;
  for (n /= 2; n; n /= 2) {
    x = (x * x + half) / base;
    if (n % 2) z = (z * x + half) / base;
  }
  return z;
}

}  // namespace

TEST_CASE("rpow: 5% APR gives dsr = 1000000001547125957863212449 (SPEC §5.1)") {
  CHECK(yl::dsr_for_apr(500) == wei("1000000001547125957863212449"));
}

TEST_CASE("rpow: 0% APR gives dsr = RAY") { CHECK(yl::dsr_for_apr(0) == yl::ray()); }

TEST_CASE("rpow: dsr is the largest factor whose yearly growth stays at or under the target") {
  // (Its search takes the limb path while the powers stay below 2^128, else the wide one.)
  for (std::uint32_t apr :
       {1u, 3u, 77u, 350u, 400u, 1234u, 5000u, 10000u, 33333u, 99999u, 100000u}) {
    const yl::Amount dsr = yl::dsr_for_apr(apr);
    const yl::U1024 target = yl::U1024(yl::ray().raw()) * (10000 + apr) / 10000;
    CHECK(reference_rpow(yl::U1024(dsr.raw()), yl::kYearSeconds) <= target);
    CHECK(reference_rpow(yl::U1024(dsr.raw()) + 1, yl::kYearSeconds) > target);
  }
}

TEST_CASE("rpow: dsr_for_apr's boundary for every APR to 20% and a spread to 1000%") {
  // Its Newton steps only choose where to evaluate; the answer must still be the boundary:
  // dsr fits the target and dsr + 1 does not, by pot.sol's rpow.
  std::vector<std::uint32_t> aprs;
  for (std::uint32_t apr = 0; apr <= 2000; ++apr) aprs.push_back(apr);
  for (std::uint32_t apr = 2003; apr <= 100000; apr += 97) aprs.push_back(apr);
  aprs.push_back(100000);
  for (const std::uint32_t apr : aprs) {
    CAPTURE(apr);
    const yl::U1024 dsr(yl::dsr_for_apr(apr).raw());
    const yl::U1024 target = yl::U1024(yl::ray().raw()) * (10000 + apr) / 10000;
    CHECK(reference_rpow(dsr, yl::kYearSeconds) <= target);
    CHECK(reference_rpow(dsr + 1, yl::kYearSeconds) > target);
  }
}

TEST_CASE("rpow: the table gives pot.sol's result for every elapsed time tried") {
  const yl::Amount dsr = yl::dsr_for_apr(500);
  const yl::RpowTable table(dsr);
  for (std::uint64_t n :
       {0ull, 1ull, 2ull, 3ull, 86400ull, 86401ull, 31536000ull, 123456789ull, (1ull << 33) - 1}) {
    CHECK(*table.rpow(n) == reference_rpow(yl::U1024(dsr.raw()), n));
  }
}

TEST_CASE("accrue: staking is linear and floors, treasury compounds through rpow") {
  yl::SourceState staking{400, wei("1000000000000000000000"), {}, yl::Timestamp{0}, nullptr};
  yl::accrue(yl::SourceKind::staking, staking, yl::Timestamp{86400});
  // 1000 ETH · 400 · 86400 / (10000 · 31536000) = 0.109589041095890410958... ETH, floored.
  CHECK(staking.value == wei("1000109589041095890410"));
  CHECK(staking.last.seconds == 86400);

  const yl::Amount dsr = yl::dsr_for_apr(500);
  const yl::RpowTable table(dsr);
  yl::SourceState treasury{500, wei("1000000000000000000000"), {}, yl::Timestamp{0}, &table};
  yl::accrue(yl::SourceKind::treasury, treasury, yl::Timestamp{yl::kYearSeconds});
  const yl::U1024 expected = yl::U1024(wei("1000000000000000000000").raw()) *
                             reference_rpow(yl::U1024(dsr.raw()), yl::kYearSeconds) /
                             yl::U1024(yl::ray().raw());
  CHECK(yl::U1024(treasury.value.raw()) == expected);
  CHECK(treasury.value <= wei("1050000000000000000000"));  // never above the 5% target
  CHECK(treasury.value > wei("1049999999999000000000"));
}

// The limb path (rpow_small, and accrue's mul_div_floor) against pot.sol's loop and the wide
// formulas, over random times and values: equal wherever it answers, and it answers for every
// realistic time; it declines (nullopt) once a factor reaches 2^128.
TEST_CASE("rpow: the limb path gives pot.sol's result, and declines past 2^128") {
  yl::testing::Random rng(13);
  for (std::uint32_t apr : {1u, 500u, 100000u}) {
    const yl::Amount dsr = yl::dsr_for_apr(apr);
    const yl::RpowTable table(dsr);
    for (int i = 0; i < 300; ++i) {
      // Below 2^31 s (68 years): even 1000% APR stays below rpow's 2^346 (11^68·RAY < 2^326).
      const std::uint64_t n = rng.below(std::uint64_t{1} << rng.below(32));
      const auto small = table.rpow_small(n);
      const yl::U1024 expected = reference_rpow(yl::U1024(dsr.raw()), n);
      if (small) CHECK(yl::U1024(small->raw()) == expected);
      if (n <= 10 * yl::kYearSeconds) CHECK(small);  // below 2^128: at most 11^10·RAY < 2^125
      CHECK(*table.rpow(n) == expected);
    }
  }
  // 100% APR for 2^33 seconds grows about 2^272-fold: far beyond 2^128.
  CHECK_FALSE(yl::RpowTable(yl::dsr_for_apr(100000)).rpow_small((1ull << 33) - 1));
}

// The memo of the first kMemoSeconds results: every entry is pot.sol's result, for realistic
// rates (where the memo is full) and for a factor so large the limb path declines early (x = 2·RAY
// doubles each second).
TEST_CASE("rpow: each of the first 256 results the table keeps is pot.sol's") {
  static_assert(yl::RpowTable::kMemoSeconds == 256);
  const yl::Amount two_ray = yl::ray() + yl::ray();
  for (const yl::Amount& x :
       {yl::dsr_for_apr(1), yl::dsr_for_apr(500), yl::dsr_for_apr(100000), yl::ray(), two_ray}) {
    const yl::RpowTable table(x);
    int answered = 0;
    // 2·RAY to the 200th is 2^200·RAY: below rpow's 2^346, and the reference's squares of it
    // stay within 1024 bits.
    const std::uint64_t limit = x == two_ray ? 200 : 300;
    for (std::uint64_t n = 0; n < limit; ++n) {
      const yl::U1024 expected = reference_rpow(yl::U1024(x.raw()), n);
      if (const auto small = table.rpow_small(n)) {
        CHECK(yl::U1024(small->raw()) == expected);
        ++answered;
      }
      const auto wide = table.rpow(n);
      REQUIRE(wide);
      CHECK(*wide == expected);
    }
    // The limb path answers while each product's factors are below 2^128. For 2·RAY the squares
    // x_k = 2^(2^k)·RAY are for k <= 5 (x_5 = 2^32·RAY < 2^122; x_6 > 2^153): so for n < 64.
    CHECK(answered == (x == two_ray ? 64 : 300));
  }
}

TEST_CASE("accrue: the limb paths equal the wide formulas, and overflow alike") {
  yl::testing::Random rng(17);
  const yl::RpowTable table(yl::dsr_for_apr(500));
  for (int i = 0; i < 500; ++i) {
    // Values of 1 to 256 bits, so that some accruals overflow 2^256.
    const yl::U512 v = (yl::U512(rng.next()) << 192 | yl::U512(rng.next()) << 128 |
                        yl::U512(rng.next()) << 64 | rng.next()) >>
                       rng.below(256);
    const yl::Amount value = yl::Amount::from_u512(v);
    const std::uint64_t elapsed = 1 + rng.below(std::uint64_t{1} << rng.below(36));  // < 2^36 s:
    // 5% APR over 2^36 s is about 2^153-fold: some products stay below 2^128, some do not.
    for (const yl::SourceKind kind : {yl::SourceKind::staking, yl::SourceKind::treasury}) {
      yl::SourceState state{500, value, {}, yl::Timestamp{0}, &table};
      const yl::U512 expected =
          kind == yl::SourceKind::staking
              ? v + v * 500 * elapsed / (10000 * yl::kYearSeconds)
              : yl::U512(yl::U1024(v) * *table.rpow(elapsed) / yl::U1024(yl::ray().raw()));
      const auto now = yl::Timestamp{static_cast<std::int64_t>(elapsed)};
      if (expected >= yl::U512(1) << 256) {
        CHECK_THROWS_AS(yl::accrue(kind, state, now), yl::OverflowError);
      } else {
        yl::accrue(kind, state, now);
        CHECK(state.value.wide() == expected);
      }
    }
  }
}

// mul_half_up divides by RAY as a shift by 27 bits and a one-limb division by 5^27 (rpow.cc):
// compared with Boost's (a·b + RAY/2) / RAY for operands below 2^128, the range it accepts,
// including the edges where the shift drops bits and the top limb carries the quotient.
TEST_CASE("rpow: mul_half_up is (a·b + RAY/2) / RAY exactly, 200,000 pairs against Boost") {
  yl::testing::Random rng(1027);
  const yl::U512 ray("1000000000000000000000000000");
  const yl::U512 limit = yl::U512(1) << 128;
  auto random_operand = [&]() -> yl::U512 {
    switch (rng.below(5)) {
      case 0:
        return limit - 1 - rng.below(1000);  // the top of the range
      case 1:
        return ray + rng.below(1'000'000'000) - 500'000'000;  // near RAY, rpow's case
      case 2:
        return yl::U512(rng.below(1000));  // tiny
      default: {
        const yl::U512 value = (yl::U512(rng.next()) << 64) | rng.next();
        return value >> rng.below(128);  // any magnitude
      }
    }
  };
  for (int i = 0; i < 200'000; ++i) {
    const yl::U512 a = random_operand();
    const yl::U512 b = random_operand();
    INFO("a = " << a.str() << ", b = " << b.str());
    const yl::U512 expected = (a * b + ray / 2) / ray;
    REQUIRE(yl::mul_half_up(yl::Amount::from_u512(a), yl::Amount::from_u512(b)).wide() == expected);
  }
  // The largest product: (2^128 − 1)² + RAY/2, whose quotient has bits in the top limb.
  const yl::U512 top = limit - 1;
  CHECK(yl::mul_half_up(yl::Amount::from_u512(top), yl::Amount::from_u512(top)).wide() ==
        (top * top + ray / 2) / ray);
}
