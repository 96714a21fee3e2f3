// `yieldledger compare RESULTS.db [--baseline POINT] [--contrast A B C D] [--format
// table|csv|xlsx|html] [--out FILE]`: a sweep's points side by side, with their spread over runs
// and the paired difference against a baseline point, or the difference-in-differences of four.
// `yieldledger compare A.db B.db`: two ledgers over the same events, side by side at their end.
// README "Compare".
#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "engine/compare/compare_html.h"
#include "engine/compare/compare_xlsx.h"
#include "engine/compare/comparison.h"
#include "engine/compare/ledger_diff.h"
#include "engine/compare/point_names.h"
#include "engine/export/output_guard.h"
#include "engine/input/input_error.h"
#include "engine/output/output_file.h"
#include "engine/storage/database.h"
#include "engine/usage_error.h"

namespace yl::cli {
namespace {

struct CompareOptions {
  std::string first, second;       // as given: second empty, or not given, for a results file
  std::vector<std::string> files;  // first, and second when given
  // None: point 0. A label may be empty: the point that gives no key of [[sweep.points]].
  std::optional<std::string> baseline;
  std::optional<std::string> cohorts;  // comma-separated; `all` is the whole run's ('')
  std::optional<std::string> metrics;  // comma-separated metric and series names
  std::vector<std::string> contrast;   // none, or A B C D: (A − B) − (C − D)
  std::string format;  // empty: by --out's extension (.xlsx, .html, .csv), else table
  std::string out;
  bool force = false;
};

// A text column's CSV cells are defused as export's are: an account named `-A1`, or a label of
// a hand-made results file, opened as a formula (helper-44's F19).
Table cli_table(html::Table table) {
  Table out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const bool numeric = i < table.numeric.size() && table.numeric[i];
    out.columns.push_back({table.columns[i], numeric, !numeric});
  }
  out.rows = std::move(table.rows);
  return out;
}

OutputFile::Existing existing(const CompareOptions& options) {
  return options.force ? OutputFile::Existing::replace : OutputFile::Existing::refuse;
}

// Table and CSV go to --out when given (through the same never-half-written file), else stdout.
void emit_text(const CompareOptions& options, html::Table table,
               const std::vector<std::string>& notes) {
  const Format format = options.format == "csv" ? Format::csv : Format::table;
  for (const std::string& note : notes) std::cerr << "compare: " << note << '\n';
  if (options.out.empty()) {
    print(std::cout, cli_table(std::move(table)), format);  // not held whole a second time
    return;
  }
  std::ostringstream text;
  print(text, cli_table(std::move(table)), format);
  OutputFile out(options.out, existing(options));
  out.write(text.view());
  out.commit();
}

// The names a list option (--cohorts, --metrics) gives, as written, spaces around a name dropped.
// With every cohort, a study's page had some 130 rows and 30 legend entries a metric, and the
// snipers' scale flattened the holders' intervals (helper-48's F6); with every metric, 47
// sections and 2.5-5 MB (helper-60's F8).
std::vector<std::string> list_names(const std::string& list) {
  std::vector<std::string> names;
  for (std::size_t start = 0; start <= list.size();) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    // One word (a list option took the files after it), spaces around a name dropped ("all,
    // sniper/user"): helper-49's F7.
    std::string name = list.substr(start, end - start);
    const std::size_t first = name.find_first_not_of(' ');
    name = first == std::string::npos ? ""
                                      : name.substr(first, name.find_last_not_of(' ') - first + 1);
    names.push_back(std::move(name));
    start = end + 1;
  }
  return names;
}

// `all` names the whole run's cohort, ''.
std::string cohort_of(const std::string& name) { return name == "all" ? "" : name; }

