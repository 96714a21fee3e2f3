#include "engine/compare/point_names.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

namespace yl::compare {
namespace {

// Whether `text` at `at` starts a swept key and its '=' (the label's `KEY=VALUE` pairs are joined
// by ", ", and a string value may hold ", " too).
bool key_starts(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                               text[end] == '_' || text[end] == '.' || text[end] == '-')) {
    ++end;
  }
  return end > at && end < text.size() && text[end] == '=';
}

// The last `parts` dotted parts of `key` (an empty part counts: `..` has three), the whole key
// where it has no more (helper-68's F8: `..` and `...` were both `..`).
std::string_view key_tail(std::string_view key, int parts) {
  std::size_t at = key.size();
  for (int i = 0; i < parts; ++i) {
    if (at == 0) return key;
    at = key.rfind('.', at - 1);
    if (at == std::string_view::npos) return key;
  }
  return key.substr(at + 1);
}

// The keys of the points' labels in one order, where every point's keys are the first of them
// (a product or zip sweep gives the same keys at every point; a product crossed with
// [[sweep.points]] may give more at some): a value then has one key wherever it stands. Nothing
// where points give keys in other orders ("500, streamed" and "streamed, 500" could be read one
// as the other: helper-58's R4).
std::optional<std::vector<std::string_view>> positional_keys(const std::vector<Point>& points) {
  std::vector<std::string_view> all;
  for (const Point& point : points) {
    std::vector<std::string_view> keys;
    for (const auto& [key, value] : label_pairs(point.label)) keys.push_back(key);
    const std::size_t common = std::min(keys.size(), all.size());
    if (!std::equal(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(common),
                    all.begin())) {
      return std::nullopt;
    }
    if (keys.size() > all.size()) all = std::move(keys);
  }
  return all;
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> label_pairs(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(", ", start);
    while (end != std::string_view::npos && !key_starts(text, end + 2)) {
      end = text.find(", ", end + 2);
    }
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    const std::size_t equals = pair.find('=');
    pairs.emplace_back(pair.substr(0, equals),
                       equals == std::string_view::npos ? "" : pair.substr(equals));
    start = end + 2;
  }
  return pairs;
}

PointNames point_names(const Results& r) {
  const auto keys = positional_keys(r.points);
  std::vector<std::string_view> all_keys;  // of every point
  for (const Point& p : r.points) {
    for (const auto& [key, value] : label_pairs(p.label)) {
      if (std::ranges::find(all_keys, key) == all_keys.end()) all_keys.push_back(key);
    }
  }
  PointNames names;
  bool by_values = false;
  for (const Point& p : r.points) {
    names.label.push_back(short_label(p.label, keys.has_value(), all_keys));
    by_values = by_values || names.label.back() != short_label(p.label, false, all_keys);
    names.chart.push_back(p.label.empty() ? std::to_string(p.index)
                                          : fmt::format("{}: {}", p.index, names.label.back()));
  }
  if (by_values) names.value_keys.assign(keys->begin(), keys->end());
  return names;
}

// Whole labels (six policy keys make 200 characters) left a chart no room to plot and pushed a
// metric table's numbers out of sight (helper-48's F5).
std::string short_label(const std::string& label, bool values_alone,
                        const std::vector<std::string_view>& keys) {
  const auto pairs = label_pairs(label);
  std::string out;
  for (const auto& [key, value] : pairs) {
    // The key's last part, or as many more as tell it from every other key (source.tbill.schedule
    // and source.lido.schedule: tbill.schedule, lido.schedule).
    auto ends_alike = [&](std::string_view other, int parts) {
      return other != key && key_tail(other, parts) == key_tail(key, parts);
    };
    const auto most = static_cast<int>(std::ranges::count(key, '.')) + 1;  // the whole key
    int parts = 1;
    while (
        parts < most &&
        (std::ranges::any_of(keys, [&](std::string_view k) { return ends_alike(k, parts); }) ||
         std::ranges::any_of(pairs, [&](const auto& p) { return ends_alike(p.first, parts); }))) {
      ++parts;
    }
    out += out.empty() ? "" : ", ";
    out += key_tail(key, parts);
    out += value;
  }
  // At most 32 bytes with the '…' (3 bytes), cut by whole UTF-8 characters. Where the keys make
  // it longer, the values alone (a plain string without its quotes): the keys come in one order
  // at every point, named in the Points section (PointNames::value_keys), and the values are what
  // tells points apart (cut, the third key was lost at every point: helper-52's W11, helper-56's
  // F3).
  constexpr std::size_t kMost = 32;
  if (out.size() <= kMost) return out;
  if (values_alone && pairs.size() > 1) {
    out.clear();
    for (const auto& [key, value] : pairs) {
      std::string_view v = value.empty() ? value : value.substr(1);  // after the '='
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"' &&
          v.find_first_of("\\,", 1) == std::string_view::npos) {
        v = v.substr(1, v.size() - 2);
      }
      out += out.empty() ? "" : ", ";
      out += v;
    }
    if (out.size() <= kMost) return out;
  }
  std::size_t cut = kMost - 3;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "…";
}

}  // namespace yl::compare
