#include "engine/storage/database.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/core/assert.h"
#include "engine/input/input_file.h"
#include "engine/storage/migrations.h"
#include "engine/storage/results_identity.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {
namespace {

// Whether the file at `path` begins as every SQLite database does (16 bytes; a shorter file, with
// as many of them), or cannot be read to tell (then it is taken for one).
bool begins_as_sqlite(const std::string& path) {
  constexpr std::string_view kHeader("SQLite format 3\0", 16);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return true;
  char head[16] = {};
  const std::size_t n = std::fread(head, 1, sizeof head, file);
  std::fclose(file);
  return std::string_view(head, n) == kHeader.substr(0, n);
}

// What errno `error` means for a database path.
std::string path_cause(int error) {
  switch (error) {
    case ENOENT:
      return "its folder does not exist";
    case EACCES:
    case EPERM:
      return "permission denied";
    case EROFS:
      return "read-only file system";
    case ENAMETOOLONG:
      return "the path is too long";
    case ENOTDIR:
      return "a part of the path is not a folder";
    case EISDIR:
      return "it is a folder";
    case 0:
      return "no cause given by the system";
    default:
      return std::strerror(error);
  }
}

// Why `file` could not be opened (for writing too when `write`). SQLite's own errno
// (sqlite3_system_errno) is that of its last attempt, often a fallback's, so the cause is asked
// of the file system again, in the order the open needs: the folder, the file, the folder's
// write permission. A fault of the machine (EMFILE) is exit 1.
[[noreturn]] void open_failed(const std::string& file, int error) {
  throw StorageError(
      is_machine_fault(error) ? StorageError::Kind::machine : StorageError::Kind::bad_database,
      fmt::format("cannot open the database '{}': {}", file, path_cause(error)));
}

// The folder that holds `file` ("." for a bare name), where SQLite makes its -wal and -shm.
std::string folder_of(const std::string& file) {
  const auto slash = file.find_last_of('/');
  return slash == std::string::npos ? "." : file.substr(0, slash + 1);
}

[[noreturn]] void cannot_open(const std::string& file, int sqlite_errno, bool write) {
  auto fail_with = [&](int error) { open_failed(file, error); };
  if (is_machine_fault(sqlite_errno)) fail_with(sqlite_errno);
  const std::string folder = folder_of(file);
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0) fail_with(errno);
  if (::stat(file.c_str(), &info) == 0) {
    if (::access(file.c_str(), write ? R_OK | W_OK : R_OK) != 0) fail_with(errno);
  } else if (errno != ENOENT) {
    fail_with(errno);
  }
  if (write && ::access(folder.c_str(), W_OK) != 0) fail_with(errno);
  open_failed(file, sqlite_errno);
}

bool folder_writable(const std::string& file);

// Why `path` cannot be written, a writer found (SQLITE_READONLY, SQLite's `message`): its folder,
// where SQLite makes the -wal and -shm beside it, or the file is read-only for this user.
std::string read_only_reason(const std::string& path, const char* message) {
  if (path.empty()) {
    return fmt::format("the database cannot be written (read-only file or folder): {}", message);
  }
  const std::string file = followed(path);
  if (!folder_writable(file)) {
    return fmt::format("'{}' cannot be written: this user cannot write its folder, where SQLite "
                       "makes the '-wal' and '-shm' files a writer needs beside it",
                       path);
  }
  if (::access(file.c_str(), W_OK) != 0) {
    return fmt::format("'{}' cannot be written: the file is read-only for this user", path);
  }
  return fmt::format("'{}' cannot be written (read-only file or folder): {}", path, message);
}

