// The events of SPEC §1.2, parsed and typed. Names (accounts, sources) stay as text: whether they
// exist is state, so the ledger resolves them when it applies the event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "engine/core/amount.h"
#include "engine/core/asset.h"
#include "engine/core/gas.h"
#include "engine/core/share_ledger.h"
#include "engine/core/timestamp.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they are stored in SQLite.
enum class AccountKind : std::uint8_t { user = 0, dapp = 1, system = 2 };
std::string_view account_kind_name(AccountKind kind);

// One line a kind of event: a table, kept as written.
// clang-format off
struct OpenAccount { std::string account; AccountKind kind; };
struct Deposit { std::string account; DepositAsset asset; Amount amount; };  // L1 base units
struct Withdraw { std::string account; Asset asset; Amount amount; };
struct Transfer { std::string from; std::string to; Asset asset; Amount amount; };
struct Configure { std::string account; Asset asset; YieldMode mode; };
// amount: nullopt claims all; to: empty claims to the account itself.
struct Claim { std::string account; Asset asset; std::optional<Amount> amount; std::string to; };
struct SetGasMode { std::string dapp; GasMode mode; };
struct PayGas { std::string payer; std::string dapp; Amount amount; };
struct ClaimGas { std::string dapp; };
struct ForceReport { std::optional<Asset> asset; };  // nullopt: ETH then USDB
struct SetRate { std::string source; std::uint32_t apr_bps; };
struct Loss { std::string source; Amount amount; };
// clang-format on

using EventBody = std::variant<OpenAccount, Deposit, Withdraw, Transfer, Configure, Claim,
                               SetGasMode, PayGas, ClaimGas, ForceReport, SetRate, Loss>;

struct Event {
  Timestamp time;
  EventBody body;
};

// The `type` column's word for each alternative, in variant order.
std::string_view event_type_name(const EventBody& body);

// The one asset an event can change, or nullopt when it may change both (reports, set_rate and
// loss, whose source's asset is resolved later, and open, which touches no value at all). Inline:
// Ledger::apply asks it of every event.
inline std::optional<Asset> asset_touched(const EventBody& body) {
  return std::visit(
      [](const auto& e) -> std::optional<Asset> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Deposit>) return credited_asset(e.asset);
        if constexpr (std::is_same_v<T, Withdraw> || std::is_same_v<T, Transfer> ||
                      std::is_same_v<T, Configure> || std::is_same_v<T, Claim>) {
          return e.asset;
        }
        if constexpr (std::is_same_v<T, PayGas> || std::is_same_v<T, ClaimGas> ||
                      std::is_same_v<T, SetGasMode>) {
          return Asset::eth;
        }
        return std::nullopt;
      },
      body);
}

// The account an event is of (its payer, sender or holder); none for a source's or a report.
std::optional<std::string_view> actor_of(const EventBody& body);

}  // namespace yl
