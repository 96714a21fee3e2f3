// The lab's generator (issue #11): a study and a seed → an ordinary events list (SPEC §1.2) that
// `run` and `audit` accept. Every amount is decided here, before any simulation, so that two
// scenarios that differ only in policy see identical events (common random numbers), and every
// event is valid by construction under SPEC §3-§5 with negative_yield = "debt":
// - an account spends at most a lower bound of its balance: what it deposited less what it spent
//   (transfers it receives are not counted), which only yield, claims and transfers in can raise
//   (balances never fall under "debt");
// - a loss is a fraction of a lower bound of its source's value, tracked alongside (deposits
//   routed by weight, less every withdrawal the buffer might not have covered, less earlier
//   losses; under §9.5 rebalance, the targets of a lower bound of the asset's total), so
//   `loss ≤ value` holds (§5.3) with or without rebalancing.
// Under §9.3 "socialize" a loss can lower balances below those bounds; a simulation then skips the
// rejected event and counts it (metric rejected_events).
//
// Randomness: xoshiro256** (prng.h), one stream per user, per dapp and per source, each derived
// from the run's seed and a label, so adding a user does not change the others' histories.
// Floats draw the sizes; each becomes an integer amount by flooring to micro-units of the asset
// (10^-6 units), then × 10^(decimals − 6). Integers decide everything else.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/event.h"
#include "engine/core/ledger.h"
#include "engine/lab/study.h"

namespace yl::lab {

// Who an account is, for cohorts (strategy × kind × yield mode).
struct AccountPlan {
  std::string name;
  AccountKind kind = AccountKind::user;
  StrategyKind strategy = StrategyKind::passive;  // dapps: passive
  Asset asset = Asset::eth;                       // the L2 asset it holds
  YieldMode mode = YieldMode::automatic;          // its mode for that asset at opening
};

struct Generated {
  std::vector<Event> events;          // in time order, ties in file order
  std::vector<AccountPlan> accounts;  // users then dapps, by index
};

// Throws UsageError, naming the study's file, when the population would make more than
// `max_events` events (kMaxRunEvents; a test passes less).
Generated generate(const Study& study, std::uint64_t seed, std::size_t max_events = kMaxRunEvents);

// What the generator fills, kept by a caller that makes many runs (a sweep's worker): the vectors
// keep their capacity from one run to the next. Made anew each run, a run's 100,000 events (13 MB)
// were grown by doubling and faulted in by the kernel page by page: 92% of a sweep's page faults,
// and a fifth of its time (bench/PROFILE.md, 2026-12-06).
struct GeneratorMemory {
  std::vector<Event> drawn;  // the population's events as drawn, before they are put in order
  Generated generated;
};
// generate(), into `memory.generated` (what it held is replaced); returns it.
const Generated& generate(const Study& study, std::uint64_t seed, GeneratorMemory& memory,
                          std::size_t max_events = kMaxRunEvents);

// The indices of `events` in time order, equal times in index order (what std::stable_sort by
// time gives), by a radix sort of the times. The generator orders its events with it.
std::vector<std::size_t> time_order(const std::vector<Event>& events);

// Applies a generated event to `ledger` as a sweep does (metrics.cc), and as generate replays it
// under socialize: a withdrawal the ledger rejects for want of balance, where a socialized loss
// (SPEC §9.3, which the generator cannot foresee) left the account less than it planned to take
// out, is cut to the balance the account holds and applied so: the strategy leaves whole (a
// sniper's exit, a churner's). Any other event the ledger rejects is not applied.
struct Applied {
  bool rejected = false;     // not applied: a sweep skips it, generate leaves it out
  std::optional<Event> cut;  // the withdrawal as applied, where it was cut
};
Applied apply_generated(Ledger& ledger, const Event& event);

// Writes events as SPEC §1.2 CSV (header time,type,account,asset,amount,to,value).
void write_events_csv(const std::vector<Event>& events, std::ostream& out);

// Writes who each account is, as a sweep's metrics group them (README "Metrics"): header
// account,kind,strategy,asset,mode; a user's strategy, a dapp's `dapp`; the L2 asset it holds and
// its yield mode for it at opening. Its cohorts: '', users or dapps, its strategy, and per asset
// strategy/kind/MODE (this mode for its asset; for the other, AUTOMATIC, or a dapp's ETH VOID).
void write_accounts_csv(const std::vector<AccountPlan>& accounts, std::ostream& out);

// `yieldledger generate`: writes DIR/scenario.toml, DIR/events.csv and DIR/accounts.csv
// (write_accounts_csv), creating DIR (and its missing parents) if needed. All are written to
// temporary files first and renamed into place only once all are whole: a failure leaves no
// partial file and no new folder. Throws UsageError when DIR is empty or not a folder or a target
// is a folder, a FIFO, a device or a socket; std::system_error "cannot write 'PATH': CAUSE" when a
// write fails (a full disk, a file size limit). An existing target is replaced only with `replace`
// (--force); without it, one that appears while the events are generated is refused too.
//
// Under SPEC §9.3 `socialize` a loss can push a balance below what the generator counts on. A
// withdrawal for more than the account holds is then cut to what it holds (apply_generated(), as
// a sweep applies it: `withdrawals_cut`). Any other event the ledger rejects a sweep skips
// (`rejected_events`): under socialize a transfer or gas payment of more than is left, or a
// withdrawal from an account left with nothing; under any policy a withdrawal between a slash and
// its report that the buffer and the sources cannot pay (SPEC §5.5). Since `run` is all or
// nothing, such an event is left out of the file (the run replayed in memory, as a sweep runs
// it): the file runs, and its run is the sweep's (`rejected` is its rejected_events). Under
// streamed distribution the drip a rejected event leaves (SPEC §9.1) stays in the sweep's state, so
// the event is written as a row of its time that moves nothing but drips the same: an account's
// configure to the mode it has, or a claim of 0 to itself for a CLAIMABLE one, its own where its
// value re-encodes exactly (generator.cc, stand_in; stand_ins).
struct GeneratedFiles {
  std::int64_t events = 0;     // written to events.csv
  std::int64_t cut = 0;        // withdrawals cut to what the account held (socialize only)
  std::int64_t rejected = 0;   // by the ledger, as a sweep skips them: left out, or stood in
  std::int64_t stand_ins = 0;  // of those, written as a row that moves nothing (streamed only)
  // Whether events.csv opens kStandInAccount, for the stand-ins no holder could be.
  bool stand_in_account = false;
};
// A user that holds nothing, opened at the start of a streamed run's file only where a rejected
// event's stand-in could be no holder of its asset (generate_into). Not in accounts.csv.
inline constexpr std::string_view kStandInAccount = "stand-in";
// The run of `seed` at `point` of `base` (study_at), which the scenario file's first line names.
GeneratedFiles generate_into(const Study& base, const Point& point, std::uint64_t seed,
                             const std::string& dir, bool replace);

}  // namespace yl::lab