// `path` is the database's path as the user gave it (SQLite's own is made absolute): messages
// name the file by it.
// `reader`: the connection writes nothing (Mode::read_only), whether SQLite opened it read-only
// or, for its -wal and -shm, as a writer with query_only.
[[noreturn]] void fail(sqlite3* db, const std::string& path, bool reader, int rc,
                       std::string_view context) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string quoted = path.empty() ? std::string() : fmt::format("'{}'", path);
  const int primary = rc & 0xff;
  // The failures a user can meet and fix get a plain sentence; the rest keep SQLite's words.
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw StorageError(StorageError::Kind::machine,
                         "the database is busy: another yieldledger is writing to it (waited 5 s); "
                         "try again when it has finished");
    case SQLITE_IOERR:
      // SQLite's rollback after a failed write resets errno, so a full disk and a file size
      // limit look like any failed write; say what it most likely is.
      if (rc != SQLITE_IOERR_WRITE && rc != SQLITE_IOERR_FSYNC && rc != SQLITE_IOERR_TRUNCATE &&
          rc != SQLITE_IOERR_SHMSIZE) {
        break;
      }
      [[fallthrough]];
    case SQLITE_FULL: {
      const std::string name = path.empty() ? std::string("the database") : quoted;
      // A reader writes too: SQLite's shared-memory index of the WAL (FILE-shm).
      if (reader) {
        throw StorageError(StorageError::Kind::machine,
                           fmt::format("could not read {}: SQLite could not write the index it "
                                       "reads it with (its -shm file): the disk is full, a file "
                                       "size limit was reached, or the disk failed ({}); nothing "
                                       "was changed",
                                       name, message));
      }
      throw StorageError(
          StorageError::Kind::machine,
          fmt::format("could not write {}: the disk is full, a file size limit was reached, or "
                      "the disk failed ({}); what was being written was rolled back",
                      name, message));
    }
    case SQLITE_READONLY:
      throw StorageError(StorageError::Kind::bad_database, read_only_reason(path, message));
    case SQLITE_CANTOPEN: {
      cannot_open(path, db != nullptr ? sqlite3_system_errno(db) : 0, !reader);
    }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: {
      const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
      const std::string name = path.empty() ? std::string("the file") : quoted;
      // Read as immutable (see Database::Database), without locks: a writer that began after
      // the open may have moved pages under the reader.
      if (file != nullptr && sqlite3_uri_boolean(file, "immutable", 0) != 0 &&
          ::access(fmt::format("{}-wal", file).c_str(), F_OK) == 0) {
        throw StorageError(StorageError::Kind::machine,
                           fmt::format("{} was written by another process while it was read "
                                       "(without write access to it or its folder, it is read "
                                       "without locks); read it again when the writer has finished",
                                       name));
      }
      // A file that does not begin as every SQLite database does is another kind of file (a
      // scenario given as --db was "truncated or damaged": helper-70's F7).
      if (!path.empty() && !begins_as_sqlite(path)) {
        throw StorageError(StorageError::Kind::bad_database,
                           fmt::format("{} is not an SQLite database (it does not begin with "
                                       "SQLite's header, \"SQLite format 3\"): another kind of "
                                       "file",
                                       name));
      }
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("{} is not a usable SQLite database ({}); it may be "
                                     "truncated or damaged",
                                     name, message));
    }
    case SQLITE_ERROR:
      // Our statements name only our own tables and columns: one that is missing was dropped or
      // renamed by hand, or a migration was undone (its user_version lowered).
      if (std::string_view(message).starts_with("no such table") ||
          std::string_view(message).starts_with("no such column") ||
          std::string_view(message).starts_with("duplicate column name") ||
          std::string_view(message).find(" has no column named ") != std::string_view::npos) {
        throw StorageError(
            StorageError::Kind::bad_database,
            fmt::format("'{}' does not match its schema version ({}): it was changed by hand, "
                        "or is damaged",
                        path, message));
      }
      break;
    default:
      break;
  }
  const auto kind = primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ||
                            primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY
                        ? StorageError::Kind::bad_database
                        : StorageError::Kind::internal;
  throw StorageError(kind, fmt::format("SQLite error {} ({}) in {}", rc, message, context));
}

