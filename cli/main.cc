// yieldledger: the command line. It parses, dispatches to one subcommand, and maps failures to
// SPEC §7.2 exit codes: 0 success, 1 internal error, 2 bad usage or bad input (nothing changed),
// 3 an audit found a mismatch. Every message is one line: control characters from inputs are
// escaped (escape_controls).
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <new>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in <fmt/format.h> before fmt 11)

#include "cli/commands.h"
#include "cli/render.h"
#include "engine/input/input_error.h"
#include "engine/input/removed_on_signal.h"
#include "engine/output/export_error.h"
#include "engine/output/output_file.h"
#include "engine/storage/storage_error.h"
#include "engine/usage_error.h"

namespace {

// Every message one line, and at most 8 KiB with its middle left out: a path may be 4 KiB, but an
// option value of 120 KB was echoed whole (helper-57's F2). elided() keeps this many bytes; its
// note ("... (N bytes left out) ...") takes the rest of the 8 KiB.
inline constexpr std::size_t kMessageBytesKept = 8192 - 48;

int fail(int code, const std::string& message) {
  std::cerr << yl::elided(message, kMessageBytesKept) << '\n';
  return code;
}

// Refuses a first argument that is neither an option nor a subcommand, naming it as a command.
void check_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands({})) {
    if (command->get_name() == argv[1]) return;
    names.push_back(command->get_name());
  }
  throw yl::UsageError(
      fmt::format("unknown command '{}'; the commands are: {}", argv[1], fmt::join(names, ", ")));
}

// A closed pipe ends the command as SIGPIPE always has (status 141 in a shell, no message), now
// that every file is closed.
[[noreturn]] void die_of_closed_pipe() {
  std::signal(SIGPIPE, SIG_DFL);
  std::raise(SIGPIPE);
  std::_Exit(141);  // unreachable: SIGPIPE's default action ends the process
}

int run_command(int argc, char** argv) {
  // Past a file size limit (ulimit -f) the kernel would kill us mid-write with SIGXFSZ; ignored,
  // the write fails instead, SQLite reports it and the transaction rolls back cleanly.
  std::signal(SIGXFSZ, SIG_IGN);
  // When a pipe's reader stops (`journal | head`), SIGPIPE would kill us mid-write and leave the
  // ledger's -wal and -shm beside it. Ignored, the write fails with EPIPE and the stack unwinds
  // (closing the ledger); then main dies of SIGPIPE as before, silently (die_of_closed_pipe).
  std::signal(SIGPIPE, SIG_IGN);
  // Ctrl-C (SIGINT, SIGTERM, SIGHUP, SIGQUIT) removes the temporary files and new folders a
  // command is making before it ends the process, as before, by that signal.
  yl::remove_on_fatal_signals();
  CLI::App app("yieldledger: exact native-yield accounting (SPEC v1.2)", "yieldledger");
  app.set_version_flag("--version", "yieldledger " YL_VERSION " (SPEC v1.2)");
  app.require_subcommand(1);
  yl::cli::add_run_command(app);
  yl::cli::add_apply_command(app);
  yl::cli::add_balances_command(app);
  yl::cli::add_ledgers_command(app);
  yl::cli::add_sources_command(app);
  yl::cli::add_reports_command(app);
  yl::cli::add_audit_command(app);
  yl::cli::add_explain_command(app);
  yl::cli::add_journal_command(app);
  yl::cli::add_migrate_command(app);
  yl::cli::add_export_command(app);
  yl::cli::add_compare_command(app);
  yl::cli::add_generate_command(app);
  yl::cli::add_sweep_command(app);
  yl::cli::add_merge_command(app);
  try {
    try {
      check_subcommand(app, argc, argv);
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      // --help and --version print to stdout and exit 0; other parse errors are usage errors.
      if (error.get_exit_code() != 0) {
        fail(2, fmt::format("yieldledger: {}", yl::cli::parse_error_text(error)));
        std::cerr << "Run with --help for more information.\n";
        return 2;
      }
      app.exit(error);
    }
    yl::cli::flush_stdout();
  } catch (const yl::cli::MismatchPrinted&) {
    return 3;
  } catch (const yl::InputError& error) {
    return fail(2, error.what());
  } catch (const yl::UsageError& error) {
    return fail(2, fmt::format("yieldledger: {}", error.what()));
  } catch (const yl::ExportError& error) {
    return fail(error.users_path() ? 2 : 1, fmt::format("yieldledger: {}", error.what()));
  } catch (const yl::storage::StorageError& error) {
    const bool bad = error.kind() == yl::storage::StorageError::Kind::bad_database;
    return fail(bad ? 2 : 1, fmt::format("yieldledger: {}", error.what()));
  } catch (const std::system_error& error) {
    // A failed write to stdout (a full disk, a closed pipe), or a fault of the machine.
    if (error.code() == std::errc::broken_pipe) die_of_closed_pipe();
    if (std::ferror(stdout)) {
      return fail(1, fmt::format("yieldledger: cannot write to standard output: {}",
                                 error.code().message()));
    }
    return fail(1, fmt::format("yieldledger: {}", error.what()));
  } catch (const std::bad_alloc&) {
    // A fault of the machine, not a bug (helper-57's F5 saw "internal error: std::bad_alloc").
    return fail(1, "yieldledger: out of memory (the machine's, or a limit such as ulimit -v)");
  } catch (const std::exception& error) {
    return fail(1, fmt::format("yieldledger: internal error: {}", error.what()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int code = run_command(argc, argv);
  // A Ctrl-C held while files were renamed into place acts now that every file is closed and
  // every temporary removed (yl::HeldSignals), with the process's own handling.
  if (const int signal = yl::take_held_signal(); signal != 0) std::raise(signal);
  return code;
}
