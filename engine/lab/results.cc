#include "engine/lab/results.h"

#include <array>
#include <filesystem>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "engine/input/input_error.h"
#include "engine/storage/new_database.h"
#include "engine/storage/storage_error.h"
#include "engine/usage_error.h"

namespace yl::lab {

extern const char* const kResultsSchemaSql;

namespace {

using storage::Database;
using storage::kResultsApplicationId;
using storage::kResultsVersion;
using storage::Statement;
using storage::Transaction;

// The first row of a shard that `compare` would refuse (a study without a count of runs, a
// metric's value not of its kind, a series value not an integer, a run outside its point's
// runs), or nullopt. Merged, such a row made the output unreadable to compare, and its run
// counted as stored, so no sweep would redo it. (Rows of a run the shard does not store are
// never copied: merge_results.)
std::optional<std::string> first_bad_row(Database& db) {
  Statement study = db.prepare("SELECT value FROM study WHERE key = 'runs'");
  if (!study.step()) return "study: no 'runs' row";
  const std::string runs_text = study.column_text(0);
  const auto runs = storage::runs_count(runs_text);
  if (!runs) return fmt::format("study 'runs': '{}' is not a count of runs", runs_text);
  storage::register_integer_text(db);
  Statement metric = db.prepare(
      "SELECT m.point, m.run, m.name, m.cohort, m.asset, i.kind, coalesce(m.value_int, 'NULL') "
      "FROM metrics m LEFT JOIN metric_info i ON i.name = m.name WHERE i.name IS NULL OR "
      "(i.kind = 'int' AND (m.value_int IS NULL OR m.value_real IS NOT NULL OR "
      "NOT yl_integer_text(m.value_int))) OR "
      "(i.kind = 'real' AND (m.value_real IS NULL OR m.value_int IS NOT NULL OR "
      "abs(m.value_real) > 1.7976931348623157e308)) LIMIT 1");
  if (metric.step()) {
    const std::string where =
        storage::metric_row(metric.column_int(0), metric.column_int(1), metric.column_text(2),
                            metric.column_text(3), metric.column_text(4));
    const std::string why = metric.column_is_null(5) ? std::string(storage::kNotInMetricInfo)
                            : metric.column_text(5) == "int"
                                ? storage::bad_int_metric(metric.column_text(6))
                                : std::string(storage::kBadRealMetric);
    return where + ": " + why;
  }
  Statement series = db.prepare(
      "SELECT point, run, t, name, value_int FROM series WHERE NOT yl_integer_text(value_int) "
      "LIMIT 1");
  if (series.step()) {
    return storage::series_row(series.column_int(0), series.column_int(1), series.column_text(2),
                               series.column_text(3)) +
           ": " + storage::bad_series_value(series.column_text(4));
  }
  if (const auto run = storage::run_outside(db, *runs)) {
    return fmt::format("runs (point {}, run {}): no such point, or a run outside the study's runs",
                       run->first, run->second);
  }
  // Rows of a point the file does not have, which compare refuses (helper-73's R7).
  Statement orphan = db.prepare(
      "SELECT 'metrics', point, run FROM metrics WHERE point NOT IN (SELECT point FROM points) "
      "UNION ALL SELECT 'series', point, run FROM series WHERE point NOT IN (SELECT point FROM "
      "points) LIMIT 1");
  if (orphan.step()) {
    return fmt::format("{} (point {}, run {}): no such point", orphan.column_text(0),
                       orphan.column_int(1), orphan.column_int(2));
  }
  Statement seed =
      db.prepare("SELECT point, run, seed FROM runs WHERE NOT yl_seed_text(seed) LIMIT 1");
  if (seed.step()) {
    return fmt::format("runs (point {}, run {}): {}", seed.column_int(0), seed.column_int(1),
                       storage::bad_seed(seed.column_text(2)));
  }
  return std::nullopt;
}

// Reads a results file's spec_hash without writing to it (another application's SQLite file
// must stay byte for byte as it was, so no WAL switch, no migration). `pages`: a file whose pages
// SQLite's integrity_check finds damaged is refused too, as merge refuses a shard before it copies
// a row of it (a damaged shard found halfway would leave the output with part of the merge).
enum class Check { identity, pages };
// What makes two results files one study's: its spec_hash, the lab version its runs were made by
// (kLabVersion), and its points as numbered, labelled and parameterized (one study text expanded
// by two yieldledgers that number points otherwise, an inline [sweep] table's before and after
// f66715e, is two: helper-46's F3).
struct StudyIdentity {
  std::string spec_hash;
  std::string lab;                                 // "1" for a file without the row
  std::vector<std::array<std::string, 3>> points;  // point, label, params; by point
};

StudyIdentity identity_of(const Study& study, const std::vector<Point>& points) {
  StudyIdentity id{study.spec_hash, std::string(kLabVersion), {}};
  for (const Point& p : points) id.points.push_back({std::to_string(p.index), p.label, p.params});
  return id;
}

// The first point of `a` that `b` numbers, labels or parameterizes otherwise, as text.
std::optional<std::string> points_differ(const StudyIdentity& a, const StudyIdentity& b) {
  for (std::size_t i = 0; i < std::max(a.points.size(), b.points.size()); ++i) {
    if (i < a.points.size() && i < b.points.size() && a.points[i] == b.points[i]) continue;
    // The labels, or where they are alike the params that differ (it showed "'L' and 'L'":
    // helper-70's F12).
    const bool alike = i < a.points.size() && i < b.points.size() &&
                       a.points[i][1] == b.points[i][1] && a.points[i][0] == b.points[i][0];
    auto shown = [i, alike](const StudyIdentity& id) {
      if (i >= id.points.size()) return std::string("none");
      return alike ? fmt::format("params '{}'", bounded(id.points[i][2], 200))
                   : fmt::format("'{}'", bounded(id.points[i][1], 200));
    };
    return fmt::format("point {}: {} and {}", i, shown(a), shown(b));
  }
  return std::nullopt;
}

StudyIdentity read_identity(const std::string& path, Check check = Check::identity) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw UsageError(fmt::format("'{}' is not a file", path));
  }
  try {
    Database db(path, Database::Mode::read_only);
    if (const auto problem = storage::check_results_identity(db, path)) {
      throw UsageError(problem->message);
    }
    if (check == Check::pages) {
      if (const auto verdict = db.damage()) {
        throw UsageError(fmt::format(
            "'{}' is damaged (SQLite's integrity_check: {}); nothing was merged", path, *verdict));
      }
      if (const auto row = first_bad_row(db)) {
        throw UsageError(fmt::format("'{}': {}; nothing was merged", path, *row));
      }
    }
    Statement s = db.prepare("SELECT value FROM study WHERE key = 'spec_hash'");
    if (!s.step()) throw UsageError(fmt::format("'{}' has no study spec_hash", path));
    StudyIdentity id{s.column_text(0), "1", {}};
    Statement lab = db.prepare("SELECT value FROM study WHERE key = 'lab'");
    if (lab.step()) id.lab = lab.column_text(0);
    Statement points = db.prepare("SELECT point, label, params FROM points ORDER BY point");
    while (points.step()) {
      id.points.push_back(
          {std::to_string(points.column_int(0)), points.column_text(1), points.column_text(2)});
    }
    return id;
  } catch (const storage::StorageError& error) {
    // A fault of the machine (a full disk, a file size limit) is not the file's: said as it is.
    if (error.kind() == storage::StorageError::Kind::machine) throw;
    // As compare says it: a truncated results file was "not a yieldledger results file", which
    // sent the user to look for another file (helper-70's F5).
    throw UsageError(
        fmt::format("'{}' is not a readable yieldledger results file: {}", path, error.what()));
  }
}

