// Ledger handlers for the L1 side: deposits and their routing, withdrawals at the L1 share price,
// yield reports with insurance and debt, rate changes and losses (SPEC §5).
#include "engine/core/assert.h"
#include "engine/core/ledger.h"

namespace yl {
namespace {

// The withdrawal price with debt: π = min(RAY, floor(TV·RAY/(TV + D))) (SPEC §5.5; RAY when there
// is no debt). Out of line: its 512-bit division is most of a withdrawal's code, and runs only
// while there is debt, so inline it would spread the hot path over more of the instruction cache.
[[gnu::noinline]] Amount discounted_price_ray(const Amount& total_value, const Amount& debt) {
  const U512 discounted = total_value.wide() * ray().wide() / (total_value.wide() + debt.wide());
  return Amount::from_u512(discounted < ray().wide() ? discounted : ray().wide());
}

}  // namespace

std::optional<Rejection> Ledger::lookup_source(std::string_view name, std::size_t* index) const {
  for (std::size_t i = 0; i < params_.sources.size(); ++i) {
    if (params_.sources[i].name == name) {
      *index = i;
      return std::nullopt;
    }
  }
  return reject(RejectCode::unknown_source, "unknown source '{}'", name);
}

Amount Ledger::withdrawal_price_ray(Asset asset, Timestamp at) const {
  YL_ASSERT(at >= now_);
  const Amount& debt = books_[index_of(asset)].debt;
  if (debt.is_zero()) return ray();
  return discounted_price_ray(value_at(asset, at, {}).total_value, debt);
}

Ledger::Valuation Ledger::value_at(Asset asset, Timestamp at, std::span<SourceState> copies) const {
  const Amount& buffer = books_[index_of(asset)].buffer;
  Valuation v{buffer, buffer};  // coverable is at most total_value, so it fits where that did
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset != asset) continue;
    SourceState state = sources_[i];
    accrue(params_.sources[i].kind, state, at);
    v.total_value += state.value;
    v.coverable += min(state.value, state.principal);
    if (!copies.empty()) copies[i] = state;
  }
  return v;
}

SourceState Ledger::accrued(std::size_t i) const {
  SourceState state = sources_[i];
  accrue(params_.sources[i].kind, state, now_);
  return state;
}

void Ledger::accrue_source(std::size_t i) {
  SourceState& s = source_to_change(i);
  const Amount before = s.value;
  accrue(params_.sources[i].kind, s, now_);  // in place: most events decide nothing on it
  post_accrual(i, s.value - before);         // accrual never lowers a value
}

void Ledger::commit_accrual(std::size_t i, const SourceState& state) {
  SourceState& s = source_to_change(i);
  const Amount earned = state.value - s.value;
  s = state;
  post_accrual(i, earned);
}

void Ledger::post_accrual(std::size_t i, const Amount& earned) {
  const auto source = static_cast<std::uint32_t>(i);
  const Asset asset = params_.sources[i].asset;
  journal_.debit(Memo::accrual, BookAccount::unreported, source, asset, earned);
  journal_.credit(Memo::accrual, BookAccount::yield, source, asset, earned);
}

void Ledger::accrue_sources(Asset asset) {
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset == asset) accrue_source(i);
  }
}

