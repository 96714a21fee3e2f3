// A reproducible synthetic scenario for benchmarks: N accounts, M events over a year of daily
// reports. Every event is valid: a shadow Ledger applies each candidate and only accepted ones
// are written, so the benchmark measures work, not rejections.
#pragma once

#include <cstdint>
#include <string>

namespace yl::bench {

struct SyntheticOptions {
  std::uint64_t seed = 42;
  int accounts = 10'000;
  int events = 1'000'000;
  int days = 365;
  // "default" (Blast's, SPEC §1.1) or "streamed": SPEC §9.1 streamed distribution (7 days),
  // §9.2 void_yield = "to_protocol" and §9.3 negative_yield = "socialize". The events do not
  // depend on it: each is written only when valid under both policies.
  std::string policy = "default";
};

// The [policy] table of `policy` ("default" or "streamed"); throws std::invalid_argument else.
std::string policy_table(const std::string& policy);

// Writes scenario.toml and events.csv into `dir` (created if needed). Returns the scenario path.
std::string write_synthetic_scenario(const std::string& dir, const SyntheticOptions& options);

// Writes DIR/policy-<policy>.toml: DIR/scenario.toml with its [policy] table replaced by
// `policy`'s (the same events). Written to a temporary file and renamed into place, so two
// benchmarks on one DIR never read it half-written, and scenario.toml is never rewritten.
// Returns its path.
std::string write_policy_scenario(const std::string& dir, const std::string& policy);

}  // namespace yl::bench
