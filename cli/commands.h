// One function per subcommand (CLI11's subcom_in_files layout): each registers its options and a
// callback on `app`. Callbacks throw on failure; main.cc maps exceptions to SPEC §7.2 exit codes.
#pragma once

#include <CLI/CLI.hpp>

namespace yl::cli {

void add_run_command(CLI::App& app);
void add_apply_command(CLI::App& app);
void add_balances_command(CLI::App& app);
void add_ledgers_command(CLI::App& app);
void add_sources_command(CLI::App& app);
void add_reports_command(CLI::App& app);
void add_audit_command(CLI::App& app);
void add_explain_command(CLI::App& app);
void add_migrate_command(CLI::App& app);
void add_journal_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_merge_command(CLI::App& app);

// A parse error's message as main prints it: CLI11's own, but for a count of --contrast's values
// ("At least 4 required but received 3"), said as what the four are (compare_command.cc), and an
// option given twice ("--out was given 2 times; give it once").
std::string parse_error_text(const CLI::ParseError& error);

// A CLI11 check for a file named by an argument: an empty name is refused ("scenario: the name
// is empty: name a file"); it was read as a file named '' (":1: scenario: cannot open the
// scenario file", the file's name missing: helper-45's F2).
inline CLI::Validator file_named() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        return text.empty() ? "the name is empty: name a file" : "";
      },
      "");  // no "TEXT:FILE" in --help: CLI11's FILE reads as "must exist" (helper-48's F9)
}

// An --out: '-', standard output to many tools, would here be a file or folder named '-' (export
// made a folder of that name; helper-63's F11).
inline CLI::Validator not_standard_output() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        return text == "-" ? "'-' is not standard output here: the output is written to a file "
                             "or folder by name (./- names one called '-')"
                           : "";
      },
      "");
}

// Thrown by a command that has printed a mismatch (audit's, or an explain statement that does
// not balance): main exits 3 once the stack has unwound, so that the ledger it read is closed
// and SQLite leaves nothing beside it (std::exit skipped the destructors).
struct MismatchPrinted {};

}  // namespace yl::cli
