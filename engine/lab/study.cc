#include "engine/lab/study.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in <fmt/format.h> before fmt 11)
#include <openssl/evp.h>

#include "engine/input/input_error.h"
#include "engine/input/input_file.h"
#include "engine/input/names.h"
#include "engine/input/toml_text.h"
#include "engine/lab/prng.h"
#include "engine/runner.h"

namespace yl::lab {
namespace {

std::uint64_t line_of(const toml::node& node) { return node.source().begin.line; }

// "0", or zeros and a unit ("0s", "00d"): a duration of none, however written.
bool zero_duration(std::string_view written) {
  return written == "0" ||
         (written.size() >= 2 && written.find_first_not_of('0') == written.size() - 1 &&
          std::string_view("smhd").find(written.back()) != std::string_view::npos);
}

// Strict reads of the study's tables: every message is FILE:LINE: TYPE: reason.
class Reader {
 public:
  Reader(const std::string& file, std::string type) : file_(file), type_(std::move(type)) {}
  const std::string& file() const { return file_; }

  [[noreturn]] void fail(std::uint64_t line, const std::string& reason) const {
    throw InputError(file_, line == 0 ? 1 : line, type_, reason);
  }
  void only(const toml::table& t, std::initializer_list<std::string_view> allowed,
            std::string_view where) const {
    for (const auto& [key, node] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        fail(line_of(node), fmt::format("unknown key '{}'{}", key.str(), where));
      }
    }
  }
  const toml::table* table(const toml::table& parent, std::string_view key) const {
    const toml::node* node = parent.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) fail(line_of(*node), fmt::format("'{}' must be a table", key));
    return node->as_table();
  }
  std::string text(const toml::table& t, std::string_view key, std::string fallback) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_string()) fail(line_of(*node), fmt::format("'{}' must be a string", key));
    return node->as_string()->get();
  }
  std::int64_t integer(const toml::table& t, std::string_view key, std::int64_t fallback,
                       std::int64_t low, std::int64_t high) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_integer()) fail(line_of(*node), fmt::format("'{}' must be an integer", key));
    const std::int64_t v = node->as_integer()->get();
    if (v < low || v > high) {
      fail(line_of(*node),
           fmt::format("'{}' must be between {} and {} (got {})", key, low, high, v));
    }
    return v;
  }
  // A number (integer or float), finite, in [low, high].
  double number(const toml::table& t, std::string_view key, double fallback, double low,
                double high) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return fallback;
    double v = 0;
    if (node->is_integer()) {
      v = static_cast<double>(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      v = node->as_floating_point()->get();
    } else {
      fail(line_of(*node), fmt::format("'{}' must be a number", key));
    }
    if (!(v >= low && v <= high)) {
      fail(line_of(*node),
           fmt::format("'{}' must be between {} and {} (got {})", key, low, high, v));
    }
    return v;
  }
  std::int64_t duration(const toml::table& t, std::string_view key, std::int64_t fallback,
                        bool zero_ok) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return fallback;
    // A bare number (`lead = 60`) has no unit: say how to write one (helper-60's F11), the
    // number itself where it is a duration the key takes (not -60, nor 0 where 0 is too short:
    // helper-61's R5).
    if (node->is_integer() || node->is_floating_point()) {
      const auto* integer = node->as_integer();
      const bool as_written =
          integer != nullptr && (integer->get() > 0 || (zero_ok && integer->get() == 0));
      fail(line_of(*node), fmt::format("'{}' must be a string with a unit, such as \"{}s\"", key,
                                       as_written ? integer->get() : 90));
    }
    const std::string written = text(t, key, "");
    // Zero in any unit ("0s", "0d") is zero, where zero is allowed; else a duration too short
    // (helper-56's F8: "'lag' must look like … 90s (got '0s')").
    const bool zero = zero_duration(written);
    if (zero && zero_ok) return 0;
    if (zero)
      fail(line_of(*node), fmt::format("'{}' must be at least 1s (got '{}')", key, written));
    const auto seconds = parse_duration_seconds(written);
    if (!seconds) {
      fail(line_of(*node),
           fmt::format("'{}' must look like 1d, 12h, 30m or 90s (got '{}')", key, written));
    }
    if (*seconds > kMaxStudyDuration) {
      fail(line_of(*node), fmt::format("'{}' must be at most 100 years, {}s (got '{}')", key,
                                       kMaxStudyDuration, written));
    }
    return *seconds;
  }
  // A table of non-negative weights with the given keys, not all zero.
  template <std::size_t N>
  std::array<double, N> weights(const toml::table& parent, std::string_view key,
                                const std::array<std::string_view, N>& names,
                                std::array<double, N> fallback) const {
    const toml::table* t = table(parent, key);
    if (t == nullptr) return fallback;
    for (const auto& [name, node] : *t) {
      if (std::find(names.begin(), names.end(), name.str()) == names.end()) {
        fail(line_of(node), fmt::format("unknown key '{}' in '{}' (one of {})", name.str(), key,
                                        fmt::join(names, ", ")));
      }
    }
    std::array<double, N> out{};
    double sum = 0;
    for (std::size_t i = 0; i < N; ++i) sum += out[i] = number(*t, names[i], 0, 0, 1e12);
    if (sum <= 0) fail(line_of(*t), fmt::format("'{}' needs a positive weight", key));
    return out;
  }

 private:
  const std::string& file_;
  std::string type_;
};

DepositModel parse_deposit(const Reader& r, const toml::table& t, DepositModel fallback) {
  r.only(t, {"median", "spread"}, " in a deposit model");
  return {r.number(t, "median", fallback.median_units, 1e-6, 1e12),
          r.number(t, "spread", fallback.spread, 0, 5)};
}

