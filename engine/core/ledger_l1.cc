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

void Ledger::accrue_source(std::size_t i) {
  const SourceConfig& config = params_.sources[i];
  const Amount before = sources_[i].value;
  accrue(config.kind, sources_[i], now_);
  const Amount earned = sources_[i].value - before;  // accrual never lowers a value
  journal_.debit(Memo::accrual, BookAccount::unreported, static_cast<std::uint32_t>(i), config.asset, earned);
  journal_.credit(Memo::accrual, BookAccount::yield, static_cast<std::uint32_t>(i), config.asset, earned);
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
    const Amount share = mul_div_floor(amount, Amount::from_u64(config.weight_bps),
                                       Amount::from_u64(kBps));
    sources_[i].value += share;
    sources_[i].principal += share;
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
  settle(id, e.asset);
  b.shares.debit(position(id, e.asset), e.amount);
  journal_.debit(Memo::withdrawal, BookAccount::account, id, e.asset, e.amount);
  // floor: the withdrawer's fraction of a wei stays behind, in `retained` below.
  const Amount payout = mul_div_floor(e.amount, price_ray, ray());
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
    SourceState& s = sources_[i];
    const Amount taken = min(rest, min(s.value, s.principal));
    s.value -= taken;
    s.principal -= taken;
    rest -= taken;
    journal_.credit(Memo::payout, BookAccount::source, static_cast<std::uint32_t>(i), e.asset, taken);
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
  accrue_source(i);
  sources_[i].apr_bps = e.apr_bps;
  if (params_.sources[i].kind == SourceKind::treasury) sources_[i].growth = growth_for(e.apr_bps);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Loss& e) {
  std::size_t i = 0;
  if (auto rejected = lookup_source(e.source, &i)) return rejected;
  const SourceConfig& config = params_.sources[i];
  SourceState& s = sources_[i];
  accrue_source(i);
  if (e.amount > s.value) {
    return Rejection{RejectCode::loss_exceeds_value,
                     fmt::format("loss exceeds the source's value: {} holds {} {}, loss is {}",
                                 config.name, s.value.units_string(kAssetDecimals),
                                 asset_name(config.asset), e.amount.units_string(kAssetDecimals))};
  }
  s.value -= e.amount;  // principal stays: the next report sees the loss (SPEC §5.3)
  journal_.debit(Memo::loss, BookAccount::yield, static_cast<std::uint32_t>(i), config.asset, e.amount);
  journal_.credit(Memo::loss, BookAccount::unreported, static_cast<std::uint32_t>(i), config.asset, e.amount);
  return std::nullopt;
}

void Ledger::run_report(Asset asset, ReportTrigger trigger) {
  YL_ASSERT(!journal_.has_open_postings());  // a report is an entry of its own
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
    const auto index = static_cast<std::uint32_t>(i);
    accrue_source(i);
    SourceYield line{config.name, SignedAmount::difference(s.value, s.principal), {}, {}, {}};
    if (line.yield.is_positive()) {
      // floor: the insurance fee rounds in the holders' favour.
      line.fee = mul_div_floor(line.yield.magnitude(), Amount::from_u64(params_.insurance_fee_bps),
                               Amount::from_u64(kBps));
      s.value -= line.fee;
      b.insurance += line.fee;
      journal_.debit(Memo::fee, BookAccount::insurance, 0, asset, line.fee);
      journal_.credit(Memo::fee, BookAccount::unreported, index, asset, line.fee);
    } else if (line.yield.is_negative()) {
      line.cover = min(line.yield.magnitude(), b.insurance);
      s.value += line.cover;
      b.insurance -= line.cover;
      journal_.debit(Memo::cover, BookAccount::unreported, index, asset, line.cover);
      journal_.credit(Memo::cover, BookAccount::insurance, 0, asset, line.cover);
    }
    line.committed = SignedAmount::difference(s.value, s.principal);
    s.principal = s.value;
    // The committed yield moves from unreported into principal, and the venue's side of it is
    // handed on to the distribution below (external:yield -> pending and debt).
    journal_.post_signed(Memo::commit, BookAccount::source, index, asset, line.committed);
    journal_.post_signed(Memo::commit, BookAccount::unreported, index, asset,
                         SignedAmount() - line.committed);
    journal_.post_signed(Memo::commit, BookAccount::yield, index, asset, line.committed);
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
      const Amount pending_before = b.shares.pending();
      const PriceStep step = b.shares.add_value(record.total.magnitude());
      record.price_after = step.price_after;
      record.pending_after = step.pending_after;
      journal_.credit(Memo::distribution, BookAccount::pending, 0, asset, record.total.magnitude());
      // What the price step paid out (ΔP·C) leaves pending for the accounts' accrual.
      const Amount folded = pending_before + record.total.magnitude() - step.pending_after;
      journal_.debit(Memo::price_step, BookAccount::pending, 0, asset, folded);
      journal_.credit(Memo::price_step, BookAccount::accrued, 0, asset, folded);
    }
  }
  record.debt_after = b.debt;
  journal_.post_signed(Memo::distribution, BookAccount::debt, 0, asset,
                       SignedAmount::difference(record.debt_after, record.debt_before));
  journal_.close(static_cast<std::int64_t>(reports_.size()));
  reports_.push_back(std::move(record));
}

}  // namespace yl