// Whether the file at `path` (`file` + `suffix`, a companion of the database `file`) is there and
// is not one SQLite made, and why: a file of the user's so named, which SQLite would take for its
// own when `file` is opened, and write over or delete (`balances` deleted a `V.db-wal` of notes,
// and wrote its index into a file hard-linked as `V.db-shm`: helper-89's F5, F6). SQLite's own has
// one name; and is empty, or begins with a WAL header's magic (-wal), or with a journal header's
// magic or zeros (-journal: one not yet synced begins with 12 zero bytes, one no longer hot with
// 28; every byte read must be zero, as a first zero byte alone passed an MP4 file: helper-90's
// F3), counting a file cut short by the bytes it has. A -shm by its links alone: this process may
// hold SQLite's locks on it (a second connection), and closing any descriptor of the file would
// release them (POSIX); and SQLite grows it a page at a time, so no size is not its. A symbolic
// link is not SQLite's either; any other kind of file is left to SQLite's own error.
enum class Foreign { no, content, symbolic_link, hard_link };
Foreign foreign_companion(const std::string& path, std::string_view suffix) {
  using Head = std::basic_string_view<unsigned char>;
  static constexpr unsigned char kWal[2][4] = {{0x37, 0x7f, 0x06, 0x82}, {0x37, 0x7f, 0x06, 0x83}};
  static constexpr unsigned char kJournal[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return Foreign::no;
  // SQLite will not open a companion through a link: a reader stopped with "too many levels of
  // symbolic links", naming neither file, and left a -wal (helper-89's F9).
  if (S_ISLNK(info.st_mode)) return Foreign::symbolic_link;
  if (!S_ISREG(info.st_mode)) return Foreign::no;
  if (info.st_nlink > 1) return Foreign::hard_link;
  if (info.st_size == 0 || suffix == "-shm") return Foreign::no;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Foreign::no;
  unsigned char bytes[8] = {};
  const std::size_t n = std::fread(bytes, 1, sizeof bytes, file);
  std::fclose(file);
  const Head head(bytes, n);
  const auto begins = [&](Head signature) {
    return signature.substr(0, std::min(n, signature.size())) == head.substr(0, signature.size());
  };
  const bool sqlite = suffix == "-wal"
                          ? begins(Head(kWal[0], 4)) || begins(Head(kWal[1], 4))
                          : std::all_of(bytes, bytes + n, [](unsigned char b) { return b == 0; }) ||
                                begins(Head(kJournal, 8));
  return sqlite ? Foreign::no : Foreign::content;
}

// Refuses (StorageError, bad_database) to open the existing database `path` beside a file of the
// user's that SQLite would take for its -wal, -shm or -journal (foreign_companion).
void refuse_foreign_companions(const std::string& path) {
  const std::string file = followed(path);
  for (const auto& [suffix, what] : kCompanionFiles) {
    const std::string companion = file + std::string(suffix);
    const Foreign foreign = foreign_companion(companion, suffix);
    if (foreign == Foreign::no) continue;
    if (foreign == Foreign::content) {
      throw StorageError(
          StorageError::Kind::bad_database,
          fmt::format("'{}' beside the database '{}' is not a {} SQLite made (it does not begin "
                      "as one): SQLite takes a file so named for the database's own and would "
                      "write over it or delete it; move it away, then run the command again",
                      companion, path, what));
    }
    // A link may lead to the database's own log (a backup made with hard links): moved away, its
    // commits would be lost (helper-90's F1).
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("'{}' beside the database '{}' is {}: SQLite takes a file so named for the "
                    "database's own and would write through it or refuse it; if it is the "
                    "database's own {}, put a copy of the file in its place (cp "
                    "--remove-destination), else move it away, then run the command again",
                    companion, path,
                    foreign == Foreign::symbolic_link
                        ? "a symbolic link"
                        : "a hard link (another name of a file that has more than one)",
                    what));
  }
}

}  // namespace

std::string followed(const std::string& path) {
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) return path;
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved != nullptr) {
    const std::string file = resolved;
    std::free(resolved);
    return file;
  }
  // A link to nothing (yet): where it leads, link by link, as a writer's open creates the file
  // there.
  std::filesystem::path at = path;
  std::error_code ec;
  for (int hops = 0; hops < 40 && std::filesystem::is_symlink(at, ec); ++hops) {
    const std::filesystem::path target = std::filesystem::read_symlink(at, ec);
    if (ec) break;
    at = target.is_absolute() ? target : at.parent_path() / target;
  }
  return at.string();
}

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

