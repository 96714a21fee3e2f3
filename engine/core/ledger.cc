// Ledger: construction, event dispatch with rollback, scheduling, reads and invariants.
// The event handlers live in ledger_accounts.cc (L2 and gas) and ledger_l1.cc (L1 side).
#include "engine/core/ledger.h"

#include <algorithm>
#include <type_traits>

#include <fmt/format.h>

#include "engine/core/assert.h"

namespace yl {

namespace {

std::array<AssetBook, 2> genesis_books(const Amount& initial_price, Timestamp start) {
  AssetBook book{ShareLedger(initial_price), {}, {}, {}, {}, {}, {}, start};
  book.stream.end = book.stream.anchor = start;  // SPEC §9: times = start at genesis
  return {book, book};
}

// Calls `f` with each account name `body` names.
template <typename F>
void for_each_name(const EventBody& body, const F& f) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Transfer>) {
          f(e.from);
          f(e.to);
        } else if constexpr (std::is_same_v<T, Claim>) {
          f(e.account);
          if (!e.to.empty()) f(e.to);
        } else if constexpr (std::is_same_v<T, PayGas>) {
          f(e.payer);
          f(e.dapp);
        } else if constexpr (std::is_same_v<T, SetGasMode> || std::is_same_v<T, ClaimGas>) {
          f(e.dapp);
        } else if constexpr (requires { e.account; }) {
          f(e.account);
        }
      },
      body);
}

}  // namespace

std::string_view drip_schedule_name(DripSchedule d) {
  return d == DripSchedule::touched ? "touched" : "every_event";
}
std::optional<DripSchedule> parse_drip_schedule(std::string_view text) {
  if (text == "every_event") return DripSchedule::every_event;
  if (text == "touched") return DripSchedule::touched;
  return std::nullopt;
}

Ledger::Ledger(LedgerParams params)
    : params_(std::move(params)),
      books_(genesis_books(params_.initial_price, params_.start)),
      now_(params_.start),
      last_event_time_(params_.start),
      last_scheduled_report_(params_.start),
      checkpoint_{std::nullopt, false, books_, {}, false, {}, 0, {}, {}, 0, 0, 0, 0, 0, false} {
  YL_ASSERT(params_.start <= params_.end);
  YL_ASSERT(params_.report_every_s > 0);
  const Policy& policy = params_.policy;
  YL_ASSERT(policy.insurance_fee_bps + policy.protocol_fee_bps <= kBps);
  YL_ASSERT(policy.distribution == Distribution::snapshot ||
            (policy.unlock_seconds >= 1 &&
             policy.unlock_seconds <= static_cast<std::int64_t>(kYearSeconds)));
  for (const SourceConfig& config : params_.sources) {
    SourceState state{config.apr_bps, {}, {}, params_.start, nullptr};
    if (config.kind == SourceKind::treasury) state.growth = growth_for(config.apr_bps);
    sources_.push_back(std::move(state));
  }
  accrued_scratch_.resize(sources_.size());
  add_account("@gas", AccountKind::system);
  add_account("@fee_vault", AccountKind::system);
  for (AccountId id : {kGasAccount, kFeeVaultAccount}) {
    for (Asset asset : kAssets) {
      position(id, asset).mode = YieldMode::void_mode;
      position(id, asset).price_posted = shares(asset).price();
    }
  }
  positions_.commit();
  if (params_.report_every_s <= params_.end.seconds - params_.start.seconds) {
    next_scheduled_report_ = Timestamp{params_.start.seconds + params_.report_every_s};
  }
  check_invariants();
}

