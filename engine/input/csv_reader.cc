#include "engine/input/csv_reader.h"

#include "engine/input/input_error.h"

namespace yl {

CsvReader::CsvReader(std::istream& in, std::string file_name)
    : in_(in), file_name_(std::move(file_name)) {}

// Straight from the stream buffer: istream::get() builds a sentry per character, which made
// reading the file as slow as applying it.
int CsvReader::get() { return in_.rdbuf()->sbumpc(); }
int CsvReader::peek() { return in_.rdbuf()->sgetc(); }

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
      return true;
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
      return true;
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
