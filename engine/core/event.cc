#include "engine/core/event.h"

#include <array>

namespace yl {

std::string_view account_kind_name(AccountKind kind) {
  switch (kind) {
    case AccountKind::user:
      return "user";
    case AccountKind::dapp:
      return "dapp";
    case AccountKind::system:
      return "system";
  }
  return "system";
}

std::string_view event_type_name(const EventBody& body) {
  static constexpr std::array<std::string_view, std::variant_size_v<EventBody>> kNames = {
      "open",     "deposit", "withdraw",  "transfer", "configure", "claim",
      "gas_mode", "gas",     "claim_gas", "report",   "set_rate",  "loss"};
  return kNames[body.index()];
}

}  // namespace yl
