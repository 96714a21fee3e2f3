// Expected rejections of an event (TigerBeetle style: one named code per violated rule, with an
// explicit number). The reason text follows SPEC §1.3's examples, e.g.
// "insufficient balance: alice holds 1.2 ETH, needs 1.5".
// DO NOT CHANGE THESE ENUM VALUES: they are stored and printed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace yl {

enum class RejectCode : std::uint16_t {
  time_before_start = 1,
  time_after_end = 2,
  time_goes_backwards = 3,
  account_exists = 4,
  account_name_reserved = 5,
  unknown_account = 6,
  unknown_source = 7,
  not_a_dapp = 8,
  transfer_to_self = 9,
  insufficient_balance = 10,
  not_claimable = 11,
  claim_exceeds_claimable = 12,
  no_gas_to_claim = 13,
  loss_exceeds_value = 14,
  withdrawal_not_covered = 15,
  overflow = 16,
  // Last value: 16.
};

struct Rejection {
  RejectCode code;
  std::string reason;
};

// The rejection `code` with its reason formatted. Cold and out of line: a path that calls it is
// laid out apart from the handler's hot path, so the reasons' formatting does not spread the hot
// code over more of the instruction cache (bench/PROFILE.md, "After (cold rejections ...)").
template <typename... Args>
[[gnu::cold, gnu::noinline]] Rejection reject(RejectCode code, fmt::format_string<Args...> format,
                                              Args&&... args) {
  return Rejection{code, fmt::format(format, std::forward<Args>(args)...)};
}

}  // namespace yl
