// The yieldledger state machine: every account, both L2 share ledgers, the L1 side of each asset
// and its yield sources, advanced by events and scheduled reports (SPEC §2-§6).
//
// It is pure and deterministic: no I/O, no clock, no randomness, no floats. The same parameters
// and the same events always give the same state, to the wei.
//
// Atomicity: `apply` validates and applies one event. If the event is rejected (a named rule, or
// an arithmetic overflow found mid-way), everything it touched is restored from a checkpoint taken
// before it began (positions: the working set it changed them in is dropped), so a rejected event
// changes nothing. Scheduled reports due before the event's time are not part of the event: they
// run first and stay.
//
// Thread-safety: none; one Ledger belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/amount.h"
#include "engine/core/assert.h"
#include "engine/core/asset.h"
#include "engine/core/event.h"
#include "engine/core/gas.h"
#include "engine/core/journal.h"
#include "engine/core/name_index.h"
#include "engine/core/policy.h"
#include "engine/core/position_store.h"
#include "engine/core/rejection.h"
#include "engine/core/report.h"
#include "engine/core/share_ledger.h"
#include "engine/core/table_allocator.h"
#include "engine/core/timestamp.h"
#include "engine/core/yield_source.h"

namespace yl {

// When SPEC §9.1's stream drips between reports. Both give the same state at every event
// boundary (drips telescope: R is cumulative, and folding pending into the price composes while
// the asset's shares C do not change, which only its own events and reports do); they group the
// journal's drip postings differently, so a ledger keeps the one it was written with (schema 6's
// `scenario.drip_schedule`, STYLE §4: a named, pinned policy).
enum class DripSchedule : std::uint8_t {
  // Every asset before every event, ETH then USDB: the SPEC's words. Ledgers written before
  // schema 6 have it.
  every_event = 0,
  // Before an event, only the asset it touches (both for an event of no one asset); before a
  // report, its asset. The state a reader sees is brought up to the last event by settle().
  touched = 1,
};
std::string_view drip_schedule_name(DripSchedule d);
std::optional<DripSchedule> parse_drip_schedule(std::string_view text);

// The scenario's parameters (SPEC §1.1), already validated by the loader.
struct LedgerParams {
  Timestamp start;
  Timestamp end;
  std::int64_t report_every_s = 86400;
  Amount initial_price = Amount::from_u64(1'000'000'000);
  std::vector<SourceConfig> sources;
  Policy policy;  // [policy]: fees and the §9 rules
  GasParams gas;
  DripSchedule drip = DripSchedule::touched;  // not in the scenario: kept by the ledger's store
};

using AccountId = std::uint32_t;
inline constexpr AccountId kGasAccount = 0;       // @gas: gas fees not yet claimed (SPEC §2.2)
inline constexpr AccountId kFeeVaultAccount = 1;  // @fee_vault: what the protocol keeps

// An account as Ledger::info shows it. `name` views the Ledger's name arena: it stays valid while
// the Ledger lives and opens no other account.
struct AccountInfo {
  std::string_view name;
  AccountKind kind = AccountKind::user;
  Timestamp opened;
};

// What an account holds (SPEC §3.1), as Ledger::state returns it (the Ledger stores positions
// compactly: engine/core/position_store.h). A dapp's gas record (SPEC §4) is kept apart: see gas().
struct AccountState {
  std::array<Position, 2> positions;  // indexed by Asset
  friend bool operator==(const AccountState&, const AccountState&) = default;
};

// Each asset's reserves (SPEC §6), where they are known: see Ledger::check_invariants.
using KnownReserves = std::array<std::optional<WideSum>, 2>;

// Per asset: its L2 share ledger and its L1 reserves (SPEC §3.1, §5).
struct AssetBook {
  ShareLedger shares;
  Amount buffer;
  Amount debt;            // D: negative yield not yet recovered
  Amount insurance;       // held on L1 apart from user funds
  Amount retained;        // withdrawal discounts beyond the debt they repaid (§5.5)
  Amount revenue;         // the protocol's fees, held on L1 apart from user funds (§9.4)
  Stream stream;          // the §9.1 profit stream; empty under `snapshot`
  Timestamp last_report;  // the time of the asset's last report (start at genesis), for §9.4
  friend bool operator==(const AssetBook&, const AssetBook&) = default;
};

class Ledger {
 public:
  explicit Ledger(LedgerParams params);

