// `yieldledger merge --out RESULTS.db SHARD...` (issue #11): combines the shards of a sweep.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "engine/input/input_error.h"
#include "engine/lab/results.h"

namespace yl::cli {
namespace {

struct MergeOptions {
  std::string out;
  std::vector<std::string> shards;
};

void merge(const MergeOptions& options) {
  const lab::MergeSummary s = lab::merge_results(options.out, options.shards);
  fmt::print("merged {} shard(s) into {}: {} runs added, {} of {} runs stored\n",
             options.shards.size(), escape_controls(options.out), s.runs_added, s.runs_stored,
             s.runs_expected);
  if (s.runs_missing > 0) {
    std::string list;
    for (std::size_t i = 0; i < s.first_missing.size(); ++i) {
      list += fmt::format("{}point {} run {}", i == 0 ? "" : ", ", s.first_missing[i].first,
                          s.first_missing[i].second);
    }
    const auto listed = static_cast<std::int64_t>(s.first_missing.size());
    if (s.runs_missing > listed) list += fmt::format(", and {} more", s.runs_missing - listed);
    std::cerr << fmt::format("yieldledger: {} run(s) missing: {}\n", s.runs_missing, list);
  }
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* command = app.add_subcommand(
      "merge",
      "Combine sweep shards into one results file (idempotent; names the runs still missing on "
      "stderr, and exits 0 all the same: compare leaves incomplete points out, naming them)");
  command->add_option("--out", options->out, "the merged results file (created or added to)")
      ->check(not_standard_output())
      ->required();
  command->add_option("shards", options->shards, "the shards (results files of one study)")
      ->required()
      ->check(file_named())
      ->type_name("FILE");
  command->callback([options] { merge(*options); });
}

}  // namespace yl::cli
