// The record of one yield report of one asset (SPEC §5.4, §7.1 `reports`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/amount.h"
#include "engine/core/asset.h"
#include "engine/core/timestamp.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they are stored in SQLite.
enum class ReportTrigger : std::uint8_t { scheduled = 0, event = 1 };
std::string_view report_trigger_name(ReportTrigger trigger);

struct SourceYield {
  std::string source;
  SignedAmount yield;      // value − principal after accrual
  Amount fee;              // to insurance, from positive yield
  Amount cover;            // from insurance, against negative yield
  SignedAmount committed;  // c_i
  Amount hurdle;           // min(y, h), SPEC §9.4
  Amount protocol_fee;     // pfee, to revenue (§9.4)
  friend bool operator==(const SourceYield&, const SourceYield&) = default;
};

struct ReportRecord {
  Timestamp time;
  Asset asset = Asset::eth;
  ReportTrigger trigger = ReportTrigger::scheduled;
  std::vector<SourceYield> sources;  // file order; empty for an asset without sources
  Amount debt_before;
  Amount debt_after;
  SignedAmount total;  // T = Σc − D_before
  Amount price_before;
  Amount price_after;
  Amount pending_after;
  Amount void_share;    // x, to @fee_vault (§9.2)
  Amount socialized;    // q + ΔP·C (§9.3)
  Amount locked_after;  // S − R after the report (§9.1)
  friend bool operator==(const ReportRecord&, const ReportRecord&) = default;
};

}  // namespace yl
