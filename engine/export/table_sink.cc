#include "engine/export/table_sink.h"

#include <fmt/format.h>

namespace yl {

std::filesystem::path partial_path(const std::filesystem::path& final_path) {
  return final_path.parent_path() / ("." + final_path.filename().string() + ".partial");
}

std::string too_many_rows_message(const TableSpec& spec, std::int64_t rows_max) {
  return fmt::format(
      "the '{}' table has more than {} rows, the most a spreadsheet sheet holds; {}leave it out "
      "with --tables, or export it as --format csv",
      spec.name, rows_max, spec.shorten_hint);
}

}  // namespace yl