Ledger::AccountRecord::AccountRecord(std::size_t name_end, Timestamp opened, std::uint32_t gas_slot,
                                     AccountKind kind)
    : name_end_low_(static_cast<std::uint32_t>(name_end)),
      gas_slot_(gas_slot),
      opened_bits_(static_cast<std::uint64_t>(opened.seconds) & 0xff'ffff'ffffULL),
      name_end_high_((name_end >> 32) & 0xffff),
      kind_(static_cast<std::uint64_t>(kind) & 0xff) {
  YL_ASSERT(name_end >> 48 == 0);
  YL_ASSERT(this->opened() == opened);  // within 40 bits
  YL_ASSERT(this->kind() == kind);
}

AccountId Ledger::add_account(std::string_view name, AccountKind kind) {
  const auto id = static_cast<AccountId>(accounts_.size());
  ids_by_name_.insert(name, id);
  names_.append(name);
  std::uint32_t gas_slot = kNoGasRecord;
  if (kind == AccountKind::dapp) {  // SPEC §4: B = S = 0, t = the time it was opened
    gas_slot = static_cast<std::uint32_t>(gas_records_.size());
    gas_records_.push_back(GasRecord{GasMode::void_mode, {}, {}, now_});
  }
  accounts_.emplace_back(names_.size(), now_, gas_slot, kind);
  positions_.add_account();
  return id;
}

std::optional<AccountId> Ledger::find_account(std::string_view name) const {
  return ids_by_name_.find(name, [this](AccountId id) { return this->name(id); });
}

void Ledger::prefetch_names(const Event& event) const {
  for_each_name(event.body, [this](std::string_view name) { ids_by_name_.prefetch(name); });
}

void Ledger::prefetch_accounts(const Event& event) const {
  const std::optional<Asset> asset = asset_touched(event.body);
  for_each_name(event.body, [&](std::string_view name) {
    const std::optional<AccountId> id = find_account(name);
    if (!id) return;
    __builtin_prefetch(&accounts_[*id]);
    for (const Asset a : kAssets) {
      if (!asset || a == *asset) positions_.prefetch(*id, a);
    }
  });
}

const RpowTable* Ledger::growth_for(std::uint32_t apr_bps) {
  auto& slot = growth_by_apr_[apr_bps];
  if (!slot) slot = std::make_shared<const RpowTable>(dsr_for_apr(apr_bps));
  return slot.get();
}

std::optional<Rejection> Ledger::apply(const Event& event) {
  if (event.time < params_.start) {
    return reject(RejectCode::time_before_start, "time {} is before start {}",
                  format_timestamp(event.time), format_timestamp(params_.start));
  }
  if (event.time > params_.end) {
    return reject(RejectCode::time_after_end, "time {} is after end {}",
                  format_timestamp(event.time), format_timestamp(params_.end));
  }
  if (event.time < last_event_time_) {
    return reject(RejectCode::time_goes_backwards, "time {} is before the previous event's time {}",
                  format_timestamp(event.time), format_timestamp(last_event_time_));
  }
  const std::optional<Asset> asset = asset_touched(event.body);
  // The drip's invariants are checked with the event's, once (below).
  std::array<bool, 2> checked{};
  if (auto rejected = prepare(event.time, asset, checked)) return rejected;
  last_event_time_ = event.time;

  // Whether the event may change gas records and @gas (SPEC §4): the gas events, and those whose
  // asset is unknown.
  const bool gas = std::holds_alternative<PayGas>(event.body) ||
                   std::holds_alternative<ClaimGas>(event.body) ||
                   std::holds_alternative<SetGasMode>(event.body) || !asset;
  begin_checkpoint(asset, gas);
  if (std::holds_alternative<PayGas>(event.body) || std::holds_alternative<ClaimGas>(event.body)) {
    remember(kGasAccount);  // gas fees move through the system accounts (SPEC §4)
    remember(kFeeVaultAccount);
  }
  if (std::holds_alternative<ForceReport>(event.body)) {
    remember(kFeeVaultAccount);  // a report may credit it its void share (SPEC §9.2)
  }
  std::optional<Rejection> rejected;
  KnownReserves reserves_now;
  try {
    rejected = apply_body(event.body);
    // A handler decides before it changes anything (STYLE §4): what it rejects, it left as is.
    YL_ASSERT(!rejected || unchanged_since_checkpoint());
    if (!rejected) require_sums_fit(asset, &reserves_now);
  } catch (const OverflowError& error) {
    rejected = reject(RejectCode::overflow, "overflow: {}", error.what());
  }
  checkpoint_.active = false;
  if (rejected) {
    restore_checkpoint();                   // after an overflow, thrown mid-change
    journal_.close(/*report_ordinal=*/-1);  // the drip, which stays (SPEC §9.1)
    if (checked[0] || checked[1] || gas) check_invariants(checked, gas);  // the rollback too
    return rejected;
  }
  positions_.commit();
  journal_.close(/*report_ordinal=*/-1);  // the drip before the event, and the event
  for (Asset a : kAssets) checked[index_of(a)] = checked[index_of(a)] || !asset || *asset == a;
  check_invariants(checked, gas, reserves_now);
  return std::nullopt;
}

