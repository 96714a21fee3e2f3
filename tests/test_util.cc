#include "tests/test_util.h"

#include <doctest/doctest.h>

namespace yl::testing {

Amount wei(std::string_view text) {
  auto parsed = Amount::parse_units(text, 0, nullptr);
  REQUIRE(parsed.has_value());
  return *parsed;
}

Amount eth(std::string_view units) {
  auto parsed = Amount::parse_units(units, 18, nullptr);
  REQUIRE(parsed.has_value());
  return *parsed;
}

Timestamp at(std::string_view iso_time) {
  auto parsed = parse_timestamp(iso_time);
  REQUIRE(parsed.has_value());
  return *parsed;
}

LedgerParams basic_params() {
  LedgerParams params;
  params.start = at("2024-03-01T00:00:00Z");
  params.end = at("2024-06-01T00:00:00Z");
  params.report_every_s = 86400;
  return params;
}

void must_apply(Ledger& ledger, const Event& event) {
  auto rejected = ledger.apply(event);
  INFO("event " << event_type_name(event.body) << " rejected: "
                << (rejected ? rejected->reason : std::string()));
  REQUIRE_FALSE(rejected.has_value());
  const auto violation = ledger.audit_invariants();
  INFO("invariant: " << violation.value_or(""));
  REQUIRE_FALSE(violation.has_value());
}

std::string must_reject(Ledger& ledger, const Event& event, RejectCode code) {
  auto rejected = ledger.apply(event);
  REQUIRE(rejected.has_value());
  CHECK(static_cast<int>(rejected->code) == static_cast<int>(code));
  const auto violation = ledger.audit_invariants();
  REQUIRE_FALSE(violation.has_value());
  return rejected->reason;
}

}  // namespace yl::testing
