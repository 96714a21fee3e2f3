// The summary of an export (the workbook's first sheet, `summary.csv`): the scenario and its
// parameters, the sources, per-asset totals at the end, and realized APYs: of the share price over
// the run, and of users and of dapps (realized_apy.h).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/ledger.h"
#include "engine/export/history.h"
#include "engine/export/table_sink.h"
#include "engine/input/scenario.h"

namespace yl {

struct SummaryCounts {
  std::int64_t events = 0;
  std::int64_t report_rows = 0;
};

std::vector<SummaryRow> build_summary(const Scenario& scenario, const Ledger& final_ledger,
                                      const HistorySampler& history, const SummaryCounts& counts);

}  // namespace yl
