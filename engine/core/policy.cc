#include "engine/core/policy.h"

#include "engine/core/assert.h"
#include "engine/core/rpow.h"

namespace yl {

std::string_view distribution_name(Distribution d) {
  return d == Distribution::streamed ? "streamed" : "snapshot";
}
std::string_view void_yield_name(VoidYield v) {
  return v == VoidYield::to_protocol ? "to_protocol" : "to_active";
}
std::string_view negative_yield_name(NegativeYield n) {
  return n == NegativeYield::socialize ? "socialize" : "debt";
}
std::optional<Distribution> parse_distribution(std::string_view text) {
  if (text == "snapshot") return Distribution::snapshot;
  if (text == "streamed") return Distribution::streamed;
  return std::nullopt;
}
std::optional<VoidYield> parse_void_yield(std::string_view text) {
  if (text == "to_active") return VoidYield::to_active;
  if (text == "to_protocol") return VoidYield::to_protocol;
  return std::nullopt;
}
std::optional<NegativeYield> parse_negative_yield(std::string_view text) {
  if (text == "debt") return NegativeYield::debt;
  if (text == "socialize") return NegativeYield::socialize;
  return std::nullopt;
}

namespace {

// A U512 known to be below 2^256 (it is bounded by a stored quantity) as an Amount.
Amount narrow(const U512& value) { return Amount::from_u512(value); }

}  // namespace

Amount stream_released(const Stream& s, Timestamp t) {
  // SPEC §9.1 released(t) = min(S, floor(ρ·(t − u)/E12)), and with ρ = w·E12 + f that floor is
  // w·(t − u) + floor(f·(t − u)/E12) exactly. Before every event of a streamed ledger: no `div`.
  if (t >= s.end) return s.total;
  YL_ASSERT(t >= s.anchor);
  // t − u < F − u <= YEAR < 2^25 (the period is at most max(F − t, U)), and f < E12 < 2^40, so
  // f·(t − u) < 2^65: shifted by 12 it fits a limb, and E12 = 2^12·5^12 divides it in two floors.
  const auto elapsed = static_cast<std::uint64_t>(t.seconds - s.anchor.seconds);
  const detail::U128 fraction_product = detail::U128{s.rate_fraction} * elapsed;
  YL_ASSERT((fraction_product >> 76) == 0);
  constexpr std::uint64_t kFivePow12 = 244'140'625;
  static_assert(kFivePow12 << 12 == kE12);
  const std::uint64_t fraction = static_cast<std::uint64_t>(fraction_product >> 12) / kFivePow12;
  const Amount::Limbs& w = s.rate_whole.limbs();
  Amount::Limbs whole{};
  std::uint64_t carry = fraction;  // w·(t − u) + fraction, limb by limb
  if (s.rate_whole.fits_u64()) {
    // w below 2^64, the usual case: one product, below 2^89, in the two low limbs.
    const detail::U128 p = detail::U128{w[0]} * elapsed + carry;
    whole[0] = static_cast<std::uint64_t>(p);
    whole[1] = static_cast<std::uint64_t>(p >> 64);
    carry = 0;
  } else {
    for (std::size_t i = 0; i < 4; ++i) {
      const detail::U128 p = detail::U128{w[i]} * elapsed + carry;
      whole[i] = static_cast<std::uint64_t>(p);
      carry = static_cast<std::uint64_t>(p >> 64);
    }
  }
  // ρ <= S·E12/(F − u), so before F this stays below S; kept as the SPEC's min, and a carry
  // (which that bound rules out) as S.
  if (carry != 0) return s.total;
  return min(Amount::from_limbs(whole), s.total);
}

namespace {

// Sets ρ, as its split by E12 (Stream::rate_whole, rate_fraction).
void set_rate(Stream& s, const U512& rate) {
  s.rate_whole = Amount::from_u512(rate / kE12);  // <= S, as ρ = floor(S·E12/period)
  s.rate_fraction = static_cast<std::uint64_t>(rate % kE12);
}

}  // namespace

Stream stream_lock(const Stream& s, Timestamp t, const Amount& y, std::int64_t unlock_seconds) {
  YL_ASSERT(!y.is_zero() && unlock_seconds >= 1);
  const Amount left = s.locked();
  const Amount total = left + y;  // S is stored: OverflowError past 2^256 (SPEC §6)
  // prev = left·(F − t) if F > t; period = max(1, floor((prev + Y·U)/total)) (floor: the period
  // rounds down, so the stream ends at most a second early). Both products fit in 512 bits.
  const U512 prev = s.end > t
                        ? left.wide() * U512(static_cast<std::uint64_t>(s.end.seconds - t.seconds))
                        : U512(0);
  const U512 weighted = prev + y.wide() * U512(static_cast<std::uint64_t>(unlock_seconds));
  U512 period = weighted / total.wide();
  if (period < 1) period = 1;
  // period <= max(F − t, U) <= YEAR, so it fits an int64.
  const auto period_s = static_cast<std::int64_t>(period.convert_to<std::uint64_t>());
  Stream next;
  next.total = total;
  next.released = Amount();
  set_rate(next, total.wide() * kE12 / period);  // floor; what ρ misses is released at F
  next.end = Timestamp{t.seconds + period_s};
  next.anchor = t;
  return next;
}

Stream stream_absorb(const Stream& s, Timestamp t, const Amount& k) {
  YL_ASSERT(!k.is_zero() && k <= s.locked());
  const Amount left = s.locked() - k;
  Stream next;
  if (left.is_zero() || s.end <= t) {
    next.end = next.anchor = t;  // S = R = ρ = 0
    return next;
  }
  next.total = left;
  set_rate(next, left.wide() * kE12 / U512(static_cast<std::uint64_t>(s.end.seconds - t.seconds)));
  next.end = s.end;
  next.anchor = t;
  return next;
}

ReportPlan plan_report(const Policy& policy, const ReportInputs& in) {
  ReportPlan plan;
  plan.insurance_after = in.insurance;
  SignedAmount committed_total;
  const auto elapsed = static_cast<std::uint64_t>(in.now.seconds - in.last_report.seconds);
  const Amount bps = Amount::from_u64(kBps);
  for (const ReportSourceInput& source : in.sources) {
    SourcePlan line;
    Amount value = source.value;
    line.yield = SignedAmount::difference(value, source.principal);
    if (line.yield.is_positive()) {
      const Amount y = line.yield.magnitude();
      // SPEC §9.4: h = floor(principal·hurdle·Δt/(BPS·YEAR)), in 1024 bits (it is compared with
      // y at once, so it never has to fit 256).
      const U1024 h = U1024(source.principal.raw()) * policy.fee_hurdle_bps * elapsed /
                      (U1024(kBps) * kYearSeconds);
      line.hurdle = h < U1024(y.raw()) ? Amount::from_u1024(h) : y;
      const Amount e = y - line.hurdle;
      // floor: both fees round in the holders' favour.
      line.fee = mul_div_floor(e, Amount::from_u64(policy.insurance_fee_bps), bps);
      line.protocol_fee = mul_div_floor(e, Amount::from_u64(policy.protocol_fee_bps), bps);
      value -= line.fee + line.protocol_fee;  // fee + pfee <= e <= y: value stays >= principal
      plan.insurance_after += line.fee;
      plan.revenue_added += line.protocol_fee;
    } else if (line.yield.is_negative()) {
      line.cover = min(line.yield.magnitude(), plan.insurance_after);
      value += line.cover;
      plan.insurance_after -= line.cover;
    }
    line.committed = SignedAmount::difference(value, source.principal);
    line.value_after = value;
    committed_total = committed_total + line.committed;
    plan.sources.push_back(std::move(line));
  }
  plan.total = committed_total - SignedAmount::of(in.debt);
  plan.stream_after = in.stream;
  const bool streamed = policy.distribution == Distribution::streamed;
  if (plan.total.is_positive()) {
    const Amount t = plan.total.magnitude();
    if (policy.void_yield == VoidYield::to_protocol) {
      // SPEC §9.2: x = floor(T·V/(P·C + V)), 0 when P·C + V = 0 (floor: the fraction stays with
      // the holders). P·C + V < 2^257 and T·V < 2^512.
      const U512 denominator = in.price.wide() * in.total_shares.wide() + in.void_value.wide();
      if (!denominator.is_zero()) {
        plan.void_share = narrow(t.wide() * in.void_value.wide() / denominator);
      }
    }
    plan.distributed = t - plan.void_share;
    if (streamed && !plan.distributed.is_zero()) {
      plan.stream_after = stream_lock(in.stream, in.now, plan.distributed, policy.unlock_seconds);
    }
  } else if (plan.total.is_negative()) {
    Amount loss = plan.total.magnitude();
    if (streamed) {
      plan.absorbed = min(loss, in.stream.locked());  // SPEC §9.1: locked profit first
      loss -= plan.absorbed;
      if (!plan.absorbed.is_zero()) {
        plan.stream_after = stream_absorb(in.stream, in.now, plan.absorbed);
      }
    }
    if (policy.negative_yield == NegativeYield::socialize) {
      plan.socialized_pending = min(in.pending, loss);  // SPEC §9.3
      loss -= plan.socialized_pending;
      if (!in.total_shares.is_zero()) {
        plan.price_drop = min(in.price - Amount::from_u64(1), div_floor(loss, in.total_shares));
        loss -= plan.price_drop * in.total_shares;  // <= loss, so it fits
      }
      plan.socialized = plan.socialized_pending + plan.price_drop * in.total_shares;
    }
    plan.debt_after = loss;
  }
  if (policy.rebalance) {
    // SPEC §9.5: targets from total = buffer + Σ value after step 1; givers first, then takers.
    U512 total = in.buffer.wide();
    for (const SourcePlan& line : plan.sources) total += line.value_after.wide();
    std::vector<U512> targets;
    std::vector<U512> values;
    for (std::size_t i = 0; i < in.sources.size(); ++i) {
      targets.push_back(total * in.sources[i].weight_bps / kBps);  // floor: the rest stays liquid
      values.push_back(plan.sources[i].value_after.wide());
    }
    U512 buffer = in.buffer.wide();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i] <= targets[i]) continue;
      const U512 m = values[i] - targets[i];
      plan.moves.push_back(RebalanceMove{i, true, narrow(m)});
      values[i] -= m;
      buffer += m;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i] >= targets[i] || buffer.is_zero()) continue;
      const U512 want = targets[i] - values[i];
      const U512 m = want < buffer ? want : buffer;
      plan.moves.push_back(RebalanceMove{i, false, narrow(m)});
      values[i] += m;
      buffer -= m;
    }
  }
  return plan;
}

}  // namespace yl