std::optional<Rejection> Ledger::on(const Deposit& e) {
  AccountId id = 0;
  if (auto rejected = lookup_account(e.account, &id)) return rejected;
  const Asset asset = credited_asset(e.asset);
  const Amount amount = to_l2_wei(e.asset, e.amount);
  accrue_sources(asset);
  settle(id, asset);
  AssetBook& b = books_[index_of(asset)];
  journal_.debit(Memo::deposit, BookAccount::buffer, 0, asset, amount);
  journal_.credit(Memo::deposit, BookAccount::account, id, asset, amount);
  Amount routed;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const SourceConfig& config = params_.sources[i];
    if (config.asset != asset) continue;
    // floor: the fraction a weight cannot take stays in the buffer below.
    const Amount share =
        mul_div_floor(amount, Amount::from_u64(config.weight_bps), Amount::from_u64(kBps));
    SourceState& s = source_to_change(i);
    s.value += share;
    s.principal += share;
    routed += share;
    journal_.debit(Memo::route, BookAccount::source, static_cast<std::uint32_t>(i), asset, share);
    journal_.credit(Memo::route, BookAccount::buffer, 0, asset, share);
  }
  // SPEC §5.2: the buffer takes what is left. (Adding the whole deposit first could overflow
  // where this does not.)
  b.buffer += amount - routed;
  b.shares.credit(position(id, asset), amount);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Withdraw& e) {
  AccountId id = 0;
  if (auto rejected = lookup_account(e.account, &id)) return rejected;
  if (auto rejected = require_balance(id, e.asset, e.amount)) return rejected;
  // Decide first, on the sources as accrued to now (copies): a payout the buffer and the sources
  // cannot cover is rejected before anything changes.
  AssetBook& b = books_[index_of(e.asset)];
  const auto [total_value, coverable] = value_at(e.asset, now_, accrued_scratch_);
  const Amount price_ray = b.debt.is_zero() ? ray() : discounted_price_ray(total_value, b.debt);
  // floor: the withdrawer's fraction of a wei stays behind, in `retained` below.
  const Amount payout = mul_div_floor(e.amount, price_ray, ray());
  if (payout > coverable) {
    return reject(RejectCode::withdrawal_not_covered,
                  "withdrawal not covered: payout {} {} exceeds what the buffer and "
                  "sources can give by {}",
                  units(payout), asset_name(e.asset), units(payout - coverable));
  }

  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset == e.asset) commit_accrual(i, accrued_scratch_[i]);
  }
  settle(id, e.asset);
  b.shares.debit(position(id, e.asset), e.amount);
  journal_.debit(Memo::withdrawal, BookAccount::account, id, e.asset, e.amount);
  const Amount discount = e.amount - payout;
  const Amount repaid = min(b.debt, discount);
  b.debt -= repaid;
  b.retained += discount - repaid;
  journal_.credit(Memo::debt_repaid, BookAccount::debt, 0, e.asset, repaid);
  journal_.credit(Memo::retained, BookAccount::retained, 0, e.asset, discount - repaid);
  // The payout leaves from the buffer first, then from the sources in file order.
  Amount rest = payout;
  const Amount from_buffer = min(rest, b.buffer);
  b.buffer -= from_buffer;
  rest -= from_buffer;
  journal_.credit(Memo::payout, BookAccount::buffer, 0, e.asset, from_buffer);
  for (std::size_t i = 0; i < sources_.size() && !rest.is_zero(); ++i) {
    if (params_.sources[i].asset != e.asset) continue;
    SourceState& s = source_to_change(i);
    const Amount taken = min(rest, min(s.value, s.principal));
    s.value -= taken;
    s.principal -= taken;
    rest -= taken;
    journal_.credit(Memo::payout, BookAccount::source, static_cast<std::uint32_t>(i), e.asset,
                    taken);
  }
  YL_ASSERT(rest.is_zero());  // payout <= coverable, decided above
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const ForceReport& e) {
  if (!e.asset || *e.asset == Asset::eth) run_report(Asset::eth, ReportTrigger::event);
  if (!e.asset || *e.asset == Asset::usdb) run_report(Asset::usdb, ReportTrigger::event);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const SetRate& e) {
  std::size_t i = 0;
  if (auto rejected = lookup_source(e.source, &i)) return rejected;
  YL_ASSERT(e.apr_bps <= 100'000);
  accrue_source(i);
  SourceState& s = source_to_change(i);
  s.apr_bps = e.apr_bps;
  if (params_.sources[i].kind == SourceKind::treasury) s.growth = growth_for(e.apr_bps);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Loss& e) {
  std::size_t i = 0;
  if (auto rejected = lookup_source(e.source, &i)) return rejected;
  const SourceConfig& config = params_.sources[i];
  const SourceState as_of_now = accrued(i);
  if (e.amount > as_of_now.value) {
    return reject(RejectCode::loss_exceeds_value,
                  "loss exceeds the source's value: {} holds {} {}, loss is {}", config.name,
                  units(as_of_now.value), asset_name(config.asset), units(e.amount));
  }
  commit_accrual(i, as_of_now);
  SourceState& s = source_to_change(i);
  s.value -= e.amount;  // principal stays: the next report sees the loss (SPEC §5.3)
  journal_.debit(Memo::loss, BookAccount::yield, static_cast<std::uint32_t>(i), config.asset,
                 e.amount);
  journal_.credit(Memo::loss, BookAccount::unreported, static_cast<std::uint32_t>(i), config.asset,
                  e.amount);
  return std::nullopt;
}

void Ledger::add_value(Asset asset, const Amount& amount, Memo memo) {
  // What the price step paid out (ΔP·C) leaves pending for the accounts' accrual.
  const Amount folded = shares(asset).add_value(amount);
  journal_.credit(memo, BookAccount::pending, 0, asset, amount);
  journal_.debit(Memo::price_step, BookAccount::pending, 0, asset, folded);
  journal_.credit(Memo::price_step, BookAccount::accrued, 0, asset, folded);
}

Amount Ledger::drip_due(Asset asset, Timestamp time) const {
  const Stream& stream = book(asset).stream;
  // Anchored after `time`: a report since then dripped it and locked anew (settle() after it).
  if (stream.released == stream.total || time < stream.anchor) return Amount();
  const Amount due = stream_released(stream, time);
  return due > stream.released ? due - stream.released : Amount();
}

void Ledger::drip(Asset asset, const Amount& d) {
  if (d.is_zero()) return;
  books_[index_of(asset)].stream.released += d;  // SPEC §9.1 drip: R += d, addValue(d)
  journal_.debit(Memo::drip, BookAccount::locked, 0, asset, d);
  add_value(asset, d, Memo::drip);
}

void Ledger::run_report(Asset asset, ReportTrigger trigger) {
  // A report is an entry of its own: the drip before a forced report's event closes first.
  journal_.close(/*report_ordinal=*/-1);
  if (params_.policy.distribution == Distribution::streamed) {
    drip(asset, drip_due(asset, now_));  // SPEC §9.1
  }
  AssetBook& b = books_[index_of(asset)];
  ReportInputs in;
  in.now = now_;
  in.last_report = b.last_report;
  std::vector<std::size_t> indexes;  // the asset's sources, file order
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset != asset) continue;
    accrue_source(i);
    indexes.push_back(i);
    in.sources.push_back(
        ReportSourceInput{sources_[i].value, sources_[i].principal, params_.sources[i].weight_bps});
  }
  in.buffer = b.buffer;
  in.debt = b.debt;
  in.insurance = b.insurance;
  in.price = b.shares.price();
  in.pending = b.shares.pending();
  in.total_shares = b.shares.total_shares();
  if (params_.policy.void_yield == VoidYield::to_protocol) {
    in.void_value = b.shares.void_fixed_sum() + b.shares.remainder_sum();
  }
  in.stream = b.stream;
  const ReportPlan plan = plan_report(params_.policy, in);

  ReportRecord record;
  record.time = now_;
  record.asset = asset;
  record.trigger = trigger;
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    const SourcePlan& line = plan.sources[k];
    record.sources.push_back(SourceYield{params_.sources[indexes[k]].name, line.yield, line.fee,
                                         line.cover, line.committed, line.hurdle,
                                         line.protocol_fee});
  }
  apply_plan(asset, indexes, plan, record);
  require_sums_fit(asset);  // SPEC §6: a report may not bring the asset's sums to 2^256 either
  journal_.close(static_cast<std::int64_t>(reports_.size()));
  reports_.push_back(std::move(record));
}