// An --out that cannot name a results file is refused before anything runs: "", ":memory:" or a
// "file:" URI (SQLite would open them as databases of their own, after the rename into place had
// made a file of that name), a folder, a device, a file in a folder that does not exist.
void check_output_path(const std::string& path) {
  try {
    storage::check_ledger_path(path, "results");
  } catch (const storage::StorageError& error) {
    throw UsageError(fmt::format("--out: {}", error.what()));
  }
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!folder.empty() && !std::filesystem::is_directory(folder, ec)) {
    throw UsageError(fmt::format("--out: cannot make '{}': its folder does not exist", path));
  }
}

void create_schema(Database& db) {
  db.exec(kResultsSchemaSql);
  db.exec(fmt::format("PRAGMA application_id = {}", kResultsApplicationId));
  db.exec(fmt::format("PRAGMA user_version = {}", kResultsVersion));
}

}  // namespace

struct ResultsFile::Impl {
  Database db;
  std::optional<Transaction> batch;
  Statement insert_run;
  Statement insert_metric;
  Statement insert_series;

  // ON CONFLICT DO NOTHING (uniqueness only; a CHECK still fails): a run is a pure function of
  // the study and its seed, so a run another sweep of the same file stored meanwhile holds
  // exactly these rows (two sweeps at once stopped with "UNIQUE constraint failed").
  explicit Impl(const std::string& path)
      : db(path, Database::Mode::read_write_create, kResultsApplicationId),
        insert_run(db.prepare("INSERT INTO runs (point, run, seed, events) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT DO NOTHING")),
        insert_metric(db.prepare(
            "INSERT INTO metrics (point, run, name, cohort, asset, value_int, value_real) "
            "VALUES (?, ?, ?, ?, ?, ?, CAST(? AS REAL)) ON CONFLICT DO NOTHING")),
        insert_series(db.prepare("INSERT INTO series (point, run, t, asset, name, value_int) "
                                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {}
};

namespace {

// A new results file at `path`, whole or not at all (a sweep killed while it is made leaves no
// stub that later sweeps would refuse); nothing when another process made one there meanwhile.
void create_results(const std::string& path, const Study& study, const std::vector<Point>& points) {
  storage::build_new_database(path, "yl-sweep", [&](const std::string& temporary) {
    Database db(temporary, Database::Mode::build_new, kResultsApplicationId);
    Transaction txn(db);
    create_schema(db);
    Statement study_row = db.prepare("INSERT INTO study (key, value) VALUES (?, ?)");
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"spec_hash", study.spec_hash},
             {"lab", std::string(kLabVersion)},
             {"spec", study.text},
             {"seed", std::to_string(study.seed)},
             {"runs", std::to_string(study.sweep.runs)},
             {"series_every", study.sweep.series_every},
             {"name", study.name}}) {
      study_row.bind(1, key).bind(2, value).run();
    }
    Statement point_row = db.prepare("INSERT INTO points (point, label, params) VALUES (?, ?, ?)");
    for (const Point& p : points)
      point_row.bind(1, p.index).bind(2, p.label).bind(3, p.params).run();
    Statement info =
        db.prepare("INSERT INTO metric_info (name, kind, unit, description) VALUES (?, ?, ?, ?)");
    for (const MetricInfo& m : metric_infos()) {
      info.bind(1, m.name).bind(2, m.kind).bind(3, m.unit).bind(4, m.description).run();
    }
    txn.commit();
    db.finish_build();
  });
}

