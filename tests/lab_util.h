// Helpers for the lab's tests: a tiny study and metric lookups.
#pragma once

#include <string>

#include "engine/lab/metrics.h"

namespace yl::testing {

// A small, fast study (30 users, 2 dapps, 10 days, snipers, a slashing process) followed by
// `extra` (e.g. a [sweep]); `replace` → `with` edits one line of it first.
std::string tiny_study(const std::string& extra, const std::string& replace = "",
                       const std::string& with = "");

// The value of a metric as text ("(none)" when the run has no such row; reals with %.6g).
std::string metric(const lab::RunMetrics& m, const std::string& name, const std::string& cohort,
                   const std::string& asset);

}  // namespace yl::testing