  const LedgerParams& params() const { return params_; }
  // The time of the last event applied or report run (start at genesis).
  Timestamp now() const { return now_; }

  // Applies one event at its time (see the file comment). Returns the rejection, if any.
  std::optional<Rejection> apply(const Event& event);
  // What precedes an event at `time` (apply does it first): the scheduled reports due up to it,
  // then SPEC §9.1's drip at `time`, ETH then USDB (nothing under `snapshot`). Idempotent at one
  // time. Fails only on overflow. REQUIRES: the last event's time <= time <= end.
  std::optional<Rejection> prepare_for(Timestamp time);
  // Brings every stream up to the last event's time, as SPEC §9.1 has it there: under
  // DripSchedule::touched the assets that event did not touch drip now, in one journal entry
  // (nothing when nothing is due; always nothing under every_event). A reader of the state
  // calls it first: the replay's observers, snapshots, `audit`'s final checks, the lab's
  // metrics. It leaves the state every later event sees unchanged, but not the journal's
  // grouping, so a ledger whose journal is stored or compared settles only after its last event.
  void settle();
  // Whether settle() would drip nothing (take_snapshot asserts it).
  bool settled() const;
  // Runs every scheduled report due at or before `time` (never past `end`), ETH then USDB.
  // Fails only on overflow, in which case that report did not happen.
  std::optional<Rejection> advance_to(Timestamp time);
  // The time of the next scheduled report, if one is still due before `end`.
  std::optional<Timestamp> next_scheduled_report() const { return next_scheduled_report_; }
  // Moves `end` later, so that the simulation can continue (`yieldledger apply --until`).
  // Scheduled reports keep their grid, start + k·report_every, so a ledger extended this way
  // replays identically to one whose scenario had the later end from the start.
  // REQUIRES: new_end >= end.
  void extend_end(Timestamp new_end);

  // The reports run since the last call, in the order they ran.
  std::vector<ReportRecord> take_reports();
  // The journal entries since the last clear_journal(); a report entry's report_ordinal indexes
  // the reports take_reports() returns with them, so take both together.
  const Journal& journal() const { return journal_; }
  void clear_journal() { journal_.clear(); }

  std::size_t account_count() const { return accounts_.size(); }
  AccountInfo info(AccountId id) const {
    const AccountRecord& record = accounts_.at(id);
    return AccountInfo{name(id), record.kind(), record.opened()};
  }
  // REQUIRES (both): id < account_count().
  AccountState state(AccountId id) const {
    return AccountState{{position_of(id, Asset::eth), position_of(id, Asset::usdb)}};
  }
  Position position_of(AccountId id, Asset asset) const {
    YL_ASSERT(id < positions_.account_count());
    return positions_.get(id, asset);
  }
  std::optional<AccountId> find_account(std::string_view name) const;
  // A hint for a caller that knows the events to come: `ahead(k)` returns the event k after the
  // one about to be applied, or nullptr when it does not know it. It starts loading what applying
  // those events will read, and changes nothing (any event may be passed, valid or not).
  // In a large ledger an event's accounts are cache misses, one after the other: the name
  // index's slot, then the account's record and position. This looks up the names of the event
  // kPrefetchAccountsAhead ahead, whose slots it asked for kPrefetchNamesAhead −
  // kPrefetchAccountsAhead events earlier, and asks for their records and positions: so each miss
  // overlaps the work of the events between (bench/PROFILE.md, "After (huge pages and
  // prefetch)").
  static constexpr std::size_t kPrefetchNamesAhead = 16;
  static constexpr std::size_t kPrefetchAccountsAhead = 8;
  template <typename Ahead>
  void prefetch(const Ahead& ahead) const {
    if (const Event* event = ahead(kPrefetchNamesAhead)) prefetch_names(*event);
    if (const Event* event = ahead(kPrefetchAccountsAhead)) prefetch_accounts(*event);
  }
  // A dapp's gas record (SPEC §4); nullptr for any other account: only dapps have one.
  const GasRecord* gas(AccountId id) const {
    const std::uint32_t slot = accounts_.at(id).gas_slot();
    return slot == kNoGasRecord ? nullptr : &gas_records_[slot];
  }
  const AssetBook& book(Asset asset) const { return books_[index_of(asset)]; }
  std::size_t source_count() const { return params_.sources.size(); }
  const SourceConfig& source_config(std::size_t i) const { return params_.sources.at(i); }
  const SourceState& source_state(std::size_t i) const { return sources_.at(i); }
  // Σ B over every dapp: what @gas owes (SPEC §6).
  const Amount& gas_owed() const { return gas_owed_; }

