#include "engine/core/timestamp.h"

#include <doctest/doctest.h>

using yl::parse_timestamp;

TEST_CASE("Timestamp: parses the SPEC §1.2 format and round-trips") {
  CHECK(parse_timestamp("1970-01-01T00:00:00Z")->seconds == 0);
  CHECK(parse_timestamp("2024-03-01T00:00:00Z")->seconds == 1709251200);
  CHECK(parse_timestamp("2024-02-29T23:59:59Z")->seconds == 1709251199);
  for (const char* t : {"2024-03-01T00:00:00Z", "2000-02-29T12:34:56Z", "1969-12-31T23:59:59Z",
                        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    CHECK(yl::format_timestamp(*parse_timestamp(t)) == t);
  }
}

TEST_CASE("Timestamp: rejects anything but a real UTC calendar time") {
  for (const char* bad : {"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                          "2024-00-01T00:00:00Z", "2024-03-01t00:00:00Z", "2024-03-01T00:00:00z",
                          "2024-03-01T24:00:00Z", "2024-03-01T00:60:00Z", "2024-03-01T00:00:60Z",
                          "2024-03-01 00:00:00Z", "2024-03-01T00:00:00", "2024-3-01T00:00:00Z",
                          "2024-03-01T00:00:00+00:00", "", "1900-02-29T00:00:00Z"}) {
    CHECK_MESSAGE(!parse_timestamp(bad).has_value(), bad);
  }
}

TEST_CASE("Timestamp: report cadences") {
  CHECK(*yl::parse_duration_seconds("1d") == 86400);
  CHECK(*yl::parse_duration_seconds("90s") == 90);
  CHECK(*yl::parse_duration_seconds("15m") == 900);
  CHECK(*yl::parse_duration_seconds("12h") == 43200);
  CHECK(*yl::parse_duration_seconds("99999999999999999999999d") == INT64_MAX);
  for (const char* bad : {"0d", "d", "1", "1w", "01d", "-1d", "1.5d", "1D", " 1d"}) {
    CHECK_MESSAGE(!yl::parse_duration_seconds(bad).has_value(), bad);
  }
}
