#include "engine/core/event.h"

#include <array>
#include <type_traits>

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

std::optional<std::string_view> actor_of(const EventBody& body) {
  return std::visit(
      [](const auto& e) -> std::optional<std::string_view> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Transfer>) {
          return e.from;
        } else if constexpr (std::is_same_v<T, PayGas>) {
          return e.payer;
        } else if constexpr (std::is_same_v<T, ClaimGas> || std::is_same_v<T, SetGasMode>) {
          return e.dapp;
        } else if constexpr (std::is_same_v<T, SetRate> || std::is_same_v<T, Loss> ||
                             std::is_same_v<T, ForceReport>) {
          return std::nullopt;
        } else {
          return e.account;
        }
      },
      body);
}

}  // namespace yl