// Refuses (UsageError) a results file at `path` of another study than `expected`.
void require_study(const std::string& path, const StudyIdentity& expected, const char* than) {
  const StudyIdentity stored = read_identity(path);
  const std::string& hash = stored.spec_hash;
  if (hash != expected.spec_hash) {
    throw UsageError(fmt::format("'{}' holds results of another study than {} (spec_hash {}, not "
                                 "{}: the study file, or a schedule it reads, differs); choose "
                                 "another --out",
                                 path, than, hash.substr(0, 12), expected.spec_hash.substr(0, 12)));
  }
  if (stored.lab != expected.lab) {
    throw UsageError(fmt::format("'{}' holds runs of version {} of the lab's generator and "
                                 "metrics, {} of version {}; choose another --out",
                                 path, stored.lab, than, expected.lab));
  }
  if (const auto differ = points_differ(stored, expected)) {
    throw UsageError(fmt::format("'{}' numbers the study's points otherwise than {} ({}): it was "
                                 "made by another yieldledger; choose another --out",
                                 path, than, *differ));
  }
}

}  // namespace

ResultsFile::ResultsFile(const std::string& path, const Study& study,
                         const std::vector<Point>& points)
    : path_(path), study_(&study), points_(&points) {
  check_output_path(path);
  storage::refuse_companion_input(study.file, "the study", path);
  for (const std::filesystem::path& schedule : study.schedule_paths)
    storage::refuse_companion_input(schedule, "a schedule file", path);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) open();
}

