#include "engine/core/report.h"

namespace yl {

std::string_view report_trigger_name(ReportTrigger trigger) {
  return trigger == ReportTrigger::event ? "event" : "scheduled";
}

}  // namespace yl
