#include "engine/input/scenario.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/core/rpow.h"
#include "engine/input/input_error.h"
#include "engine/input/input_file.h"
#include "engine/input/names.h"

namespace yl {
namespace {

class Checker {
 public:
  explicit Checker(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(std::uint64_t line, const std::string& reason) const {
    throw InputError(file_, line == 0 ? 1 : line, "scenario", reason);
  }
  static std::uint64_t line_of(const toml::node& node) { return node.source().begin.line; }

  // Rejects keys of `table` outside `allowed` (SPEC §1.1: unknown keys and tables are errors).
  void only(const toml::table& table, std::initializer_list<std::string_view> allowed,
            std::string_view where) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        fail(line_of(node), fmt::format("unknown key '{}'{}", key.str(), where));
      }
    }
  }
  const toml::node& need(const toml::table& table, std::string_view key,
                         std::string_view where) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) fail(line_of(table), fmt::format("missing key '{}'{}", key, where));
    return *node;
  }
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

SourceConfig parse_source(const Checker& check, const toml::table& t) {
  constexpr std::string_view kWhere = " in [[source]]";
  check.only(t, {"name", "asset", "kind", "apr_bps", "weight_bps"}, kWhere);
  SourceConfig source;
  const toml::node& name = check.need(t, "name", kWhere);
  source.name = check.string_at(name, "name");
  if (!is_valid_name(source.name)) {
    check.fail(Checker::line_of(name),
               fmt::format("source name '{}' must be 1-64 of A-Z a-z 0-9 _ . -", source.name));
  }
  const toml::node& asset = check.need(t, "asset", kWhere);
  const auto parsed_asset = parse_asset(check.string_at(asset, "asset"));
  if (!parsed_asset) check.fail(Checker::line_of(asset), "'asset' must be ETH or USDB");
  source.asset = *parsed_asset;
  const toml::node& kind = check.need(t, "kind", kWhere);
  const auto parsed_kind = parse_source_kind(check.string_at(kind, "kind"));
  if (!parsed_kind) check.fail(Checker::line_of(kind), "'kind' must be staking or treasury");
  source.kind = *parsed_kind;
  source.apr_bps = static_cast<std::uint32_t>(
      check.integer_at(check.need(t, "apr_bps", kWhere), "apr_bps", 0, 100'000));
  source.weight_bps = static_cast<std::uint32_t>(
      check.integer_at(check.need(t, "weight_bps", kWhere), "weight_bps", 0, 10'000));
  return source;
}

void parse_gas(const Checker& check, const toml::table& t, GasParams& gas) {
  check.only(t,
             {"zero_claim_rate_bps", "base_claim_rate_bps", "ceil_claim_rate_bps",
              "base_gas_seconds", "ceil_gas_seconds"},
             " in [gas]");
  auto bps = [&](std::string_view key, std::uint32_t& out) {
    if (const toml::node* n = t.get(key)) {
      out = static_cast<std::uint32_t>(check.integer_at(*n, key, 0, 10'000));
    }
  };
  auto seconds = [&](std::string_view key, std::int64_t& out) {
    if (const toml::node* n = t.get(key)) out = check.integer_at(*n, key, 1, INT64_MAX);
  };
  bps("zero_claim_rate_bps", gas.zero_claim_rate_bps);
  bps("base_claim_rate_bps", gas.base_claim_rate_bps);
  bps("ceil_claim_rate_bps", gas.ceil_claim_rate_bps);
  seconds("base_gas_seconds", gas.base_gas_seconds);
  seconds("ceil_gas_seconds", gas.ceil_gas_seconds);
  // A relation between keys is reported at the later of those given (SPEC §1.1); the defaults
  // keep both, so one of them is given when it breaks.
  auto later_line = [&](std::initializer_list<std::string_view> keys) {
    std::uint64_t line = Checker::line_of(t);
    for (const std::string_view key : keys) {
      if (const toml::node* n = t.get(key)) line = std::max(line, Checker::line_of(*n));
    }
    return line;
  };
  if (!(gas.zero_claim_rate_bps < gas.base_claim_rate_bps &&
        gas.base_claim_rate_bps < gas.ceil_claim_rate_bps)) {
    check.fail(later_line({"zero_claim_rate_bps", "base_claim_rate_bps", "ceil_claim_rate_bps"}),
               "[gas] needs zero_claim_rate_bps < base_claim_rate_bps < ceil_claim_rate_bps");
  }
  if (gas.base_gas_seconds >= gas.ceil_gas_seconds) {  // each is at least 1 (above)
    check.fail(later_line({"base_gas_seconds", "ceil_gas_seconds"}),
               "[gas] needs 0 < base_gas_seconds < ceil_gas_seconds");
  }
}

// SPEC §1.1 [policy] and §9. Keys are checked in the file order of their lines, so that of
// several errors the first in the file is the one reported; a relation between two keys is
// reported at the later of them as written (an absent key counts with its default), except
// `unlock_seconds` without `streamed`, which SPEC §1.1 places at unlock_seconds' own line.
void parse_policy(const Checker& check, const toml::table& t, Policy& policy) {
  std::vector<std::pair<std::uint64_t, std::string_view>> keys;
  for (const auto& [key, node] : t) keys.emplace_back(Checker::line_of(node), key.str());
  std::sort(keys.begin(), keys.end());
  auto word = [&](const toml::node& node, std::string_view key, std::string_view words) {
    const auto* value = node.as_string();
    if (value == nullptr) {
      check.fail(Checker::line_of(node), fmt::format("'{}' must be one of {}", key, words));
    }
    return std::string_view(value->get());
  };
  auto bad_word = [&](const toml::node& node, std::string_view key, std::string_view text,
                      std::string_view words) {
    check.fail(Checker::line_of(node),
               fmt::format("'{}' must be one of {} (got '{}')", key, words, text));
  };
  std::optional<std::uint64_t> unlock_line;
  std::uint64_t later_fee_line = 0;
  for (const auto& [line, key] : keys) {
    if (key == "insurance_fee_bps" || key == "protocol_fee_bps") {
      later_fee_line = std::max(later_fee_line, line);
    }
  }
  for (const auto& [line, key] : keys) {
    const toml::node& node = *t.get(key);
    if (key == "insurance_fee_bps" || key == "protocol_fee_bps") {
      const auto bps = static_cast<std::uint32_t>(check.integer_at(node, key, 0, 10'000));
      (key == "insurance_fee_bps" ? policy.insurance_fee_bps : policy.protocol_fee_bps) = bps;
      // The sum is checked at the later of the two keys as written (the other with its written
      // value, read already since it comes earlier, or its default when absent).
      if (line == later_fee_line && policy.insurance_fee_bps + policy.protocol_fee_bps > kBps) {
        check.fail(line, fmt::format("insurance_fee_bps + protocol_fee_bps must be at most 10000 "
                                     "(got {} + {})",
                                     policy.insurance_fee_bps, policy.protocol_fee_bps));
      }
    } else if (key == "fee_hurdle_bps") {
      policy.fee_hurdle_bps = static_cast<std::uint32_t>(check.integer_at(node, key, 0, 100'000));
    } else if (key == "distribution") {
      const std::string_view text = word(node, key, "snapshot, streamed");
      const auto parsed = parse_distribution(text);
      if (!parsed) bad_word(node, key, text, "snapshot, streamed");
      policy.distribution = *parsed;
    } else if (key == "unlock_seconds") {
      policy.unlock_seconds =
          check.integer_at(node, key, 1, static_cast<std::int64_t>(kYearSeconds));
      unlock_line = line;
      const toml::node* distribution = t.get("distribution");
      const auto* text = distribution ? distribution->as_string() : nullptr;
      if (text == nullptr || text->get() != "streamed") {
        check.fail(line, "'unlock_seconds' is allowed only with distribution = \"streamed\"");
      }
    } else if (key == "void_yield") {
      const std::string_view text = word(node, key, "to_active, to_protocol");
      const auto parsed = parse_void_yield(text);
      if (!parsed) bad_word(node, key, text, "to_active, to_protocol");
      policy.void_yield = *parsed;
    } else if (key == "negative_yield") {
      const std::string_view text = word(node, key, "debt, socialize");
      const auto parsed = parse_negative_yield(text);
      if (!parsed) bad_word(node, key, text, "debt, socialize");
      policy.negative_yield = *parsed;
    } else if (key == "rebalance") {
      const auto* value = node.as_boolean();
      if (value == nullptr) check.fail(line, "'rebalance' must be true or false");
      policy.rebalance = value->get();
    } else {
      check.fail(line, fmt::format("unknown key '{}' in [policy]", key));
    }
  }
  // SPEC §1.1 shows `unlock_seconds = 604800` as the value of an absent key: the default under
  // "streamed" (0, unused, otherwise).
  if (policy.distribution == Distribution::streamed && !unlock_line) {
    policy.unlock_seconds = kDefaultUnlockSeconds;
  }
}

}  // namespace

Scenario parse_scenario(std::string_view toml_text, const std::string& file_name,
                        const std::filesystem::path& base_dir) {
  const Checker check(file_name);
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& error) {
    check.fail(error.source().begin.line, std::string(error.description()));
  }
  check.only(
      root, {"name", "start", "end", "report_every", "events", "ledger", "source", "policy", "gas"},
      "");
  Scenario s;
  s.toml_text = std::string(toml_text);
  s.name = check.string_at(check.need(root, "name", ""), "name");
  s.params.start = check.time_at(check.need(root, "start", ""), "start");
  const toml::node& end = check.need(root, "end", "");
  s.params.end = check.time_at(end, "end");
  if (s.params.end < s.params.start) check.fail(Checker::line_of(end), "'end' is before 'start'");
  const toml::node& every = check.need(root, "report_every", "");
  s.report_every = check.string_at(every, "report_every");
  const auto every_s = parse_duration_seconds(s.report_every);
  if (!every_s) {
    check.fail(Checker::line_of(every),
               fmt::format("'report_every' must look like 1d, 12h, 30m or 90s (got '{}')",
                           s.report_every));
  }
  s.params.report_every_s = *every_s;
  const toml::node& events = check.need(root, "events", "");
  s.events_as_written = check.string_at(events, "events");
  s.events_line = Checker::line_of(events);
  if (s.events_as_written.empty()) check.fail(s.events_line, "'events' must name a file");
  const std::filesystem::path events_path(s.events_as_written);
  s.events_path = events_path.is_absolute() ? events_path : base_dir / events_path;

  const toml::node& ledger_node = check.need(root, "ledger", "");
  const toml::table* ledger = ledger_node.as_table();
  if (ledger == nullptr) check.fail(Checker::line_of(ledger_node), "'ledger' must be a table");
  check.only(*ledger, {"initial_price"}, " in [ledger]");
  s.params.initial_price = Amount::from_u64(static_cast<std::uint64_t>(check.integer_at(
      check.need(*ledger, "initial_price", " in [ledger]"), "initial_price", 1, INT64_MAX)));

  const toml::node& sources_node = check.need(root, "source", "");
  const toml::array* sources = sources_node.as_array();
  if (sources == nullptr || sources->empty() || !sources->is_array_of_tables()) {
    check.fail(Checker::line_of(sources_node), "'source' must be one or more [[source]] tables");
  }
  std::set<std::string> names;
  std::array<std::uint64_t, 2> weight_sums{0, 0};
  for (const toml::node& node : *sources) {
    const SourceConfig source = parse_source(check, *node.as_table());
    if (!names.insert(source.name).second) {
      check.fail(Checker::line_of(node), fmt::format("source name '{}' is repeated", source.name));
    }
    weight_sums[index_of(source.asset)] += source.weight_bps;
    if (weight_sums[index_of(source.asset)] > kBps) {  // at the weight that tips it over
      check.fail(Checker::line_of(*node.as_table()->get("weight_bps")),
                 fmt::format("the weights of the {} sources add up to more than 10000 bps",
                             asset_name(source.asset)));
    }
    s.params.sources.push_back(source);
  }

  if (const toml::node* policy_node = root.get("policy")) {
    const toml::table* policy = policy_node->as_table();
    if (policy == nullptr) check.fail(Checker::line_of(*policy_node), "'policy' must be a table");
    parse_policy(check, *policy, s.params.policy);
  }
  if (const toml::node* gas_node = root.get("gas")) {
    const toml::table* gas = gas_node->as_table();
    if (gas == nullptr) check.fail(Checker::line_of(*gas_node), "'gas' must be a table");
    parse_gas(check, *gas, s.params.gas);
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
  Scenario s = parse_scenario(text.str(), path_as_given, path.parent_path());
  if (const auto kind = special_file_kind(s.events_path.string())) {
    throw InputError(path_as_given, s.events_line, "scenario",
                     fmt::format("events file '{}' is {}, not a file", s.events_as_written, *kind));
  }
  if (!std::filesystem::is_regular_file(s.events_path, ec)) {
    throw InputError(path_as_given, s.events_line, "scenario",
                     fmt::format("events file '{}' not found", s.events_as_written));
  }
  return s;
}

}  // namespace yl
