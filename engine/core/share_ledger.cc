#include "engine/core/share_ledger.h"

#include "engine/core/assert.h"

namespace yl {

std::string_view yield_mode_name(YieldMode mode) {
  switch (mode) {
    case YieldMode::automatic:
      return "AUTOMATIC";
    case YieldMode::void_mode:
      return "VOID";
    case YieldMode::claimable:
      return "CLAIMABLE";
  }
  YL_ASSERT(false);
}

std::optional<YieldMode> parse_yield_mode(std::string_view text) {
  if (text == "AUTOMATIC") return YieldMode::automatic;
  if (text == "VOID") return YieldMode::void_mode;
  if (text == "CLAIMABLE") return YieldMode::claimable;
  return std::nullopt;
}

ShareLedger::ShareLedger(const Amount& initial_price)
    : price_(initial_price), peak_price_(initial_price) {
  YL_ASSERT(!initial_price.is_zero());
}

Amount ShareLedger::share_value(const Position& p) const { return price_ * p.shares + p.remainder; }

Amount ShareLedger::balance(const Position& p) const {
  switch (p.mode) {
    case YieldMode::automatic:
      return share_value(p);
    case YieldMode::void_mode:
      return p.fixed;
    case YieldMode::claimable:
      return min(p.fixed, share_value(p));  // SPEC §9.3: P may fall
  }
  YL_ASSERT(false);
}

Amount ShareLedger::claimable(const Position& p) const {
  if (p.mode != YieldMode::claimable) return Amount();
  return share_value(p) - balance(p);  // SPEC §9.3: P·s + r − balance, never negative
}

void ShareLedger::resplit(Position& p, const Amount& v) {
  YL_ASSERT(p.mode != YieldMode::void_mode);
  // Compute first, then assign: a throw must leave the position and the totals untouched.
  // floor; the remainder stays on the account.
  const auto [shares, remainder] = div_floor_rem(v, price_);
  const Amount total_shares = total_shares_ - p.shares + shares;
  const Amount remainder_sum = remainder_sum_ - p.remainder + remainder;
  p.shares = shares;
  p.remainder = remainder;
  total_shares_ = total_shares;
  remainder_sum_ = remainder_sum;
  YL_ASSERT(p.remainder < price_);
}

void ShareLedger::set_fixed(Position& p, const Amount& f) {
  if (p.mode == YieldMode::void_mode) {
    const Amount void_fixed_sum = void_fixed_sum_ - p.fixed + f;
    void_fixed_sum_ = void_fixed_sum;
  }
  p.fixed = f;
}

void ShareLedger::credit(Position& p, const Amount& a) {
  switch (p.mode) {
    case YieldMode::automatic:
      resplit(p, share_value(p) + a);
      return;
    case YieldMode::void_mode:
      set_fixed(p, p.fixed + a);
      return;
    case YieldMode::claimable: {
      const Amount fixed = p.fixed + a;
      resplit(p, share_value(p) + a);
      set_fixed(p, fixed);
      return;
    }
  }
}

void ShareLedger::debit(Position& p, const Amount& a) {
  YL_ASSERT(a <= balance(p));
  switch (p.mode) {
    case YieldMode::automatic:
      resplit(p, share_value(p) - a);
      return;
    case YieldMode::void_mode:
      set_fixed(p, p.fixed - a);
      return;
    case YieldMode::claimable:
      resplit(p, share_value(p) - a);
      set_fixed(p, p.fixed - a);
      return;
  }
}

void ShareLedger::configure(Position& p, YieldMode mode) {
  // SPEC §3.6: unclaimed yield folds into the value; CLAIMABLE restarts with claimable 0.
  const Amount value = p.mode == YieldMode::void_mode ? p.fixed : share_value(p);
  if (p.mode == YieldMode::void_mode) {
    set_fixed(p, Amount());
  } else {
    resplit(p, Amount());
    p.fixed = Amount();
  }
  p.mode = mode;
  switch (mode) {
    case YieldMode::automatic:
      resplit(p, value);
      return;
    case YieldMode::void_mode:
      set_fixed(p, value);
      return;
    case YieldMode::claimable:
      resplit(p, value);
      set_fixed(p, value);
      return;
  }
}

void ShareLedger::take_claim(Position& p, const Amount& amount) {
  YL_ASSERT(p.mode == YieldMode::claimable);
  YL_ASSERT(amount <= claimable(p));
  resplit(p, share_value(p) - amount);  // f is unchanged (SPEC §3.7)
}

void ShareLedger::socialize(const Amount& q, const Amount& price_drop) {
  YL_ASSERT(q <= pending_ && price_drop < price_);
  pending_ -= q;
  price_ -= price_drop;  // P̂ stays: remainders split at a higher price may exceed P now
}

Amount ShareLedger::add_value(const Amount& yield) {
  // Q, Y, C and P below 2^64, the usual case (10^24 wei at P = 10^9 is C = 10^15 shares), and
  // Q + Y and P + ΔP too: the steps below in native integers, with one 64-bit `div`. A streamed
  // ledger (SPEC §9.1) comes here before nearly every event.
  const std::uint64_t q64 = pending_.limbs()[0];
  const std::uint64_t c64 = total_shares_.limbs()[0];
  const std::uint64_t p64 = price_.limbs()[0];
  std::uint64_t sum = 0;
  std::uint64_t raised = 0;
  if (pending_.fits_u64() && yield.fits_u64() && total_shares_.fits_u64() && price_.fits_u64() &&
      c64 != 0 && (remainder_sum_.limbs()[3] >> 63) == 0 &&
      !__builtin_add_overflow(q64, yield.limbs()[0], &sum)) {
    if (sum < c64) {
      pending_ = Amount::from_u64(sum);
      return Amount();
    }
    const std::uint64_t remainder = sum % c64;
    if (!__builtin_add_overflow(p64, sum / c64, &raised)) {
      price_ = Amount::from_u64(raised);  // P < 2^64, C < 2^64, Σr < 2^255: P·C + Σr fits
      pending_ = Amount::from_u64(remainder);
      if (price_ > peak_price_) peak_price_ = price_;
      return Amount::from_u64(sum - remainder);
    }
  }
  const Amount pending = pending_ + yield;
  if (total_shares_.is_zero() || pending < total_shares_) {
    pending_ = pending;
    return Amount();
  }
  const QuotientRemainder fold = div_floor_rem(pending, total_shares_);
  const Amount price = price_ + fold.quotient;  // floor; Q % C carries (SPEC §3.4)
  // Every account's share value must still fit in 256 bits; P·C + Σr bounds them all. (With
  // the price unchanged, nothing that bound depends on has moved.) Certain without multiplying
  // when P < 2^64, C < 2^128 and Σr < 2^255, the usual case.
  const auto& p = price.limbs();
  const auto& c = total_shares_.limbs();
  if ((p[1] | p[2] | p[3] | c[2] | c[3]) != 0 || (remainder_sum_.limbs()[3] >> 63) != 0) {
    (void)(price * total_shares_ + remainder_sum_);
  }
  price_ = price;
  pending_ = fold.remainder;
  if (price_ > peak_price_) peak_price_ = price_;
  return pending - fold.remainder;
}

}  // namespace yl
