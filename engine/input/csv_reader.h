// A streaming RFC 4180 reader for the events file (SPEC §1.2): quoted fields with "" escapes and
// embedded commas or line breaks, LF or CRLF line ends, a leading UTF-8 byte-order mark skipped,
// empty lines skipped, fields never trimmed. It holds one record at a time, so memory stays
// bounded by the longest record, not by the file.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace yl {

struct CsvRecord {
  std::uint64_t line = 0;  // the physical line the record starts on, from 1
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  // `file_name` is used only in error messages. The stream must outlive the reader.
  CsvReader(std::istream& in, std::string file_name);

  // Reads the next non-empty record into `record`. Returns false at end of input. Throws
  // InputError (type `csv`) on malformed quoting, a NUL byte or invalid UTF-8, at the record's
  // first line.
  bool next(CsvRecord& record);

 private:
  int get();
  int peek();
  // Rejects a record with a NUL byte or invalid UTF-8 in a field; returns true otherwise.
  bool validated(const CsvRecord& record) const;

  std::istream& in_;
  std::string file_name_;
  std::uint64_t line_ = 1;
  bool started_ = false;
};

}  // namespace yl
