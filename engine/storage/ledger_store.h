// The ledger's rows in SQLite (SPEC §8): the scenario, every event as given, every report, and the
// final state. It owns its prepared statements; all of the project's SQL text lives here and in
// schema/. It never decides anything: it writes what the runner hands it and reads it back.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/report.h"
#include "engine/core/snapshot.h"
#include "engine/input/event_parser.h"
#include "engine/storage/database.h"

namespace yl::storage {

struct StoredScenario {
  std::string file;         // the scenario path as given to `run`
  std::string events_file;  // the `events` value as written
  std::string toml;
};

// A report row as stored: canonical decimal text, signed where SPEC §7.1 says so.
struct StoredReportRow {
  std::string time, asset, trigger, source;
  std::string yield_wei, fee_wei, cover_wei, committed_wei, debt_before_wei, debt_after_wei,
      t_wei, price_before, price_after, pending_after_wei;
  friend bool operator==(const StoredReportRow&, const StoredReportRow&) = default;
};

class LedgerStore {
 public:
  // REQUIRES: `db` is migrated to the current schema and outlives the store.
  explicit LedgerStore(Database& db);

  bool has_ledger();
  // Deletes every row, so that a new run replaces the old ledger (inside the caller's
  // transaction, so a failed run leaves the old one in place).
  void clear();
  void write_scenario(const std::string& file, const std::string& events_file,
                      const std::string& name, const std::string& toml, Timestamp start,
                      Timestamp end, const std::string& report_every);
  void append_event(const RawEvent& raw, const std::string& file, Timestamp time);
  void append_report(const ReportRecord& report);
  void write_snapshot(const Snapshot& snapshot);

  StoredScenario read_scenario();
  // Calls `visit` for each stored event in order of application, stopping early when it returns
  // false.
  void for_each_event(const std::function<bool(const RawEvent&, const std::string& file)>& visit);
  Snapshot read_snapshot();
  std::vector<StoredReportRow> read_reports();
  std::int64_t event_count();

 private:
  Database& db_;
  Statement insert_event_;
  Statement insert_report_;
  std::int64_t next_event_seq_ = 1;
  std::int64_t next_report_seq_ = 1;
};

}  // namespace yl::storage
