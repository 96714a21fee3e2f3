#include "engine/input/toml_text.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/input/input_error.h"
#include "engine/input/utf8.h"

namespace yl {

namespace {

// `part` without the blanks around it.
std::string_view trim(std::string_view part) {
  const std::size_t first = part.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return part.substr(first, part.find_last_not_of(" \t\r") - first + 1);
}

// The key written just before the '=' that ends before `column` (a value's, 1-based) on `at`, as
// written ("population.users" quoted, x bare); empty where there is none.
std::string_view key_before_value(std::string_view at, std::uint64_t column) {
  std::size_t i = std::min<std::size_t>(column == 0 ? 0 : column - 1, at.size());
  const auto space = [&] { return i > 0 && (at[i - 1] == ' ' || at[i - 1] == '\t'); };
  while (space()) --i;
  if (i == 0 || at[i - 1] != '=') return {};
  --i;
  while (space()) --i;
  const std::size_t end = i;
  if (i > 1 && (at[i - 1] == '"' || at[i - 1] == '\'')) {
    const char quote = at[i - 1];
    std::size_t open = i - 2;
    while (open != std::string_view::npos &&
           !(at[open] == quote && (open == 0 || at[open - 1] != '\\'))) {
      open = open == 0 ? std::string_view::npos : open - 1;
    }
    return open == std::string_view::npos ? std::string_view() : at.substr(open, end - open);
  }
  while (i > 0 && (std::isalnum(static_cast<unsigned char>(at[i - 1])) || at[i - 1] == '_' ||
                   at[i - 1] == '-' || at[i - 1] == '.')) {
    --i;
  }
  return at.substr(i, end - i);
}

// Throws where a line of `text` has more than 4096 '.' outside strings and comments (see
// read_toml).
void refuse_deep_keys(std::string_view text, const std::string& file, std::string_view type) {
  constexpr int kMostDots = 4096;
  enum class In { code, comment, basic, literal, basic_lines, literal_lines } in = In::code;
  std::uint64_t line = 1;
  int dots = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const std::string_view rest = text.substr(i);
    if (c == '\n') {
      ++line;
      dots = 0;
      if (in == In::comment || in == In::basic || in == In::literal) in = In::code;
      continue;
    }
    switch (in) {
      case In::code:
        if (c == '.' && ++dots > kMostDots) {
          throw InputError(file, line, std::string(type),
                           fmt::format("more than {} '.' on one line: a key of so many dotted "
                                       "parts is refused (no key needs more than a few)",
                                       kMostDots));
        }
        if (c == '#') in = In::comment;
        if (rest.starts_with("\"\"\"")) {
          in = In::basic_lines;
          i += 2;
        } else if (rest.starts_with("'''")) {
          in = In::literal_lines;
          i += 2;
        } else if (c == '"') {
          in = In::basic;
        } else if (c == '\'') {
          in = In::literal;
        }
        break;
      case In::comment:
        break;
      case In::basic:
        if (c == '\\') {
          ++i;  // an escaped character, a quote among them
        } else if (c == '"') {
          in = In::code;
        }
        break;
      case In::literal:
        if (c == '\'') in = In::code;
        break;
      case In::basic_lines:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
        } else if (rest.starts_with("\"\"\"")) {
          in = In::code;
          i += 2;
        }
        break;
      case In::literal_lines:
        if (rest.starts_with("'''")) {
          in = In::code;
          i += 2;
        }
        break;
    }
  }
}

