// `yieldledger generate STUDY.toml --seed N --out DIR [--point P]` (issue #11): one run of a
// study as an ordinary scenario.toml + events.csv that `run` and `audit` accept.
#include <fmt/format.h>

#include "cli/commands.h"
#include "engine/lab/generator.h"
#include "engine/usage_error.h"

namespace yl::cli {
namespace {

struct GenerateOptions {
  std::string study;
  std::uint64_t seed = 0;
  std::string out;
  std::int64_t point = 0;
};

void generate(const GenerateOptions& options) {
  const lab::Study study = lab::load_study(options.study);
  const std::vector<lab::Point> points = lab::expand_points(study);
  if (options.point < 0 || options.point >= static_cast<std::int64_t>(points.size())) {
    throw UsageError(fmt::format("--point {} is out of range: the study has {} point(s), 0 to {}",
                                 options.point, points.size(), points.size() - 1));
  }
  const auto& point = points[static_cast<std::size_t>(options.point)];
  const std::int64_t events =
      lab::generate_into(lab::study_at(study, point), options.seed, options.out);
  fmt::print(
      "generated '{}' point {} seed {}: {} events; wrote {}/scenario.toml and {}/events.csv\n",
      study.name, options.point, options.seed, events, options.out, options.out);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  CLI::App* command = app.add_subcommand(
      "generate", "Generate one run of a study: DIR/scenario.toml and DIR/events.csv");
  command->add_option("study", options->study, "the study TOML file")->required();
  command->add_option("--seed", options->seed, "the run's seed (a sweep records one per run)")
      ->required();
  command->add_option("--out", options->out, "the folder to write (created if needed)")->required();
  command->add_option("--point", options->point, "the sweep point whose values to use (default 0)");
  command->callback([options] { generate(*options); });
}

}  // namespace yl::cli