std::optional<Rejection> Ledger::prepare_for(Timestamp time) {
  std::array<bool, 2> dripped{};
  if (auto rejected = prepare(time, std::nullopt, dripped)) return rejected;
  journal_.close(/*report_ordinal=*/-1);
  if (dripped[0] || dripped[1]) check_invariants(dripped, /*gas=*/false);
  return std::nullopt;
}

std::optional<Rejection> Ledger::prepare(Timestamp time, std::optional<Asset> only,
                                         std::array<bool, 2>& dripped) {
  YL_ASSERT(time <= params_.end);
  if (auto rejected = advance_to(time)) return rejected;
  now_ = time;
  // SPEC §9.1: the stream drips before every event; it is not part of the event and stays if the
  // event is rejected. Under `touched`, only the asset the event reads drips now (DripSchedule).
  drip_streams(time, params_.drip == DripSchedule::touched ? only : std::nullopt, dripped);
  return std::nullopt;
}

void Ledger::settle() {
  std::array<bool, 2> dripped{};
  drip_streams(last_event_time_, std::nullopt, dripped);
  journal_.close(/*report_ordinal=*/-1);
  if (dripped[0] || dripped[1]) check_invariants(dripped, /*gas=*/false);
}

bool Ledger::settled() const {
  if (params_.policy.distribution != Distribution::streamed) return true;
  return std::ranges::all_of(kAssets,
                             [&](Asset a) { return drip_due(a, last_event_time_).is_zero(); });
}

void Ledger::drip_streams(Timestamp time, std::optional<Asset> only, std::array<bool, 2>& dripped) {
  if (params_.policy.distribution != Distribution::streamed) return;
  // No checkpoint: a drip cannot overflow. It moves d <= S - R from locked into pending and the
  // price, and all it writes (pending, P·C + Σr, postings of at most d) are parts of the §6
  // conservation sum, which stays at most the reserves, below 2^256 (require_sums_fit).
  for (Asset asset : kAssets) {
    if (only && *only != asset) continue;
    const Amount d = drip_due(asset, time);
    if (d.is_zero()) continue;  // a second with nothing due posts nothing
    drip(asset, d);
    dripped[index_of(asset)] = true;
  }
}

void Ledger::begin_checkpoint(std::optional<Asset> asset, bool gas) {
  YL_ASSERT(positions_.working_set_empty());  // every change before was committed
  checkpoint_.asset = asset;
  checkpoint_.gas = gas;
  for (Asset a : kAssets) {
    if (!asset || *asset == a) checkpoint_.books[index_of(a)] = books_[index_of(a)];
  }
  checkpoint_.sources_saved = false;  // source_to_change saves them
  checkpoint_.gas_owed = gas_owed_;
  checkpoint_.account_count = accounts_.size();
  checkpoint_.gas_record_count = gas_records_.size();
  checkpoint_.touched_count = 0;
  checkpoint_.journal_entries = journal_.entry_count();
  checkpoint_.journal_postings = journal_.posting_count();
  checkpoint_.reports = reports_.size();
  checkpoint_.active = true;
}

