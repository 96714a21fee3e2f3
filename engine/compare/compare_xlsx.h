// `compare --format xlsx`: a workbook with the `compare` sheet (rows_table(): the same numbers as
// the table, CSV and HTML outputs; exact integers of more than 15 digits stay text, as in
// `export`), a `charts` sheet of native Excel charts, per metric, asset and cohort: p5, p50, mean
// and p95 per point joined by a high-low line, and the paired difference against the baseline
// with its 95% interval, and `chart_data`, the (floating point) values they plot. With a contrast
// (--contrast), a `contrast` sheet after `compare`: contrast_table() under the statement of what it
// is of.
#pragma once

#include "engine/compare/comparison.h"
#include "engine/output/output_file.h"

namespace yl::compare {

// Writes the workbook to `out`'s temporary file and commits it. Throws ExportError, or
// UsageError, before any work, when its rows and header pass a sheet's `rows_per_sheet`
// (Excel's 1,048,576; a test passes less).
void write_comparison_xlsx(const Comparison& comparison, OutputFile& out,
                           const Contrast* contrast = nullptr,
                           std::size_t rows_per_sheet = 1'048'576);

}  // namespace yl::compare
