#include "engine/input/input_error.h"

#include <fmt/format.h>

namespace yl {

namespace {

// The length of the valid UTF-8 sequence at `text[i]` (a lead byte of 2 to 4), 0 if it is none:
// no overlong form, no surrogate, nothing past U+10FFFF (RFC 3629).
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned char {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned char c = at(0);
  const std::size_t n = c >= 0xc2 && c <= 0xdf   ? 2
                        : c >= 0xe0 && c <= 0xef ? 3
                        : c >= 0xf0 && c <= 0xf4 ? 4
                                                 : 0;
  if (n == 0) return 0;
  // The second byte's range where the lead narrows it; 0x80-0xbf otherwise, as every later one.
  const unsigned char low = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
  const unsigned char high = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
  if (at(1) < low || at(1) > high) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (at(k) < 0x80 || at(k) > 0xbf) return 0;
  }
  return n;
}

// The code point of the valid UTF-8 sequence of `n` bytes at `i`.
char32_t code_point(std::string_view text, std::size_t i, std::size_t n) {
  const auto byte = [&](std::size_t k) { return static_cast<char32_t>(text[i + k]) & 0xff; };
  char32_t cp = byte(0) & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(k) & 0x3f);
  return cp;
}

// Whether a code point above U+007F is escaped: a C1 control (U+0080-U+009F), or one that shows
// as nothing, or as a space that is not one: a no-break or zero-width space, a byte order mark, a
// soft hyphen, a direction mark or override (which reorders what follows it on a terminal or a
// page). Quoted in a message it hid what was wrong ("unknown column 'time'" of a second U+FEFF;
// "invalid account name 'alice '" of a U+00A0: helper-87's F3).
bool invisible(char32_t cp) {
  return (cp >= 0x0080 && cp <= 0x009f) || cp == 0x00a0 || cp == 0x00ad || cp == 0x061c ||
         cp == 0x180e || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
         (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff ||
         (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

}  // namespace

std::string escape_controls(std::string_view text, Keep keep) {
  const bool page = keep == Keep::page_text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(text, i);
      if (n == 0) {
        // Not UTF-8: a bare 0x9b is CSI to a terminal in an 8-bit mode (helper-57's F3).
        out += page ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
      } else if (const char32_t cp = code_point(text, i, n); invisible(cp)) {
        out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
      } else {
        out.append(text.substr(i, n));
      }
      i += n == 0 ? 0 : n - 1;
    } else if (page && (c == '\n' || c == '\r' || c == '\t')) {
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
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