// A name no metric row has is refused, listing those there are.
void check_cohorts(const std::vector<std::string>& names, const compare::Results& results) {
  std::set<std::string> present;
  for (const std::string& cohort : results.cohorts) present.insert(cohort.empty() ? "all" : cohort);
  for (const std::string& name : names) {
    if (name.empty()) {  // helper-56's F11: "no metric has the cohort ''", which every run has
      throw UsageError(fmt::format("--cohorts: an empty name; the whole run's cohort is 'all' "
                                   "(there are {})",
                                   fmt::join(present, ", ")));
    }
    if (!results.cohorts.contains(cohort_of(name))) {
      throw UsageError(fmt::format("--cohorts: no metric has the cohort '{}'; there are {}",
                                   escape_controls(name), fmt::join(present, ", ")));
    }
  }
}

// The notes the text table's short labels need. It shows labels as the HTML page's metric tables
// do: cut at 64 characters, points that differed in their third key read alike (helper-60's F3).
// CSV gives them whole.
void note_short_labels(const compare::PointNames& names, std::vector<std::string>& notes) {
  const bool cut = std::any_of(names.label.begin(), names.label.end(),
                               [](const std::string& label) { return label.ends_with("…"); });
  if (!names.value_keys.empty()) {
    notes.push_back(fmt::format(
        "a label longer than 32 bytes is shown by its values alone, in "
        "the order of the keys {}{}; --format csv gives labels whole",
        fmt::join(names.value_keys, ", "),
        names.gaps ? fmt::format(" ({} where a point gives none)", compare::kNoValue) : ""));
  } else if (cut) {
    notes.emplace_back("labels are cut at 32 bytes; --format csv gives them whole");
  }
}

// A name that is neither a metric nor a series of the file is refused, listing those there are.
void check_metrics(const std::vector<std::string>& names, const compare::Results& results) {
  std::set<std::string> present = results.series_names;
  for (const auto& [name, info] : results.metrics) present.insert(name);
  for (const std::string& name : names) {
    if (name.empty() || !present.contains(name)) {
      throw UsageError(fmt::format("--metrics: no metric or series is named '{}'; there are {}",
                                   escape_controls(name), fmt::join(present, ", ")));
    }
  }
}

// --metrics and --cohorts that leave nothing to show are refused, saying why: a header alone, or
// an empty workbook, exit 0 (helper-61's R4).
void check_not_empty(const CompareOptions& options, const compare::Comparison& comparison) {
  if (!comparison.rows.empty() || (options.format == "html" && !comparison.fans.empty())) return;
  if (!comparison.fans.empty() && options.metrics) {
    throw UsageError(fmt::format("--metrics {}: a series is drawn over time with --format html "
                                 "only; the other formats compare metrics",
                                 escape_controls(*options.metrics)));
  }
  throw UsageError(fmt::format(
      "--metrics {} with --cohorts {} leaves no row to compare (the run's own metrics, such as "
      "debt_end_wei, are the cohort 'all' only)",
      escape_controls(options.metrics.value_or("(every one)")),
      escape_controls(options.cohorts.value_or("(every one)"))));
}

// The four points of --contrast, by index or label. A and B, or C and D, one point is refused: its
// difference is 0 in every run; so are A = C with B = D, whose contrast is 0 (helper-76's F2).
std::array<std::size_t, 4> contrast_points(const CompareOptions& options,
                                           const compare::Results& results) {
  std::array<std::size_t, 4> points{};
  for (std::size_t i = 0; i < 4; ++i) {
    points[i] = compare::find_point(results, options.contrast[i],
                                    fmt::format("--contrast's {}", compare::contrast_role(i)));
  }
  for (const std::size_t i : {std::size_t{0}, std::size_t{2}}) {
    if (points[i] == points[i + 1]) {
      throw UsageError(fmt::format(
          "--contrast A B C D is (A − B) − (C − D): {} and {} are one point, {}, and their "
          "difference is 0 in every run",
          compare::contrast_role(i), compare::contrast_role(i + 1),
          results.points[points[i]].index));
    }
  }
  if (points[0] == points[2] && points[1] == points[3]) {
    throw UsageError(fmt::format("--contrast A B C D is (A − B) − (C − D): A − B and C − D are "
                                 "one difference, of points {} and {}, and the contrast is 0",
                                 results.points[points[0]].index, results.points[points[1]].index));
  }
  return points;
}