namespace {

// A file: URI for `path` (RFC 3986 escapes for the characters SQLite's URI parser treats
// specially), so that query parameters can be added.
std::string file_uri(const std::string& path) {
  // An absolute path after an empty authority: "file:" + "//tmp/q.db" would name host "tmp".
  std::string uri = path.starts_with('/') ? "file://" : "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#' || c == ' ') {
      uri += fmt::format("%{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      uri += c;
    }
  }
  return uri;
}

// The URI that reads `file` as it stands: no lock taken, no journal or log read, nothing made
// beside it.
std::string as_it_stands(const std::string& file) { return file_uri(file) + "?immutable=1"; }

// Whether the folder holding `file` can be written (a WAL reader needs to create `-shm` there).
bool folder_writable(const std::string& file) {
  return ::access(folder_of(file).c_str(), W_OK) == 0;
}

// Whether a connection opened read-only on `target` answers `sql` (one integer) with non-zero.
// Through SQLite, not a descriptor of our own: its close() would drop the POSIX locks of every
// connection this process has on the file (an audit's snapshot, which a checkpoint then moved);
// SQLite's own close defers it while they hold locks.
bool read_only_probe(const std::string& target, int flags, const char* sql) {
  sqlite3* probe = nullptr;
  bool yes = false;
  if (sqlite3_open_v2(target.c_str(), &probe, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | flags,
                      nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(probe, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(probe, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      yes = sqlite3_column_int64(statement, 0) != 0;
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(probe);
  return yes;
}

// Whether a writer's -wal and -shm are beside `file` (one is at work, or was killed).
bool writer_files_there(const std::string& file) {
  return ::access((file + "-wal").c_str(), F_OK) == 0 &&
         ::access((file + "-shm").c_str(), F_OK) == 0;
}

// Whether a reader opens `path` (kept as `file`) read-write: only a ledger or a results file, by
// the application_id in its header. SQLite, opening another file so, would roll back its hot
// journal or fold its log into it before the application_id check refuses it. The header is read
// through an immutable connection, which takes no lock and reads no journal. A file whose header
// does not carry it, with a writer's -wal and -shm beside it, is read again through its log: one
// whose log makes it ours, or that holds nothing even with its log (no table, no application_id or
// user_version: a `run` into an existing empty file, killed before it folded its log into the
// file, or before its first commit), is opened as a ledger is, so that the last to close folds the
// log in and removes the -wal and -shm.
bool ours_to_open_writable(const std::string& path, const std::string& file) {
  const std::string ours = fmt::format("application_id IN ({}, {})", Database::kLedgerApplicationId,
                                       kResultsApplicationId);
  const std::string by_header = fmt::format("SELECT {} FROM pragma_application_id", ours);
  if (read_only_probe(as_it_stands(path), SQLITE_OPEN_URI, by_header.c_str())) return true;
  if (!writer_files_there(file)) return false;
  const std::string by_log =
      fmt::format("SELECT {} OR (application_id = 0 AND (SELECT user_version FROM "
                  "pragma_user_version) = 0 AND NOT EXISTS (SELECT 1 FROM sqlite_schema)) FROM "
                  "pragma_application_id",
                  ours);
  return read_only_probe(path, 0, by_log.c_str());
}

// Refuses a reader who must not create the -wal and -shm files a WAL reader needs when `file`'s
// log has commits not in the file (reading them needs the -shm). Such a reader cannot write the
// folder (a read-only file system or mount, another user's folder), or cannot write the file, and
// files it made there would be its own, which the file's owner could not write: the owner's next
// `apply` would fail.
void require_no_log_to_read(const std::string& file, bool folder_writable) {
  struct stat wal {};
  if (::stat((file + "-wal").c_str(), &wal) != 0 || wal.st_size == 0) return;
  throw StorageError(
      StorageError::Kind::bad_database,
      fmt::format(
          "cannot read '{}': its write-ahead log '{}-wal' has commits that are not in the "
          "file, and reading them needs a '{}-shm' file, {}; `yieldledger migrate --db "
          "{}`, run by {}, folds them into the file",
          file, file, file,
          folder_writable ? "which a user who cannot write the file does not make (its "
                            "owner could not write to it)"
                          : "which this user cannot create in that folder",
          file,
          folder_writable ? "a user who can write the file" : "a user who can write the folder"));
}

// What sqlite3_open_v2 is given: the file name or URI, and the flags.
struct Opening {
  std::string target;
  int flags = 0;
};

// How a reader opens `path`, decided before anything is opened.
Opening reader_opening(const std::string& path) {
  const std::string file = followed(path);  // the -wal and -shm are beside it
  const bool folder = folder_writable(file);
  const bool may_write = folder && ::access(file.c_str(), W_OK) == 0;
  // A reader that may write the folder and the file, ours (above), opens it as a writer would
  // (never creating it) and writes nothing (query_only, in the constructor), so that, the last to
  // close, it removes the -wal and -shm it needed as a writer does; a read-only connection left
  // them beside the ledger.
  if (may_write && ours_to_open_writable(path, file)) return {path, SQLITE_OPEN_READWRITE};
  // Every other reader makes nothing beside the file. With a writer's -wal and -shm both there
  // (one at work, or killed), SQLite reads the log with them, under read locks that keep a
  // checkpoint from moving pages underneath.
  if (writer_files_there(file)) return {path, SQLITE_OPEN_READONLY};
  // Otherwise the file is read as it stands, as immutable (no -shm, no locks): a file not ours,
  // to be refused, folding no rollback journal or log into it; or, for a reader who may not
  // write, a ledger whose every commit is in the file. A writer that begins meanwhile is named by
  // fail() while its -wal is there; after, a torn read is reported as a damaged file.
  if (!may_write) require_no_log_to_read(file, folder);
  return {as_it_stands(file), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI};
}

}  // namespace

void check_ledger_path(const std::string& path, std::string_view noun) {
  auto refuse = [](const std::string& reason) {
    throw StorageError(StorageError::Kind::bad_database, reason);
  };
  if (path.empty())
    refuse(fmt::format("the database path is empty: name a file, such as {}.db", noun));
  if (path == ":memory:" || path.starts_with("file:")) {
    refuse(fmt::format("'{}' is not a file path: SQLite would read it as an in-memory or URI "
                       "database and write nothing to disk; name a file (./{} for a file of "
                       "that name)",
                       path, path));
  }
  if (path.back() == '/') {
    refuse(fmt::format("'{}' ends in '/', so it names a folder, not a {} file", path, noun));
  }
  // SQLite takes FILE-wal, FILE-shm and FILE-journal for FILE's log, index and journal: a ledger
  // or results file so named would be folded into FILE, or deleted, when FILE is next opened. By
  // the file's own name (a bare "-wal" is no file's log), and where a symlink leads (SQLite
  // writes there).
  const std::string file = followed(path);
  for (const std::string& name : {path, file}) {
    const std::string_view base = std::string_view(name).substr(name.find_last_of('/') + 1);
    for (const auto& [suffix, what] : kCompanionFiles) {
      if (!base.ends_with(suffix) || base.size() == suffix.size()) continue;
      refuse(fmt::format(
          "'{}' {}ends in '{}': SQLite takes a file so named for the {} of '{}', and would fold "
          "it into that file or delete it; name the {} file otherwise",
          path, name == path ? "" : fmt::format("leads to '{}', which ", name), suffix, what,
          name.substr(0, name.size() - suffix.size()), noun));
    }
  }
  if (const auto kind = special_file_kind(path)) {
    refuse(fmt::format("'{}' is {}, not a {} file", path, *kind, noun));
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 && errno != ENOENT) {
    refuse(fmt::format("'{}' cannot be used: {}", path, path_cause(errno)));
  }
  // A name of 252-255 bytes is a file's, but SQLite's FILE-wal and FILE-shm beside it (WAL, the
  // mode of every ledger and results file) would not be: the file could be made and never opened.
  // By the name given and the one a symlink leads to, where SQLite works.
  constexpr std::size_t kLongestName = 255 - std::string_view("-wal").size();
  for (const std::string& name : {path, file}) {
    const std::size_t bytes = name.size() - (name.find_last_of('/') + 1);
    if (bytes <= kLongestName) continue;
    refuse(fmt::format(
        "'{}' cannot be used: {} is {} bytes long, and SQLite needs room for "
        "'-wal' and '-shm' after it: a {} file's name may have at most {} bytes",
        path, name == path ? "its name" : fmt::format("the name of '{}', where it leads,", name),
        bytes, noun, kLongestName));
  }
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {};
  struct stat sb {};
  const auto identity = [](const std::filesystem::path& path, struct stat& info) {
    return ::stat(path.c_str(), &info) == 0;
  };
  const auto same = [&] { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino; };
  if (identity(a, sa)) return identity(b, sb) && same();
  if (identity(b, sb)) return false;
  if (a.filename() != b.filename()) return false;
  return identity(folder_of(a.string()), sa) && identity(folder_of(b.string()), sb) && same();
}

std::string_view companion_of(const std::filesystem::path& path, const std::filesystem::path& db) {
  const std::string name = path.string();
  const std::string leads_to = followed(db.string());
  for (const auto& [suffix, what] : kCompanionFiles) {
    if (name.size() > suffix.size() && name.ends_with(suffix) &&
        same_file(name.substr(0, name.size() - suffix.size()), db)) {
      return what;
    }
    for (const std::string& file : {db.string(), leads_to}) {
      if (same_file(path, file + std::string(suffix))) return what;
    }
  }
  return {};
}

bool may_be_companion(const std::filesystem::path& path) {
  for (const std::string& name : {path.string(), followed(path.string())}) {
    for (const auto& [suffix, what] : kCompanionFiles) {
      if (name.ends_with(suffix)) return true;
    }
  }
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && info.st_nlink > 1;
}

void refuse_companion_input(const std::filesystem::path& input, std::string_view role,
                            const std::string& db) {
  if (const std::string_view what = companion_of(input, db); !what.empty()) {
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("will not read '{}' as {}: it is the {} SQLite keeps beside the database '{}', "
                    "and opening that database would take it for its own, write over it and "
                    "delete it; give a copy of it under a name of its own (and if it is the "
                    "database's own {}, leave it where it is)",
                    input.string(), role, what, db, what));
  }
}

void require_existing_ledger(const std::string& path) {
  check_ledger_path(path);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return;
  const std::string link = std::filesystem::is_symlink(path, ec)
                               ? std::filesystem::read_symlink(path, ec).string()
                               : std::string();
  throw StorageError(StorageError::Kind::bad_database,
                     link.empty()
                         ? fmt::format("database '{}' not found", path)
                         : fmt::format("database '{}' not found: it is a symbolic link to '{}', "
                                       "which does not exist",
                                       path, link));
}

namespace {

// SQLite keeps memory statistics by default, behind a process-wide mutex taken on every
// allocation it makes (a few per row written). Nothing here reads them, so they are turned off,
// once, before SQLite initializes (sqlite3_config must precede sqlite3_initialize). The setting
// changes no result, only what sqlite3_memory_used() would report.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Database::Database(const std::string& path, Mode mode, std::int32_t application_id)
    : path_(path), application_id_(application_id), reader_(mode == Mode::read_only) {
  if (mode != Mode::in_memory) {
    check_ledger_path(path);
    refuse_foreign_companions(path);
  }
  configure_sqlite_once();
  sqlite3* raw = nullptr;
  const Opening opening = mode == Mode::read_only
                              ? reader_opening(path)
                              : Opening{mode == Mode::in_memory ? ":memory:" : path,
                                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE};
  const int rc =
      sqlite3_open_v2(opening.target.c_str(), &raw, opening.flags | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if ((rc & 0xff) == SQLITE_CANTOPEN) {
    cannot_open(path, raw != nullptr ? sqlite3_system_errno(raw) : 0, mode != Mode::read_only);
  }
  if (rc != SQLITE_OK) fail(raw, path, reader_, rc, fmt::format("opening '{}'", path));
  // SQLite falls back to reading a file it cannot write; a writer must say why at once.
  if (mode != Mode::read_only && sqlite3_db_readonly(raw, "main") == 1) {
    cannot_open(path, sqlite3_system_errno(raw), /*write=*/true);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  if (mode == Mode::read_only) exec("PRAGMA query_only = ON");
  exec("PRAGMA foreign_keys = ON");
  // 8 MiB. A run writes most pages once (its tables grow at the end), so a larger cache buys
  // nothing and costs the first touch of its memory: at 64 MiB the page faults were a sixth of a
  // million-event run. A smaller one is too small for an index filled out of order (events_by_id
  // with random ids: 2 MiB took 1.35x as long). bench/PROFILE.md, "After (the audit's balances,
  // the cache)".
  exec("PRAGMA cache_size = -8192");
  // Another application's file is refused before anything is written to it (switching to WAL
  // rewrites the header). An empty file or database is ours to create.
  const bool empty = mode != Mode::read_only && is_empty();  // a reader asks nothing of it here
  if (mode != Mode::read_only && !empty) {
    require_application_id();
    refuse_triggers();
  }
  if (mode == Mode::read_write_create) {
    // A ledger or results file put in another journal mode by hand is switched at its first
    // commit, not here: switching rewrites its header, and a command refused before it commits
    // (a `migrate` of a file changed by hand, an `apply` of a bad row) leaves the file as it was,
    // byte for byte (helper-84's F4). An empty file is ours to make, and is made in WAL mode.
    if (empty) {
      exec("PRAGMA journal_mode = WAL");
    } else {
      Statement journal = prepare("PRAGMA journal_mode");
      YL_ASSERT(journal.step());
      wal_pending_ = journal.column_text(0) != "wal";
    }
    exec("PRAGMA synchronous = FULL");
  } else if (mode == Mode::build_new) {
    // Pages beyond a file's original size are never journaled, so building a new file costs
    // neither a WAL (every page written twice) nor syncs; ROLLBACK still works.
    // A new file's pages are 16 KiB, not SQLite's 4: a run writes a quarter as many pages (a
    // quarter of the pwrite calls, fewer b-tree splits) for the same rows (bench/PROFILE.md,
    // "After (fewer bytes)"). An existing file keeps the page size it has.
    exec("PRAGMA page_size = 16384");
    exec("PRAGMA journal_mode = MEMORY");
    exec("PRAGMA synchronous = OFF");
  }
}

void Database::require_application_id() {
  const std::int64_t id = query_int("PRAGMA application_id");
  if (id == application_id_) return;
  if (application_id_ == kLedgerApplicationId && id == kResultsApplicationId) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' is a sweep's results file, not a ledger (`yieldledger "
                                   "compare {}` compares its points)",
                                   path_, path_));
  }
  throw StorageError(StorageError::Kind::bad_database,
                     fmt::format("'{}' is not a yieldledger database", path_));
}

void Database::refuse_triggers() {
  // In lower case: SQLite reads a type without regard to case (helper-92's F1).
  Statement s =
      prepare("SELECT name FROM sqlite_schema WHERE lower(type) = 'trigger' ORDER BY name LIMIT 1");
  if (!s.step()) return;
  const std::string name = s.column_text(0);
  throw StorageError(
      StorageError::Kind::bad_database,
      fmt::format("'{}' holds a trigger, '{}', which yieldledger never makes: it was added by "
                  "hand, and SQLite would run it as this command writes (changing or dropping "
                  "rows, or failing the write with a message of its own); drop it (`DROP TRIGGER "
                  "\"{}\"` in sqlite3), then check the file (`yieldledger audit --db {}` for a "
                  "ledger)",
                  path_, name, name, path_));
}

void Database::finish_build() {
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = FULL");
}

void Database::committed() {
  if (!wal_pending_) return;
  wal_pending_ = false;
  exec("PRAGMA journal_mode = WAL");
}

void Database::fold_log() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_.get(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc == SQLITE_OK || rc == SQLITE_BUSY) return;
  // Out of file descriptors (ulimit -n) or memory is said as such (helper-57's F4 was told of a
  // full disk).
  const int os = sqlite3_system_errno(db_.get());
  const std::string cause = fmt::format(
      "{} ({})",
      is_machine_fault(os)
          ? std::string(std::strerror(os))
          : std::string("the disk is full, a file size limit was reached, or the disk failed"),
      sqlite3_errmsg(db_.get()));
  throw LogNotFolded(
      fmt::format("'{}': the changes are committed to its write-ahead log '{}-wal', but folding "
                  "the log into the file failed: {}; keep the -wal beside the file, which is not "
                  "whole without it (the next yieldledger to open it with room to write folds it "
                  "in)",
                  path_, path_, cause),
      cause);
}

Database::~Database() = default;

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    fail(db_.get(), path_, reader_, rc, fmt::format("'{}'", text.substr(0, 60)));
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(*this, sql); }

