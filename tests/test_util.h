// Helpers shared by the tests: literal amounts and a small ledger builder.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/audit.h"
#include "engine/core/amount.h"
#include "engine/core/ledger.h"

namespace yl::testing {

// Wei from decimal integer text; aborts the test on malformed input.
Amount wei(std::string_view text);
// Base units from decimal asset units ("1.5" ETH = 1500000000000000000 wei).
Amount eth(std::string_view units);

Timestamp at(std::string_view iso_time);

// The ledger at `db_path` written back as schemas 3-10 stored it: `appends` without its hash
// chain (schema/0011_appends_chain.sql), for the migration tests.
void write_unchained_appends(const std::string& db_path);
// The journal of the ledger at `db_path` written back as schemas 2-9 stored it: one table, with
// no rows in `events` (schema/0010_event_postings.sql), and `appends` unchained
// (write_unchained_appends), for the migration tests.
void write_one_journal_table(const std::string& db_path);
// The hash chains' links of the ledger at `db_path` written back as schemas 2-7 stored them:
// lowercase hex in TEXT columns (schema/0008_binary_hashes.sql), and its journal one table
// (write_one_journal_table), for the migration tests.
void write_hex_hashes(const std::string& db_path);
// The journal of the ledger at `db_path` written back as schemas 2-4 stored it (a JSON array of
// [account, asset, "D"|"C", wei, memo] per row, in a TEXT column), and its events table with
// migration 1's `id TEXT UNIQUE`, its links in hex (write_hex_hashes), and no
// `scenario.drip_schedule` (migration 6), for the migration tests. The schema version is left as
// it was: the caller sets the one it means.
void write_json_journal(const std::string& db_path);
// Rewrites the stored postings of journal row `seq` with `change` (the tamper tests).
void rewrite_journal_row(const std::string& db_path, std::int64_t seq,
                         const std::function<void(std::string&)>& change);
// Where each record of a stored journal row starts (a posting, or a pair of postings), and its end
// (schema/0005_binary_journal.sql, schema/0007_paired_postings.sql).
std::vector<std::size_t> record_bounds(const std::string& postings);
// Makes the pair record at `start` a single posting: its first half, without the second.
void unpair_record(std::string& postings, std::size_t start);
// A stored row as schemas 5 and 6 wrote it: each pair record (flag bit 2) as its two postings in
// full, the second on the other side (schema/0007_paired_postings.sql).
std::string split_pairs(const std::string& postings);
// Journal row `seq`'s postings as "account asset D|C wei memo" lines.
std::vector<std::string> journal_row(const std::string& db_path, std::int64_t seq);

// A scenario-like set of parameters: 2024-03-01 to 2024-06-01, daily reports, no sources.
LedgerParams basic_params();
// basic_params()'s start, 2024-03-01T00:00:00Z.
inline constexpr Timestamp kBasicStart{1709251200};
// An event at `time`, basic_params()'s start unless given.
inline Event ev(EventBody body, Timestamp time = kBasicStart) {
  return Event{time, std::move(body)};
}

// Applies an event and fails the test (with the reason) if it is rejected.
void must_apply(Ledger& ledger, const Event& event);
// Applies an event that must be rejected with `code`; returns the reason.
std::string must_reject(Ledger& ledger, const Event& event, RejectCode code);

}  // namespace yl::testing

namespace yl::testing {

// A fresh directory under the system temp folder, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  std::string path(const std::string& name) const;
  // Writes `text` to `name` inside the directory and returns its path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string root_;
};

// The quickstart-like scenario used by input tests: lido (ETH staking 4%, weight 9000) and
// tbill (USDB treasury 5%, weight 10000), 2024-03-01 to 2024-03-08, daily reports.
std::string small_scenario_toml(const std::string& events_file = "events.csv");

// Runs `action`; returns the InputError's message it throws, or "(accepted)".
std::string rejection(const std::function<void()>& action);
// Runs `action`; returns the UsageError's message it throws, or "(accepted)".
std::string usage_error(const std::function<void()>& action);
// Audits the ledger at `db_path`: what it checked. Throws AuditMismatch at the first mismatch.
AuditSummary audit_summary(const std::string& db_path);
// Audits the ledger at `db_path`: "OK", or the first mismatch.
std::string audit_result(const std::string& db_path);

// The path of examples/NAME/scenario.toml in the source tree.
std::string example_scenario(const std::string& name);

// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::string& path);
// One member of a ZIP file (an XLSX workbook's `xl/workbook.xml`, ...), read with `unzip -p`.
std::string unzip(const std::string& zip, const std::string& member);
// The marker symbols of every chart of an XLSX workbook, in order; one that is not an OOXML
// marker style is "invalid:NAME".
std::vector<std::string> chart_symbols(const std::string& xlsx);

// Runs the built `yieldledger` with `args` (stdin closed), capturing its exit code and output.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// `shell_prefix`, if any, runs first in the same shell (e.g. "ulimit -f 200; exec ").
CliResult run_cli(const std::vector<std::string>& args, const std::string& shell_prefix = "");

}  // namespace yl::testing
