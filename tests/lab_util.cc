#include "tests/lab_util.h"

#include <fmt/format.h>

namespace yl::testing {

std::string tiny_study(const std::string& extra, const std::string& replace,
                       const std::string& with) {
  std::string text = R"(name = "tiny"
seed = 7
[scenario]
name = "tiny"
start = "2024-01-01T00:00:00Z"
end = "2024-01-11T00:00:00Z"
report_every = "1d"
[[scenario.source]]
name = "lido"
asset = "ETH"
kind = "staking"
apr_bps = 400
weight_bps = 9000
[[scenario.source]]
name = "tbill"
asset = "USDB"
kind = "treasury"
apr_bps = 500
weight_bps = 10000
[population]
users = 30
dapps = 2
arrival = "2d"
assets = { ETH = 60, USDC = 40 }
modes = { AUTOMATIC = 70, VOID = 15, CLAIMABLE = 15 }
transfers_per_day = 0.3
withdrawals_per_day = 0.2
claims_per_day = 0.3
gas_per_day = 1
churn_per_year = 5
[scenario.ledger]
initial_price = 1_000_000_000
[[strategy]]
kind = "passive"
share = 60
[[strategy]]
kind = "sniper"
share = 20
[[source]]
name = "lido"
rate = "walk"
volatility_bps = 300
slashes_per_year = 100
)";
  if (!replace.empty()) {
    const auto at = text.find(replace);
    if (at != std::string::npos) text.replace(at, replace.size(), with);
  }
  return text + extra;
}

std::string metric(const lab::RunMetrics& m, const std::string& name, const std::string& cohort,
                   const std::string& asset) {
  for (const lab::MetricValue& v : m.metrics) {
    if (v.name == name && v.cohort == cohort && v.asset == asset) {
      return v.int_value ? *v.int_value : fmt::format("{:.6g}", *v.real_value);
    }
  }
  return "(none)";
}

}  // namespace yl::testing
