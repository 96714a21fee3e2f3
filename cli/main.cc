// yieldledger: the command line. It parses, dispatches to one subcommand, and maps failures to
// SPEC §7.2 exit codes: 0 success, 1 internal error, 2 bad usage or bad input (nothing changed),
// 3 an audit found a mismatch.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "engine/export/export_error.h"
#include "engine/input/input_error.h"
#include "engine/usage_error.h"
#include "engine/storage/storage_error.h"

int main(int argc, char** argv) {
  // Past a file size limit (ulimit -f) the kernel would kill us mid-write with SIGXFSZ; ignored,
  // the write fails instead, SQLite reports it and the transaction rolls back cleanly.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app("yieldledger: exact native-yield accounting (SPEC v1.1)", "yieldledger");
  app.require_subcommand(1);
  yl::cli::add_run_command(app);
  yl::cli::add_apply_command(app);
  yl::cli::add_balances_command(app);
  yl::cli::add_ledgers_command(app);
  yl::cli::add_sources_command(app);
  yl::cli::add_reports_command(app);
  yl::cli::add_audit_command(app);
  yl::cli::add_explain_command(app);
  yl::cli::add_migrate_command(app);
  yl::cli::add_export_command(app);
  yl::cli::add_generate_command(app);
  yl::cli::add_sweep_command(app);
  yl::cli::add_merge_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  } catch (const yl::InputError& error) {
    std::cerr << error.what() << '\n';
    return 2;
  } catch (const yl::UsageError& error) {
    std::cerr << "yieldledger: " << error.what() << '\n';
    return 2;
  } catch (const yl::ExportError& error) {
    std::cerr << "yieldledger: " << error.what() << '\n';
    return 1;
  } catch (const yl::storage::StorageError& error) {
    std::cerr << "yieldledger: " << error.what() << '\n';
    return error.kind() == yl::storage::StorageError::Kind::bad_database ? 2 : 1;
  } catch (const std::exception& error) {
    std::cerr << "yieldledger: internal error: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
