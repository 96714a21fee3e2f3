// The sweep results file (RESULTS.db; its contract with `compare` is
// schema/results/RESULTS_SCHEMA.md, its schema schema/results/0001_results.sql). One writer: the
// thread that owns a ResultsFile.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/lab/metrics.h"
#include "engine/lab/study.h"
#include "engine/storage/database.h"
#include "engine/storage/results_identity.h"

namespace yl::lab {

struct RunRecord {
  std::int64_t point = 0;
  std::int64_t run = 0;
  std::uint64_t seed = 0;
  RunMetrics metrics;
};

class ResultsFile {
 public:
  // Opens `path` for `study`. An existing file must be a results file of this very study (same
  // spec_hash); otherwise throws UsageError and leaves the file as it was. A file that does not
  // exist yet is made (schema, study, points, metric_info, in one transaction) only when the
  // first run is added, or by open(): a sweep refused before its first run leaves no file behind
  // that would refuse the corrected study. `study` and `points` must outlive this object.
  ResultsFile(const std::string& path, const Study& study, const std::vector<Point>& points);
  ~ResultsFile();
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  // Makes the file if it is not made yet (a slice with nothing to run still leaves its file).
  void open();
  // The runs the file holds; none before it is made.
  std::set<std::pair<std::int64_t, std::int64_t>> stored_runs();
  // Adds a run (its metrics, series and runs row) to the open batch, making the file first if
  // need be; commit() makes the batch durable. A run is stored whole or not at all.
  void add(const RunRecord& record);
  void commit();

 private:
  struct Impl;
  std::string path_;
  const Study* study_;
  const std::vector<Point>* points_;
  std::unique_ptr<Impl> impl_;  // null until the file is opened
};

struct MergeSummary {
  std::int64_t runs_added = 0;
  std::int64_t runs_stored = 0;
  std::int64_t runs_expected = 0;
  std::int64_t runs_missing = 0;  // runs_expected − runs_stored (stored runs lie in range)
  // The first kMissingListed of them, (point, run) in order: a shard of a study of 999,999,999
  // runs had every missing pair listed (minutes; helper-44's F11).
  std::vector<std::pair<std::int64_t, std::int64_t>> first_missing;
  static constexpr std::size_t kMissingListed = 20;
};

// `yieldledger merge`: copies every run of `shards` into `out` (created from the first shard
// when missing). Idempotent; refuses (UsageError, nothing written) a shard that is not a results
// file or belongs to another study than the others and `out`.
MergeSummary merge_results(const std::string& out, const std::vector<std::string>& shards);

}  // namespace yl::lab