Population parse_population(const Reader& r, const toml::table& t) {
  r.only(t,
         {"users", "dapps", "arrival", "modes", "assets", "deposit", "transfers_per_day",
          "withdrawals_per_day", "claims_per_day", "gas_per_day", "gas_fee", "churn_per_year",
          "dapp_claim_every"},
         " in [population]");
  Population p;
  p.users = r.integer(t, "users", p.users, 0, 10'000'000);
  p.dapps = r.integer(t, "dapps", p.dapps, 0, 1'000'000);
  p.arrival_s = r.duration(t, "arrival", 0, true);
  p.mode_weights = r.weights<3>(t, "modes", {"AUTOMATIC", "VOID", "CLAIMABLE"}, p.mode_weights);
  p.asset_weights = r.weights<4>(t, "assets", {"ETH", "USDC", "USDT", "DAI"}, p.asset_weights);
  if (const toml::table* deposit = r.table(t, "deposit")) {
    r.only(*deposit, {"ETH", "USD"}, " in [population.deposit]");
    if (const toml::table* eth = r.table(*deposit, "ETH")) p.eth = parse_deposit(r, *eth, p.eth);
    if (const toml::table* usd = r.table(*deposit, "USD")) p.usd = parse_deposit(r, *usd, p.usd);
  }
  p.transfers_per_day = r.number(t, "transfers_per_day", 0, 0, 1000);
  p.withdrawals_per_day = r.number(t, "withdrawals_per_day", 0, 0, 1000);
  p.claims_per_day = r.number(t, "claims_per_day", 0, 0, 1000);
  p.gas_per_day = r.number(t, "gas_per_day", 0, 0, 1000);
  p.gas_fee_eth = r.number(t, "gas_fee", p.gas_fee_eth, 1e-6, 1000);
  p.churn_per_year = r.number(t, "churn_per_year", 0, 0, 1000);
  p.dapp_claim_every_s = r.duration(t, "dapp_claim_every", p.dapp_claim_every_s, false);
  return p;
}

Strategy parse_strategy(const Reader& r, const toml::table& t) {
  Strategy s;
  const std::string kind = r.text(t, "kind", "");
  const std::array<std::string_view, 5> kinds = {"passive", "churner", "sniper", "whale",
                                                 "claimer"};
  const auto found = std::find(kinds.begin(), kinds.end(), kind);
  if (found == kinds.end()) {
    r.fail(line_of(t), fmt::format("[[strategy]] needs kind = one of {} (got '{}')",
                                   fmt::join(kinds, ", "), kind));
  }
  s.kind = static_cast<StrategyKind>(found - kinds.begin());
  switch (s.kind) {
    case StrategyKind::passive:
      r.only(t, {"kind", "share"}, " in a passive strategy");
      break;
    case StrategyKind::churner:
      r.only(t, {"kind", "share", "stay", "away"}, " in a churner strategy");
      break;
    case StrategyKind::sniper:
      r.only(t, {"kind", "share", "via", "lead", "lag", "every"}, " in a sniper strategy");
      break;
    case StrategyKind::whale:
      r.only(t, {"kind", "share", "size"}, " in a whale strategy");
      break;
    case StrategyKind::claimer:
      r.only(t, {"kind", "share", "claim_every"}, " in a claimer strategy");
      break;
  }
  s.share = r.number(t, "share", 1, 0, 1e12);
  const std::string via = r.text(t, "via", "deposit");
  if (via != "deposit" && via != "configure") {
    r.fail(line_of(*t.get("via")), "'via' must be deposit or configure");
  }
  s.via_configure = via == "configure";
  s.lead_s = r.duration(t, "lead", s.lead_s, false);
  s.lag_s = r.duration(t, "lag", s.lag_s, true);
  s.every = r.integer(t, "every", 1, 1, 1'000'000);
  s.size = r.number(t, "size", s.size, 1, 1e9);
  s.claim_every_s = r.duration(t, "claim_every", s.claim_every_s, false);
  s.stay_s = r.duration(t, "stay", s.stay_s, false);
  s.away_s = r.duration(t, "away", s.away_s, false);
  return s;
}

// Opens a file the study names (or the study itself), refusing what is not a regular file
// (before opening it: a FIFO would block) and a file over `max_bytes`, which keeps a wrong file
// (a log, /dev/zero behind a link) out of memory. Errors are FILE:LINE: TYPE: reason.
std::ifstream open_capped(const std::string& path, const std::string& file, std::uint64_t line,
                          const std::string& type, const std::string& what,
                          std::uintmax_t max_bytes, std::string_view limit) {
  std::ifstream in = open_input_file(path, file, line, type, what);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    throw InputError(file, line, type,
                     fmt::format("{} is {} bytes, more than the {} ({} bytes) it may have", what,
                                 size, limit, max_bytes));
  }
  // A read error or an allocation failure is thrown, never taken for the end of the file.
  in.exceptions(std::ios::badbit);
  return in;
}

// A schedule is one row (~27 bytes) per rate change: 16 MiB is over 600,000 rows, a year of
// changes every minute.
constexpr std::uintmax_t kMaxScheduleBytes = std::uintmax_t{16} << 20;

Schedule read_schedule(const Reader& r, const toml::node& where, const std::filesystem::path& path,
                       const std::string& written) {
  std::ifstream in = open_capped(path.string(), r.file(), line_of(where), "study",
                                 fmt::format("the schedule file '{}' (key 'schedule')", written),
                                 kMaxScheduleBytes, "16 MiB");
  // Errors name the file as it was opened (relative to the study's folder), not as written: the
  // written name would point at another file when the study is elsewhere.
  const std::string opened = path.string();
  Schedule out;
  std::string line;
  std::uint64_t number = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one) is skipped, as the events file's
    // reader skips it; the header was refused as not time,apr_bps (helper-36's F9).
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (line.empty()) continue;
    if (!header) {
      if (line != "time,apr_bps") {
        throw InputError(opened, number, "csv", "the header must be exactly time,apr_bps");
      }
      header = true;
      continue;
    }
    // Each error names its field (helper-45, helper-48: one message for every fault of a row).
    const auto fields = std::count(line.begin(), line.end(), ',') + 1;
    if (fields != 2) {
      throw InputError(opened, number, "csv",
                       fmt::format("a row has 2 fields, time,apr_bps; this one has {}", fields));
    }
    const std::string_view text(line);
    const std::size_t comma = text.find(',');
    const std::string_view time_text = text.substr(0, comma);
    const std::string_view bps = text.substr(comma + 1);
    const auto time = parse_timestamp(time_text);
    if (!time) {
      throw InputError(opened, number, "csv",
                       fmt::format("field 'time': {}", bad_time_message(time_text.substr(0, 40))));
    }
    const bool digits =
        !bps.empty() && bps.size() <= 6 &&
        std::all_of(bps.begin(), bps.end(), [](char c) { return c >= '0' && c <= '9'; });
    const auto apr_bps = digits ? std::stoul(std::string(bps)) : 0;
    if (!digits || apr_bps > 100'000) {
      throw InputError(opened, number, "csv",
                       fmt::format("field 'apr_bps': '{}' is not an integer from 0 to 100000",
                                   bps.substr(0, 40)));
    }
    // Two rows at one time are two set_rate events at one time, the later the rate from then
    // on, as in an events file (README "The study file"; refusing them refused studies that had
    // loaded: helper-73's R1).
    if (!out.empty() && *time < out.back().time) {
      throw InputError(opened, number, "csv",
                       fmt::format("field 'time': {} is before the row above's {} (times must "
                                   "not decrease)",
                                   time_text, format_timestamp(out.back().time)));
    }
    out.push_back({*time, static_cast<std::uint32_t>(apr_bps), number});
  }
  if (!header) throw InputError(opened, 1, "csv", "missing header row (time,apr_bps)");
  return out;
}

}  // namespace

