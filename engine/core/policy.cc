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
  // SPEC §9.1 released(t). ρ < 2^297 and t − u < 2^64, so the product fits in 512 bits.
  if (t >= s.end) return s.total;
  YL_ASSERT(t >= s.anchor);
  // Natively, on the limbs: before every event of a streamed ledger, this is on the hot path.
  const auto elapsed = static_cast<std::uint64_t>(t.seconds - s.anchor.seconds);
  const auto& rate = s.rate.backend();
  YL_ASSERT(rate.size() <= 5);
  std::array<std::uint64_t, 6> value{};  // ρ·(t − u), then its quotient by E12, in place
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < rate.size(); ++i) {
    const detail::U128 p = detail::U128{rate.limbs()[i]} * elapsed + carry;
    value[i] = static_cast<std::uint64_t>(p);
    carry = static_cast<std::uint64_t>(p >> 64);
  }
  value[rate.size()] = carry;
  // floor(ρ·(t − u) / E12): a fraction of a wei waits a second. Long division by one limb.
  detail::divide_limbs(value.data(), rate.size() + 1, kE12);
  if ((value[4] | value[5]) != 0) return s.total;  // at least 2^256 > S
  const Amount released = Amount::from_limbs({value[0], value[1], value[2], value[3]});
  return min(released, s.total);
}

Stream stream_lock(const Stream& s, Timestamp t, const Amount& y, std::int64_t unlock_seconds) {
  YL_ASSERT(!y.is_zero() && unlock_seconds >= 1);
  const Amount left = s.locked();
  const Amount total = left + y;  // S is stored: OverflowError past 2^256 (SPEC §6)
  // prev = left·(F − t) if F > t; period = max(1, floor((prev + Y·U)/total)) (floor: the period
  // rounds down, so the stream ends at most a second early). Both products fit in 512 bits.
  const U512 prev = s.end > t ? left.wide() * U512(static_cast<std::uint64_t>(s.end.seconds -
                                                                              t.seconds))
                              : U512(0);
  const U512 weighted = prev + y.wide() * U512(static_cast<std::uint64_t>(unlock_seconds));
  U512 period = weighted / total.wide();
  if (period < 1) period = 1;
  // period <= max(F − t, U) <= YEAR, so it fits an int64.
  const auto period_s = static_cast<std::int64_t>(period.convert_to<std::uint64_t>());
  Stream next;
  next.total = total;
  next.released = Amount();
  next.rate = total.wide() * kE12 / period;  // floor; what the rate misses is released at F
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
  next.rate = left.wide() * kE12 / U512(static_cast<std::uint64_t>(s.end.seconds - t.seconds));
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
