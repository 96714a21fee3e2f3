// Integer options and variables, read exactly. CLI11 and std::strtoll clamp an overflow to the
// type's limit (`--seed -1` became 2^64 - 1), and CLI11 reads "010" as octal 8 and "0x10" as hex:
// these accept base-10 digits only (an optional '-'), within the range asked, or say why not.
#pragma once

#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace yl::cli {

// `text`, all of it, as a base-10 integer of T within [min, max]; nullopt otherwise.
template <typename T>
std::optional<T> decimal(std::string_view text, T min = std::numeric_limits<T>::min(),
                         T max = std::numeric_limits<T>::max()) {
  T value = 0;
  const char* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

// A CLI11 validator for an option of type T: the text must be decimal<T>(text, min, max), else
// "--NAME: 'TEXT' is not an integer from MIN to MAX". Give it to `->transform()`, not
// `->check()` (which validates a copy): it hands CLI11 the number rewritten in a form CLI11 reads
// as it is ("010" as 10, not octal 8).
template <typename T>
CLI::Validator integer_check(T min = std::numeric_limits<T>::min(),
                             T max = std::numeric_limits<T>::max()) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        if (const auto value = decimal<T>(text, min, max)) {
          text = std::to_string(*value);
          return "";
        }
        return fmt::format("'{}' is not an integer from {} to {}", text, min, max);
      },
      fmt::format("INT in [{}, {}]", min, max));
}

}  // namespace yl::cli
