#include "cli/render.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <system_error>

#include "engine/core/asset.h"
#include "engine/export/csv_sink.h"
#include "engine/input/input_error.h"

namespace yl::cli {
namespace {

// Characters, not bytes: UTF-8 continuation bytes do not count.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// A cell as a table shows it: escaped, and at most kMaxCellWidth characters.
std::string table_cell(const std::string& text) {
  std::string cell = escape_controls(text);
  if (display_width(cell) <= kMaxCellWidth) return cell;
  std::size_t end = 0, kept = 0;
  for (; end < cell.size(); ++end) {
    if ((static_cast<unsigned char>(cell[end]) & 0xC0) == 0x80) continue;
    if (kept == kMaxCellWidth - 1) break;
    ++kept;
  }
  cell.resize(end);
  return cell + "\u2026";  // …
}

[[noreturn]] void write_failed() {
  throw std::system_error(errno != 0 ? errno : EIO, std::generic_category(),
                          "cannot write to standard output");
}

// Flushes a table's output at once, while errno still holds a failed write's cause (EFBIG,
// ENOSPC, ...); later calls may overwrite it.
void check_written(std::ostream& out) {
  if (!out.flush()) write_failed();
}

}  // namespace

void flush_stdout() {
  std::cout.flush();
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || !std::cout) write_failed();
}

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
    check_written(out);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : table.rows) {
    rows.emplace_back();
    for (const std::string& cell : row) rows.back().push_back(table_cell(cell));
  }
  std::vector<std::size_t> widths;
  for (const Column& c : table.columns) widths.push_back(c.name.size());
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths[i] - display_width(cells[i]), ' ');
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
  for (const auto& row : rows) line(row);
  check_written(out);
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
