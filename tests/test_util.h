// Helpers shared by the tests: literal amounts and a small ledger builder.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/amount.h"
#include "engine/core/ledger.h"

namespace yl::testing {

// Wei from decimal integer text; aborts the test on malformed input.
Amount wei(std::string_view text);
// Base units from decimal asset units ("1.5" ETH = 1500000000000000000 wei).
Amount eth(std::string_view units);

Timestamp at(std::string_view iso_time);

// A scenario-like set of parameters: 2024-03-01 to 2024-06-01, daily reports, no sources.
LedgerParams basic_params();

// Applies an event and fails the test (with the reason) if it is rejected.
void must_apply(Ledger& ledger, const Event& event);
// Applies an event that must be rejected with `code`; returns the reason.
std::string must_reject(Ledger& ledger, const Event& event, RejectCode code);

}  // namespace yl::testing