std::filesystem::path file_identity(const std::filesystem::path& path) {
  // canonical(), not weakly_canonical(): `nodir/../x.csv` is no file (the system cannot open
  // it), though x.csv is; lexically it was x.csv, and took x.csv's rows (helper-55's Q2).
  std::error_code ec;
  std::filesystem::path out = std::filesystem::canonical(path, ec);
  return ec ? path : out;
}

namespace {

// Where a study's schedule files are read (by file_identity): `read` holds those read already; a
// file it does not hold is read and, with `keep`, kept in it.
struct ScheduleFiles {
  const Schedules* read = nullptr;
  Schedules* keep = nullptr;
};

SourceModel parse_source_model(const Reader& r, const toml::table& t, const Scenario& scenario,
                               const std::filesystem::path& dir, ScheduleFiles files) {
  r.only(t,
         {"name", "rate", "schedule", "mean_bps", "reversion", "volatility_bps", "min_bps",
          "max_bps", "step", "slashes_per_year", "slash_min_ppm", "slash_max_ppm"},
         " in [[source]]");
  SourceModel m;
  m.name = r.text(t, "name", "");
  const auto known = std::find_if(scenario.params.sources.begin(), scenario.params.sources.end(),
                                  [&](const SourceConfig& s) { return s.name == m.name; });
  if (known == scenario.params.sources.end()) {
    r.fail(line_of(t), fmt::format("[[source]] name '{}' is not a source of [scenario]", m.name));
  }
  const std::string rate = r.text(t, "rate", "constant");
  if (rate == "constant") {
    m.rate = RateModel::constant;
  } else if (rate == "schedule") {
    m.rate = RateModel::schedule;
  } else if (rate == "walk") {
    m.rate = RateModel::walk;
  } else {
    r.fail(line_of(*t.get("rate")), "'rate' must be constant, schedule or walk");
  }
  if (const toml::node* schedule = t.get("schedule")) {
    if (m.rate != RateModel::schedule)
      r.fail(line_of(*schedule), "'schedule' needs rate = schedule");
    const std::string written = r.text(t, "schedule", "");
    const std::filesystem::path path(written);
    m.schedule_path = path.is_absolute() ? path : dir / path;
    const std::filesystem::path file = file_identity(m.schedule_path);
    const auto held = files.read == nullptr ? Schedules::const_iterator{} : files.read->find(file);
    if (files.read != nullptr && held != files.read->end()) {
      m.schedule = held->second;
    } else {
      m.schedule =
          std::make_shared<const Schedule>(read_schedule(r, *schedule, m.schedule_path, written));
      if (files.keep != nullptr) files.keep->emplace(file, m.schedule);
    }
    for (const ScheduleRow& row : *m.schedule) {
      if (row.time < scenario.params.start || row.time > scenario.params.end) {
        r.fail(line_of(*schedule),
               fmt::format("schedule time {} ('{}', line {}) is outside the scenario's start {} "
                           "and end {}",
                           format_timestamp(row.time), m.schedule_path.string(), row.line,
                           format_timestamp(scenario.params.start),
                           format_timestamp(scenario.params.end)));
      }
    }
  } else if (m.rate == RateModel::schedule) {
    r.fail(line_of(t), "rate = schedule needs 'schedule' (a CSV file time,apr_bps)");
  }
  m.mean_bps = r.number(t, "mean_bps", known->apr_bps, 0, 100'000);
  m.reversion = r.number(t, "reversion", 1, 0, 1e6);
  m.volatility_bps = r.number(t, "volatility_bps", 0, 0, 100'000);
  m.min_bps = r.number(t, "min_bps", 0, 0, 100'000);
  m.max_bps = r.number(t, "max_bps", 100'000, 0, 100'000);
  if (m.min_bps > m.max_bps) r.fail(line_of(*t.get("max_bps")), "'max_bps' is below 'min_bps'");
  m.step_s = r.duration(t, "step", 86400, false);
  m.slashes_per_year = r.number(t, "slashes_per_year", 0, 0, 1e6);
  m.slash_min_ppm = r.integer(t, "slash_min_ppm", m.slash_min_ppm, 0, 1'000'000);
  m.slash_max_ppm = r.integer(t, "slash_max_ppm", m.slash_max_ppm, 0, 1'000'000);
  if (m.slash_min_ppm > m.slash_max_ppm) {
    r.fail(line_of(*t.get("slash_max_ppm")), "'slash_max_ppm' is below 'slash_min_ppm'");
  }
  return m;
}

// Every node's path in `table` ("a.b.0.c"), for mapping a line of the serialized scenario back
// to the study's own line.
void collect_paths(const toml::node& node, const std::string& path,
                   std::map<std::uint64_t, std::string>& by_line) {
  if (!path.empty() && line_of(node) != 0) by_line.emplace(line_of(node), path);
  const std::string prefix = path.empty() ? "" : path + ".";
  if (const toml::table* t = node.as_table()) {
    for (const auto& [key, child] : *t)
      collect_paths(child, prefix + std::string(key.str()), by_line);
  } else if (const toml::array* a = node.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      collect_paths(*a->get(i), prefix + std::to_string(i), by_line);
  }
}

// A path segment as an array index: all digits, at most 9 of them (more names no element, and
// std::stoul cannot throw on it); nullopt otherwise.
std::optional<std::size_t> array_index(const std::string& segment) {
  const bool digits =
      !segment.empty() && segment.size() <= 9 &&
      std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits ? std::optional(std::stoul(segment)) : std::nullopt;
}

// The element of `a` that a sweep key's segment names: the table whose `name` it is, else the
// element at its index; null when neither. A name comes first, so that a source named "1" is
// that source, not the second one.
toml::node* element_named(toml::array& a, const std::string& segment) {
  for (toml::node& element : a) {
    const toml::table* named = element.as_table();
    if (named != nullptr && named->get("name") != nullptr &&
        named->get("name")->value<std::string>() == segment) {
      return &element;
    }
  }
  const auto index = array_index(segment);
  return index ? a.get(*index) : nullptr;
}

const toml::node* node_at(const toml::node& root, const std::string& path) {
  const toml::node* node = &root;
  std::size_t begin = 0;
  while (node != nullptr && begin <= path.size()) {
    const std::size_t dot = std::min(path.find('.', begin), path.size());
    const std::string segment = path.substr(begin, dot - begin);
    if (const toml::table* t = node->as_table()) {
      node = t->get(segment);
    } else if (const toml::array* a = node->as_array()) {
      const auto index = array_index(segment);  // the paths collect_paths makes
      node = index ? a->get(*index) : nullptr;
    } else {
      return nullptr;
    }
    begin = dot + 1;
  }
  return node;
}

// The first key under `node` that is no bare key ([A-Za-z0-9_-]+, as every key of a scenario is),
// and its line. toml++ writes such a key bare when it holds a ' or a newline, and cannot read the
// text back (helper-82: the loader's error, then the re-parse below threw toml::parse_error, an
// internal error).
std::optional<std::pair<std::string, std::uint64_t>> odd_key(const toml::node& node) {
  auto bare = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  };
  if (const toml::table* t = node.as_table()) {
    for (const auto& [key, child] : *t) {
      const std::string_view k = key.str();
      if (k.empty() || !std::ranges::all_of(k, bare)) {
        return std::pair{std::string(k), line_of(child)};
      }
      if (auto inner = odd_key(child)) return inner;
    }
  } else if (const toml::array* a = node.as_array()) {
    for (const toml::node& element : *a) {
      if (auto inner = odd_key(element)) return inner;
    }
  }
  return std::nullopt;
}

// The [scenario] table as a scenario file of its own, checked by the ordinary loader (SPEC §1.1).
// A loader error at line L of the serialized text is reported at the study's line of that key.
Scenario check_scenario(const toml::table& scenario_table, const std::string& file,
                        const std::filesystem::path& dir, std::string* toml_out) {
  if (const auto odd = odd_key(scenario_table)) {
    throw InputError(file, odd->second != 0 ? odd->second : line_of(scenario_table), "scenario",
                     fmt::format("unknown key '{}' (in [scenario])", escape_controls(odd->first)));
  }
  std::ostringstream text;
  text << "events = \"events.csv\"\n" << scenario_table << "\n";
  *toml_out = text.str();
  Scenario parsed;
  try {
    parsed = parse_scenario(*toml_out, file, dir);
  } catch (const InputError& error) {
    std::uint64_t line = line_of(scenario_table);
    const toml::table reparsed = toml::parse(*toml_out);  // it reads back: no odd_key above
    std::map<std::uint64_t, std::string> by_line;
    collect_paths(reparsed, "", by_line);
    if (const auto it = by_line.find(error.line()); it != by_line.end()) {
      if (const toml::node* original = node_at(scenario_table, it->second)) {
        if (line_of(*original) != 0) line = line_of(*original);
      }
    }
    throw InputError(file, line, "scenario", error.reason() + " (in [scenario])");
  }
  // A run is one `run` takes as it is, without --max-reports: a cadence of seconds over months
  // made a sweep's run take minutes to hours, and generate a file `run` refused.
  const LedgerParams& p = parsed.params;
  const std::int64_t reports = scheduled_report_count(p.start, p.end, p.report_every_s);
  if (reports > kDefaultMaxReports) {
    const toml::node* every = scenario_table.get("report_every");
    throw InputError(
        file, every != nullptr && line_of(*every) != 0 ? line_of(*every) : line_of(scenario_table),
        "scenario",
        fmt::format("a run would make {} scheduled reports (one every {} s from {} to {}), more "
                    "than the limit of {} that `run` keeps without --max-reports; report less "
                    "often (in [scenario])",
                    reports, p.report_every_s, format_timestamp(p.start), format_timestamp(p.end),
                    kDefaultMaxReports));
  }
  return parsed;
}

Study parse_root(const toml::table& root, const std::string& file, const std::filesystem::path& dir,
                 ScheduleFiles files) {
  const Reader r(file, "study");
  r.only(root, {"name", "seed", "scenario", "population", "strategy", "source", "sweep"}, "");
  Study s;
  s.file = file;
  s.dir = dir;
  const toml::node* name = root.get("name");
  if (name == nullptr) r.fail(1, "missing key 'name' (the study's name)");
  s.name = r.text(root, "name", "");
  // The name is printed in summaries and in a comment line of generate's scenario.toml: a line
  // break there broke the file, an escape reached the terminal.
  if (s.name.empty()) r.fail(line_of(*name), "'name' must not be empty");
  if (std::any_of(s.name.begin(), s.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    r.fail(line_of(*name), "'name' must not hold control characters (a line break, a tab, an "
                           "escape)");
  }
  s.seed = static_cast<std::uint64_t>(r.integer(root, "seed", 0, 0, INT64_MAX));
  const toml::table* scenario = r.table(root, "scenario");
  if (scenario == nullptr) r.fail(1, "missing table [scenario] (a base scenario, SPEC §1.1)");
  if (const toml::node* events = scenario->get("events")) {
    r.fail(line_of(*events), "[scenario] must not name 'events': the lab writes the events");
  }
  s.scenario = check_scenario(*scenario, file, dir, &s.scenario_toml);
  if (const toml::table* population = r.table(root, "population")) {
    s.population = parse_population(r, *population);
  } else {
    r.fail(1, "missing table [population]");
  }
  if (const toml::node* strategies = root.get("strategy")) {
    if (!strategies->is_array_of_tables())
      r.fail(line_of(*strategies), "'strategy' must be [[strategy]] tables");
    for (const toml::node& node : *strategies->as_array()) {
      s.strategies.push_back(parse_strategy(r, *node.as_table()));
    }
  }
  if (s.strategies.empty()) s.strategies.push_back(Strategy{});
  double shares = 0;
  for (const Strategy& strategy : s.strategies) shares += strategy.share;
  if (shares <= 0) r.fail(line_of(*root.get("strategy")), "the strategies' shares add up to 0");
  if (const toml::node* sources = root.get("source")) {
    if (!sources->is_array_of_tables())
      r.fail(line_of(*sources), "'source' must be [[source]] tables");
    for (const toml::node& node : *sources->as_array()) {
      SourceModel model = parse_source_model(r, *node.as_table(), s.scenario, dir, files);
      for (const SourceModel& other : s.sources) {
        if (other.name == model.name)
          r.fail(line_of(node), fmt::format("[[source]] '{}' is repeated", model.name));
      }
      s.sources.push_back(std::move(model));
    }
  }
  // A copy keeps no source lines: only substitution uses it. Without [sweep]: its axes are in
  // `sweep`, substitution never touches them, and every point's study held a copy of them all
  // (a 2,000-value axis took 640 MB to sweep one run; helper-36's F10).
  s.root = root;
  s.root.erase("sweep");
  return s;
}

// Where a dotted path points: the parent container and the last segment. Missing intermediate
// tables are created only for scenario.policy and scenario.gas (keys with defaults, SPEC §1.1).
toml::node* resolve_for_write(toml::table& root, const std::string& path, std::string* leaf,
                              toml::node** parent) {
  std::vector<std::string> segments;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = path.find('.', begin);
    segments.push_back(
        path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  toml::node* node = &root;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const std::string& segment = segments[i];
    if (segment.empty()) return nullptr;
    toml::node* next = nullptr;
    if (toml::table* t = node->as_table()) {
      next = t->get(segment);
      const bool defaults =
          i == 1 && segments[0] == "scenario" && (segment == "policy" || segment == "gas");
      if (next == nullptr && defaults)
        next = t->insert_or_assign(segment, toml::table{}).first->second.as_table();
    } else if (toml::array* a = node->as_array()) {
      next = element_named(*a, segment);  // scenario.source.lido.apr_bps, or .source.0.
    }
    if (next == nullptr || !(next->is_table() || next->is_array())) return nullptr;
    node = next;
  }
  *leaf = segments.back();
  *parent = node;
  if (leaf->empty()) return nullptr;
  if (toml::table* t = node->as_table()) return t->get(*leaf);
  return nullptr;
}

std::string value_text(const toml::node& node) {
  std::ostringstream out;
  if (const auto* s = node.as_string()) {
    // A quote or backslash escaped, as TOML writes them: a value holding `", k="v` made the label
    // (and the seeds) of two keys (helper-54's R8).
    out << '"';
    for (const char c : s->get()) out << (c == '"' || c == '\\' ? "\\" : "") << c;
    out << '"';
  } else {
    node.visit([&](const auto& v) { out << v; });
  }
  return out.str();
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string type_name(const toml::node& node) {
  std::ostringstream out;
  out << node.type();
  return out.str();
}

// Whether `text` holds `word` with no letter, digit or '_' on either side.
bool names_word(std::string_view text, std::string_view word) {
  const auto part = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    if ((at == 0 || !part(text[at - 1])) && (end == text.size() || !part(text[end]))) return true;
  }
  return false;
}

// Substitutes `value` at `path` in `root`; throws InputError (sweep, at `line`) when the path
// names nothing or the value's type differs from the study's.
void substitute(toml::table& root, const std::string& path, const toml::node& value,
                const std::string& file, std::uint64_t line) {
  const Reader r(file, "sweep");
  if (path.starts_with("sweep.") || path == "seed" || path == "name") {
    r.fail(line, fmt::format("'{}' cannot be swept", path));
  }
  // Keys and names are [A-Za-z0-9_.-] (names.h): any other byte names nothing, and a ' or a
  // newline in a key would reach the [scenario] table's text bare (toml++ writes it so), which
  // cannot be read back (helper-82: an uncaught toml::parse_error, "internal error").
  if (!std::ranges::all_of(path, [](char c) { return is_valid_name(std::string_view(&c, 1)); })) {
    r.fail(line, fmt::format("'{}' names nothing in the study (its keys and names are letters, "
                             "digits, '_', '-' and '.')",
                             escape_controls(path)));
  }
  std::string leaf;
  toml::node* parent = nullptr;
  toml::node* existing = resolve_for_write(root, path, &leaf, &parent);
  if (parent == nullptr || !parent->is_table()) {
    // A scenario key given without `scenario.` (helper-72's F8: `policy.protocol_fee_bps`).
    std::string hint;
    if (!path.starts_with("scenario.")) {
      toml::table copy = root;  // resolving may add scenario.policy or scenario.gas
      std::string scenario_leaf;
      toml::node* scenario_parent = nullptr;
      resolve_for_write(copy, "scenario." + path, &scenario_leaf, &scenario_parent);
      if (scenario_parent != nullptr && scenario_parent->is_table()) {
        hint = fmt::format("; did you mean 'scenario.{}'? (the scenario's keys are under "
                           "scenario.)",
                           path);
      }
    }
    r.fail(line, fmt::format("'{}' names nothing in the study{}", path, hint));
  }
  if (existing != nullptr) {
    const bool number_ok = existing->is_floating_point() && value.is_integer();
    if (existing->type() != value.type() && !number_ok) {
      r.fail(line, fmt::format("'{}' is {} in the study, but the sweep gives {} ({})", path,
                               type_name(*existing), type_name(value), value_text(value)));
    }
    if (existing->is_table() || existing->is_array()) {
      r.fail(line, fmt::format("'{}' names a table, not a value", path));
    }
  }
  if (value.is_table() || value.is_array())
    r.fail(line, fmt::format("'{}': sweep values must be plain values", path));
  parent->as_table()->insert_or_assign(leaf, value);
}

// A sweep value as it counts, for finding one listed twice: an integral float as the integer
// (4.0 as 4), a duration as its seconds ("168h" as "7d"), anything else as written.
std::string value_key(const toml::node& value) {
  if (const auto* f = value.as_floating_point()) {
    const double v = f->get();
    if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9.0e15) {
      return fmt::format("{}", static_cast<std::int64_t>(v));
    }
  }
  if (const auto* text = value.as_string()) {
    // "0", "0s" and "0m" are one (helper-58's R1), as "7d" and "168h" are.
    if (zero_duration(text->get())) return "0 seconds";
    if (const auto seconds = parse_duration_seconds(text->get())) {
      return fmt::format("{} seconds", *seconds);
    }
  }
  std::ostringstream out;
  out << toml::json_formatter{value};
  return out.str();
}

Study point_study(const Study& study, const Point& point, ScheduleFiles files);

// A value listed twice would make two points of one (the same label, the same runs). So would a
// [[sweep.points]] value the study already has, with `study_value` (the study's own value at a
// key, null where it has none): it counts as left out. Checked once every point has been, so that
// a key that names nothing, or cannot take the value, is named as such (helper-55's Q1).
void refuse_twice(const Reader& r, const Axis& axis,
                  const std::function<const toml::node*(const std::string&)>& study_value) {
  const bool listed = !axis.listed.empty();
  // What a point counts as -> as first written, and whether it gave a value the study has.
  std::map<std::string, std::pair<std::string, bool>> seen;
  for (std::size_t i = 0; i < axis.size(); ++i) {
    std::string tuple;
    std::string key;  // the values as they count: 4 and 4.0 are one, so are "7d" and "168h"
    bool the_studys = false;
    axis.each(i, [&](std::size_t k, const toml::node& value, std::uint64_t) {
      std::ostringstream text;
      text << toml::json_formatter{value};
      tuple += (tuple.empty() ? "" : ", ") + (listed ? axis.keys[k] + "=" : "") + text.str();
      const toml::node* own = listed && study_value ? study_value(axis.keys[k]) : nullptr;
      if (own != nullptr && value_key(*own) == value_key(value)) {
        the_studys = true;
        return;
      }
      key += fmt::format("\x1f{}={}", k, value_key(value));
    });
    if (listed && tuple.empty()) tuple = "no key: the study as written";
    const auto [first_seen, inserted] = seen.emplace(key, std::pair{tuple, the_studys});
    if (inserted) continue;
    const std::string& first = first_seen->second.first;
    const bool zip = axis.keys.size() > 1 || listed;
    const std::string shown = zip ? "(" + tuple + ")" : tuple;
    const std::string what =
        first == tuple ? fmt::format("{} twice", shown)
                       : fmt::format("{} and {}, one {} twice", zip ? "(" + first + ")" : first,
                                     shown, listed ? "point" : "value");
    if (listed) {
      const bool studys = the_studys || first_seen->second.second;
      r.fail(axis.listed[i].line,
             fmt::format("[[sweep.points]] lists {}{}: the two points would be one", what,
                         studys ? " (a value the study has already counts as left out)" : ""));
    }
    r.fail(
        axis.lines.front(),
        zip ? fmt::format("the zip of '{}' lists {}: the two points would be one",
                          fmt::join(axis.keys, "', '"), what)
            : fmt::format("'{}' lists {}: the two points would be one", axis.keys.front(), what));
  }
}

Sweep parse_sweep(const Reader& r, const toml::table& t) {
  r.only(t, {"runs", "series_every", "product", "zip", "points"}, " in [sweep]");
  Sweep sweep;
  sweep.line = line_of(t);
  sweep.runs = r.integer(t, "runs", 1, 1, 1'000'000);
  sweep.series_every = r.text(t, "series_every", "");
  if (!sweep.series_every.empty()) {
    sweep.series_every_s = r.duration(t, "series_every", 0, false);
    sweep.series_every_line = line_of(*t.get("series_every"));
  }
  // A group's keys in file order: toml++ iterates a table by key, and an inline table's keys share
  // a line (they were expanded alphabetically: helper-44's F15), so by line, then column.
  auto in_order = [&](const toml::table& group, std::string_view where, std::string_view value) {
    std::vector<std::pair<std::string, const toml::node*>> out;
    for (const auto& [key, node] : group) out.emplace_back(key.str(), &node);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      const toml::source_position& x = a.second->source().begin;
      const toml::source_position& y = b.second->source().begin;
      return std::pair(x.line, x.column) < std::pair(y.line, y.column);
    });
    for (const auto& [key, node] : out) {
      const toml::table* nested = node->as_table();
      if (nested != nullptr && !nested->empty()) {  // population.users = [..]: TOML's tables
        r.fail(line_of(*node), fmt::format("'{}' in {} is a table: quote a dotted key, as in "
                                           "\"{}.{}\" = {}",
                                           key, where, key, nested->begin()->first.str(), value));
      }
    }
    return out;
  };
  auto lists = [&](const toml::table& group, std::string_view where) {
    std::vector<std::tuple<std::uint64_t, std::string, toml::array>> out;
    for (const auto& [key, node] : in_order(group, fmt::format("[sweep.{}]", where), "[...]")) {
      const toml::array* values = node->as_array();
      if (values == nullptr || values->empty()) {
        r.fail(line_of(*node),
               fmt::format("'{}' in [sweep.{}] must be a non-empty list", key, where));
      }
      out.emplace_back(line_of(*node), key, *values);
    }
    return out;
  };
  if (const toml::table* product = r.table(t, "product")) {
    for (auto& [line, key, values] : lists(*product, "product")) {
      sweep.axes.push_back(Axis{{key}, {line}, {values}, {}});
    }
  }
  if (const toml::table* zip = r.table(t, "zip")) {
    Axis axis;
    for (auto& [line, key, values] : lists(*zip, "zip")) {
      if (!axis.values.empty() && values.size() != axis.values.front().size()) {
        r.fail(line,
               fmt::format("zip lists must have equal lengths: '{}' has {} values, '{}' has {}",
                           key, values.size(), axis.keys.front(), axis.values.front().size()));
      }
      axis.keys.push_back(key);
      axis.lines.push_back(line);
      axis.values.push_back(values);
    }
    if (!axis.keys.empty()) sweep.axes.push_back(std::move(axis));
  }
  // Points listed one by one, for a design no product or zip spells: a key one point gives and
  // another leaves out (unlock_seconds only where distribution = "streamed": helper-48's F4).
  if (const toml::node* node = t.get("points")) {
    const toml::array* tables = node->as_array();
    if (tables == nullptr || tables->empty() || !tables->is_array_of_tables()) {
      r.fail(line_of(*node), "'points' in [sweep] must be tables, one a point: [[sweep.points]], "
                             "then its \"KEY\" = value lines");
    }
    if (tables->size() > static_cast<std::size_t>(kMaxPoints)) {
      r.fail(line_of(*node), fmt::format("[[sweep.points]] lists {} points, more than {}; split "
                                         "the study into several",
                                         tables->size(), kMaxPoints));
    }
    Axis axis;
    std::map<std::string, std::size_t> index;  // key -> its place in axis.keys
    for (const toml::node& table : *tables) {
      Axis::Listed point;
      point.line = line_of(table);
      std::vector<std::tuple<std::size_t, std::uint64_t, const toml::node*>> given;
      for (const auto& [key, value] : in_order(*table.as_table(), "[[sweep.points]]", "value")) {
        const auto [at, fresh] = index.emplace(key, axis.keys.size());
        if (fresh) {
          axis.keys.push_back(key);
          axis.lines.push_back(line_of(*value));
        }
        given.emplace_back(at->second, line_of(*value), value);
      }
      std::sort(given.begin(), given.end());  // in key order, as a label lists them
      for (const auto& [k, line, value] : given) {
        point.keys.push_back(k);
        point.lines.push_back(line);
        point.values.push_back(*value);
      }
      axis.listed.push_back(std::move(point));
    }
    sweep.axes.push_back(std::move(axis));
  }
  // By a set: a [[sweep.points]] axis may have as many keys as its lines (each pair of axes'
  // keys compared was quadratic in them).
  // The first place is named too, and the rule (helper-72's F8: a product's key a point also
  // set was "swept twice" at the point's line alone).
  std::map<std::string_view, std::uint64_t> swept;  // key -> the line it is first swept at
  for (const Axis& axis : sweep.axes) {
    for (std::size_t k = 0; k < axis.keys.size(); ++k) {
      const auto [first, inserted] = swept.emplace(axis.keys[k], axis.lines[k]);
      if (!inserted) {
        r.fail(axis.lines[k],
               fmt::format("'{}' is swept twice (first at line {}): a key belongs to one of "
                           "[sweep.product], [sweep.zip] and [[sweep.points]]",
                           axis.keys[k], first->second));
      }
    }
  }
  for (const Axis& axis : sweep.axes) refuse_twice(r, axis, nullptr);
  // A sweep holds each point's study and each run of its slice in memory (about 35 KB a point,
  // 16 bytes a run): bounded, and the count can never overflow.
  std::int64_t& points = sweep.points;
  for (const Axis& axis : sweep.axes) {
    points *= static_cast<std::int64_t>(axis.size());
    if (points > kMaxPoints) {
      r.fail(sweep.line, fmt::format("[sweep] gives more than {} points (the product of its lists' "
                                     "lengths and the count of [[sweep.points]]); split the study "
                                     "into several",
                                     kMaxPoints));
    }
  }
  if (points * sweep.runs > kMaxSweepRuns) {
    r.fail(sweep.line, fmt::format("[sweep] gives {} points × {} runs, more than {} runs; split "
                                   "the study into several, or run fewer",
                                   points, sweep.runs, kMaxSweepRuns));
  }
  return sweep;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string_view strategy_name(StrategyKind kind) {
  switch (kind) {
    case StrategyKind::passive:
      return "passive";
    case StrategyKind::churner:
      return "churner";
    case StrategyKind::sniper:
      return "sniper";
    case StrategyKind::whale:
      return "whale";
    case StrategyKind::claimer:
      return "claimer";
  }
  return "?";
}

Study parse_study(const std::string& text, const std::string& file,
                  const std::filesystem::path& dir) {
  const toml::table root = read_toml(text, file, "study");
  const Reader r(file, "study");
  Sweep sweep;
  if (const toml::table* sweep_table = r.table(root, "sweep"))
    sweep = parse_sweep(Reader(file, "sweep"), *sweep_table);
  // Each schedule file is read once, here, for the study and every point (helper-44's F20).
  auto schedules = std::make_shared<Schedules>();
  const ScheduleFiles files{schedules.get(), schedules.get()};
  Study study = parse_root(root, file, dir, files);
  study.text = text;
  study.sweep = std::move(sweep);
  // One key under two spellings, a [[source]] by its name and by its index, is one key swept
  // twice: the later axis overwrote the earlier at every point, and the labels said otherwise
  // (helper-36's F7). A key counts by the value it names.
  toml::table probe = study.root;
  std::map<std::pair<const toml::node*, std::string>, std::string> named;
  for (const Axis& axis : study.sweep.axes) {
    for (std::size_t k = 0; k < axis.keys.size(); ++k) {
      std::string leaf;
      toml::node* parent = nullptr;
      resolve_for_write(probe, axis.keys[k], &leaf, &parent);
      if (parent == nullptr) continue;  // names nothing: study_at says so, below
      const auto [first, fresh] = named.emplace(std::pair{parent, leaf}, axis.keys[k]);
      if (!fresh) {
        throw InputError(file, axis.lines[k], "sweep",
                         fmt::format("'{}' names the key '{}' names: it is swept twice",
                                     axis.keys[k], first->second));
      }
    }
  }
  // Every point is checked now, before anything runs or is written: a key that names nothing,
  // a value of the wrong type, or a point whose scenario breaks a SPEC rule.
  // The schedules the points read are inputs as much as the text: one changed makes another
  // study, whose results resume and merge never mix. Without one, spec_hash is the text's
  // SHA-256 alone, as it always was. A schedule counts by its rows, not its path or bytes.
  std::string inputs = text;
  // A file's rows are one object, whatever the points that name it (the cache is by file_identity).
  std::set<const Schedule*> seen;
  for (const Point& point : expand_points(study)) {
    const Study at = point_study(study, point, files);
    const std::int64_t samples =
        study.sweep.series_every_s > 0
            ? (at.scenario.params.end.seconds - at.scenario.params.start.seconds) /
                  study.sweep.series_every_s
            : 0;
    if (study.sweep.series_every_s > 0 && samples == 0) {
      throw InputError(
          file, study.sweep.series_every_line, "sweep",
          fmt::format(
              "series_every = \"{}\" is longer than a run{} ({} s): it takes no sample; "
              "sample more often, or leave it out",
              study.sweep.series_every,
              point.label.empty() ? "" : fmt::format(" at point {} ({})", point.index, point.label),
              at.scenario.params.end.seconds - at.scenario.params.start.seconds));
    }
    if (samples > kMaxSeriesSamples) {
      throw InputError(
          file, study.sweep.series_every_line, "sweep",
          fmt::format(
              "series_every = \"{}\" takes {} samples a run{}, more than {}; sample less "
              "often",
              study.sweep.series_every, samples,
              point.label.empty() ? "" : fmt::format(" at point {} ({})", point.index, point.label),
              kMaxSeriesSamples));
    }
    for (const SourceModel& m : at.sources) {
      if (m.schedule == nullptr || !seen.insert(m.schedule.get()).second) continue;
      study.schedule_paths.push_back(m.schedule_path);
      inputs += fmt::format("\n# schedule of source '{}'\n", m.name);
      for (const ScheduleRow& row : *m.schedule) {
        inputs += fmt::format("{},{}\n", format_timestamp(row.time), row.apr_bps);
      }
    }
  }
  // The study's own schedules too, read at every load though every point may name others.
  for (const SourceModel& m : study.sources) {
    if (m.schedule != nullptr && seen.insert(m.schedule.get()).second) {
      study.schedule_paths.push_back(m.schedule_path);
    }
  }
  // Every point checked: a [[sweep.points]] value the study already has is the study's (the same
  // point under two labels, and two seeds), which the literal check of parse_sweep does not see.
  toml::table values = study.root;  // resolve_for_write may add scenario.policy or scenario.gas
  const auto study_value = [&values](const std::string& key) -> const toml::node* {
    std::string leaf;
    toml::node* parent = nullptr;
    resolve_for_write(values, key, &leaf, &parent);
    const toml::table* table = parent == nullptr ? nullptr : parent->as_table();
    return table == nullptr ? nullptr : table->get(leaf);
  };
  for (const Axis& axis : study.sweep.axes) {
    if (!axis.listed.empty()) refuse_twice(Reader(file, "sweep"), axis, study_value);
  }
  study.spec_hash = sha256_hex(inputs);
  study.schedules = std::move(schedules);
  return study;
}

Study load_study(const std::string& path) {
  // A study is a few kilobytes, like a scenario; the same 1 MiB cap.
  std::ifstream in =
      open_capped(path, path, 1, "study", "the study file", std::uintmax_t{1} << 20, "1 MiB");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_study(text.str(), path, std::filesystem::path(path).parent_path());
}

std::vector<Point> expand_points(const Study& study) {
  const std::vector<Axis>& axes = study.sweep.axes;
  std::vector<Point> points;
  for (std::int64_t index = 0; index < study.sweep.points; ++index) {
    Point point;
    point.index = index;
    std::vector<std::string> labels, params;
    std::int64_t rest = index;
    std::vector<std::size_t> at(axes.size());
    for (std::size_t a = axes.size(); a-- > 0;) {
      const auto size = static_cast<std::int64_t>(axes[a].size());
      at[a] = static_cast<std::size_t>(rest % size);
      rest /= size;
    }
    for (std::size_t a = 0; a < axes.size(); ++a) {
      if (!axes[a].listed.empty()) point.line = axes[a].listed[at[a]].line;
      axes[a].each(at[a], [&](std::size_t k, const toml::node& value, std::uint64_t line) {
        const std::string& key = axes[a].keys[k];
        const std::string text = value_text(value);
        labels.push_back(key + "=" + text);
        params.push_back(json_string(key) + ":" + json_string(text));
        point.assignments.push_back({key, &value, line});
      });
    }
    point.label = fmt::format("{}", fmt::join(labels, ", "));
    point.params = fmt::format("{{{}}}", fmt::join(params, ","));
    points.push_back(std::move(point));
  }
  return points;
}

namespace {

Study point_study(const Study& study, const Point& point, ScheduleFiles files) {
  if (point.assignments.empty()) return study;
  toml::table root = study.root;
  for (const Point::Assignment& a : point.assignments) {
    substitute(root, a.key, *a.value, study.file, a.line);
  }
  try {
    // A point's study is the study's but for what was swept: its axes are not kept (nor the
    // text), as a sweep holds every point's study at once (a copy of the axes in each made the
    // memory grow with the square of the points: 7.8 GB for 10,000; helper-36's F10).
    Study out = parse_root(root, study.file, study.dir, files);
    out.spec_hash = study.spec_hash;
    out.schedules = study.schedules;
    out.sweep = study.sweep;
    out.sweep.axes.clear();
    out.sweep.points = 1;
    return out;
  } catch (const InputError& error) {
    // A key the study's tables do not know names nothing; any other failure is a rule the
    // point's values break, named at its key: the one swept key the reason names, or the point's
    // only key; else at the [sweep] table (it was the line of the point's last key, another key
    // than the rule's: helper-42's F13).
    std::vector<const Point::Assignment*> named, worded;
    for (const Point::Assignment& a : point.assignments) {
      const std::string leaf = a.key.substr(a.key.rfind('.') + 1);
      if (error.reason().starts_with("unknown key '" + leaf + "'")) {
        throw InputError(
            study.file, a.line, "sweep",
            fmt::format("'{}' names nothing in the study ({})", a.key, error.reason()));
      }
      if (error.reason().find("'" + leaf + "'") != std::string::npos) named.push_back(&a);
      if (names_word(error.reason(), leaf)) worded.push_back(&a);
    }
    // A key quoted names the rule's own key ('unlock_seconds' is allowed only with distribution
    // = ...); one in words only, where none is quoted (insurance_fee_bps + protocol_fee_bps ...).
    if (named.empty()) named = worded;
    if (point.assignments.size() == 1) named = {&point.assignments[0]};
    // A [[sweep.points]] point's own table where the rule names none of its keys, or several
    // (helper-54's R10).
    const std::uint64_t line = named.size() == 1 ? named[0]->line
                               : point.line != 0 ? point.line
                                                 : study.sweep.line;
    // A schedule file the point reads: named with its line, as for a schedule not swept; the
    // point's file and line said only "breaks a rule" (helper-36's F2).
    if (error.file() != study.file) {
      throw InputError(error.file(), error.line(), error.type(),
                       fmt::format("{} (the schedule of point {} ({}), {}:{})", error.reason(),
                                   point.index, point.label, study.file, line));
    }
    throw InputError(study.file, line, "sweep",
                     fmt::format("point {} ({}) breaks a rule: {}: {}", point.index, point.label,
                                 error.type(), error.reason()));
  }
}

}  // namespace

Study study_at(const Study& study, const Point& point) {
  return point_study(study, point, {study.schedules.get(), nullptr});
}

std::uint64_t run_seed(const Study& study, std::int64_t run) {
  // derive_seed(study.seed, "", 0) first: the seeds of lab version 4's points that varied only
  // policy keys (their label of history keys was "").
  return derive_seed(derive_seed(study.seed, "", 0), "run", static_cast<std::uint64_t>(run));
}

}  // namespace yl::lab
