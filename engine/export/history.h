// The history tables of an export, sampled from one replay of the stored ledger:
//
//   ledger_history   per sample time and asset: price, pending, shares, reserves, debt,
//                    insurance, retained, revenue, locked, Σ balances and claimable, and the
//                    period's realized APY;
//   balance_history  per sample time, selected account and asset: balance, claimable, shares, and
//                    the yield accrued over the period (shares held through each report × its
//                    price step, the same figure `explain` shows).
//
// Sample times are report times: the state after everything stamped at or before a report's
// time, which is what `balances --at` that time shows. With `every_s`, a report time is sampled
// only when it is the first at or after start + k·every_s; accruals of the skipped reports fold
// into the next sample. A last row at the run's end closes the history when the last sample is
// earlier, so the accruals of balance_history always add up to the whole run.
//
// It also gathers what the summary and the charts need: the realized APY of users and of dapps
// (realized_apy.h), and one chart point per sample.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/export/export_options.h"
#include "engine/export/realized_apy.h"
#include "engine/export/table_sink.h"
#include "engine/replay/replay.h"

namespace yl {

// What a group of accounts (users or dapps) earned on one asset over the run, and what it held:
// Σ over reports of (its balance + claimable just before the report) × (seconds since the asset's
// previous report). Their quotient, annualized, is the group's realized APY.
struct GroupYield {
  BigInt yield_wei;
  BigInt capital_wei_seconds;
};

enum class AccountGroup { users = 0, dapps = 1 };

class HistorySampler : public ReplayObserver {
 public:
  struct Outputs {
    TableWriter* ledger_history = nullptr;   // not owned; null: not written
    TableWriter* balance_history = nullptr;  // not owned; null: not written
  };
  static TableSpec ledger_history_spec();
  static TableSpec balance_history_spec();

  // `chart_accounts`: per asset, the accounts whose holdings the charts follow. `on_event` is
  // told how many stored events have been replayed (for a progress bar).
  HistorySampler(std::optional<std::int64_t> every_s, const SelectedAccounts& selected,
                 std::array<std::vector<std::string>, 2> chart_accounts, Outputs outputs,
                 std::function<void(std::int64_t)> on_event);

  void opening(const Ledger& ledger) override;
  void before(const Ledger& ledger, Timestamp until) override;
  void after(const Ledger& ledger, const std::vector<ReportRecord>& reports,
             const storage::StoredEvent* event) override;
  void closing(const Ledger& ledger) override;

  const ChartData& charts() const { return charts_; }
  const GroupYield& group_yield(AccountGroup group, Asset asset) const {
    return groups_[static_cast<std::size_t>(group)][index_of(asset)];
  }
  std::int64_t samples() const { return samples_; }
  std::int64_t balance_rows() const { return balance_rows_; }

 private:
  // What the sampler knows of one account's position in one asset. Positions change only when
  // an event names the account (or it is a system account), so they are re-read then, and a
  // report costs O(1) whatever the number of holders: the yield of `shares` since
  // `price_settled` is settled lazily, when the position changes or is sampled.
  struct Holding {
    YieldMode mode = YieldMode::automatic;
    Amount shares;
    Amount remainder;
    Amount fixed;
    Amount price_settled;
    BigInt accrued;  // settled since the last sample; negative when §9.3 lowered the price
  };
  // Sums over the holdings, kept in step with them: per group and asset, the shares and what
  // they do not cover (remainders, and fixed balances of VOID positions); per asset, the shares,
  // remainders and fixed balances of CLAIMABLE positions (so Σ claimable is O(1) at a sample).
  struct Totals {
    std::array<std::array<Amount, 2>, 2> group_shares;  // [AccountGroup][Asset]
    std::array<std::array<Amount, 2>, 2> group_rest;
    std::array<Amount, 2> claimable_shares;  // [Asset]
    std::array<Amount, 2> claimable_remainders;
    std::array<Amount, 2> claimable_fixed;
    friend bool operator==(const Totals&, const Totals&) = default;
  };
  static void add(Totals& totals, AccountKind kind, std::size_t asset, const Holding& h);
  static void subtract(Totals& totals, AccountKind kind, std::size_t asset, const Holding& h);

  void track_new_accounts(const Ledger& ledger);
  void refresh(const Ledger& ledger, AccountId id);
  void settle(const Ledger& ledger, AccountId id, Asset asset);
  void account_for_price_step(const Ledger& ledger, Asset asset);
  void account_for_report(const ReportRecord& report);
  void sample_if_due(const Ledger& ledger, Timestamp time);
  void sample(const Ledger& ledger, Timestamp time);
  // The realized APY of each asset's price since the last sample (realized_apy.h).
  using PeriodApys = std::array<std::optional<std::string>, 2>;
  void write_ledger_rows(const Ledger& ledger, Timestamp time, std::int64_t period_s,
                         const PeriodApys& apys);
  void write_balance_rows(const Ledger& ledger, Timestamp time);
  void add_chart_point(const Ledger& ledger, Timestamp time, const PeriodApys& apys);
  // Checks the running totals against a count over every account (at the end).
  void check_totals(const Ledger& ledger) const;
  BigInt claimable_sum(const Ledger& ledger, Asset asset) const;

  std::optional<std::int64_t> every_s_;
  const SelectedAccounts& selected_;
  std::array<std::vector<std::string>, 2> chart_accounts_;
  Outputs outputs_;
  std::function<void(std::int64_t)> on_event_;

  Timestamp start_;
  Timestamp next_due_;                  // with every_s_: the next time a sample is due
  std::optional<Timestamp> unsampled_;  // a report time whose state is not sampled yet
  Timestamp last_sample_;               // start until the first sample
  std::array<Amount, 2> last_sample_price_;
  std::array<Timestamp, 2> last_report_;  // per asset, start until its first report
  std::array<bool, 2> price_fell_{};      // per asset: a report lowered its price (SPEC §9.3)
  std::array<Amount, 2> price_;           // per asset, at the end of the last step
  std::int64_t events_ = 0;
  std::int64_t samples_ = 0;
  std::int64_t balance_rows_ = 0;

  // Per account (indexed by AccountId) and asset.
  std::vector<std::array<Holding, 2>> holdings_;
  std::vector<std::array<bool, 2>> is_selected_;
  std::vector<AccountId> selected_ids_;  // selected for either asset, in the order opened
  std::array<std::vector<std::optional<AccountId>>, 2> chart_ids_;

  Totals totals_;
  std::array<std::array<GroupYield, 2>, 2> groups_;  // [AccountGroup][Asset]
  ChartData charts_;
  bool any_locked_ = false;  // a sample saw a locked profit: the stream charts are kept
  std::array<BigInt, 2> released_{BigInt(0), BigInt(0)};  // Σ SPEC §9.1 drips in the window
};

}  // namespace yl
