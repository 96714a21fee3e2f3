// Where text that must be UTF-8 is not: the events file (SPEC §1.2), read by the CSV reader field
// by field, and a scenario's or a study's TOML (TOML is UTF-8), read whole by read_toml.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace yl {

// The offset of the first byte that is not valid UTF-8 (or is NUL), or npos. The file is UTF-8
// (SPEC §1.2); a NUL or a broken sequence means it is not the file the user thinks it is.
inline std::size_t invalid_text_at(std::string_view field) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(field.data());
  const std::size_t n = field.size();
  for (std::size_t i = 0; i < n;) {
    // Eight bytes at a time while they are ASCII and not NUL (almost every field, whole).
    constexpr std::uint64_t kLow = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    std::uint64_t word;
    while (i + 8 <= n) {
      std::memcpy(&word, bytes + i, 8);
      if (((word | (word - kLow)) & kHigh) != 0) break;  // a byte >= 0x80, or a zero byte
      i += 8;
    }
    if (i == n) break;
    const unsigned char c = bytes[i];
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return i;
    }
    if (i + length > n) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return i;
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    const bool overlong = (length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
                          (length == 4 && code < 0x10000);
    if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace yl
