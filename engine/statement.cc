#include "engine/statement.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/ledger.h"
#include "engine/input/input_error.h"
#include "engine/input/names.h"
#include "engine/replay/replay.h"

namespace yl {
namespace {

std::string window_text(Timestamp t) { return format_timestamp(t); }

// "events.csv:12 (seq 11, e012)": the file's line, and the seq `journal --event` and `audit` use
// (the line alone sent a user to `journal --event 12`, another event: helper-72's F7).
std::string event_ref(const storage::StoredEvent& e) {
  return e.raw.id.empty() ? fmt::format("{}:{} (seq {})", e.file, e.raw.line, e.seq)
                          : fmt::format("{}:{} (seq {}, {})", e.file, e.raw.line, e.seq, e.raw.id);
}

// What an event did to `name`, in words.
std::string describe(const RawEvent& r, const std::string& name) {
  const std::string& t = r.type;
  if (t == "open") return fmt::format("opened ({})", r.value);
  if (t == "deposit")
    return r.asset == "ETH" || r.asset == "USDB" ? "deposit" : "deposit (" + r.asset + ")";
  if (t == "withdraw") return "withdraw";
  if (t == "transfer")
    return r.account == name ? "transfer to " + r.to : "transfer from " + r.account;
  if (t == "configure") return "mode -> " + r.value;
  if (t == "claim") {
    if (r.account != name) return "claim from " + r.account;
    return r.to.empty() || r.to == name ? "claim to itself" : "claim to " + r.to;
  }
  if (t == "gas_mode") return "gas mode -> " + r.value;
  if (t == "gas") return r.account == name ? "gas fee in " + r.to : "gas fee from " + r.account;
  if (t == "claim_gas") return r.account == name ? "gas claim" : "gas claim by " + r.account;
  if (t == "report") return "report (event)";
  return t;
}

// Whether the event is about `name`'s holding of `asset` (its asset column, with stablecoin
// deposits counting as USDB; events without one, like open, count for both).
bool concerns(const RawEvent& r, const std::string& name, Asset asset) {
  if (r.account != name && r.to != name) return false;
  if (r.type == "gas_mode") return asset == Asset::eth;  // gas fees are ETH
  if (r.asset.empty()) return true;
  const auto deposited = parse_deposit_asset(r.asset);
  return deposited && credited_asset(*deposited) == asset;
}

class AccountObserver : public ReplayObserver {
 public:
  // `until_to`: the statement ends at --to, not at the end of the run.
  AccountObserver(const std::string& name, Asset asset, bool until_to)
      : name_(name), asset_(asset), until_to_(until_to) {}