// The contrast's rows, or a UsageError where none is left, saying why: points that share no run's
// seed, or rows (of --metrics and --cohorts) of no value at one of them (it blamed the seeds for
// both: helper-76's F3, helper-77's F4).
compare::Contrast contrast_of(const CompareOptions& options, const compare::Results& results) {
  compare::Contrast contrast =
      compare::contrast_results(results, contrast_points(options, results));
  if (!contrast.seeds_shared) {
    throw UsageError(fmt::format("--contrast {}: no run was run on one seed at all four points, "
                                 "so none pairs; {}",
                                 escape_controls(compare::contrast_statement(contrast)),
                                 compare::unpaired_reason(results)));
  }
  if (contrast.rows.empty()) {
    std::vector<std::string> given;
    if (options.metrics) given.push_back("--metrics " + escape_controls(*options.metrics));
    if (options.cohorts) given.push_back("--cohorts " + escape_controls(*options.cohorts));
    const std::string of = given.empty() ? "" : fmt::format(" of {}", fmt::join(given, " and "));
    // No metric row at all (a series alone, a run-wide metric of another cohort): it took the
    // first note, of which there was none, and crashed (helper-78's F1).
    if (contrast.left_out.empty()) {
      throw UsageError(fmt::format("--contrast: there is no metric row{} to contrast (a series, "
                                   "such as debt_wei, is drawn over time only; the run's own "
                                   "metrics, such as debt_end_wei, are the cohort 'all' only)",
                                   of));
    }
    throw UsageError(fmt::format("--contrast: no row{} has a value at all four points: {}", of,
                                 compare::left_out_note(contrast)));
  }
  return contrast;
}

// What stderr says of a contrast, in every format: what it is of, then its notes.
std::vector<std::string> contrast_notes(const compare::Contrast& contrast) {
  std::vector<std::string> notes = {"contrast " +
                                    escape_controls(compare::contrast_statement(contrast))};
  notes.insert(notes.end(), contrast.notes.begin(), contrast.notes.end());
  return notes;
}

// The text formats give one table: the contrast's, its statement and notes on stderr.
void print_contrast(const CompareOptions& options, const std::string& path,
                    const compare::Contrast& contrast) {
  emit_text(options, compare::contrast_table(contrast, options.format == "table"),
            contrast_notes(contrast));
  if (options.out.empty()) return;
  fmt::print("contrasted {} over the runs of '{}': {} row{}, written to {} ({})\n",
             escape_controls(compare::contrast_statement(contrast)), escape_controls(path),
             contrast.rows.size(), contrast.rows.size() == 1 ? "" : "s",
             escape_controls(options.out), options.format);
}

