// `compare --format html`: one self-contained page (engine/html/report.h). Per metric and asset:
// the distribution over runs of each point (a strip chart: every run a dot, p5, p50 and p95 as
// dashes; cohorts side by side), and the paired differences against the baseline as 95%
// intervals (floating bars) around their means; per series, a fan chart (p5–p95 band and the
// median) per point. Each chart sits beside the numbers it draws, from rows_table().
#pragma once

#include <string>

#include "engine/compare/comparison.h"
#include "engine/html/report.h"

namespace yl::compare {

// With a contrast (--contrast), a section of its own after the points: a chart of the cohorts'
// intervals per metric and asset, and contrast_table().
html::Page comparison_page(const Comparison& comparison, const Contrast* contrast = nullptr);

}  // namespace yl::compare
