// A thin RAII layer over SQLite 3 (ownership after SQLiteCpp; pragmas after Bitcoin Core's
// wallet/sqlite.cpp). All raw sqlite3_* calls of the project live in engine/storage/.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace yl::storage {

class Statement;

class Database {
 public:
  // build_new: a file only this process knows (a new ledger's temporary), which the caller
  // fsyncs and renames into place once it is complete, and deletes otherwise. Its rollback
  // journal is kept in memory and nothing is synced while it is built (a crash leaves only a
  // temporary that is never renamed); finish_build() puts it in WAL mode like any ledger.
  // in_memory: a new, empty database held in memory and gone when closed, for a schema built to
  // compare with (`path` only names it in messages, and need not pass check_ledger_path()).
  enum class Mode { read_only, read_write_create, build_new, in_memory };
  // Opens `path` with explicit flags, extended result codes, WAL (read_write_create: from its
  // first commit), synchronous=FULL (a ledger must not lose a committed run on power loss), foreign
  // keys and a busy timeout. `path` must pass check_ledger_path(). A file that holds another
  // application's SQLite database is refused before anything is written to it (it stays
  // byte-identical). Throws StorageError. `application_id`: the PRAGMA a non-empty file must carry
  // to be opened for writing (the ledger's, kLedgerApplicationId, by default; the lab's results
  // files pass theirs).
  static constexpr std::int32_t kLedgerApplicationId = 0x594C4452;  // "YLDR"
  Database(const std::string& path, Mode mode, std::int32_t application_id = kLedgerApplicationId);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&&) noexcept = default;
  ~Database();

  void exec(std::string_view sql);
  // For a build_new database, after its transaction committed: WAL mode, as every ledger has.
  void finish_build();
  // After a Transaction's commit: a read_write_create file found in another journal mode (made so
  // by hand) is put in WAL mode now, once its first change is committed, so that a command refused
  // before then leaves it as it was.
  void committed();
  // After a writer's commit (its last; a sweep's each): its write-ahead log folded into the file,
  // as the last close does, but with a failure said (a close's is silent: apply and sweep exited 0,
  // the -wal left, the file alone not whole; helper-45's F14). A reader still reading leaves what
  // it reads in the log, without error. Throws StorageError (machine) naming the file and its -wal.
  void fold_log();
  Statement prepare(std::string_view sql);
  // The integer in the first column of the one row `sql` returns: a `SELECT count(*) ...` or a
  // PRAGMA's value. REQUIRES: `sql` returns a row.
  std::int64_t query_int(std::string_view sql);
  std::int64_t user_version() { return query_int("PRAGMA user_version"); }
  // Whether the file holds no table, index or view yet: a new file, ours to create.
  bool is_empty() { return query_int("SELECT count(*) FROM sqlite_schema") == 0; }
  // SQLite's integrity_check's first finding, or nullopt when it finds the file's pages sound: a
  // page damaged on disk or by hand, which SQLite may read past without a word until a write or an
  // index lookup trips on it, or an index that does not hold its table's rows. A file so damaged
  // that the check itself stops (SQLITE_CORRUPT, NOTADB) is returned as that error; any other error
  // (a read error, no memory) is thrown.
  std::optional<std::string> damage();
  // Throws StorageError (bad_database), "'<path>' is not a yieldledger database", unless the
  // file's application_id is the one this Database was opened with.
  void require_application_id();
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_.get(); }
  bool reader() const { return reader_; }  // opened Mode::read_only: it writes nothing

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  // Throws StorageError (bad_database) naming a trigger the file holds: none is ever made, and a
  // writer would run one added by hand (ledgers and results files alike).
  void refuse_triggers();

  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
  std::int32_t application_id_;
  bool reader_ = false;
  bool wal_pending_ = false;  // read_write_create, not yet in WAL mode: committed() switches it
};

// The files SQLite keeps beside a database FILE, as FILE + suffix, and what each is.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kCompanionFiles{
    {{"-wal", "write-ahead log"},
     {"-shm", "shared-memory index"},
     {"-journal", "rollback journal"}}};

