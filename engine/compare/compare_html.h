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

html::Page comparison_page(const Comparison& comparison);

// A point's label as the page's charts and metric tables show it (the Points table shows it
// whole): each `key=value` with the key's last dotted part only (its last two where another key
// of the label ends alike); where that passes 32 bytes and `values_alone` (every point of the
// page gives its keys as the first of one list of keys, so that a value's place names its key: a
// product or zip sweep, or one crossed with [[sweep.points]] that add keys, not points giving
// keys in other orders, helper-58's R4), the values alone; at most 32 bytes ('…' where cut).
std::string short_label(const std::string& label, bool values_alone = true);

}  // namespace yl::compare
