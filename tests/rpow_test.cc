#include "engine/core/rpow.h"

#include <doctest/doctest.h>

#include "engine/core/yield_source.h"
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
  for (std::uint32_t apr : {1u, 400u, 10000u, 100000u}) {
    const yl::Amount dsr = yl::dsr_for_apr(apr);
    const yl::U1024 target = yl::U1024(yl::ray().raw()) * (10000 + apr) / 10000;
    CHECK(reference_rpow(yl::U1024(dsr.raw()), yl::kYearSeconds) <= target);
    CHECK(reference_rpow(yl::U1024(dsr.raw()) + 1, yl::kYearSeconds) > target);
  }
}

TEST_CASE("rpow: the table gives pot.sol's result for every elapsed time tried") {
  const yl::Amount dsr = yl::dsr_for_apr(500);
  const yl::RpowTable table(dsr);
  for (std::uint64_t n : {0ull, 1ull, 2ull, 3ull, 86400ull, 86401ull, 31536000ull, 123456789ull,
                          (1ull << 33) - 1}) {
    CHECK(*table.rpow(n) == reference_rpow(yl::U1024(dsr.raw()), n));
  }
}

TEST_CASE("accrue: staking is linear and floors; treasury compounds through rpow") {
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