// The file SQLite keeps the -wal and -shm beside: `path`, or where it leads if it is a symlink
// (SQLite follows it; the link's folder does not count).
std::string followed(const std::string& path);

// Whether `a` and `b` are one file: one device and inode when `a` exists, else one folder (by
// identity) and one name, so that a `-wal` not yet created is still recognized.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// What SQLite would take `path` for beside the database `db` ("write-ahead log", "shared-memory
// index", "rollback journal"), empty if nothing: `path` ends in `-wal`, `-shm` or `-journal` and
// the rest of it is `db` itself, by identity, under whatever name (a symlink to it, a hard link,
// the file a `db` symlink leads to: helper-85's F1, helper-88's F2); or `path` is, by identity,
// such a file of `db` as given or of the file a `db` symlink leads to (a symlink or a hard link to
// it: helper-88's F3).
std::string_view companion_of(const std::filesystem::path& path, const std::filesystem::path& db);

// Whether `path` could be a companion of some database: its name, or the name a symlink leads
// to, ends in `-wal`, `-shm` or `-journal`, or its file has more than one name. companion_of is
// true only of such a path: many files checked against each other ask it of these alone (a merge
// of 1,000 shards spent 13 s in pairwise checks: helper-90's F4).
bool may_be_companion(const std::filesystem::path& path);

// Refuses (StorageError, bad_database) an input file `input` (what `role` names: "the events
// file") that is a companion of the database `db` the command opens: SQLite would take it for its
// own, write over it and delete it (helper-88's F3: `apply --db V.db V.db-wal` deleted the events
// file it was given). Before `db` is opened.
void refuse_companion_input(const std::filesystem::path& input, std::string_view role,
                            const std::string& db);

// Refuses, with StorageError (bad_database), a path that is not a plain file path: empty,
// SQLite's special names (`:memory:`, `file:` URIs), a path ending in '/', an existing folder,
// FIFO, device or socket, or a file name (given, or where a symlink leads) of more than 251 bytes
// (SQLite's FILE-wal beside it would pass a name's 255). `noun` names what the file is meant to
// hold ("ledger", "results").
void check_ledger_path(const std::string& path, std::string_view noun = "ledger");

// check_ledger_path(), then refuses (StorageError, bad_database) a path where no file is:
// "database 'PATH' not found", naming where a symlink to nothing leads. For the commands that
// read or change an existing ledger (the readers, `apply`, `migrate`).
void require_existing_ledger(const std::string& path);

// A prepared statement. bind() indexes start at 1, column() indexes at 0. step() returns true
// while it yields rows. reset() clears bindings too, so no stale value survives a reuse.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);  // copied (SQLITE_TRANSIENT)
  Statement& bind_null(int index);
  // Not copied (SQLITE_STATIC): the bytes must stay valid and unchanged until the statement is
  // run, reset or bound again. For the rows `run` writes a million times.
  Statement& bind_view(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);  // not copied, like bind_view
  bool step();
  void run();  // step once, expecting no row, then reset
  void reset();

  std::int64_t column_int(int index);
  std::string column_text(int index);
  // The same text without a copy: valid until the statement steps, resets or reads the column
  // as another type. For a reader that assigns it into strings it keeps (capacity reused).
  std::string_view column_view(int index);
  std::string column_blob(int index);            // the bytes of a BLOB (or of any value's text)
  std::string_view column_blob_view(int index);  // the same without a copy, as column_view
  bool column_is_null(int index);
  // Where a result column comes from, for messages: "TABLE.COLUMN" (or its name in the query,
  // for an expression).
  std::string column_origin(int index);

 private:
  Statement& bind_text(int index, std::string_view text, bool copy);
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  Database* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// BEGIN IMMEDIATE in the constructor (takes the write lock up front), COMMIT on commit(), and
// ROLLBACK in the destructor unless committed. The destructor never throws.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// One consistent read: BEGIN and a first read in the constructor, so that every later statement
// on `db` sees the same snapshot of the database (WAL: writers that commit meanwhile are not
// seen), until the destructor ends it. Every reading command holds one for its whole work.
// Throws StorageError; the destructor never throws.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction();

 private:
  Database& db_;
};

}  // namespace yl::storage