ResultsFile::~ResultsFile() = default;

void ResultsFile::open() {
  if (impl_) return;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) create_results(path_, *study_, *points_);
  // One made meanwhile by another, too.
  require_study(path_, identity_of(*study_, *points_), "this one");
  impl_ = std::make_unique<Impl>(path_);
}

std::set<std::pair<std::int64_t, std::int64_t>> ResultsFile::stored_runs() {
  std::set<std::pair<std::int64_t, std::int64_t>> out;
  if (!impl_) return out;
  Statement s = impl_->db.prepare("SELECT point, run FROM runs");
  while (s.step()) out.emplace(s.column_int(0), s.column_int(1));
  return out;
}

void ResultsFile::add(const RunRecord& r) {
  open();
  if (!impl_->batch) impl_->batch.emplace(impl_->db);
  for (const MetricValue& m : r.metrics.metrics) {
    Statement& s = impl_->insert_metric;
    s.bind(1, r.point).bind(2, r.run).bind(3, m.name).bind(4, m.cohort).bind(5, m.asset);
    if (m.int_value) {
      s.bind(6, *m.int_value).bind_null(7);
    } else {
      // As text that round-trips the double exactly (17 significant digits), cast in SQL: the
      // storage layer binds no floats.
      s.bind_null(6).bind(7, fmt::format("{:.17g}", *m.real_value));
    }
    s.run();
  }
  for (const SeriesValue& v : r.metrics.series) {
    impl_->insert_series.bind(1, r.point)
        .bind(2, r.run)
        .bind(3, format_timestamp(v.time))
        .bind(4, asset_name(v.asset))
        .bind(5, v.name)
        .bind(6, v.value)
        .run();
  }
  impl_->insert_run.bind(1, r.point)
      .bind(2, r.run)
      .bind(3, std::to_string(r.seed))
      .bind(4, r.metrics.events)
      .run();
}

void ResultsFile::commit() {
  if (!impl_ || !impl_->batch) return;
  impl_->batch->commit();
  impl_->batch.reset();
  impl_->db.fold_log();
}