void compare_results_file(const CompareOptions& options) {
  const std::string& path = options.files[0];
  const bool page = options.format == "xlsx" || options.format == "html";
  if (!options.contrast.empty() && options.baseline && !page) {
    throw UsageError("--baseline is the point of the comparison's differences, and --contrast "
                     "gives its table alone in table and csv; --format xlsx or html gives both");
  }
  // The output path is checked before the work, so that a bad --out fails at once.
  std::optional<OutputFile> out;
  if (!options.out.empty() && page) out.emplace(options.out, existing(options));
  // Only the cohorts and metrics named are held in memory (a study's values take about 110
  // bytes each).
  const std::vector<std::string> names =
      options.cohorts ? list_names(*options.cohorts) : std::vector<std::string>{};
  const std::vector<std::string> metrics =
      options.metrics ? list_names(*options.metrics) : std::vector<std::string>{};
  compare::Selection only;
  if (options.cohorts) {
    only.cohorts.emplace();
    for (const std::string& name : names) only.cohorts->insert(cohort_of(name));
  }
  if (options.metrics) only.names.emplace(metrics.begin(), metrics.end());
  const compare::Results results = compare::read_results(path, only);
  if (options.cohorts) check_cohorts(names, results);
  if (options.metrics) check_metrics(metrics, results);
  std::optional<compare::Contrast> contrast;
  if (!options.contrast.empty()) contrast = contrast_of(options, results);
  // The baseline only where the comparison is made: with the contrast alone, an incomplete point
  // 0 refused it (helper-76's F1).
  if (contrast && !page) return print_contrast(options, path, *contrast);
  const std::size_t baseline = compare::find_point(results, options.baseline.value_or("0"));
  const compare::Comparison comparison = compare::compare_results(results, baseline);
  check_not_empty(options, comparison);
  if (page) {
    const compare::Contrast* with = contrast ? &*contrast : nullptr;
    if (options.format == "xlsx") {
      compare::write_comparison_xlsx(comparison, *out, with);
    } else {
      out->write(html::render(compare::comparison_page(comparison, with)));
      out->commit();
    }
    for (const std::string& note : comparison.notes) std::cerr << "compare: " << note << '\n';
    if (contrast) {
      for (const std::string& note : contrast_notes(*contrast)) {
        std::cerr << "compare: " << note << '\n';
      }
    }
  } else {
    std::vector<std::string> notes = comparison.notes;
    if (options.format == "csv") {
      emit_text(options, compare::rows_table(comparison), notes);
    } else {
      const compare::PointNames short_names = compare::point_names(results);
      note_short_labels(short_names, notes);
      emit_text(options, compare::rows_table(comparison, &short_names.label), notes);
    }
    if (options.out.empty()) return;  // the rows are the output; a file is said, in any format
  }
  fmt::print("compared {} points × {} runs of '{}' (baseline point {}): {} rows{}, written to {} "
             "({})\n",
             results.points.size(), results.runs_per_point, escape_controls(path),
             results.points[baseline].index, comparison.rows.size(),
             contrast ? fmt::format(" and {} of the contrast", contrast->rows.size()) : "",
             escape_controls(options.out), options.format);
}

void compare_ledgers(const CompareOptions& options) {
  if (options.baseline) {
    throw UsageError("--baseline names a point of a sweep's results; two ledgers are compared as "
                     "b − a (swap them to change sides)");
  }
  if (options.cohorts) {
    throw UsageError("--cohorts names cohorts of a sweep's results; two ledgers have none");
  }
  if (options.metrics) {
    throw UsageError("--metrics names metrics of a sweep's results; two ledgers have none");
  }
  if (!options.contrast.empty()) {
    throw UsageError("--contrast names four points of a sweep's results; two ledgers have none");
  }
  if (options.format == "xlsx") {
    throw UsageError("--format xlsx compares a sweep's results; for two ledgers use table, csv or "
                     "html");
  }
  // Nor the files the ledgers were made from, --force or not, as `export` (helper-45's F10: a
  // slip of --out and --force replaced both ledgers' events file).
  if (!options.out.empty()) {
    refuse_kept_or_special(options.out, compare::ledger_inputs(options.files[0], options.files[1]));
  }
  std::optional<OutputFile> out;
  if (options.format == "html") out.emplace(options.out, existing(options));
  const compare::LedgerDiff diff = compare::diff_ledgers(options.files[0], options.files[1]);
  if (options.format == "html") {
    out->write(html::render(compare::ledger_diff_page(diff)));
    out->commit();
    for (const std::string& note : diff.notes) std::cerr << "compare: " << note << '\n';
  } else {
    emit_text(options, diff.table, diff.notes);
    if (options.out.empty()) return;
  }
  fmt::print("compared '{}' and '{}' over the same {} events: written to {} ({})\n",
             escape_controls(options.files[0]), escape_controls(options.files[1]), diff.events,
             escape_controls(options.out), options.format);
}

// --out is never one of the files compared (or their -wal, -shm and -journal), even with --force.
void refuse_inputs_as_out(const CompareOptions& options) {
  for (const std::string& file : options.files) {
    if (storage::same_file(options.out, file)) {
      throw UsageError(
          fmt::format("will not write '{}': it is the file compared, '{}'", options.out, file));
    }
    if (const std::string_view what = storage::companion_of(options.out, file); !what.empty()) {
      throw UsageError(fmt::format("will not write '{}': it is the {} of '{}', a file compared",
                                   options.out, what, file));
    }
  }
}

