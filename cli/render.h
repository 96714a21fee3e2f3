// Output for people and for spreadsheets (SPEC §7.1): CSV with a header row, plain integers and
// RFC 4180 quoting; or an aligned table with numbers right-aligned.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "engine/core/amount.h"

namespace yl::cli {

enum class Format { table, csv };

struct Column {
  std::string name;
  bool numeric = false;  // right-aligned in tables
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
};

void print(std::ostream& out, const Table& table, Format format);

// The same for signed canonical wei text ("-1500000000000000000" -> "-1.5").
std::string signed_units(const std::string& signed_wei);

}  // namespace yl::cli