// The Ledger's one place that carries out a report's decisions (SPEC §5.4, §9), with a posting
// for every movement.
void Ledger::apply_plan(Asset asset, const std::vector<std::size_t>& indexes,
                        const ReportPlan& plan, ReportRecord& record) {
  AssetBook& b = books_[index_of(asset)];
  // Step 1, per source: hurdle (a memo), fees, cover, commit.
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    const SourcePlan& line = plan.sources[k];
    const auto index = static_cast<std::uint32_t>(indexes[k]);
    SourceState& s = source_to_change(indexes[k]);
    journal_.debit(Memo::hurdle, BookAccount::unreported, index, asset, line.hurdle);
    journal_.credit(Memo::hurdle, BookAccount::unreported, index, asset, line.hurdle);
    journal_.debit(Memo::fee, BookAccount::insurance, 0, asset, line.fee);
    journal_.credit(Memo::fee, BookAccount::unreported, index, asset, line.fee);
    journal_.debit(Memo::protocol_fee, BookAccount::revenue, 0, asset, line.protocol_fee);
    journal_.credit(Memo::protocol_fee, BookAccount::unreported, index, asset, line.protocol_fee);
    journal_.debit(Memo::cover, BookAccount::unreported, index, asset, line.cover);
    journal_.credit(Memo::cover, BookAccount::insurance, 0, asset, line.cover);
    s.value = line.value_after;
    s.principal = line.value_after;
    // The committed yield moves from unreported into principal, and the venue's side of it is
    // handed on to the distribution below (external:yield -> pending, stream and debt).
    journal_.post_signed(Memo::commit, BookAccount::source, index, asset, line.committed);
    journal_.post_signed(Memo::commit, BookAccount::unreported, index, asset,
                         SignedAmount() - line.committed);
    journal_.post_signed(Memo::commit, BookAccount::yield, index, asset, line.committed);
  }
  b.insurance = plan.insurance_after;
  b.revenue += plan.revenue_added;
  // Step 2: T, and where it goes.
  record.debt_before = b.debt;
  record.total = plan.total;
  record.price_before = b.shares.price();  // after the report's own drip (SPEC §9.1)
  record.price_after = b.shares.price();
  record.pending_after = b.shares.pending();
  if (!plan.void_share.is_zero()) {
    settle(kFeeVaultAccount, asset);
    b.shares.credit(position(kFeeVaultAccount, asset), plan.void_share);  // SPEC §9.2
    journal_.credit(Memo::void_share, BookAccount::account, kFeeVaultAccount, asset,
                    plan.void_share);
  }
  if (plan.total.is_positive()) {
    if (params_.policy.distribution == Distribution::streamed) {
      journal_.credit(Memo::lock, BookAccount::locked, 0, asset, plan.distributed);
    } else {
      add_value(asset, plan.distributed, Memo::distribution);
      record.price_after = b.shares.price();
      record.pending_after = b.shares.pending();
    }
  }
  if (!plan.absorbed.is_zero()) {
    journal_.debit(Memo::lock_absorbed, BookAccount::locked, 0, asset, plan.absorbed);
  }
  b.stream = plan.stream_after;
  if (!plan.socialized.is_zero()) {
    const Amount from_price = plan.socialized - plan.socialized_pending;  // ΔP·C
    b.shares.socialize(plan.socialized_pending, plan.price_drop);
    journal_.debit(Memo::socialized, BookAccount::pending, 0, asset, plan.socialized_pending);
    journal_.debit(Memo::socialized, BookAccount::accrued, 0, asset, from_price);
    record.price_after = b.shares.price();
    record.pending_after = b.shares.pending();
  }
  b.debt = plan.debt_after;
  record.debt_after = b.debt;
  journal_.post_signed(Memo::distribution, BookAccount::debt, 0, asset,
                       SignedAmount::difference(record.debt_after, record.debt_before));
  // SPEC §9.5: after step 2, principal moves between the sources and the buffer.
  for (const RebalanceMove& move : plan.moves) {
    const auto index = static_cast<std::uint32_t>(indexes[move.source]);
    SourceState& s = source_to_change(indexes[move.source]);
    if (move.to_buffer) {
      s.value -= move.amount;
      s.principal -= move.amount;
      b.buffer += move.amount;
      journal_.debit(Memo::rebalance, BookAccount::buffer, 0, asset, move.amount);
      journal_.credit(Memo::rebalance, BookAccount::source, index, asset, move.amount);
    } else {
      b.buffer -= move.amount;
      s.value += move.amount;
      s.principal += move.amount;
      journal_.debit(Memo::rebalance, BookAccount::source, index, asset, move.amount);
      journal_.credit(Memo::rebalance, BookAccount::buffer, 0, asset, move.amount);
    }
  }
  b.last_report = now_;
  record.void_share = plan.void_share;
  record.socialized = plan.socialized;
  record.locked_after = b.stream.locked();
}

}  // namespace yl