template <typename Step>
std::optional<Rejection> Ledger::atomically(std::optional<Asset> asset, const Step& step) {
  begin_checkpoint(asset, /*gas=*/true);
  remember(kFeeVaultAccount);  // a report may credit it its void share (SPEC §9.2)
  try {
    step();
  } catch (const OverflowError& error) {
    checkpoint_.active = false;
    restore_checkpoint();
    return reject(RejectCode::overflow, "overflow: {}", error.what());
  }
  checkpoint_.active = false;
  positions_.commit();
  return std::nullopt;
}

bool Ledger::in_checkpoint(AccountId id, std::optional<Asset> asset) const {
  if (!checkpoint_.active || id >= checkpoint_.account_count) return true;
  const bool in_scope =
      asset ? !checkpoint_.asset || *checkpoint_.asset == *asset : checkpoint_.gas;
  if (!in_scope) return false;
  for (std::size_t i = 0; i < checkpoint_.touched_count; ++i) {
    if (checkpoint_.touched_ids[i] == id) return true;
  }
  return false;
}

void Ledger::remember(AccountId id) const {
  if (!checkpoint_.active) return;
  for (std::size_t i = 0; i < checkpoint_.touched_count; ++i) {
    if (checkpoint_.touched_ids[i] == id) return;
  }
  YL_ASSERT(checkpoint_.touched_count < checkpoint_.touched_ids.size());
  const std::size_t k = checkpoint_.touched_count++;
  checkpoint_.touched_ids[k] = id;
  if (checkpoint_.gas && accounts_[id].gas_slot() != kNoGasRecord) {
    checkpoint_.touched_gas[k] = gas_records_[accounts_[id].gas_slot()];
  }
}

SourceState& Ledger::source_to_change(std::size_t i) {
  if (checkpoint_.active && !checkpoint_.sources_saved) {
    checkpoint_.sources.assign(sources_.begin(), sources_.end());
    checkpoint_.sources_saved = true;
  }
  return sources_[i];
}

bool Ledger::unchanged_since_checkpoint() const {
  for (Asset a : kAssets) {
    const bool saved = !checkpoint_.asset || *checkpoint_.asset == a;
    if (saved && !(books_[index_of(a)] == checkpoint_.books[index_of(a)])) return false;
  }
  for (std::size_t i = 0; i < checkpoint_.touched_count; ++i) {
    const std::uint32_t slot = accounts_[checkpoint_.touched_ids[i]].gas_slot();
    if (checkpoint_.gas && slot != kNoGasRecord &&
        !(gas_records_[slot] == checkpoint_.touched_gas[i])) {
      return false;
    }
  }
  return positions_.working_set_empty() && !checkpoint_.sources_saved &&
         gas_owed_ == checkpoint_.gas_owed && accounts_.size() == checkpoint_.account_count &&
         gas_records_.size() == checkpoint_.gas_record_count &&
         journal_.entry_count() == checkpoint_.journal_entries &&
         journal_.posting_count() == checkpoint_.journal_postings &&
         reports_.size() == checkpoint_.reports;
}

