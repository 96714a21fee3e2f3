// A streaming RFC 4180 reader for the events file (SPEC §1.2): quoted fields with "" escapes and
// embedded commas or line breaks, LF or CRLF line ends, a leading UTF-8 byte-order mark skipped,
// empty lines skipped, fields never trimmed.
//
// It reads the stream in large blocks (1 MiB) and hands out fields as views into its buffer:
// an unquoted field is never copied, a quoted one is unescaped once into a scratch string.
// Memory stays bounded by the block size plus the longest record, not by the file.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yl {

struct CsvRecord {
  std::uint64_t line = 0;  // the physical line the record starts on, from 1
  std::vector<std::string> fields;
};

// One record's fields as views into the reader, valid until its next call to next().
struct CsvFields {
  std::uint64_t line = 0;  // the physical line the record starts on, from 1
  std::vector<std::string_view> fields;
};

class CsvReader {
 public:
  // `file_name` is used only in error messages. The stream must outlive the reader.
  CsvReader(std::istream& in, std::string file_name);

  // Reads the next non-empty record. Returns false at end of input. Throws InputError (type
  // `csv`) on malformed quoting, a NUL byte or invalid UTF-8, at the record's first line.
  bool next(CsvFields& record);
  // The same, copying the fields into strings.
  bool next(CsvRecord& record);
  // From now on, a record of more than `count` fields is refused at its first line, "expected
  // COUNT fields, found N", without holding a view of each (a 50 MB line of commas took 2 GB).
  void limit_fields(std::size_t count) { max_fields_ = count; }

 private:
  enum class Scan { record, need_more, end };
  struct Span {
    bool unescaped;  // in unescaped_ (a quoted field), else in buffer_
    std::size_t offset;
    std::size_t size;
  };

  // Scans one record from begin_; `need_more` if it runs into the end of the buffered bytes
  // before the stream's end (then nothing is consumed but empty lines).
  Scan scan(CsvFields& record);
  // Moves the unconsumed bytes to the front and reads more (growing the buffer if it is full).
  // Sets eof_ when the stream has no more.
  void fill();
  void skip_byte_order_mark();
  // Rejects a record with a NUL byte or invalid UTF-8 in a field.
  void validate(const CsvFields& record) const;
  [[noreturn]] void fail(std::uint64_t line, const std::string& reason) const;
  // Keeps the field's span, or only counts it past max_fields_.
  void add_span(const Span& span) {
    if (spans_.size() < max_fields_) {
      spans_.push_back(span);
    } else {
      ++surplus_fields_;
    }
  }

  std::istream& in_;
  std::string file_name_;
  bool header_seen_ = false;
  std::vector<std::string> header_;  // the first record's fields, as a message quotes them
  std::uint64_t line_ = 1;
  bool started_ = false;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;  // the first unconsumed byte
  std::size_t end_ = 0;    // one past the last buffered byte
  bool eof_ = false;
  std::string unescaped_;
  std::vector<Span> spans_;
  std::size_t max_fields_ = SIZE_MAX;
  std::size_t surplus_fields_ = 0;  // of the record being scanned, past max_fields_
  CsvFields views_;                 // for next(CsvRecord&)
};

}  // namespace yl
