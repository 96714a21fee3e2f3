#include "engine/input/csv_reader.h"

#include <sstream>

#include <doctest/doctest.h>

#include "engine/input/input_error.h"

namespace {

std::vector<yl::CsvRecord> read_all(const std::string& text) {
  std::istringstream in(text);
  yl::CsvReader reader(in, "t.csv");
  std::vector<yl::CsvRecord> records;
  yl::CsvRecord record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

}  // namespace

TEST_CASE("CsvReader: RFC 4180 quoting, CRLF, BOM and empty lines (SPEC §1.2)") {
  const auto records =
      read_all("\xEF\xBB\xBF"
               "a,b\r\n\r\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",\n\nlast,row");
  REQUIRE(records.size() == 4);
  CHECK(records[0].line == 1);
  CHECK(records[0].fields == std::vector<std::string>{"a", "b"});
  CHECK(records[1].line == 3);
  CHECK(records[1].fields == std::vector<std::string>{"x,1", "say \"hi\""});
  CHECK(records[2].line == 4);  // a record spanning two lines is at its first
  CHECK(records[2].fields == std::vector<std::string>{"multi\nline", ""});
  CHECK(records[3].line == 7);
  CHECK(records[3].fields == std::vector<std::string>{"last", "row"});
}

TEST_CASE("CsvReader: fields are never trimmed") {
  const auto records = read_all(" a , b \n");
  REQUIRE(records.size() == 1);
  CHECK(records[0].fields == std::vector<std::string>{" a ", " b "});
}

TEST_CASE("CsvReader: malformed quoting is a csv error at the record's first line") {
  CHECK_THROWS_WITH_AS(read_all("a,b\n\"open\nstill open"),
                       "t.csv:2: csv: a quoted field is not closed before the end of the file",
                       yl::InputError);
  CHECK_THROWS_WITH_AS(read_all("a,b\nx\"y,z\n"),
                       "t.csv:2: csv: a quote inside an unquoted field (quote the whole field and "
                       "double it)",
                       yl::InputError);
  CHECK_THROWS_WITH_AS(read_all("a,b\n\"x\"y,z\n"),
                       "t.csv:2: csv: a quoted field must be followed by a comma or the end of "
                       "the line",
                       yl::InputError);
}

TEST_CASE("CsvReader: records across the reader's 1 MiB block boundary, and longer than a block") {
  // The first record ends 1 byte before the block's end, the second's quote escape and CRLF
  // straddle it; the third field is three blocks long (the buffer grows for it).
  const std::string pad((1 << 20) - 5, 'b');
  const std::string huge(3 << 20, 'c');
  const auto records = read_all("h,i\n" + pad + ",\"q\"\"\",z\r\n\r\nx,\"" + huge + "\"\"\"\nend");
  REQUIRE(records.size() == 4);
  CHECK(records[1].line == 2);
  CHECK(records[1].fields == std::vector<std::string>{pad, "q\"", "z"});
  CHECK(records[2].line == 4);  // line 3 is empty
  CHECK(records[2].fields == std::vector<std::string>{"x", huge + "\""});
  CHECK(records[3].line == 5);
  CHECK(records[3].fields == std::vector<std::string>{"end"});
  CHECK_THROWS_WITH_AS(read_all("h\n" + pad + "\"\n"),
                       "t.csv:2: csv: a quote inside an unquoted field (quote the whole field and "
                       "double it)",
                       yl::InputError);
}

TEST_CASE("CsvReader: past limit_fields a record is refused, counted but not held") {
  // A line of five million commas after a two-column header: refused with its exact count, its
  // fields never held (a 50 MB line of commas took 2 GB).
  std::istringstream in("a,b\n1,2\n\"x\",\"y\",z\n" + std::string(5'000'000, ',') + "\n");
  yl::CsvReader reader(in, "t.csv");
  yl::CsvFields record;
  REQUIRE(reader.next(record));
  reader.limit_fields(record.fields.size());
  REQUIRE(reader.next(record));
  CHECK(record.fields.size() == 2);
  CHECK_THROWS_WITH_AS(reader.next(record), "t.csv:3: csv: expected 2 fields, found 3",
                       yl::InputError);  // a quoted field counts as one too
  std::istringstream commas("a,b\n" + std::string(5'000'000, ',') + "\n");
  yl::CsvReader wide(commas, "t.csv");
  REQUIRE(wide.next(record));
  wide.limit_fields(2);
  CHECK_THROWS_WITH_AS(wide.next(record), "t.csv:2: csv: expected 2 fields, found 5000001",
                       yl::InputError);
}