  // The left side of SPEC §6's conservation law: buffer + Σ principal + D of `asset`'s sources.
  U512 reserves_wei(Asset asset) const;
  // The price per RAY a withdrawal of `asset` at `at` would be paid, no report or event coming
  // between (SPEC §5.5): RAY without debt, else min(RAY, ⌊TV·RAY/(TV + D)⌋), TV = buffer + Σ its
  // sources' values accrued to `at` (on copies: nothing changes). May throw OverflowError, as
  // the accrual may. REQUIRES: at >= now().
  Amount withdrawal_price_ray(Asset asset, Timestamp at) const;

  Amount balance(AccountId id, Asset asset) const;
  Amount claimable(AccountId id, Asset asset) const;

  // The SPEC §6 laws from running totals, in O(sources); aborts through YL_ASSERT if one fails.
  // This one checks them all; after every event, the private overload below checks what it or
  // its drip may have changed.
  void check_invariants() const;
  // The same laws recomputed from every account, in O(accounts). Returns a description of the
  // first violation, or nullopt. For tests and audits.
  std::optional<std::string> audit_invariants() const;

 private:
  // The laws of the assets marked (by index_of), and @gas = Σ B (SPEC §4) when `gas`: only the gas
  // events change either side of that one. `known` holds the reserves that require_sums_fit
  // summed since the last change, so that they are not summed twice.
  void check_invariants(const std::array<bool, 2>& assets, bool gas,
                        const KnownReserves& known = {}) const;
  // Everything an event or a scheduled report may change (a drip needs none: it cannot
  // overflow), saved before it runs so that an overflow, thrown mid-change, can be undone (any
  // other rejection is decided before the first change, STYLE §4): the book of the asset it
  // touches (both when unknown; a book holds the share ledger with P̂, the reserves, revenue, the
  // stream and last_report), the sources, and, for the gas events (and when the asset is
  // unknown), the gas record of each account a lookup resolves. Positions need no copy: an event
  // changes them in the PositionStore's working set, which a rejection discards and a success
  // commits. Handlers mutate only accounts they looked up, plus the system accounts they
  // remember, in the asset in scope (both when unknown): position() and gas_record() assert it.
  // The one rollback path of the Ledger.
  struct Checkpoint {
    std::optional<Asset> asset;
    bool gas = false;
    std::array<AssetBook, 2> books;
    std::vector<SourceState> sources;  // saved at the event's first change to a source
    bool sources_saved = false;
    Amount gas_owed;
    std::size_t account_count = 0;
    std::array<AccountId, 4> touched_ids{};
    std::array<GasRecord, 4> touched_gas;  // meaningful for gas scope and a dapp only
    std::size_t gas_record_count = 0;
    std::size_t touched_count = 0;
    std::size_t journal_entries = 0;
    std::size_t journal_postings = 0;
    std::size_t reports = 0;
    bool active = false;
  };
  // Whether a mutation of `id`'s `asset` position (or gas record, when `asset` is nullopt) can be
  // rolled back: no checkpoint is active, or the account is new, or it was remembered in scope.
  bool in_checkpoint(AccountId id, std::optional<Asset> asset) const;
  void begin_checkpoint(std::optional<Asset> asset, bool gas);
  void remember(AccountId id) const;
  void restore_checkpoint();
  // Whether the state is as begin_checkpoint found it, in what an event can change. A handler
  // decides before it changes anything (STYLE §4), so apply() asserts this after a rejection;
  // only an overflow, thrown mid-change, has something to roll back.
  bool unchanged_since_checkpoint() const;
  // Source i, to change: the one way the Ledger changes a source's state, so that the active
  // checkpoint saves the sources before the event's first change (most events change none).
  SourceState& source_to_change(std::size_t i);
  // Runs `step` inside a checkpoint; on overflow restores everything and returns the rejection.
  template <typename Step>
  std::optional<Rejection> atomically(std::optional<Asset> asset, const Step& step);