void Ledger::restore_checkpoint() {
  for (Asset a : kAssets) {
    if (!checkpoint_.asset || *checkpoint_.asset == a) {
      books_[index_of(a)] = checkpoint_.books[index_of(a)];
    }
  }
  if (checkpoint_.sources_saved) {
    sources_.assign(checkpoint_.sources.begin(), checkpoint_.sources.end());
  }
  gas_owed_ = checkpoint_.gas_owed;
  positions_.discard();  // the event's positions never reached the store
  for (std::size_t i = 0; i < checkpoint_.touched_count; ++i) {
    const AccountId id = checkpoint_.touched_ids[i];
    if (checkpoint_.gas && accounts_[id].gas_slot() != kNoGasRecord) {
      gas_records_[accounts_[id].gas_slot()] = checkpoint_.touched_gas[i];
    }
  }
  while (accounts_.size() > checkpoint_.account_count) {
    const auto id = static_cast<AccountId>(accounts_.size() - 1);
    ids_by_name_.erase(name(id), id);
    names_.resize(id == 0 ? 0 : accounts_[id - 1].name_end());
    accounts_.pop_back();
    positions_.remove_last_account();
  }
  gas_records_.resize(checkpoint_.gas_record_count);
  journal_.truncate(checkpoint_.journal_entries, checkpoint_.journal_postings);
  reports_.resize(checkpoint_.reports);
}

std::optional<Rejection> Ledger::apply_body(const EventBody& body) {
  return std::visit([this](const auto& e) { return on(e); }, body);
}

std::optional<Rejection> Ledger::advance_to(Timestamp time) {
  while (next_scheduled_report_ && *next_scheduled_report_ <= time) {
    const Timestamp due = *next_scheduled_report_;
    now_ = due;
    if (auto rejected = atomically(std::nullopt, [this] {
          run_report(Asset::eth, ReportTrigger::scheduled);
          run_report(Asset::usdb, ReportTrigger::scheduled);
        })) {
      return reject(rejected->code, "overflow in the scheduled report at {}: {}",
                    format_timestamp(due), rejected->reason);
    }
    check_invariants();
    last_scheduled_report_ = due;
    const bool more = params_.report_every_s <= params_.end.seconds - due.seconds;
    next_scheduled_report_ =
        more ? std::optional(Timestamp{due.seconds + params_.report_every_s}) : std::nullopt;
  }
  if (time > now_) now_ = std::min(time, params_.end);
  return std::nullopt;
}

void Ledger::extend_end(Timestamp new_end) {
  YL_ASSERT(new_end >= params_.end);
  params_.end = new_end;
  if (!next_scheduled_report_ &&
      params_.report_every_s <= params_.end.seconds - last_scheduled_report_.seconds) {
    next_scheduled_report_ = Timestamp{last_scheduled_report_.seconds + params_.report_every_s};
  }
}

std::vector<ReportRecord> Ledger::take_reports() {
  std::vector<ReportRecord> taken;
  taken.swap(reports_);
  return taken;
}

Amount Ledger::balance(AccountId id, Asset asset) const {
  return book(asset).shares.balance(position_of(id, asset));
}

Amount Ledger::claimable(AccountId id, Asset asset) const {
  return book(asset).shares.claimable(position_of(id, asset));
}

WideSum Ledger::reserves(Asset asset) const {
  const AssetBook& b = book(asset);
  WideSum reserves(b.buffer);
  reserves += b.debt;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (params_.sources[i].asset == asset) reserves += sources_[i].principal;
  }
  return reserves;
}

U512 Ledger::reserves_wei(Asset asset) const { return reserves(asset).wide(); }

void Ledger::require_sums_fit(std::optional<Asset> only, KnownReserves* summed) const {
  for (Asset asset : kAssets) {
    if (only && *only != asset) continue;
    const AssetBook& b = book(asset);
    // Terms are unsigned, so the sum reaches 2^256 exactly when one of the partial sums does: the
    // 256-bit adds, which throw there, decide it.
    try {
      Amount with_values = b.buffer + b.debt;
      Amount reserves_now = with_values;  // reserves(asset), summed in the same pass
      for (std::size_t i = 0; i < sources_.size(); ++i) {
        if (params_.sources[i].asset != asset) continue;
        with_values += sources_[i].value;
        reserves_now += sources_[i].principal;
      }
      if (summed) (*summed)[index_of(asset)] = WideSum(reserves_now);
    } catch (const OverflowError&) {
      throw OverflowError(
          fmt::format("{}'s buffer, sources and debt would reach 2^256", asset_name(asset)));
    }
  }
}

