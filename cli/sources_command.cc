// `yieldledger sources --db FILE [--at TIME] [--format table|csv]` (SPEC §7.1).
#include <iostream>

#include "cli/commands.h"
#include "cli/query.h"

namespace yl::cli {
namespace {

void sources(const QueryOptions& options) {
  const Snapshot state = state_for(options);
  const Format format = output_format(options);
  const bool csv = format == Format::csv;
  Table table;
  if (csv) {
    table.columns = {{"source"},    {"asset"},         {"kind"}, {"apr_bps"},
                     {"value_wei"}, {"principal_wei"}, {"last"}};
  } else {
    table.columns = {{"source"},      {"asset"},           {"kind"}, {"apr_bps", true},
                     {"value", true}, {"principal", true}, {"last"}};
  }
  for (const SourceRow& r : state.sources) {
    table.rows.push_back(
        {r.source, std::string(asset_name(r.asset)), std::string(source_kind_name(r.kind)),
         std::to_string(r.apr_bps), csv ? r.value.wei_string() : units(r.value),
         csv ? r.principal.wei_string() : units(r.principal), format_timestamp(r.last)});
  }
  print(std::cout, table, format);
}

}  // namespace

void add_sources_command(CLI::App& app) {
  add_query_command(app, "sources", "Per yield source: rate, value, principal", /*with_at=*/true,
                    sources);
}

}  // namespace yl::cli
