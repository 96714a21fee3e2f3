#include "engine/export/table_sink.h"

#include <atomic>

#include <fmt/format.h>

#include "engine/input/input_file.h"
#include "engine/output/output_file.h"

namespace yl {

std::filesystem::path partial_path(const std::filesystem::path& final_path) {
  static std::atomic<std::uint64_t> made{0};
  return final_path.parent_path() /
         fmt::format("{}.{}-{}.partial", hidden_name(final_path), process_mark(), made++);
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