  void prefetch_names(const Event& event) const;
  void prefetch_accounts(const Event& event) const;
  std::optional<Rejection> apply_body(const EventBody& body);
  std::optional<Rejection> on(const OpenAccount& e);
  std::optional<Rejection> on(const Deposit& e);
  std::optional<Rejection> on(const Withdraw& e);
  std::optional<Rejection> on(const Transfer& e);
  std::optional<Rejection> on(const Configure& e);
  std::optional<Rejection> on(const Claim& e);
  std::optional<Rejection> on(const SetGasMode& e);
  std::optional<Rejection> on(const PayGas& e);
  std::optional<Rejection> on(const ClaimGas& e);
  std::optional<Rejection> on(const ForceReport& e);
  std::optional<Rejection> on(const SetRate& e);
  std::optional<Rejection> on(const Loss& e);

  // Lookups that produce the named rejection when they fail.
  std::optional<Rejection> lookup_account(std::string_view name, AccountId* id) const;
  std::optional<Rejection> lookup_dapp(std::string_view name, AccountId* id) const;
  std::optional<Rejection> lookup_source(std::string_view name, std::size_t* index) const;
  std::optional<Rejection> require_balance(AccountId id, Asset asset, const Amount& needed) const;

  // Valid until the event, report or constructor that asked for it ends (PositionStore::edit).
  Position& position(AccountId id, Asset asset) {
    YL_ASSERT(in_checkpoint(id, asset));
    return positions_.edit(id, asset);
  }
  // REQUIRES: `id` is a dapp.
  GasRecord& gas_record(AccountId id) {
    YL_ASSERT(in_checkpoint(id, std::nullopt));
    YL_ASSERT(accounts_[id].gas_slot() != kNoGasRecord);
    return gas_records_[accounts_[id].gas_slot()];
  }
  ShareLedger& shares(Asset asset) { return books_[index_of(asset)].shares; }
  void move(AccountId from, AccountId to, Asset asset, const Amount& amount, Memo memo);
  // Posts the yield the price gave `id`'s shares since they were last settled, from l2:accrued
  // to l2:account (journal.h). Called before the position changes.
  void settle(AccountId id, Asset asset);
  // SPEC §5.1: source i as accrued to now, on a copy, so a handler can decide on it before it
  // changes anything. May throw OverflowError.
  SourceState accrued(std::size_t i) const;
  // SPEC §5.5's total value TV of `asset` at `at`: the buffer + its sources' values accrued to
  // `at`, on copies (each also put in `copies[i]`, when given); and what a withdrawal can be paid
  // from, the buffer + Σ min(value, principal). May throw OverflowError, as the accrual may.
  struct Valuation {
    Amount total_value, coverable;
  };
  Valuation value_at(Asset asset, Timestamp at, std::span<SourceState> copies) const;
  // Makes `state` (from accrued(i)) source i's own, and posts what the accrual earned.
  void commit_accrual(std::size_t i, const SourceState& state);
  // SPEC §5.1: accrues source i to now in place, and posts what it earned.
  void accrue_source(std::size_t i);
  // Journals `earned` (SPEC §5.1) from source i's unreported yield to its yield.
  void post_accrual(std::size_t i, const Amount& earned);
  void accrue_sources(Asset asset);
  void run_report(Asset asset, ReportTrigger trigger);
  // SPEC §6: after an event or report, `buffer + Σ value + D` and `buffer + Σ principal + D` of
  // each asset (both when `asset` is nullopt) stay below 2^256, so every sum of an asset's
  // amounts fits in 256 bits. Throws OverflowError otherwise (the caller rolls back). Puts the
  // reserves it sums in `summed`, when given, for check_invariants.
  void require_sums_fit(std::optional<Asset> asset, KnownReserves* summed = nullptr) const;
  // buffer + Σ principal + debt of `asset` (SPEC §6), exact.
  WideSum reserves(Asset asset) const;
  // prepare_for without the invariant check and with the drip's postings left open, dripping
  // only `only` when it is given (the schedule allowing): `dripped` says which assets the drip
  // moved, for the caller to check (apply checks them with the event's own).
  std::optional<Rejection> prepare(Timestamp time, std::optional<Asset> only,
                                   std::array<bool, 2>& dripped);
  // SPEC §9.1's drip at `time` of every asset in scope (all when `only` is nullopt), ETH then
  // USDB, its postings left open for the caller to close (apply closes them with the event's:
  // a journal row holds both anyway); nothing when nothing is due.
  void drip_streams(Timestamp time, std::optional<Asset> only, std::array<bool, 2>& dripped);
  // SPEC §9.1 drip(A, t): what it releases (released(t) − R; 0 when nothing is due, or when the
  // stream was anchored after t), and releasing `d` of it into pending (addValue).
  Amount drip_due(Asset asset, Timestamp time) const;
  void drip(Asset asset, const Amount& d);
  // addValue(amount) (SPEC §3.4) with its postings: Cr l2:pending under `memo`, then the fold
  // ΔP·C from pending to l2:accrued. The caller posts the side the amount comes from.
  void add_value(Asset asset, const Amount& amount, Memo memo);
  void apply_plan(Asset asset, const std::vector<std::size_t>& indexes, const ReportPlan& plan,
                  ReportRecord& record);
  const RpowTable* growth_for(std::uint32_t apr_bps);
  AccountId add_account(std::string_view name, AccountKind kind);
  // REQUIRES: id < account_count().
  std::string_view name(AccountId id) const {
    const std::size_t begin = id == 0 ? 0 : accounts_[id - 1].name_end();
    return std::string_view(names_).substr(begin, accounts_[id].name_end() - begin);
  }

