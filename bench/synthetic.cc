#include "bench/synthetic.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>
#include <unistd.h>

#include "engine/core/ledger.h"
#include "engine/input/event_parser.h"
#include "engine/input/scenario.h"
#include "tests/random.h"

namespace yl::bench {
namespace {

using testing::Random;

constexpr const char* kScenario = R"(name = "synthetic"
start = "2024-01-01T00:00:00Z"
end = "{end}"
report_every = "1d"
events = "events.csv"

[ledger]
initial_price = 1_000_000_000

[[source]]
name = "lido"
asset = "ETH"
kind = "staking"
apr_bps = 400
weight_bps = 8000

[[source]]
name = "rocketpool"
asset = "ETH"
kind = "staking"
apr_bps = 350
weight_bps = 1000

[[source]]
name = "tbill"
asset = "USDB"
kind = "treasury"
apr_bps = 500
weight_bps = 9000
)";

// Decimal text of `wei` in units with up to 18 decimals.
std::string units(std::uint64_t whole, std::uint64_t fraction_1e6) {
  return fraction_1e6 == 0 ? std::to_string(whole) : fmt::format("{}.{:06}", whole, fraction_1e6);
}

}  // namespace

std::string policy_table(const std::string& policy) {
  if (policy == "default") return "";
  if (policy == "streamed") {
    return "\n[policy]\ndistribution = \"streamed\"\nvoid_yield = \"to_protocol\"\n"
           "negative_yield = \"socialize\"\n";
  }
  throw std::invalid_argument("unknown policy '" + policy + "' (default or streamed)");
}

std::string write_policy_scenario(const std::string& dir, const std::string& policy) {
  std::ifstream in(dir + "/scenario.toml");
  if (!in) throw std::runtime_error(dir + "/scenario.toml: cannot read it");
  std::string toml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  toml = toml.substr(0, toml.find("\n[policy]"));
  const std::string path = dir + "/policy-" + policy + ".toml";
  const std::string temporary = path + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(temporary);
    out << toml + policy_table(policy);
    if (!out.flush()) throw std::runtime_error(temporary + ": cannot write it");
  }
  std::filesystem::rename(temporary, path);
  return path;
}

std::string write_synthetic_scenario(const std::string& dir, const SyntheticOptions& options) {
  std::filesystem::create_directories(dir);
  const std::int64_t start = 1704067200;  // 2024-01-01T00:00:00Z
  const Timestamp end{start + static_cast<std::int64_t>(options.days) * 86400};
  std::string toml = kScenario;
  toml.replace(toml.find("{end}"), 5, format_timestamp(end));
  const std::string scenario_path = dir + "/scenario.toml";
  std::ofstream(scenario_path) << toml + policy_table(options.policy);

  // Two shadows, one per policy: an event is written only when both accept it, so the events
  // file is the same whatever the policy. The streamed one first: it releases less yield.
  Ledger shadow(parse_scenario(toml, scenario_path, dir).params);
  Ledger streamed(parse_scenario(toml + policy_table("streamed"), scenario_path, dir).params);
  Random rng(options.seed);
  std::ofstream out(dir + "/events.csv");
  out << "time,type,account,asset,amount,to,value\n";
  int written = 0;
  auto emit = [&](std::int64_t t, const std::string& type, const std::string& account,
                  const std::string& asset, const std::string& amount, const std::string& to,
                  const std::string& value) {
    RawEvent raw{0, "", format_timestamp(Timestamp{t}), type, account, asset, amount, to, value};
    const Event event = parse_event(raw, "events.csv");
    if (streamed.apply(event)) return;  // rejected: not written
    if (const auto rejected = shadow.apply(event)) {
      throw std::runtime_error("synthetic: valid when streamed only: " + rejected->reason);
    }
    for (Ledger* ledger : {&shadow, &streamed}) {
      ledger->take_reports();
      ledger->clear_journal();
    }
    out << raw.time << ',' << type << ',' << account << ',' << asset << ',' << amount << ',' << to
        << ',' << value << '\n';
    ++written;
  };
  auto name = [](std::uint64_t i) { return fmt::format("a{}", i); };
  const int dapps = options.accounts / 20;
  for (int i = 0; i < options.accounts; ++i) {
    emit(start, "open", name(static_cast<std::uint64_t>(i)), "", "", "",
         i < dapps ? "dapp" : "user");
  }
  for (int i = 0; i < dapps; ++i)
    emit(start, "gas_mode", name(static_cast<std::uint64_t>(i)), "", "", "", "CLAIMABLE");
  const auto total_seconds = static_cast<std::uint64_t>(options.days) * 86400;
  const auto accounts = static_cast<std::uint64_t>(options.accounts);
  while (written < options.events) {
    const std::int64_t t =
        start + static_cast<std::int64_t>(total_seconds * static_cast<std::uint64_t>(written) /
                                          static_cast<std::uint64_t>(options.events));
    const std::string a = name(rng.below(accounts));
    const std::string b = name(rng.below(accounts));
    const char* asset = rng.below(2) ? "ETH" : "USDB";
    const std::string small = units(rng.below(5), rng.below(1'000'000));
    switch (rng.below(20)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
        emit(t, "deposit", a, rng.below(4) ? asset : "USDC",
             units(1 + rng.below(100), rng.below(1'000'000)), "", "");
        break;
      case 6:
      case 7:
      case 8:
      case 9:
      case 10:
      case 11:
      case 12:
        emit(t, "transfer", a, asset, small, b, "");
        break;
      case 13:
      case 14:
        emit(t, "withdraw", a, asset, small, "", "");
        break;
      case 15:
        emit(t, "configure", a, asset, "", "",
             rng.below(3) == 0 ? "VOID"
             : rng.below(2)    ? "CLAIMABLE"
                               : "AUTOMATIC");
        break;
      case 16:
        emit(t, "claim", a, asset, "", "", "");
        break;
      case 17:
      case 18:
        emit(t, "gas", a, "ETH", units(0, 1 + rng.below(999'999)),
             name(rng.below(static_cast<std::uint64_t>(dapps))), "");
        break;
      default:
        if (rng.below(50) == 0) {
          emit(t, "set_rate", rng.below(2) ? "lido" : "tbill", "", "", "",
               std::to_string(300 + rng.below(300)));
        } else {
          emit(t, "claim_gas", name(rng.below(static_cast<std::uint64_t>(dapps))), "ETH", "", "",
               "");
        }
    }
  }
  return scenario_path;
}

}  // namespace yl::bench
