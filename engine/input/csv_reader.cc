#include "engine/input/csv_reader.h"

#include <fmt/format.h>

#include <cstdint>

#include "engine/input/input_error.h"

namespace yl {
namespace {

// The offset of the first byte that is not valid UTF-8 (or is NUL), or npos. The file is UTF-8
// (SPEC §1.2); a NUL or a broken sequence means it is not the file the user thinks it is.
std::size_t invalid_text_at(const std::string& field) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(field.data());
  const std::size_t n = field.size();
  for (std::size_t i = 0; i < n;) {
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
  return std::string::npos;
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string file_name)
    : in_(in), file_name_(std::move(file_name)) {}

// Straight from the stream buffer: istream::get() builds a sentry per character, which made
// reading the file as slow as applying it.
int CsvReader::get() { return in_.rdbuf()->sbumpc(); }
int CsvReader::peek() { return in_.rdbuf()->sgetc(); }

bool CsvReader::validated(const CsvRecord& record) const {
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const std::string& field = record.fields[i];
    const std::size_t bad = invalid_text_at(field);
    if (bad == std::string::npos) continue;
    const auto byte = static_cast<unsigned>(static_cast<unsigned char>(field[bad]));
    throw InputError(file_name_, record.line, "csv",
                     byte == 0 ? fmt::format("field {} contains a NUL byte", i + 1)
                               : fmt::format("field {} is not valid UTF-8 (byte 0x{:02X} at "
                                             "offset {})",
                                             i + 1, byte, bad));
  }
  return true;
}

bool CsvReader::next(CsvRecord& record) {
  if (!started_) {
    started_ = true;
    if (peek() == 0xEF) {  // a UTF-8 byte-order mark is skipped, nothing else is
      const int b0 = get();
      const int b1 = get();
      const int b2 = get();
      if (b0 != 0xEF || b1 != 0xBB || b2 != 0xBF) {
        throw InputError(file_name_, line_, "csv", "the file starts with an invalid byte-order mark");
      }
    }
  }
  record.fields.clear();
  for (;;) {
    // Skip empty lines (LF or CRLF alone).
    int c = peek();
    if (c == '\n') {
      get();
      ++line_;
      continue;
    }
    if (c == '\r') {
      get();
      if (peek() == '\n') {
        get();
        ++line_;
        continue;
      }
      // A lone CR starts a record with a CR in its first field; handled below as data.
      in_.rdbuf()->sungetc();
    }
    break;
  }
  if (peek() == std::char_traits<char>::eof()) return false;

  record.line = line_;
  std::string field;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field was quoted and has closed
  for (;;) {
    const int c = get();
    if (c == std::char_traits<char>::eof()) {
      if (quoted) {
        throw InputError(file_name_, record.line, "csv",
                         "a quoted field is not closed before the end of the file");
      }
      record.fields.push_back(std::move(field));
      return validated(record);
    }
    if (quoted) {
      if (c == '"') {
        if (peek() == '"') {
          get();
          field.push_back('"');
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
      }
      continue;
    }
    if (c == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      continue;
    }
    if (c == '\n' || (c == '\r' && peek() == '\n')) {
      if (c == '\r') get();
      ++line_;
      record.fields.push_back(std::move(field));
      return validated(record);
    }
    if (was_quoted) {
      throw InputError(file_name_, record.line, "csv",
                       "a quoted field must be followed by a comma or the end of the line");
    }
    if (c == '"') {
      if (!field.empty()) {
        throw InputError(file_name_, record.line, "csv",
                         "a quote inside an unquoted field (quote the whole field and double it)");
      }
      quoted = true;
      continue;
    }
    field.push_back(static_cast<char>(c));
  }
}

}  // namespace yl