void Ledger::check_invariants() const { check_invariants({true, true}, /*gas=*/true); }

void Ledger::check_invariants(const std::array<bool, 2>& assets, bool gas,
                              const KnownReserves& known) const {
  for (Asset asset : kAssets) {
    if (!assets[index_of(asset)]) continue;
    const AssetBook& b = book(asset);
    const ShareLedger& s = b.shares;
    WideSum owed = WideSum::product(s.price(), s.total_shares());
    for (const Amount* a : {&s.remainder_sum(), &s.void_fixed_sum(), &s.pending(), &b.retained}) {
      owed += *a;
    }
    owed += b.stream.locked();
    const std::optional<WideSum>& reserves_now = known[index_of(asset)];
    YL_ASSERT((reserves_now ? *reserves_now : reserves(asset)) == owed);  // SPEC §6, per asset
    YL_ASSERT(b.stream.released <= b.stream.total);
  }
  // @gas = Σ B (SPEC §4). @gas is VOID, so a report leaves its balance as it is: only the gas
  // events change either side.
  if (gas) YL_ASSERT(balance(kGasAccount, Asset::eth) == gas_owed_);
}

std::optional<std::string> Ledger::audit_invariants() const {
  for (Asset asset : kAssets) {
    const AssetBook& b = book(asset);
    const ShareLedger& s = b.shares;
    U512 held = 0, shares_sum = 0, remainder_sum = 0, void_sum = 0;
    for (AccountId id = 0; id < account_count(); ++id) {
      const Position p = position_of(id, asset);
      if (p.remainder >= s.peak_price()) {
        return fmt::format("{} {}: remainder {} is not below the highest price {}", name(id),
                           asset_name(asset), p.remainder.wei_string(),
                           s.peak_price().wei_string());
      }
      if (p.mode == YieldMode::void_mode && (!p.shares.is_zero() || !p.remainder.is_zero())) {
        return fmt::format("{} {}: a VOID position holds shares", name(id), asset_name(asset));
      }
      held += s.balance(p).wide() + s.claimable(p).wide();
      shares_sum += p.shares.wide();
      remainder_sum += p.remainder.wide();
      if (p.mode == YieldMode::void_mode) void_sum += p.fixed.wide();
    }
    if (shares_sum != s.total_shares().wide()) {
      return fmt::format("{}: total shares {} but accounts hold {}", asset_name(asset),
                         s.total_shares().wei_string(), shares_sum.str());
    }
    if (remainder_sum != s.remainder_sum().wide() || void_sum != s.void_fixed_sum().wide()) {
      return fmt::format("{}: running totals of remainders or VOID balances drifted",
                         asset_name(asset));
    }
    const U512 reserves = reserves_wei(asset);
    const U512 owed = held + s.pending().wide() + b.retained.wide() + b.stream.locked().wide();
    if (reserves != owed) {
      return fmt::format("{}: buffer + principal + debt = {} but balances + pending + retained + "
                         "locked = {}",
                         asset_name(asset), reserves.str(), owed.str());
    }
    if (s.price() > s.peak_price() || s.price().is_zero()) {
      return fmt::format("{}: price {} outside [1, P̂ = {}]", asset_name(asset),
                         s.price().wei_string(), s.peak_price().wei_string());
    }
  }
  U512 gas_sum = 0;
  for (const GasRecord& record : gas_records_) gas_sum += record.balance_wei.wide();
  if (gas_sum != gas_owed_.wide() || balance(kGasAccount, Asset::eth) != gas_owed_) {
    return fmt::format("@gas holds {} but dapps are owed {}",
                       balance(kGasAccount, Asset::eth).wei_string(), gas_sum.str());
  }
  return std::nullopt;
}

}  // namespace yl
