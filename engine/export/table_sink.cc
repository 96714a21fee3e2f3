#include "engine/export/table_sink.h"

#include <fmt/format.h>

namespace yl {

std::string too_many_rows_message(const TableSpec& spec, std::int64_t rows_max) {
  return fmt::format(
      "the '{}' table has more than {} rows, the most a spreadsheet sheet holds; {}leave it out "
      "with --tables, or export it as --format csv",
      spec.name, rows_max, spec.shorten_hint);
}

}  // namespace yl
