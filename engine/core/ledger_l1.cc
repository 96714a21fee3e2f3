// Ledger handlers for the L1 side: deposits and their routing, withdrawals at the L1 share price,
// yield reports with insurance and debt, rate changes and losses (SPEC §5).
#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/core/ledger.h"

namespace yl {

std::optional<Rejection> Ledger::lookup_source(std::string_view name, std::size_t* index) const {
  for (std::size_t i = 0; i < params_.sources.size(); ++i) {
    if (params_.sources[i].name == name) {
      *index = i;
      return std::nullopt;
    }
  }
  return Rejection{RejectCode::unknown_source, fmt::format("unknown source '{}'", name)};
}

void Ledger::accrue_sources(Asset asset) {
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset == asset) accrue(params_.sources[i].kind, sources_[i], now_);
  }
}

std::optional<Rejection> Ledger::on(const Deposit& e) {
  AccountId id = 0;
  if (auto rejected = lookup_account(e.account, &id)) return rejected;
  const Asset asset = credited_asset(e.asset);
  const Amount amount = to_l2_wei(e.asset, e.amount);
  accrue_sources(asset);
  Amount routed;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const SourceConfig& config = params_.sources[i];
    if (config.asset != asset) continue;
    // floor: the fraction a weight cannot take stays in the buffer below.
    const Amount share = mul_div_floor(amount, Amount::from_u64(config.weight_bps),
                                       Amount::from_u64(kBps));
    sources_[i].value += share;
    sources_[i].principal += share;
    routed += share;
  }
  AssetBook& b = books_[index_of(asset)];
  b.buffer += amount - routed;
  b.shares.credit(position(id, asset), amount);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Withdraw& e) {
  AccountId id = 0;
  if (auto rejected = lookup_account(e.account, &id)) return rejected;
  if (auto rejected = require_balance(id, e.asset, e.amount)) return rejected;
  accrue_sources(e.asset);
  AssetBook& b = books_[index_of(e.asset)];
  Amount total_value = b.buffer;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset == e.asset) total_value += sources_[i].value;
  }
  // π = min(RAY, floor(TV·RAY/(TV + D))), RAY when there is no debt (SPEC §5.5).
  Amount price_ray = ray();
  if (!b.debt.is_zero()) {
    const U512 discounted = total_value.wide() * ray().wide() / (total_value.wide() + b.debt.wide());
    price_ray = Amount::from_u512(discounted < ray().wide() ? discounted : ray().wide());
  }
  b.shares.debit(position(id, e.asset), e.amount);
  // floor: the withdrawer's fraction of a wei stays behind, in `retained` below.
  const Amount payout = mul_div_floor(e.amount, price_ray, ray());
  const Amount discount = e.amount - payout;
  const Amount repaid = min(b.debt, discount);
  b.debt -= repaid;
  b.retained += discount - repaid;
  // The payout leaves from the buffer first, then from the sources in file order.
  Amount rest = payout;
  const Amount from_buffer = min(rest, b.buffer);
  b.buffer -= from_buffer;
  rest -= from_buffer;
  for (std::size_t i = 0; i < sources_.size() && !rest.is_zero(); ++i) {
    if (params_.sources[i].asset != e.asset) continue;
    SourceState& s = sources_[i];
    const Amount taken = min(rest, min(s.value, s.principal));
    s.value -= taken;
    s.principal -= taken;
    rest -= taken;
  }
  if (!rest.is_zero()) {
    return Rejection{RejectCode::withdrawal_not_covered,
                     fmt::format("withdrawal not covered: payout {} {} exceeds what the buffer and "
                                 "sources can give by {}",
                                 payout.units_string(kAssetDecimals), asset_name(e.asset),
                                 rest.units_string(kAssetDecimals))};
  }
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
  accrue(params_.sources[i].kind, sources_[i], now_);
  sources_[i].apr_bps = e.apr_bps;
  if (params_.sources[i].kind == SourceKind::treasury) sources_[i].growth = growth_for(e.apr_bps);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Loss& e) {
  std::size_t i = 0;
  if (auto rejected = lookup_source(e.source, &i)) return rejected;
  const SourceConfig& config = params_.sources[i];
  SourceState& s = sources_[i];
  accrue(config.kind, s, now_);
  if (e.amount > s.value) {
    return Rejection{RejectCode::loss_exceeds_value,
                     fmt::format("loss exceeds the source's value: {} holds {} {}, loss is {}",
                                 config.name, s.value.units_string(kAssetDecimals),
                                 asset_name(config.asset), e.amount.units_string(kAssetDecimals))};
  }
  s.value -= e.amount;  // principal stays: the next report sees the loss (SPEC §5.3)
  return std::nullopt;
}

void Ledger::run_report(Asset asset, ReportTrigger trigger) {
  AssetBook& b = books_[index_of(asset)];
  ReportRecord record;
  record.time = now_;
  record.asset = asset;
  record.trigger = trigger;
  SignedAmount committed_total;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const SourceConfig& config = params_.sources[i];
    if (config.asset != asset) continue;
    SourceState& s = sources_[i];
    accrue(config.kind, s, now_);
    SourceYield line{config.name, SignedAmount::difference(s.value, s.principal), {}, {}, {}};
    if (line.yield.is_positive()) {
      // floor: the insurance fee rounds in the holders' favour.
      line.fee = mul_div_floor(line.yield.magnitude(), Amount::from_u64(params_.insurance_fee_bps),
                               Amount::from_u64(kBps));
      s.value -= line.fee;
      b.insurance += line.fee;
    } else if (line.yield.is_negative()) {
      line.cover = min(line.yield.magnitude(), b.insurance);
      s.value += line.cover;
      b.insurance -= line.cover;
    }
    line.committed = SignedAmount::difference(s.value, s.principal);
    s.principal = s.value;
    committed_total = committed_total + line.committed;
    record.sources.push_back(std::move(line));
  }
  record.debt_before = b.debt;
  record.total = committed_total - SignedAmount::of(b.debt);
  record.price_before = b.shares.price();
  record.price_after = b.shares.price();
  record.pending_after = b.shares.pending();
  if (record.total.is_negative()) {
    b.debt = record.total.magnitude();
  } else {
    b.debt = Amount();
    if (record.total.is_positive()) {
      const PriceStep step = b.shares.add_value(record.total.magnitude());
      record.price_after = step.price_after;
      record.pending_after = step.pending_after;
    }
  }
  record.debt_after = b.debt;
  reports_.push_back(std::move(record));
}

}  // namespace yl
