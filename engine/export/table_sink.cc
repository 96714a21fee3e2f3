#include "engine/export/table_sink.h"

#include <fmt/format.h>
#include <unistd.h>

#include <random>

namespace yl {

std::filesystem::path partial_path(const std::filesystem::path& final_path) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return final_path.parent_path() / fmt::format(".{}.{}-{:08x}.partial",
                                                final_path.filename().string(), ::getpid(),
                                                random() & 0xffffffffU);
}

bool formula_like(const std::string& text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

std::string defuse_formula(const std::string& text) {
  return formula_like(text) ? "'" + text : text;
}

std::string too_many_rows_message(const TableSpec& spec, std::int64_t rows_max) {
  return fmt::format(
      "the '{}' table has more than {} rows, the most a spreadsheet sheet holds; {}leave it out "
      "with --tables, or export it as --format csv",
      spec.name, rows_max, spec.shorten_hint);
}

}  // namespace yl
