#include "engine/core/timestamp.h"

#include <limits>

#include <fmt/format.h>

namespace yl {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 for a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, unsigned* out) {
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  // 0123456789012345678 9
  // YYYY-MM-DDTHH:MM:SSZ
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  unsigned year, month, day, hour, minute, second;
  if (!read_digits(text, 0, 4, &year) || !read_digits(text, 5, 2, &month) ||
      !read_digits(text, 8, 2, &day) || !read_digits(text, 11, 2, &hour) ||
      !read_digits(text, 14, 2, &minute) || !read_digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(year, month, day);
  return Timestamp{days * 86400 + hour * 3600 + minute * 60 + second};
}

std::string bad_time_message(std::string_view text) {
  if (text.size() == 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
      text[16] == ':' && text[19] == 'Z') {
    unsigned year, month, day, hour, minute, second;
    if (read_digits(text, 0, 4, &year) && read_digits(text, 5, 2, &month) &&
        read_digits(text, 8, 2, &day) && read_digits(text, 11, 2, &hour) &&
        read_digits(text, 14, 2, &minute) && read_digits(text, 17, 2, &second)) {
      if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        return fmt::format("bad time '{}': {} is not a calendar date", text, text.substr(0, 10));
      }
      if (hour > 23 || minute > 59 || second > 59) {
        return fmt::format("bad time '{}': {} is not a time of day (00:00:00 to 23:59:59)", text,
                           text.substr(11, 8));
      }
    }
  }
  return fmt::format("bad time '{}' (expected YYYY-MM-DDTHH:MM:SSZ)", text);
}

std::string format_timestamp(Timestamp time) {
  std::int64_t days = time.seconds / 86400;
  std::int64_t rest = time.seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }
  const Civil c = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, rest / 3600,
                     rest / 60 % 60, rest % 60);
}

std::optional<std::int64_t> parse_duration_seconds(std::string_view text) {
  if (text.size() < 2 || text[0] < '1' || text[0] > '9') return std::nullopt;
  std::int64_t unit;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return std::nullopt;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::int64_t digit = c - '0';
    count = count > (kMax - digit) / 10 ? kMax : count * 10 + digit;
  }
  return count > kMax / unit ? kMax : count * unit;
}

}  // namespace yl