MergeSummary merge_results(const std::string& out, const std::vector<std::string>& shards) {
  if (shards.empty()) throw UsageError("merge needs at least one shard");
  check_output_path(out);
  // No shard is the -wal, -shm or -journal of another or of --out, which SQLite would take for
  // its own as that one opens (helper-89's F3: `merge s0.db s0.db-wal` deleted a shard).
  for (const std::string& shard : shards) {
    storage::refuse_companion_input(shard, "a shard", out);
    if (!storage::may_be_companion(shard)) continue;
    for (const std::string& other : shards) {
      if (&other != &shard) storage::refuse_companion_input(shard, "a shard", other);
    }
  }
  // Every check first, so that a refused merge writes nothing.
  const StudyIdentity first = read_identity(shards.front(), Check::pages);
  const std::string& hash = first.spec_hash;
  for (const std::string& shard : std::span(shards).subspan(1)) {
    const StudyIdentity id = read_identity(shard, Check::pages);
    const std::string& h = id.spec_hash;
    if (h != hash) {
      throw UsageError(fmt::format("'{}' belongs to another study than '{}' (spec_hash {} vs {})",
                                   shard, shards.front(), h.substr(0, 12), hash.substr(0, 12)));
    }
    if (id.lab != first.lab) {
      throw UsageError(fmt::format("'{}' holds runs of version {} of the lab's generator and "
                                   "metrics, '{}' of version {}: they were made by two "
                                   "yieldledgers; sweep them with one",
                                   shard, id.lab, shards.front(), first.lab));
    }
    if (const auto differ = points_differ(id, first)) {
      throw UsageError(fmt::format("'{}' numbers the study's points otherwise than '{}' ({}): they "
                                   "were made by two yieldledgers; sweep them with one",
                                   shard, shards.front(), *differ));
    }
  }
  std::error_code ec;
  if (!std::filesystem::exists(out, ec)) {
    // The new file gets the first shard's study, points and metrics, whole or not at all; its
    // runs are added below, as to any existing file (a merge killed meanwhile is run again).
    storage::build_new_database(out, "yl-merge", [&](const std::string& temporary) {
      Database db(temporary, Database::Mode::build_new, kResultsApplicationId);
      db.prepare("ATTACH DATABASE ? AS shard").bind(1, shards.front()).run();
      Transaction txn(db);
      create_schema(db);
      db.exec("INSERT INTO study SELECT * FROM shard.study;"
              "INSERT INTO points SELECT * FROM shard.points;"
              "INSERT INTO metric_info SELECT * FROM shard.metric_info;");
      txn.commit();
      db.exec("DETACH DATABASE shard");
      db.finish_build();
    });
  }
  require_study(out, first, "the shards");
  MergeSummary summary;
  {
    Database db(out, Database::Mode::read_write_create, kResultsApplicationId);
    auto count_runs = [&] { return db.query_int("SELECT count(*) FROM runs"); };
    for (const std::string& shard : shards) {
      if (std::filesystem::equivalent(shard, out, ec)) continue;
      db.prepare("ATTACH DATABASE ? AS shard").bind(1, shard).run();
      {
        Transaction txn(db);
        const std::int64_t before = count_runs();
        // The rows of the runs the shard stores and the output lacks: a row of a run the shard
        // does not store (no runs row) is no result, and was copied, winning over that run's
        // row from a later shard.
        db.exec("INSERT OR IGNORE INTO metrics SELECT m.* FROM shard.metrics m JOIN shard.runs s "
                "USING (point, run) WHERE NOT EXISTS (SELECT 1 FROM main.runs r WHERE r.point = "
                "m.point AND r.run = m.run);"
                "INSERT OR IGNORE INTO series SELECT v.* FROM shard.series v JOIN shard.runs s "
                "USING (point, run) WHERE NOT EXISTS (SELECT 1 FROM main.runs r WHERE r.point = "
                "v.point AND r.run = v.run);"
                "INSERT OR IGNORE INTO runs SELECT * FROM shard.runs;");
        summary.runs_added += count_runs() - before;
        txn.commit();
      }
      db.exec("DETACH DATABASE shard");
    }
    db.fold_log();
    summary.runs_stored = count_runs();
    Statement runs = db.prepare("SELECT CAST(value AS INTEGER) FROM study WHERE key = 'runs'");
    const std::int64_t per_point = runs.step() ? runs.column_int(0) : 0;
    summary.runs_expected = db.query_int("SELECT count(*) FROM points") * per_point;
    summary.runs_missing = summary.runs_expected - summary.runs_stored;
    // Point by point, each one's stored runs in order: the gaps between them, until enough.
    auto& listed = summary.first_missing;
    auto list_until = [&](std::int64_t point, std::int64_t& next, std::int64_t end) {
      for (; next < end && listed.size() < MergeSummary::kMissingListed; ++next) {
        listed.emplace_back(point, next);
      }
    };
    Statement points = db.prepare("SELECT point FROM points ORDER BY point");
    Statement stored = db.prepare("SELECT run FROM runs WHERE point = ? ORDER BY run");
    while (summary.runs_missing > 0 && listed.size() < MergeSummary::kMissingListed &&
           points.step()) {
      const std::int64_t point = points.column_int(0);
      std::int64_t next = 0;
      stored.bind(1, point);
      while (listed.size() < MergeSummary::kMissingListed && stored.step()) {
        const std::int64_t run = stored.column_int(0);
        list_until(point, next, run);
        next = run + 1;
      }
      stored.reset();
      list_until(point, next, per_point);
    }
  }
  return summary;
}

}  // namespace yl::lab