std::optional<std::string> Database::damage() {
  try {
    // integrity_check, not quick_check: only it compares every index with its table, so an index
    // emptied or left stale by hand (events_by_id, which refuses an id stored twice, or a primary
    // key's) is found (helper-50's F2, F5). On the 1,000,000-event bench ledger both take 0.28 s;
    // on a results shard of 3.6 M metric rows (merge's check) 3.8 s against 0.86 s (helper-51).
    Statement check(*this, "PRAGMA integrity_check(1)");
    const std::string verdict = check.step() ? check.column_text(0) : "no answer";
    if (verdict == "ok") return std::nullopt;
    return verdict;
  } catch (const StorageError& error) {
    // SQLITE_CORRUPT or NOTADB met by the check itself; a read error, no memory, an interrupt
    // are not the file's, and are said as they are.
    if (error.kind() != StorageError::Kind::bad_database) throw;
    return error.what();
  }
}

std::int64_t Database::query_int(std::string_view sql) {
  Statement s(*this, sql);
  YL_ASSERT(s.step());
  return s.column_int(0);
}

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK)
    fail(db.handle(), db.path(), db.reader(), rc, fmt::format("preparing '{}'", sql.substr(0, 60)));
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) fail(db_->handle(), db_->path(), db_->reader(), rc, "bind");
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view text, bool copy) {
  // An empty view may have a null data(); SQLite would bind NULL for it, so bind "" instead.
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc = sqlite3_bind_text(stmt_.get(), index, data, static_cast<int>(text.size()),
                                   copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
  if (rc != SQLITE_OK) fail(db_->handle(), db_->path(), db_->reader(), rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  return bind_text(index, text, true);
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob binds as an empty BLOB (sqlite3_bind_zeroblob), never as NULL.
  const int rc = bytes.empty() ? sqlite3_bind_zeroblob(stmt_.get(), index, 0)
                               : sqlite3_bind_blob(stmt_.get(), index, bytes.data(),
                                                   static_cast<int>(bytes.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) fail(db_->handle(), db_->path(), db_->reader(), rc, "bind");
  return *this;
}

Statement& Statement::bind_view(int index, std::string_view text) {
  return bind_text(index, text, false);
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) fail(db_->handle(), db_->path(), db_->reader(), rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(stmt_.get());
  sqlite3_reset(stmt_.get());
  fail(db_->handle(), db_->path(), db_->reader(), rc, fmt::format("'{}'", sql.substr(0, 60)));
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

std::string Statement::column_text(int index) { return std::string(column_view(index)); }

std::string Statement::column_origin(int index) {
  const char* table = sqlite3_column_table_name(stmt_.get(), index);
  const char* column = sqlite3_column_origin_name(stmt_.get(), index);
  if (table != nullptr && column != nullptr) return fmt::format("{}.{}", table, column);
  const char* name = sqlite3_column_name(stmt_.get(), index);
  return name != nullptr ? name : fmt::format("column {}", index + 1);
}

std::string_view Statement::column_view(int index) {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text),
                                            static_cast<std::size_t>(size));
}

std::string Statement::column_blob(int index) { return std::string(column_blob_view(index)); }

std::string_view Statement::column_blob_view(int index) {
  const void* bytes = sqlite3_column_blob(stmt_.get(), index);
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  return bytes == nullptr
             ? std::string_view()
             : std::string_view(static_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int index) {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // never throws
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) {
  db_.exec("BEGIN");
  try {
    // A deferred transaction takes its snapshot at its first read; take it now.
    db_.exec("SELECT count(*) FROM sqlite_schema");
  } catch (...) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

ReadTransaction::~ReadTransaction() {
  sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // never throws
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
  db_.committed();
}

}  // namespace yl::storage