// The reason a TOML parse error of `text` gives at `line` and `column`, as toml++ words it
// (`description`), except an integer past 64 bits, which toml++ reports without its key and its
// sign ("Error while parsing decimal integer: '9223372036854775809' is not representable in 64
// bits"): named as `'KEY' = VALUE is not a 64-bit integer ...`; and a key given twice, which
// toml++ garbles when it is quoted: `"KEY" is given twice in one table ...`.
std::string toml_reason(std::string_view text, std::uint64_t line, std::uint64_t column,
                        std::string_view description) {
  const bool too_big = description.find("not representable in 64 bits") != std::string_view::npos;
  // A key given twice: toml++ prints a quoted one garbled ('"popopulation.users" '), and every
  // swept key is quoted (helper-54's R5). Its error's column is the value's; the key is the one
  // before that value's '=' (an inline table's own, not its table's: helper-55's Q4).
  const bool twice =
      description.starts_with("Error while parsing key-value pair: cannot redefine existing") &&
      description.find("dotted") == std::string_view::npos;
  if ((!too_big && !twice) || line == 0) return std::string(description);
  std::string_view at = text;
  for (std::uint64_t n = 1; n < line && !at.empty(); ++n) {
    const std::size_t next = at.find('\n');
    at = next == std::string_view::npos ? std::string_view() : at.substr(next + 1);
  }
  at = at.substr(0, at.find('\n'));
  if (twice) {
    const std::string_view key = key_before_value(at, column);
    if (key.empty()) return std::string(description);
    const bool quoted = key.starts_with('"') || key.starts_with('\'');
    return fmt::format("{}{}{} is given twice in one table (TOML allows a key once)",
                       quoted ? "" : "'", key, quoted ? "" : "'");
  }
  // The number ends where toml++'s column points (one past its last digit); its key is the one
  // before its '=', an inline table's own (helper-87's F2: `ledger = { initial_price = 1e20 }`
  // named 'ledger', and a value followed by more showed all the rest).
  const std::size_t end = std::min<std::size_t>(column == 0 ? 0 : column - 1, at.size());
  std::size_t start = end;
  while (start > 0 &&
         (std::isdigit(static_cast<unsigned char>(at[start - 1])) != 0 || at[start - 1] == '_')) {
    --start;
  }
  if (start > 0 && (at[start - 1] == '-' || at[start - 1] == '+')) --start;
  if (const std::string_view key = key_before_value(at, start + 1); !key.empty() && start < end) {
    const bool quoted = key.starts_with('"') || key.starts_with('\'');
    return fmt::format("{}{}{} = {} is not a 64-bit integer (TOML's integers are "
                       "-9223372036854775808 to 9223372036854775807)",
                       quoted ? "" : "'", key, quoted ? "" : "'", at.substr(start, end - start));
  }
  at = at.substr(0, at.find('#'));  // elsewhere (in an array): the line's key and value
  const std::size_t equals = at.find('=');
  if (equals == std::string_view::npos) return std::string(description);
  return fmt::format("'{}' = {} is not a 64-bit integer (TOML's integers are "
                     "-9223372036854775808 to 9223372036854775807)",
                     trim(at.substr(0, equals)), trim(at.substr(equals + 1)));
}

// Throws where `text` holds a NUL byte or is not UTF-8, naming the line, the key of that line's
// value and the column: toml++ says only "Encountered invalid utf-8 sequence", or a parse error
// that shows the NUL as '\u0000', with neither (helper-93's F2).
void refuse_bad_bytes(std::string_view text, const std::string& file, std::string_view type) {
  const std::size_t bad = invalid_text_at(text);
  if (bad == std::string_view::npos) return;
  const std::size_t line_start = text.rfind('\n', bad) + 1;  // npos + 1 == 0 on the first line
  const auto line = static_cast<std::uint64_t>(
      std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n') + 1);
  // The key is what comes before the line's '=', if that is before the byte (a value's byte).
  const std::string_view before = text.substr(line_start, bad - line_start);
  const std::size_t equals = before.find('=');
  const std::string_view key =
      equals == std::string_view::npos ? std::string_view() : trim(before.substr(0, equals));
  const bool quoted = key.starts_with('"') || key.starts_with('\'');
  const std::string which =
      key.empty() ? "the line"
                  : fmt::format("the value of {}{}{}", quoted ? "" : "'", key, quoted ? "" : "'");
  const auto byte = static_cast<unsigned>(static_cast<unsigned char>(text[bad]));
  const std::size_t column = bad - line_start + 1;
  throw InputError(file, line, std::string(type),
                   byte == 0 ? fmt::format("{} contains a NUL byte (column {})", which, column)
                             : fmt::format("{} is not valid UTF-8 (byte 0x{:02X} at column {})",
                                           which, byte, column));
}

}  // namespace

toml::table read_toml(std::string_view text, const std::string& file, std::string_view type) {
  refuse_bad_bytes(text, file, type);
  refuse_deep_keys(text, file, type);
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    const std::uint64_t line = error.source().begin.line;
    throw InputError(file, line == 0 ? 1 : line, std::string(type),
                     toml_reason(text, line, error.source().begin.column, error.description()));
  }
}

}  // namespace yl
