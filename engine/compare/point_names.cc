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
  std::vector<std::string_view> all_keys;  // of every point, in the order they first come
  for (const Point& p : r.points) {
    for (const auto& [key, value] : label_pairs(p.label)) {
      if (std::ranges::find(all_keys, key) == all_keys.end()) all_keys.push_back(key);
    }
  }
  PointNames names;
  bool by_values = false;
  for (const Point& p : r.points) {
    names.label.push_back(short_label(p.label, true, all_keys));
    const bool alone = names.label.back() != short_label(p.label, false, all_keys);
    by_values = by_values || alone;
    names.gaps = names.gaps || (alone && names.label.back().find(kNoValue) != std::string::npos);
    names.chart.push_back(p.label.empty() ? std::to_string(p.index)
                                          : fmt::format("{}: {}", p.index, names.label.back()));
  }
  if (by_values) names.value_keys.assign(all_keys.begin(), all_keys.end());
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
    // In the order of `keys` (of every point), '–' for one this label does not give, up to its
    // last: a value's place names its key whatever keys and order a point gives (a product
    // crossed with [[sweep.points]] of other keys was cut to the product's keys, alike at four
    // points of four policies: helper-72's F2). Without `keys`, in the label's order.
    std::vector<std::string_view> values;
    const auto value_of = [](std::string_view value) {
      std::string_view v = value.empty() ? value : value.substr(1);  // after the '='
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"' &&
          v.find_first_of("\\,", 1) == std::string_view::npos) {
        v = v.substr(1, v.size() - 2);
      }
      return v;
    };
    if (keys.empty()) {
      for (const auto& [key, value] : pairs) values.push_back(value_of(value));
    } else {
      for (const std::string_view k : keys) {
        const auto it = std::ranges::find(pairs, k, [](const auto& p) { return p.first; });
        values.push_back(it == pairs.end() ? kNoValue : value_of(it->second));
      }
      while (!values.empty() && values.back() == kNoValue) values.pop_back();
    }
    out.clear();
    for (const std::string_view v : values) {
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
