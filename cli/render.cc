#include "cli/render.h"

#include <algorithm>

#include "engine/core/asset.h"
#include "engine/export/csv_sink.h"

namespace yl::cli {

void print(std::ostream& out, const Table& table, Format format) {
  if (format == Format::csv) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      out << (i ? "," : "") << csv_field(table.columns[i].name);
    }
    out << '\n';
    for (const auto& row : table.rows) {
      for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
      out << '\n';
    }
    return;
  }
  std::vector<std::size_t> widths;
  for (const Column& c : table.columns) widths.push_back(c.name.size());
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths[i] - cells[i].size(), ' ');
      if (i) text += "  ";
      text += table.columns[i].numeric ? pad + cells[i] : cells[i] + pad;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  };
  std::vector<std::string> header;
  for (const Column& c : table.columns) header.push_back(c.name);
  line(header);
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : table.rows) line(row);
}

std::string signed_units(const std::string& signed_wei) {
  const bool negative = !signed_wei.empty() && signed_wei[0] == '-';
  const auto magnitude = Amount::parse_wei(negative ? signed_wei.substr(1) : signed_wei);
  if (!magnitude) return signed_wei;
  std::string text = negative ? "-" : "";
  text += units(*magnitude);
  return text;
}

}  // namespace yl::cli
