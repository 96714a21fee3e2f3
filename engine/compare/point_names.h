// A point's label as a comparison shows it short: on the HTML page's charts and metric tables,
// the XLSX charts and the text table (the Points table and CSV give it whole).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/compare/results.h"

namespace yl::compare {

// Each point's short label and its name on charts ("3: debt, streamed, 3600"), by position in
// results.points.
struct PointNames {
  std::vector<std::string> label;
  std::vector<std::string> chart;
  // The keys whose values a label shown by its values alone gives, in their order; empty where
  // no label is.
  std::vector<std::string> value_keys;
  bool gaps = false;  // some label so shown has kNoValue for a key its point does not give
};

// What a label shown by its values alone has in the place of a key its point does not give.
inline constexpr std::string_view kNoValue = "–";

PointNames point_names(const Results& results);

// A label's `KEY=VALUE` pairs (joined by ", "; a string value may hold ", " too): the key, and the
// value with its '=' ("" where there is none).
std::vector<std::pair<std::string_view, std::string_view>> label_pairs(std::string_view label);

// A point's label short: each `key=value` with the key's last dotted parts that no other key
// ends with (`share`; `1.share` beside `strategy.2.share`): the keys of the label and `keys`, the
// keys of every point's label (`point_names` passes them: points sweeping strategy.1.share,
// strategy.2.share and strategy.3.share one each were all `share=10`, helper-66's F2); where that
// passes 32 bytes and `values_alone`, the values alone, in the order of `keys` with kNoValue for
// a key the label does not give (so that a value's place names its key whatever keys and order
// a point gives: helper-58's R4), in the label's order without `keys`; at most 32 bytes ('…'
// where cut).
std::string short_label(const std::string& label, bool values_alone = true,
                        const std::vector<std::string_view>& keys = {});

}  // namespace yl::compare
