// Simulation time: whole UTC seconds since 1970-01-01T00:00:00Z. The engine never reads a clock;
// every time comes from the scenario or an event (SPEC §1.2 time format).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yl {

struct Timestamp {
  std::int64_t seconds = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Parses exactly `YYYY-MM-DDTHH:MM:SSZ`: upper-case T and Z, a real calendar date (leap years
// included), hours 00-23, minutes and seconds 00-59. Returns nullopt otherwise.
std::optional<Timestamp> parse_timestamp(std::string_view text);
std::string format_timestamp(Timestamp time);

// Why parse_timestamp(text) returned nullopt, for a message: "bad time 'TEXT' (expected
// YYYY-MM-DDTHH:MM:SSZ)" when the shape is wrong, "bad time 'TEXT': 2024-02-30 is not a calendar
// date" or "bad time 'TEXT': 24:00:00 is not a time of day (00:00:00 to 23:59:59)" when the
// shape is right but the values are not.
std::string bad_time_message(std::string_view text);

// Parses a report cadence `[1-9][0-9]*[smhd]` into seconds. A cadence too long to represent
// saturates at INT64_MAX (it then simply never fires). Returns nullopt if malformed.
std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

}  // namespace yl
