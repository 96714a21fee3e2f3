// Output for people and for spreadsheets (SPEC §7.1): CSV with a header row, plain integers and
// RFC 4180 quoting; or an aligned table with numbers right-aligned.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/core/amount.h"

namespace yl::cli {

enum class Format { table, csv };

struct Column {
  std::string name;
  bool numeric = false;  // right-aligned in tables
  // A text column that quotes the user's input (a file name) outside the SPEC §7 outputs: its CSV
  // cells are defused as export's are (defuse_formula), so "=HYPERLINK(...).csv" is no formula.
  bool defused = false;
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
};

// Tables escape control characters in cells (escape_controls) and cap each cell at
// kMaxCellWidth characters, the last one an ellipsis, so that a hostile million-character id
// prints as one short cell. CSV prints every cell whole (RFC 4180 quoting).
inline constexpr std::size_t kMaxCellWidth = 64;
// A numeric column's cells are cut only past 82: every amount fits whole (below 2^256, 78 digits,
// with a sign and a decimal point; a signed price step or share count too).
inline constexpr std::size_t kMaxNumberWidth = 82;
void print(std::ostream& out, const Table& table, Format format);
// The same for rows too many to hold: `rows(sink)` gives every row to `sink`, the same rows each
// time it is called, twice: first to read them all (and measure a table's columns), then to
// print them. A row that cannot be read (a ledger changed by hand) throws before anything is
// printed, in CSV too.
using RowSink = std::function<void(const std::vector<std::string>&)>;
void print_rows(std::ostream& out, const std::vector<Column>& columns, Format format,
                const std::function<void(const RowSink&)>& rows);

// Flushes stdout and checks that everything written reached it (like coreutils' close_stdout);
// throws std::system_error ("cannot write to standard output") otherwise. Called before exiting.
void flush_stdout();

// The extension of `path` in lower case ("R.XLSX" -> ".xlsx"): how export and compare take a
// format from --out.
std::string lowercase_extension(const std::string& path);

// The same for signed canonical wei text ("-1500000000000000000" -> "-1.5").
std::string signed_units(const std::string& signed_wei);

}  // namespace yl::cli
