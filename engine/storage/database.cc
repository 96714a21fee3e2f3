#include "engine/storage/database.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include "engine/core/assert.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xff;
  // The failures a user can meet and fix get a plain sentence; the rest keep SQLite's words.
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw StorageError(StorageError::Kind::internal,
                         "the database is busy: another yieldledger is writing to it (waited 5 s); "
                         "try again when it has finished");
    case SQLITE_IOERR:
      // SQLite's rollback after a failed write resets errno, so a full disk and a file size
      // limit look like any failed write; say what it most likely is.
      if (rc != SQLITE_IOERR_WRITE && rc != SQLITE_IOERR_FSYNC && rc != SQLITE_IOERR_TRUNCATE) {
        break;
      }
      [[fallthrough]];
    case SQLITE_FULL:
      throw StorageError(StorageError::Kind::internal,
                         fmt::format("could not write the database: the disk is full, a file "
                                     "size limit was reached, or the disk failed ({}); nothing "
                                     "was written",
                                     message));
    case SQLITE_READONLY:
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("the database cannot be written (read-only file or folder): "
                                     "{}",
                                     message));
    case SQLITE_CANTOPEN: {
      const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("cannot open the database{}: a missing folder, no "
                                     "permission, or a read-only file system ({}; {})",
                                     file != nullptr && *file != '\0'
                                         ? fmt::format(" '{}'", file) : std::string(),
                                     message, context));
    }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("the file is not a usable SQLite database ({}); it may be "
                                     "truncated or damaged",
                                     message));
    default:
      break;
  }
  const auto kind = primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ||
                            primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY
                        ? StorageError::Kind::bad_database
                        : StorageError::Kind::internal;
  throw StorageError(kind, fmt::format("SQLite error {} ({}) in {}", rc, message, context));
}

}  // namespace

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

namespace {

// A file: URI for `path` (RFC 3986 escapes for the characters SQLite's URI parser treats
// specially), so that query parameters can be added.
std::string file_uri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#' || c == ' ') {
      uri += fmt::format("%{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      uri += c;
    }
  }
  return uri;
}

// Whether the folder holding `path` can be written (a WAL reader needs to create `-shm` there).
bool folder_writable(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  return ::access(folder.c_str(), W_OK) == 0;
}

}  // namespace

Database::Database(const std::string& path, Mode mode) : path_(path) {
  sqlite3* raw = nullptr;
  int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  std::string target = path;
  if (mode == Mode::read_only && !folder_writable(path)) {
    // On a read-only file system nobody can be writing, so the file may be read as immutable,
    // which needs neither the -shm file nor locks.
    target = file_uri(path) + "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  const int rc = sqlite3_open_v2(target.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) fail(raw, rc, fmt::format("opening '{}'", path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  exec("PRAGMA foreign_keys = ON");
  exec("PRAGMA cache_size = -65536");  // 64 MiB: a run writes a million rows in one transaction
  if (mode != Mode::read_only) {
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
  }
}

Database::~Database() = default;

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    fail(db_.get(), rc, fmt::format("'{}'", text.substr(0, 60)));
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(*this, sql); }

std::int64_t Database::user_version() {
  Statement s(*this, "PRAGMA user_version");
  YL_ASSERT(s.step());
  return s.column_int(0);
}

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw,
                                    nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) fail(db.handle(), rc, fmt::format("preparing '{}'", sql.substr(0, 60)));
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) fail(db_->handle(), rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // An empty view may have a null data(); SQLite would bind NULL for it, so bind "" instead.
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc = sqlite3_bind_text(stmt_.get(), index, data, static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_->handle(), rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) fail(db_->handle(), rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(stmt_.get());
  sqlite3_reset(stmt_.get());
  fail(db_->handle(), rc, fmt::format("'{}'", sql.substr(0, 60)));
}

void Statement::run() {
  const bool row = step();
  YL_ASSERT(!row);
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int index) { return sqlite3_column_int64(stmt_.get(), index); }

std::string Statement::column_text(int index) {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int index) {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // never throws
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace yl::storage
