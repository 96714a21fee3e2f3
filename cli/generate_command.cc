// `yieldledger generate STUDY.toml --seed N --out DIR [--point P] [--force]` (issue #11): one run
// of a study as an ordinary scenario.toml + events.csv that `run` and `audit` accept. An existing
// DIR/scenario.toml or DIR/events.csv is replaced only with --force; the study and its schedule
// files never are.
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in <fmt/format.h> before fmt 11)

#include "cli/commands.h"
#include "cli/integer_option.h"
#include "engine/export/output_guard.h"
#include "engine/input/input_error.h"
#include "engine/lab/generator.h"
#include "engine/usage_error.h"

namespace yl::cli {
namespace {

struct GenerateOptions {
  std::string study;
  std::uint64_t seed = 0;
  std::string out;
  std::int64_t point = 0;
  bool force = false;
};

// Refuses, before anything is generated, to write over the study or a schedule file any of its
// points reads (even with --force; compared by identity), or over an existing output without
// --force. Only the generated point's schedules were kept: another point's was overwritten.
void check_targets(const GenerateOptions& options, const lab::Study& study) {
  if (options.out.empty()) throw UsageError("--out must name a folder (got '')");
  std::vector<KeptFile> keep = {{options.study, "the study file"}};
  for (const std::filesystem::path& schedule : study.schedule_paths) {
    keep.push_back({schedule, "a schedule file of the study"});
  }
  for (const char* name : {"scenario.toml", "events.csv", "accounts.csv"}) {
    const std::filesystem::path target = std::filesystem::path(options.out) / name;
    refuse_kept_or_special(target, keep);
    std::error_code ec;
    if (!options.force && std::filesystem::exists(std::filesystem::symlink_status(target, ec))) {
      throw UsageError(fmt::format("'{}' exists; pass --force to replace it", target.string()));
    }
  }
}

void generate(const GenerateOptions& options) {
  const lab::Study study = lab::load_study(options.study);
  const std::vector<lab::Point> points = lab::expand_points(study);
  if (options.point < 0 || options.point >= static_cast<std::int64_t>(points.size())) {
    throw UsageError(fmt::format("--point {} is out of range: the study has {} point(s), 0 to {}",
                                 options.point, points.size(), points.size() - 1));
  }
  check_targets(options, study);
  const lab::GeneratedFiles files =
      lab::generate_into(study, points[static_cast<std::size_t>(options.point)], options.seed,
                         options.out, options.force);
  // What a loss changed, as a sweep applies it (generator.h).
  std::vector<std::string> changed;
  if (files.cut > 0) {
    changed.push_back(fmt::format("{} withdrawal(s) cut to what the account held after a "
                                  "socialized loss, as a sweep does: withdrawals_cut",
                                  files.cut));
  }
  if (const std::int64_t left_out = files.rejected - files.stand_ins; left_out > 0) {
    changed.push_back(fmt::format("{} left out: the ledger rejects them after a loss, as a "
                                  "sweep does, counted in rejected_events",
                                  left_out));
  }
  if (files.stand_ins > 0) {
    changed.push_back(fmt::format("{} rejected by the ledger after a loss, as a sweep does, "
                                  "counted in rejected_events: each written as a row of its time "
                                  "that moves nothing (a configure to the mode the account has, "
                                  "or a claim of 0), for the drip the sweep ran there",
                                  files.stand_ins));
  }
  if (files.stand_in_account) {
    changed.push_back(fmt::format("an account '{}', opened at the start and holding nothing, "
                                  "stands in where no holder of the asset could",
                                  lab::kStandInAccount));
  }
  const std::string what_changed =
      changed.empty() ? std::string() : fmt::format(" ({})", fmt::join(changed, "; "));
  fmt::print(
      "generated '{}' point {} seed {}: {} events{}; wrote {}/scenario.toml, {}/events.csv and "
      "{}/accounts.csv\n",
      escape_controls(study.name), options.point, options.seed, files.events, what_changed,
      escape_controls(options.out), escape_controls(options.out), escape_controls(options.out));
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  CLI::App* command =
      app.add_subcommand("generate", "Generate one run of a study: DIR/scenario.toml, "
                                     "DIR/events.csv and DIR/accounts.csv (who each account is)");
  command->add_option("study", options->study, "the study TOML file")
      ->required()
      ->check(file_named())
      ->type_name("FILE");
  command
      ->add_option("--seed", options->seed,
                   "the run's seed, 0 to 2^64 - 1 (a sweep records one per run)")
      ->required()
      ->transform(integer_check<std::uint64_t>());
  command->add_option("--out", options->out, "the folder to write (created if needed)")
      ->check(not_standard_output())
      ->required();
  command->add_option("--point", options->point, "the sweep point whose values to use (default 0)")
      ->transform(integer_check<std::int64_t>(0));
  command->add_flag("--force", options->force,
                    "replace an existing DIR/scenario.toml, DIR/events.csv and DIR/accounts.csv "
                    "(never the study or its schedule files)");
  command->callback([options] { generate(*options); });
}

}  // namespace yl::cli
