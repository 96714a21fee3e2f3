// `yieldledger migrate --db FILE`: brings a ledger written by an older yieldledger up to this
// one's schema (schema/NNNN_*.sql), in one transaction. Reading commands never write, so they
// ask for this instead of upgrading a file behind the user's back.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "engine/storage/database.h"
#include "engine/storage/migrations.h"
#include "engine/storage/storage_error.h"

namespace yl::cli {
namespace {

void migrate(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                fmt::format("database '{}' not found", path));
  }
  storage::Database db(path, storage::Database::Mode::read_write_create);
  const std::int64_t before = db.user_version();
  storage::Transaction txn(db);
  storage::migrate(db);
  storage::verify_schema(db);
  txn.commit();
  fmt::print("{}: schema version {} -> {}\n", path, before, storage::current_schema_version());
}

}  // namespace

void add_migrate_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "migrate", "Upgrade a ledger written by an older yieldledger to this one's schema");
  command->add_option("--db", *path, "the ledger database")->required();
  command->callback([path] { migrate(*path); });
}

}  // namespace yl::cli