  LedgerParams params_;
  // Per account, by id: what it is, where its name ends in names_ (it begins where the previous
  // one's ends), and its gas record's index in gas_records_. Only dapps have a gas record (SPEC
  // §4: gas is paid to and claimed by dapps); gas_records_ holds them in the order opened.
  static constexpr std::uint32_t kNoGasRecord = UINT32_MAX;
  // 16 bytes, where plain members would take 24 (at a million accounts, 8 MB): the name's end in
  // 48 bits (a name arena of up to 256 TiB), the time opened in 40 (parse_timestamp's years
  // 0000-9999 are within ±2^38 seconds).
  class AccountRecord {
   public:
    AccountRecord(std::size_t name_end, Timestamp opened, std::uint32_t gas_slot, AccountKind kind);
    std::size_t name_end() const { return std::size_t{name_end_high_} << 32 | name_end_low_; }
    Timestamp opened() const {  // the low 40 bits, sign-extended
      return Timestamp{static_cast<std::int64_t>(std::uint64_t{opened_bits_} << 24) >> 24};
    }
    AccountKind kind() const { return static_cast<AccountKind>(kind_); }
    std::uint32_t gas_slot() const { return gas_slot_; }

   private:
    std::uint32_t name_end_low_;
    std::uint32_t gas_slot_;
    std::uint64_t opened_bits_ : 40;
    std::uint64_t name_end_high_ : 16;
    std::uint64_t kind_ : 8;
  };
  static_assert(sizeof(AccountRecord) == 16);
  // The tables that grow with the accounts take TableAllocator's huge pages once they are large.
  std::vector<AccountRecord, TableAllocator<AccountRecord>> accounts_;
  // Every account's name, concatenated in id order: one allocation.
  std::basic_string<char, std::char_traits<char>, TableAllocator<char>> names_;
  PositionStore positions_;  // by id: both positions of every account
  std::vector<GasRecord, TableAllocator<GasRecord>> gas_records_;
  NameIndex ids_by_name_;  // name -> id over name(id); lookups only
  std::array<AssetBook, 2> books_;
  std::vector<SourceState> sources_;
  // A withdrawal's decision: its asset's sources as accrued to now, by index. Scratch, written
  // before each read, kept so that deciding allocates nothing; not state.
  std::vector<SourceState> accrued_scratch_;
  Amount gas_owed_;
  Timestamp now_;
  Timestamp last_event_time_;
  std::optional<Timestamp> next_scheduled_report_;
  Timestamp last_scheduled_report_;  // start until the first scheduled report runs
  std::vector<ReportRecord> reports_;
  Journal journal_;
  mutable Checkpoint checkpoint_;  // reused by every event, so it allocates only once
  std::map<std::uint32_t, std::shared_ptr<const RpowTable>> growth_by_apr_;  // cache; deterministic
};

// The posting's account in the chart (journal.h), e.g. "l2:account:alice", with the name of the
// ledger's account or source its index refers to.
std::string book_account_name(const Ledger& ledger, const Posting& posting);

// SPEC §2.2: the mode an account opens with: contracts start VOID for ETH (Blast sets the flag at
// CREATE), everything else AUTOMATIC.
YieldMode initial_yield_mode(AccountKind kind, Asset asset);

}  // namespace yl
