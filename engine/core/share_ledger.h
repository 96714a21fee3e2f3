// One L2 share ledger (SPEC §3; Blast's SharesBase + ERC20Rebasing): price P in wei per share,
// pending Q, share count C, and the encoding of each account's position under its yield mode.
//
// Rounding: split(v) = (floor(v/P), v % P). The remainder r stays with the account (it earns
// nothing); the report remainder Q % C stays in `pending` until a later report (§3.4). Nothing is
// ever lost: Σ(balance + claimable) = P·C + Σr + Σf(VOID) exactly, and this class keeps Σr and
// Σf(VOID) as running totals so that the conservation law (§6) can be checked in O(1).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/core/amount.h"

namespace yl {

// DO NOT CHANGE THESE ENUM VALUES: they are stored in SQLite.
enum class YieldMode : std::uint8_t { automatic = 0, void_mode = 1, claimable = 2 };
std::string_view yield_mode_name(YieldMode mode);
std::optional<YieldMode> parse_yield_mode(std::string_view text);  // exact upper case

// An account's holding of one asset (SPEC §3.1): mode, shares s, remainder r, fixed f.
struct Position {
  YieldMode mode = YieldMode::automatic;
  Amount shares;
  Amount remainder;
  Amount fixed;
  // The price at which this position's accrual was last posted to the journal (journal.h).
  // Bookkeeping only: no balance depends on it.
  Amount price_posted;
  friend bool operator==(const Position&, const Position&) = default;
};

class ShareLedger {
 public:
  // REQUIRES: initial_price >= 1.
  explicit ShareLedger(const Amount& initial_price);

  const Amount& price() const { return price_; }
  // P̂: the highest price this ledger has had (SPEC §6: every remainder stays below it).
  const Amount& peak_price() const { return peak_price_; }
  const Amount& pending() const { return pending_; }
  const Amount& total_shares() const { return total_shares_; }
  const Amount& remainder_sum() const { return remainder_sum_; }
  const Amount& void_fixed_sum() const { return void_fixed_sum_; }

  // Reads (SPEC §3.3, with §9.3's CLAIMABLE balance min(f, P·s + r), for every policy).
  Amount share_value(const Position& p) const;  // P·s + r
  Amount balance(const Position& p) const;
  Amount claimable(const Position& p) const;

  // Mutations (SPEC §3.5-§3.7). Each keeps C and the running totals exact. They may throw
  // OverflowError; the caller (Ledger) rolls back the whole event when they do.
  void credit(Position& p, const Amount& a);
  // REQUIRES: a <= balance(p).
  void debit(Position& p, const Amount& a);
  void configure(Position& p, YieldMode mode);
  // REQUIRES: p is CLAIMABLE and amount <= claimable(p). Removes the amount from the shares; the
  // caller credits it to the recipient.
  void take_claim(Position& p, const Amount& amount);

  // The L2 half of a yield report (SPEC §3.4): Q += Y, and fold Q into P when C > 0 and Q >= C.
  // Returns what folded, ΔP·C: what left pending for the accounts (0 when P did not move).
  Amount add_value(const Amount& yield);
  // SPEC §9.3 socialize: Q −= q, then P −= ΔP. REQUIRES: q <= Q, ΔP < P. No (s, r) changes.
  void socialize(const Amount& q, const Amount& price_drop);

 private:
  // Sets (s, r) = split(v), keeping C and Σr in step.
  void resplit(Position& p, const Amount& v);
  void set_fixed(Position& p, const Amount& f);

  Amount price_;
  Amount peak_price_;
  Amount pending_;
  Amount total_shares_;
  Amount remainder_sum_;
  Amount void_fixed_sum_;

 public:
  friend bool operator==(const ShareLedger&, const ShareLedger&) = default;
};

}  // namespace yl
