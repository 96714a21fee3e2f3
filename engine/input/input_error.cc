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

std::string bounded(std::string_view text, std::size_t max_bytes) {
  std::string shown = escape_controls(text);
  if (shown.size() <= max_bytes) return shown;
  const std::size_t total = shown.size();
  shown.resize(max_bytes);
  while (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0xC0) == 0x80) {
    shown.pop_back();
  }
  return fmt::format("{}... ({} bytes in all)", shown, total);
}

std::string elided(std::string_view text, std::size_t max_bytes) {
  const std::string shown = escape_controls(text);
  // Whole when leaving out would save less than the note it costs ("... (N bytes left out) ...").
  constexpr std::size_t kNoteBytes = 40;
  if (shown.size() <= max_bytes + kNoteBytes) return shown;
  const auto continuation = [&](std::size_t i) {
    return i < shown.size() && (static_cast<unsigned char>(shown[i]) & 0xC0) == 0x80;
  };
  std::size_t head = max_bytes * 3 / 4;  // [0, head) and [tail, size) are kept, whole characters
  while (head > 0 && continuation(head)) --head;
  std::size_t tail = shown.size() - (max_bytes - max_bytes * 3 / 4);
  while (continuation(tail)) ++tail;
  return fmt::format("{}... ({} bytes left out) ...{}", shown.substr(0, head), tail - head,
                     shown.substr(tail));
}

InputError::InputError(std::string file, std::uint64_t line, std::string type, std::string reason)
    : std::runtime_error(fmt::format("{}:{}: {}: {}", elided(file), line, type, elided(reason))),
      file_(std::move(file)),
      line_(line),
      type_(std::move(type)),
      reason_(std::move(reason)) {}

}  // namespace yl