  void opening(const Ledger& ledger) override {
    read(ledger, &opening_balance_, &opening_claimable_);
    opening_time_ = window_text(ledger.now());
  }
  void before(const Ledger& ledger, Timestamp) override {
    read(ledger, &balance_, &claimable_);
    const auto id = ledger.find_account(name_);
    // An account not yet open reads as a new one: AUTOMATIC, nothing held.
    const Position p = id ? ledger.position_of(*id, asset_) : Position{};
    shares_ = p.shares;
    fixed_ = p.fixed;
    mode_ = p.mode;
    price_ = ledger.book(asset_).shares.price();
  }
  void after(const Ledger& ledger, const std::vector<ReportRecord>& reports,
             const storage::StoredEvent* event) override {
    Amount balance = balance_, claimable = claimable_;
    // Every price move of a step comes before any change to the account's shares (a drip runs
    // before the event, a forced report changes no shares), so the shares held before the step
    // earn each move. The price may fall (SPEC §9.3): accruals are signed.
    // A report gets its line even when the price did not move (as in v1.1); a drip only if it
    // moved the price.
    auto accrue = [&](const Amount& from, const Amount& to, std::string what, Timestamp time,
                      bool report) {
      if (shares_.is_zero() || (from == to && !report)) return;
      const SignedAmount accrual = to > from
                                       ? SignedAmount::of(shares_ * (to - from))
                                       : SignedAmount() - SignedAmount::of(shares_ * (from - to));
      // CLAIMABLE reads balance min(f, P·s + r) and the rest as claimable (SPEC §9.3).
      const Amount held = (SignedAmount::of(balance + claimable) + accrual).magnitude();
      balance = mode_ == YieldMode::claimable ? min(fixed_, held) : held;
      claimable = held - balance;
      statement_.accruals = statement_.accruals + accrual;
      statement_.lines.push_back(
          StatementLine{window_text(time), std::move(what), event ? event_ref(*event) : "", true,
                        accrual, balance, claimable, shares_, from, to, std::nullopt});
    };
    Amount price = price_;
    for (const ReportRecord& r : reports) {
      if (r.asset != asset_) continue;
      // Released stream yield (SPEC §9.1) the report's own drip gave before it.
      accrue(price, r.price_before, "stream drip", r.time, false);
      // The report credits @fee_vault the VOID balances' share of its yield (SPEC §9.2): a
      // movement no event names. Between the two prices, as the report does; the vault is VOID
      // (it holds no shares), so the distribution that follows does not accrue to it.
      if (!r.void_share.is_zero() && ledger.find_account(name_) == kFeeVaultAccount) {
        balance = balance + r.void_share;
        statement_.movements = statement_.movements + SignedAmount::of(r.void_share);
        statement_.lines.push_back(
            StatementLine{window_text(r.time),
                          fmt::format("void share ({} report)", report_trigger_name(r.trigger)),
                          event ? event_ref(*event) : "",
                          false,
                          SignedAmount::of(r.void_share),
                          balance,
                          claimable,
                          shares_,
                          {},
                          {},
                          std::nullopt});
      }
      accrue(r.price_before, r.price_after,
             fmt::format("report ({})", report_trigger_name(r.trigger)), r.time, true);
      price = r.price_after;
    }
    const Amount& now = ledger.book(asset_).shares.price();
    accrue(price, now, "stream drip", ledger.now(), false);  // the drip before the event
    if (event == nullptr) return;
    Amount balance_after, claimable_after;
    read(ledger, &balance_after, &claimable_after);
    const SignedAmount change =
        SignedAmount::difference(balance_after + claimable_after, balance + claimable);
    if (event->raw.type == "report" || (!concerns(event->raw, name_, asset_) && change.is_zero())) {
      return;
    }
    statement_.movements = statement_.movements + change;
    const auto id = ledger.find_account(name_);
    std::optional<Amount> discount;
    if (event->raw.type == "withdraw") {
      discount = withdrawal_discount(ledger.journal());
      statement_.discounts = statement_.discounts + *discount;
    }
    statement_.lines.push_back(StatementLine{event->raw.time,
                                             describe(event->raw, name_),
                                             event_ref(*event),
                                             false,
                                             change,
                                             balance_after,
                                             claimable_after,
                                             id ? ledger.position_of(*id, asset_).shares : Amount(),
                                             {},
                                             {},
                                             discount});
  }
  void closing(const Ledger& ledger) override {
    if (!ledger.find_account(name_)) {
      if (until_to_) {
        throw UsageError(fmt::format("no account '{}' is open at --to {}", name_,
                                     format_timestamp(ledger.now())));
      }
      throw UsageError(fmt::format("unknown account '{}'", name_));
    }
    statement_.account = name_;
    statement_.asset = asset_;
    statement_.from = opening_time_;
    statement_.to = window_text(ledger.now());
    statement_.opening_balance = opening_balance_;
    statement_.opening_claimable = opening_claimable_;
    read(ledger, &statement_.closing_balance, &statement_.closing_claimable);
    statement_.check_difference =
        SignedAmount::of(opening_balance_ + opening_claimable_) + statement_.movements +
        statement_.accruals -
        SignedAmount::of(statement_.closing_balance + statement_.closing_claimable);
  }

  AccountStatement statement_;

 private:
  // The discount of the step's withdrawal, from its entry's postings: the debt it repaid and
  // what was retained (§5.5), which the journal keeps and the balances do not (helper-60's F4:
  // 47 discounted withdrawals were visible only through `journal`).
  Amount withdrawal_discount(const Journal& journal) const {
    Amount discount;
    for (const JournalEntry& entry : journal.entries()) {
      if (entry.report_ordinal >= 0) continue;
      for (std::size_t i = entry.first; i < entry.first + entry.count; ++i) {
        const Posting& p = journal.postings()[i];
        if (p.asset == asset_ && !p.debit &&
            (p.memo == Memo::debt_repaid || p.memo == Memo::retained)) {
          discount = discount + p.amount;
        }
      }
    }
    return discount;
  }

  void read(const Ledger& ledger, Amount* balance, Amount* claimable) const {
    const auto id = ledger.find_account(name_);
    *balance = id ? ledger.balance(*id, asset_) : Amount();
    *claimable = id ? ledger.claimable(*id, asset_) : Amount();
  }

  std::string name_;
  Asset asset_;
  bool until_to_;
  std::string opening_time_;
  Amount opening_balance_, opening_claimable_;
  Amount balance_, claimable_, shares_, fixed_, price_;
  YieldMode mode_ = YieldMode::automatic;
};

class SourceObserver : public ReplayObserver {
 public:
  explicit SourceObserver(const std::string& name) : name_(name) {}

