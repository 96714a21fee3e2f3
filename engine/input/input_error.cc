#include "engine/input/input_error.h"

#include <fmt/format.h>

namespace yl {

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {

// A message quotes the offending field; a hostile file can make that field megabytes long.
std::string bounded(std::string text) {
  text = escape_controls(text);
  constexpr std::size_t kMax = 400;
  if (text.size() <= kMax) return text;
  const std::size_t total = text.size();
  text.resize(kMax);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  return fmt::format("{}... ({} bytes in all)", text, total);
}

}  // namespace

InputError::InputError(std::string file, std::uint64_t line, std::string type, std::string reason)
    : std::runtime_error(fmt::format("{}:{}: {}: {}", bounded(file), line, type, bounded(reason))),
      file_(std::move(file)),
      line_(line),
      type_(std::move(type)),
      reason_(std::move(reason)) {}

}  // namespace yl