// --format, or the one --out's extension names, as `export` infers it.
std::string format_of(const CompareOptions& options) {
  if (!options.format.empty()) return options.format;
  const std::string extension = lowercase_extension(options.out);
  if (extension == ".xlsx" || extension == ".html" || extension == ".csv")
    return extension.substr(1);
  return "table";
}

void run_compare(CompareOptions options) {
  options.files = {options.first};
  if (!options.second.empty()) options.files.push_back(options.second);
  options.format = format_of(options);
  if ((options.format == "xlsx" || options.format == "html") && options.out.empty()) {
    throw UsageError(fmt::format("--format {} needs --out FILE", options.format));
  }
  if (!options.out.empty()) refuse_inputs_as_out(options);
  // Nor is one ledger compared the -wal, -shm or -journal of the other, which SQLite would take
  // for its own as the other opens (helper-89's F2: `compare a.db a.db-shm` deleted it).
  if (options.files.size() == 2) {
    storage::refuse_companion_input(options.files[1], "a ledger compared", options.files[0]);
    storage::refuse_companion_input(options.files[0], "a ledger compared", options.files[1]);
  }
  if (options.files.size() == 1) {
    compare_results_file(options);
  } else {
    compare_ledgers(options);
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* command = app.add_subcommand(
      "compare",
      "Compare a sweep's points (RESULTS.db: spread over runs, paired differences against a "
      "baseline), or two ledgers over the same events (A.db B.db)");
  // Two positionals, so that the usage line reads `RESULTS.db|A.db [B.db]` (one of 1 to 2 read
  // `files(1x)`: helper-48's F9).
  command->add_option("RESULTS.db|A.db", options->first, "a sweep's results file, or a ledger")
      ->required()
      ->check(file_named())
      ->type_name("FILE");
  command->add_option("B.db", options->second, "the ledger A.db is compared with")
      ->check(file_named())
      ->type_name("FILE");
  command->add_option("--baseline", options->baseline,
                      "the point the others are compared with, by index or label (default 0)");
  command
      ->add_option("--contrast", options->contrast,
                   "four points A B C D, by index or label: the difference-in-differences "
                   "(A − B) − (C − D), paired by run; table and csv give it alone, xlsx and html "
                   "beside the comparison")
      ->expected(4)
      ->type_name("POINT");
  command->add_option("--metrics", options->metrics,
                      "only these metrics' and series' rows and charts, comma-separated "
                      "(yield_wei,debt_wei); default every one. The names: README \"Metrics\", "
                      "or the results file's metric_info table");
  command->add_option("--cohorts", options->cohorts,
                      "only these cohorts' rows, comma-separated (all = every account; users, "
                      "dapps, a strategy, or strategy/kind/MODE); default every cohort");
  command
      ->add_option("--format", options->format,
                   "table, csv, xlsx or html (default: by --out's extension, else table)")
      ->check(CLI::IsMember({"table", "csv", "xlsx", "html"}));
  command
      ->add_option("--out", options->out,
                   "the file to write (required for xlsx and html; table and csv print to "
                   "standard output without it)")
      ->check(file_named())
      ->check(not_standard_output())
      ->type_name("FILE");  // '' printed to standard output, as if not given (helper-45's F3)
  command->add_flag("--force", options->force, "replace --out if it exists");
  command->callback([options] { run_compare(*options); });
}

std::string parse_error_text(const CLI::ParseError& error) {
  const std::string_view what = error.what();
  constexpr std::string_view kCount = "received ";
  const auto received = what.rfind(kCount);
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr &&
      what.starts_with("--contrast: ") && received != std::string_view::npos) {
    return fmt::format("--contrast takes four points once, A B C D, for (A − B) − (C − D); it was "
                       "given {}",
                       what.substr(received + kCount.size()));
  }
  // CLI11's "--out: At Most 1 required but received 2" (helper-85's F10).
  constexpr std::string_view kOnce = ": At Most 1 required but received ";
  if (const auto at = what.find(kOnce);
      at != std::string_view::npos &&
      dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
    return fmt::format("{} was given {} times; give it once", what.substr(0, at),
                       what.substr(at + kOnce.size()));
  }
  return std::string(what);
}

}  // namespace yl::cli