  void opening(const Ledger& ledger) override {
    index_ = find(ledger);
    value_ = ledger.source_state(index_).value;
    principal_ = ledger.source_state(index_).principal;
    statement_.source = name_;
    statement_.asset = ledger.source_config(index_).asset;
    statement_.from = window_text(ledger.now());
    statement_.opening_value = value_;
    statement_.opening_principal = principal_;
  }
  void before(const Ledger&, Timestamp) override {}
  void after(const Ledger& ledger, const std::vector<ReportRecord>& reports,
             const storage::StoredEvent* event) override {
    const Journal& journal = ledger.journal();
    for (const JournalEntry& entry : journal.entries()) {
      // One line per memo within the entry, in the order the memos first appear.
      std::vector<std::pair<Memo, SourceLine>> lines;
      for (std::size_t i = entry.first; i < entry.first + entry.count; ++i) {
        const Posting& p = journal.postings()[i];
        if (p.index != index_ ||
            (p.account != BookAccount::source && p.account != BookAccount::unreported)) {
          continue;
        }
        auto it = std::find_if(lines.begin(), lines.end(),
                               [&](const auto& l) { return l.first == p.memo; });
        if (it == lines.end()) {
          SourceLine line;
          line.what = std::string(memo_name(p.memo));
          line.time =
              entry.report_ordinal >= 0
                  ? window_text(reports.at(static_cast<std::size_t>(entry.report_ordinal)).time)
                  : event->raw.time;
          line.event = event ? event_ref(*event) : "";
          lines.emplace_back(p.memo, std::move(line));
          it = lines.end() - 1;
        }
        const SignedAmount delta =
            p.debit ? SignedAmount::of(p.amount) : SignedAmount() - SignedAmount::of(p.amount);
        // A hurdle moves nothing (a debit and a credit of unreported): its amount is what the
        // fees were not taken of, which the line showed as 0 and 0 (helper-72's F6).
        if (p.memo == Memo::hurdle && p.debit) it->second.exempt = it->second.exempt + p.amount;
        it->second.value_change = it->second.value_change + delta;  // principal + unreported
        if (p.account == BookAccount::source) {
          it->second.principal_change = it->second.principal_change + delta;
        }
      }
      for (auto& [memo, line] : lines) {
        value_ = (SignedAmount::of(value_) + line.value_change).magnitude();
        principal_ = (SignedAmount::of(principal_) + line.principal_change).magnitude();
        line.value = value_;
        line.principal = principal_;
        statement_.value_changes = statement_.value_changes + line.value_change;
        statement_.principal_changes = statement_.principal_changes + line.principal_change;
        statement_.lines.push_back(std::move(line));
      }
    }
  }
  void closing(const Ledger& ledger) override {
    statement_.to = window_text(ledger.now());
    statement_.closing_value = ledger.source_state(index_).value;
    statement_.closing_principal = ledger.source_state(index_).principal;
    statement_.value_check_difference = SignedAmount::of(statement_.opening_value) +
                                        statement_.value_changes -
                                        SignedAmount::of(statement_.closing_value);
    statement_.principal_check_difference = SignedAmount::of(statement_.opening_principal) +
                                            statement_.principal_changes -
                                            SignedAmount::of(statement_.closing_principal);
  }

  SourceStatement statement_;

 private:
  std::uint32_t find(const Ledger& ledger) const {
    for (std::size_t i = 0; i < ledger.source_count(); ++i) {
      if (ledger.source_config(i).name == name_) return static_cast<std::uint32_t>(i);
    }
    throw UsageError(fmt::format("unknown source '{}'", name_));
  }

  std::string name_;
  std::uint32_t index_ = 0;
  Amount value_, principal_;
};

}  // namespace

namespace {

// What no ledger can hold is refused before the replay, with at most a name's length of it
// quoted (a megabyte of --account came back whole, after the whole replay); so is a window outside
// the run (it gave an opening dated after its closing).
void check_request(storage::LedgerStore& store, const std::string& name, const char* what,
                   std::optional<Timestamp> from, std::optional<Timestamp> to) {
  if (!is_valid_name(name.starts_with('@') ? std::string_view(name).substr(1) : name)) {
    throw UsageError(fmt::format("unknown {} '{}': a name is 1-64 of A-Z a-z 0-9 _ . -", what,
                                 bounded(name, 64)));
  }
  const LedgerParams params = load_stored_scenario(store).params;
  if (from && *from > params.end) {
    throw UsageError(fmt::format("--from {} is after the ledger's end, {}", format_timestamp(*from),
                                 format_timestamp(params.end)));
  }
  if (to && *to < params.start) {
    throw UsageError(fmt::format("--to {} is before the ledger's start, {}", format_timestamp(*to),
                                 format_timestamp(params.start)));
  }
}

}  // namespace

AccountStatement explain_account(storage::LedgerStore& store, const std::string& account,
                                 Asset asset, std::optional<Timestamp> from,
                                 std::optional<Timestamp> to) {
  check_request(store, account, "account", from, to);
  AccountObserver observer(account, asset, to.has_value());
  ReplayWindow window;
  replay_window(store, from, to, &observer, &window);
  observer.statement_.from = window_text(window.first);
  observer.statement_.to = window_text(window.last);
  return observer.statement_;
}

SourceStatement explain_source(storage::LedgerStore& store, const std::string& source,
                               std::optional<Timestamp> from, std::optional<Timestamp> to) {
  check_request(store, source, "source", from, to);
  SourceObserver observer(source);
  ReplayWindow window;
  replay_window(store, from, to, &observer, &window);
  observer.statement_.from = window_text(window.first);
  observer.statement_.to = window_text(window.last);
  return observer.statement_;
}

}  // namespace yl
