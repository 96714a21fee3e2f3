#include "cli/render.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "engine/core/asset.h"
#include "engine/export/csv_sink.h"
#include "engine/export/table_sink.h"
#include "engine/input/input_error.h"

namespace yl::cli {
namespace {

// Characters, not bytes: UTF-8 continuation bytes do not count.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// A cell as a table shows it: escaped, and at most kMaxCellWidth characters, or
// kMaxNumberWidth in a numeric column (an exact amount is never cut).
std::string table_cell(const std::string& text, bool numeric) {
  std::string cell = escape_controls(text);
  const std::size_t max_width = numeric ? kMaxNumberWidth : kMaxCellWidth;
  if (display_width(cell) <= max_width) return cell;
  std::size_t end = 0, kept = 0;
  for (; end < cell.size(); ++end) {
    if ((static_cast<unsigned char>(cell[end]) & 0xC0) == 0x80) continue;
    if (kept == max_width - 1) break;
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

void print_rows(std::ostream& out, const std::vector<Column>& columns, Format format,
                const std::function<void(const RowSink&)>& rows) {
  if (format == Format::csv) {
    rows([](const std::vector<std::string>&) {});  // every row read before the first is printed
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out << (i ? "," : "") << csv_field(columns[i].name);
    }
    out << '\n';
    rows([&](const std::vector<std::string>& row) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        out << (i ? "," : "") << csv_field(columns[i].defused ? defuse_formula(row[i]) : row[i]);
      }
      out << '\n';
      if (!out) write_failed();  // a closed pipe or a full disk stops the rows at once
    });
    check_written(out);
    return;
  }
  // A table: the rows once to measure the columns, then again to print them.
  std::vector<std::size_t> widths;
  for (const Column& c : columns) widths.push_back(c.name.size());
  rows([&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(table_cell(row[i], columns[i].numeric)));
    }
  });
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths[i] - display_width(cells[i]), ' ');
      if (i) text += "  ";
      text += columns[i].numeric ? pad + cells[i] : cells[i] + pad;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
    if (!out) write_failed();
  };
  std::vector<std::string> header;
  for (const Column& c : columns) header.push_back(c.name);
  line(header);
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  std::vector<std::string> cells;
  rows([&](const std::vector<std::string>& row) {
    cells.clear();
    for (std::size_t i = 0; i < row.size(); ++i) {
      cells.push_back(table_cell(row[i], columns[i].numeric));
    }
    line(cells);
  });
  check_written(out);
}

void print(std::ostream& out, const Table& table, Format format) {
  print_rows(out, table.columns, format, [&](const RowSink& sink) {
    for (const auto& row : table.rows) sink(row);
  });
}

std::string lowercase_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
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
