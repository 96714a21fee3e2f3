#include "engine/input/scenario.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/core/rpow.h"
#include "engine/input/input_error.h"
#include "engine/input/input_file.h"
#include "engine/input/names.h"
#include "engine/input/toml_text.h"

namespace yl {
namespace {

class Checker {
 public:
  explicit Checker(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(std::uint64_t line, const std::string& reason) const {
    throw InputError(file_, line == 0 ? 1 : line, "scenario", reason);
  }
  static std::uint64_t line_of(const toml::node& node) { return node.source().begin.line; }

  std::string string_at(const toml::node& node, std::string_view key) const {
    const auto* value = node.as_string();
    if (value == nullptr) fail(line_of(node), fmt::format("'{}' must be a string", key));
    return value->get();
  }
  std::int64_t integer_at(const toml::node& node, std::string_view key, std::int64_t low,
                          std::int64_t high) const {
    const auto* value = node.as_integer();
    if (value == nullptr) fail(line_of(node), fmt::format("'{}' must be an integer", key));
    if (value->get() < low || value->get() > high) {
      fail(line_of(node),
           fmt::format("'{}' must be between {} and {} (got {})", key, low, high, value->get()));
    }
    return value->get();
  }
  // A key whose only bound of its own is 0 (SPEC §1.1's fees and lower claim rates: above, only
  // a relation with another key bounds them, reported at the later key). Returns the value
  // clamped to 10001, past every such relation, so that it fits the parameter it is kept in.
  std::uint32_t bps_at_least_0(const toml::node& node, std::string_view key) const {
    const auto* value = node.as_integer();
    if (value == nullptr) fail(line_of(node), fmt::format("'{}' must be an integer", key));
    if (value->get() < 0) {
      fail(line_of(node), fmt::format("'{}' must be at least 0 (got {})", key, value->get()));
    }
    return static_cast<std::uint32_t>(std::min<std::int64_t>(value->get(), 10'001));
  }
  Timestamp time_at(const toml::node& node, std::string_view key) const {
    if (node.is_date_time() || node.is_date() || node.is_time()) {
      fail(line_of(node), fmt::format("'{}' is a TOML date-time; write it as a quoted string, "
                                      "like {} = \"2024-03-01T00:00:00Z\"",
                                      key, key));
    }
    const std::string text = string_at(node, key);
    const auto time = parse_timestamp(text);
    if (!time) fail(line_of(node), fmt::format("'{}': {}", key, bad_time_message(text)));
    return *time;
  }

 private:
  const std::string& file_;
};

// The checks of one scenario, each at the line of the key it reads, run in the file's order of
// lines (SPEC §1.1: of several errors the first in the file is reported, a relation between keys
// at the later of them). The first check that fails throws, so a check runs only when every key
// above it is valid, and may read what those checks parsed; a missing key is checked at its
// table's header, above the table's keys. Checks of one line run in the order they were added:
// a key's own before a relation that ends at it.
class Plan {
 public:
  void at(std::uint64_t line, std::function<void()> check) {
    checks_.emplace_back(line, std::move(check));
  }
  void run() {
    std::stable_sort(checks_.begin(), checks_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, check] : checks_) check();
  }

 private:
  std::vector<std::pair<std::uint64_t, std::function<void()>>> checks_;
};

// Adds a check of every key of `table` outside `allowed`, at its line (SPEC §1.1: unknown keys
// and tables are errors).
void only(Plan& plan, const Checker& check, const toml::table& table,
          std::initializer_list<std::string_view> allowed, std::string_view where) {
  for (const auto& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    plan.at(Checker::line_of(node), [&check, &node = node, name = std::string(key.str()), where] {
      check.fail(Checker::line_of(node), fmt::format("unknown key '{}'{}", name, where));
    });
  }
}

// `key` of `table`, or nullptr after adding the check that fails at the table's header.
const toml::node* need(Plan& plan, const Checker& check, const toml::table& table,
                       std::string_view key, std::string_view where) {
  if (const toml::node* node = table.get(key)) return node;
  plan.at(Checker::line_of(table), [&check, &table, key, where] {
    check.fail(Checker::line_of(table), fmt::format("missing key '{}'{}", key, where));
  });
  return nullptr;
}

// The line of the last of `keys` given in `table`, or its header's when none is.
std::uint64_t later_line(const toml::table& table, std::initializer_list<std::string_view> keys) {
  std::uint64_t line = Checker::line_of(table);
  for (const std::string_view key : keys) {
    if (const toml::node* n = table.get(key)) line = std::max(line, Checker::line_of(*n));
  }
  return line;
}

// The integer `key` has as written in `table`, else `kept` (its default, or what a check kept):
// a relation between keys is checked, and told, with the values the user wrote.
std::int64_t as_written(const toml::table& table, std::string_view key, std::int64_t kept) {
  const toml::node* n = table.get(key);
  return n != nullptr && n->as_integer() != nullptr ? n->as_integer()->get() : kept;
}

void plan_source(Plan& plan, const Checker& check, const toml::table& t, SourceConfig& source) {
  constexpr std::string_view kWhere = " in [[source]]";
  only(plan, check, t, {"name", "asset", "kind", "apr_bps", "weight_bps"}, kWhere);
  if (const toml::node* name = need(plan, check, t, "name", kWhere)) {
    plan.at(Checker::line_of(*name), [&check, name, &source] {
      source.name = check.string_at(*name, "name");
      if (!is_valid_name(source.name)) {
        check.fail(Checker::line_of(*name),
                   fmt::format("source name '{}' must be 1-64 of A-Z a-z 0-9 _ . -", source.name));
      }
    });
  }
  if (const toml::node* asset = need(plan, check, t, "asset", kWhere)) {
    plan.at(Checker::line_of(*asset), [&check, asset, &source] {
      const auto parsed = parse_asset(check.string_at(*asset, "asset"));
      if (!parsed) check.fail(Checker::line_of(*asset), "'asset' must be ETH or USDB");
      source.asset = *parsed;
    });
  }
  if (const toml::node* kind = need(plan, check, t, "kind", kWhere)) {
    plan.at(Checker::line_of(*kind), [&check, kind, &source] {
      const auto parsed = parse_source_kind(check.string_at(*kind, "kind"));
      if (!parsed) check.fail(Checker::line_of(*kind), "'kind' must be staking or treasury");
      source.kind = *parsed;
    });
  }
  if (const toml::node* apr = need(plan, check, t, "apr_bps", kWhere)) {
    plan.at(Checker::line_of(*apr), [&check, apr, &source] {
      source.apr_bps = static_cast<std::uint32_t>(check.integer_at(*apr, "apr_bps", 0, 100'000));
    });
  }
  if (const toml::node* weight = need(plan, check, t, "weight_bps", kWhere)) {
    plan.at(Checker::line_of(*weight), [&check, weight, &source] {
      source.weight_bps =
          static_cast<std::uint32_t>(check.integer_at(*weight, "weight_bps", 0, 10'000));
    });
  }
}

void plan_gas(Plan& plan, const Checker& check, const toml::table& t, GasParams& gas) {
  only(plan, check, t,
       {"zero_claim_rate_bps", "base_claim_rate_bps", "ceil_claim_rate_bps", "base_gas_seconds",
        "ceil_gas_seconds"},
       " in [gas]");
  // Only ceil_claim_rate_bps has a bound of its own (≤ 10000); zero and base are bounded by the
  // relations alone, reported at the later key (helper-47's F2: they were at their own line).
  auto bps = [&](std::string_view key, std::uint32_t& out) {
    if (const toml::node* n = t.get(key)) {
      plan.at(Checker::line_of(*n), [&check, n, key, &out] {
        out = key == "ceil_claim_rate_bps"
                  ? static_cast<std::uint32_t>(check.integer_at(*n, key, 0, 10'000))
                  : check.bps_at_least_0(*n, key);
      });
    }
  };
  auto seconds = [&](std::string_view key, std::int64_t& out) {
    if (const toml::node* n = t.get(key)) {
      plan.at(Checker::line_of(*n),
              [&check, n, key, &out] { out = check.integer_at(*n, key, 1, INT64_MAX); });
    }
  };
  bps("zero_claim_rate_bps", gas.zero_claim_rate_bps);
  bps("base_claim_rate_bps", gas.base_claim_rate_bps);
  bps("ceil_claim_rate_bps", gas.ceil_claim_rate_bps);
  seconds("base_gas_seconds", gas.base_gas_seconds);
  seconds("ceil_gas_seconds", gas.ceil_gas_seconds);
  // Each relation of the chain zero < base < ceil is reported at the later of its two keys as
  // written (SPEC §1.1; an absent key counts with its default, and the defaults keep both, so
  // one of the two is written when it breaks), with the values as written.
  auto rate_relation = [&](std::string_view low, const std::uint32_t& low_value,
                           std::string_view high, const std::uint32_t& high_value) {
    const std::uint64_t line = later_line(t, {low, high});
    plan.at(line, [&check, &t, low, &low_value, high, &high_value, line] {
      // The values as written: the kept ones are clamped to 10001 (bps_at_least_0), and two
      // written above it compared equal (helper-49's F4: "needs zero < base (got 20000 and
      // 30000)").
      const std::int64_t low_written = as_written(t, low, low_value);
      const std::int64_t high_written = as_written(t, high, high_value);
      if (low_written < high_written) return;
      check.fail(line, fmt::format("[gas] needs {} < {} (got {} and {})", low, high, low_written,
                                   high_written));
    });
  };
  rate_relation("zero_claim_rate_bps", gas.zero_claim_rate_bps, "base_claim_rate_bps",
                gas.base_claim_rate_bps);
  rate_relation("base_claim_rate_bps", gas.base_claim_rate_bps, "ceil_claim_rate_bps",
                gas.ceil_claim_rate_bps);
  const std::uint64_t times = later_line(t, {"base_gas_seconds", "ceil_gas_seconds"});
  plan.at(times, [&check, &gas, times] {
    if (gas.base_gas_seconds >= gas.ceil_gas_seconds) {  // each is at least 1 (above)
      check.fail(times, fmt::format("[gas] needs 0 < base_gas_seconds < ceil_gas_seconds (got {} "
                                    "and {})",
                                    gas.base_gas_seconds, gas.ceil_gas_seconds));
    }
  });
}

// SPEC §1.1 [policy] and §9. A relation between two keys is reported at the later of them as
// written (an absent key counts with its default), except `unlock_seconds` without `streamed`,
// which SPEC §1.1 places at unlock_seconds' own line.
void plan_policy(Plan& plan, const Checker& check, const toml::table& t, Policy& policy) {
  // A word key's value, parsed by `parse`; a number where a word is expected is named by the
  // list of words alone, a word outside it with the word.
  auto choice = [&check](const toml::node& node, std::string_view key, std::string_view words,
                         auto parse) {
    const auto* value = node.as_string();
    if (value == nullptr) {
      check.fail(Checker::line_of(node), fmt::format("'{}' must be one of {}", key, words));
    }
    const auto parsed = parse(value->get());
    if (!parsed) {
      check.fail(Checker::line_of(node),
                 fmt::format("'{}' must be one of {} (got '{}')", key, words, value->get()));
    }
    return *parsed;
  };
  const std::uint64_t later_fee_line = later_line(t, {"insurance_fee_bps", "protocol_fee_bps"});
  for (const auto& [name, node_ref] : t) {
    const toml::node& node = node_ref;
    const std::string_view key = name.str();
    const std::uint64_t line = Checker::line_of(node);
    plan.at(line, [=, &check, &t, &policy, &node] {
      if (key == "insurance_fee_bps" || key == "protocol_fee_bps") {
        // Each is at least 0; above, only their sum is bounded (SPEC §1.1), checked at the later
        // of the two keys as written (the other with its written value, read already since it
        // comes earlier, or its default when absent). A fee of 10001 before the other key was
        // refused at its own line (helper-47's F1).
        (key == "insurance_fee_bps" ? policy.insurance_fee_bps : policy.protocol_fee_bps) =
            check.bps_at_least_0(node, key);
        if (line == later_fee_line && policy.insurance_fee_bps + policy.protocol_fee_bps > kBps) {
          check.fail(line, fmt::format("insurance_fee_bps + protocol_fee_bps must be at most "
                                       "10000 (got {} + {})",
                                       as_written(t, "insurance_fee_bps", policy.insurance_fee_bps),
                                       as_written(t, "protocol_fee_bps", policy.protocol_fee_bps)));
        }
      } else if (key == "fee_hurdle_bps") {
        policy.fee_hurdle_bps = static_cast<std::uint32_t>(check.integer_at(node, key, 0, 100'000));
      } else if (key == "distribution") {
        policy.distribution = choice(node, key, "snapshot, streamed", parse_distribution);
      } else if (key == "unlock_seconds") {
        policy.unlock_seconds =
            check.integer_at(node, key, 1, static_cast<std::int64_t>(kYearSeconds));
        const toml::node* distribution = t.get("distribution");
        const auto* text = distribution ? distribution->as_string() : nullptr;
        if (text == nullptr || text->get() != "streamed") {
          check.fail(line, "'unlock_seconds' is allowed only with distribution = \"streamed\"");
        }
      } else if (key == "void_yield") {
        policy.void_yield = choice(node, key, "to_active, to_protocol", parse_void_yield);
      } else if (key == "negative_yield") {
        policy.negative_yield = choice(node, key, "debt, socialize", parse_negative_yield);
      } else if (key == "rebalance") {
        const auto* value = node.as_boolean();
        if (value == nullptr) check.fail(line, "'rebalance' must be true or false");
        policy.rebalance = value->get();
      } else {
        check.fail(line, fmt::format("unknown key '{}' in [policy]", key));
      }
    });
  }
}

// A table at `node`, or nullptr after adding the check that fails at its line.
const toml::table* table_at(Plan& plan, const Checker& check, const toml::node& node,
                            std::string what) {
  if (const toml::table* table = node.as_table()) return table;
  plan.at(Checker::line_of(node),
          [&check, &node, what = std::move(what)] { check.fail(Checker::line_of(node), what); });
  return nullptr;
}

}  // namespace

Scenario parse_scenario(std::string_view toml_text, const std::string& file_name,
                        const std::filesystem::path& base_dir, EventsFile events_file) {
  const Checker check(file_name);
  const toml::table root = read_toml(toml_text, file_name, "scenario");
  Scenario s;
  s.toml_text = std::string(toml_text);
  Plan plan;
  only(plan, check, root,
       {"name", "start", "end", "report_every", "events", "ledger", "source", "policy", "gas"}, "");
  if (const toml::node* name = need(plan, check, root, "name", "")) {
    plan.at(Checker::line_of(*name), [&, name] { s.name = check.string_at(*name, "name"); });
  }
  const toml::node* start = need(plan, check, root, "start", "");
  if (start) {
    plan.at(Checker::line_of(*start),
            [&, start] { s.params.start = check.time_at(*start, "start"); });
  }
  const toml::node* end = need(plan, check, root, "end", "");
  if (end) plan.at(Checker::line_of(*end), [&, end] { s.params.end = check.time_at(*end, "end"); });
  if (const toml::node* every = need(plan, check, root, "report_every", "")) {
    s.report_every_line = Checker::line_of(*every);
    plan.at(Checker::line_of(*every), [&, every] {
      s.report_every = check.string_at(*every, "report_every");
      const auto every_s = parse_duration_seconds(s.report_every);
      if (!every_s) {
        check.fail(Checker::line_of(*every),
                   fmt::format("'report_every' must look like 1d, 12h, 30m or 90s (got '{}')",
                               s.report_every));
      }
      s.params.report_every_s = *every_s;
    });
  }
  if (const toml::node* events = need(plan, check, root, "events", "")) {
    s.events_line = Checker::line_of(*events);
    plan.at(s.events_line, [&, events] {
      s.events_as_written = check.string_at(*events, "events");
      if (s.events_as_written.empty()) check.fail(s.events_line, "'events' must name a file");
      const std::filesystem::path events_path(s.events_as_written);
      s.events_path = events_path.is_absolute() ? events_path : base_dir / events_path;
      if (events_file == EventsFile::unchecked) return;
      if (const auto kind = special_file_kind(s.events_path.string())) {
        check.fail(s.events_line,
                   fmt::format("events file '{}' is {}, not a file", s.events_as_written, *kind));
      }
      std::error_code ec;
      if (!std::filesystem::is_regular_file(s.events_path, ec)) {
        check.fail(s.events_line, fmt::format("events file '{}' not found", s.events_as_written));
      }
    });
  }
  if (const toml::node* ledger_node = need(plan, check, root, "ledger", "")) {
    if (const toml::table* ledger =
            table_at(plan, check, *ledger_node, "'ledger' must be a table")) {
      only(plan, check, *ledger, {"initial_price"}, " in [ledger]");
      if (const toml::node* price = need(plan, check, *ledger, "initial_price", " in [ledger]")) {
        plan.at(Checker::line_of(*price), [&, price] {
          s.params.initial_price = Amount::from_u64(
              static_cast<std::uint64_t>(check.integer_at(*price, "initial_price", 1, INT64_MAX)));
        });
      }
    }
  }
  const toml::node* sources_node = need(plan, check, root, "source", "");
  const toml::array* sources = sources_node ? sources_node->as_array() : nullptr;
  if (sources_node && (sources == nullptr || sources->empty() || !sources->is_array_of_tables())) {
    plan.at(Checker::line_of(*sources_node), [&, sources_node] {
      check.fail(Checker::line_of(*sources_node), "'source' must be one or more [[source]] tables");
    });
    sources = nullptr;
  }
  if (sources) {
    s.params.sources.resize(sources->size());
    for (std::size_t i = 0; i < sources->size(); ++i) {
      plan_source(plan, check, *(*sources)[i].as_table(), s.params.sources[i]);
    }
  }
  if (const toml::node* policy_node = root.get("policy")) {
    if (const toml::table* policy =
            table_at(plan, check, *policy_node, "'policy' must be a table")) {
      plan_policy(plan, check, *policy, s.params.policy);
    }
  }
  if (const toml::node* gas_node = root.get("gas")) {
    if (const toml::table* gas = table_at(plan, check, *gas_node, "'gas' must be a table")) {
      plan_gas(plan, check, *gas, s.params.gas);
    }
  }
  // Relations, each at the later of its keys, after that key's own check.
  if (start && end) {
    const std::uint64_t line = std::max(Checker::line_of(*start), Checker::line_of(*end));
    plan.at(line, [&, line] {
      if (s.params.end < s.params.start) check.fail(line, "'end' is before 'start'");
    });
  }
  std::set<std::string> names;  // read by the checks when the plan runs
  std::array<std::uint64_t, 2> weight_sums{0, 0};
  if (sources) {
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const toml::table& t = *(*sources)[i].as_table();
      const SourceConfig& source = s.params.sources[i];
      if (const toml::node* name = t.get("name")) {
        plan.at(Checker::line_of(*name), [&check, &names, &source, name] {
          if (!names.insert(source.name).second) {
            check.fail(Checker::line_of(*name),
                       fmt::format("source name '{}' is repeated", source.name));
          }
        });
      }
      // At the weight that tips an asset's sum over (its asset's line may come after it).
      const std::uint64_t line = later_line(t, {"asset", "weight_bps"});
      plan.at(line, [&check, &weight_sums, &source, line] {
        std::uint64_t& sum = weight_sums[index_of(source.asset)];
        sum += source.weight_bps;
        if (sum > kBps) {
          check.fail(line, fmt::format("the weights of the {} sources add up to more than 10000 "
                                       "bps",
                                       asset_name(source.asset)));
        }
      });
    }
  }
  plan.run();
  // SPEC §1.1 shows `unlock_seconds = 604800` as the value of an absent key: the default under
  // "streamed" (0, unused, otherwise).
  const toml::table* policy = root.get("policy") ? root.get("policy")->as_table() : nullptr;
  if (s.params.policy.distribution == Distribution::streamed &&
      (policy == nullptr || !policy->contains("unlock_seconds"))) {
    s.params.policy.unlock_seconds = kDefaultUnlockSeconds;
  }
  return s;
}

Scenario load_scenario(const std::string& path_as_given) {
  std::ifstream in =
      open_input_file(path_as_given, path_as_given, 1, "scenario", "the scenario file");
  // A scenario is a few kilobytes; the cap keeps a wrong file (a log, an image) out of memory.
  constexpr std::uintmax_t kMaxScenarioBytes = 1 << 20;
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path_as_given, ec);
  if (!ec && size > kMaxScenarioBytes) {
    throw InputError(path_as_given, 1, "scenario",
                     fmt::format("the file is {} bytes, more than the 1 MiB (1048576 bytes) a "
                                 "scenario may have",
                                 size));
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::filesystem::path path(path_as_given);
  return parse_scenario(text.str(), path_as_given, path.parent_path(), EventsFile::must_exist);
}

}  // namespace yl
