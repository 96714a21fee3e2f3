// WriteBehind (engine/storage/write_behind.h): rows written by a second thread land exactly as
// the caller queued them, an error of the writer reaches the caller and stops the writing, and
// the caller's rollback removes everything either way.
#include "engine/storage/write_behind.h"

#include <filesystem>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/storage/storage_error.h"

namespace {

using yl::storage::Database;
using yl::storage::Statement;
using yl::storage::WriteBehind;

std::string fresh_db(const std::string& name) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix);
  }
  return path;
}

std::int64_t count_rows(Database& db, const std::string& where = "") {
  Statement s = db.prepare("SELECT count(*) FROM t" + where);
  s.step();
  return s.column_int(0);
}

// Rows 1..n: n, its decimal text, a blob of n % 7 bytes (the empty one among them) and, for odd
// n, NULL.
void queue_rows(WriteBehind& writes, Statement& insert, int first, int last) {
  for (int n = first; n <= last; ++n) {
    const std::string bytes(static_cast<std::size_t>(n % 7), 'x');
    writes.begin(insert).integer(n).text(std::to_string(n)).blob(bytes);
    if (n % 2 == 1) {
      writes.null();
    } else {
      writes.integer(-n);
    }
    writes.end();
  }
}

constexpr const char* kTable =
    "CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT NOT NULL, bytes BLOB NOT NULL, "
    "minus INTEGER, CHECK (n != 20000)) STRICT";

}  // namespace

TEST_CASE("WriteBehind: rows written by its thread are the rows queued, in order") {
  const std::string path = fresh_db("yl_write_behind_rows.db");
  Database db(path, Database::Mode::read_write_create);
  db.exec(kTable);
  yl::storage::Transaction txn(db);
  Statement insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  {
    WriteBehind writes;
    writes.start();
    queue_rows(writes, insert, 1, 10000);  // more than two batches of 4,096 rows
    writes.drain();
    CHECK(count_rows(db) == 10000);
    queue_rows(writes, insert, 10001, 10005);  // and on after a drain
    writes.drain();
  }
  txn.commit();
  CHECK(count_rows(db) == 10005);
  CHECK(count_rows(db, " WHERE text = CAST(n AS TEXT) AND length(bytes) = n % 7 AND "
                       "typeof(bytes) = 'blob' AND (minus IS NULL) = (n % 2 = 1) AND "
                       "(minus IS NULL OR minus = -n)") == 10005);
  Statement sum = db.prepare("SELECT sum(n), max(n) FROM t");
  sum.step();
  CHECK(sum.column_int(0) == 10005 * 10006 / 2);
  CHECK(sum.column_int(1) == 10005);
}

TEST_CASE("WriteBehind: not started, each row is written at once") {
  const std::string path = fresh_db("yl_write_behind_now.db");
  Database db(path, Database::Mode::read_write_create);
  db.exec(kTable);
  Statement insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  WriteBehind writes;
  queue_rows(writes, insert, 1, 3);
  CHECK(count_rows(db) == 3);
  CHECK_THROWS_AS(queue_rows(writes, insert, 20000, 20000), yl::storage::StorageError);
  CHECK(count_rows(db) == 3);
}

TEST_CASE("WriteBehind: the writer's error reaches the caller, and nothing after it is written") {
  const std::string path = fresh_db("yl_write_behind_error.db");
  Database db(path, Database::Mode::read_write_create);
  db.exec(kTable);
  std::string message;
  {
    yl::storage::Transaction txn(db);
    Statement insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
    WriteBehind writes;
    writes.start();
    // Row 20,000 breaks the CHECK: the batch holding it fails there. The caller learns it at a
    // later batch or at drain(), whichever comes first.
    try {
      queue_rows(writes, insert, 1, 40000);
      writes.drain();
    } catch (const yl::storage::StorageError& error) {
      message = error.what();
    }
    REQUIRE_FALSE(message.empty());
    CHECK_THROWS_AS(writes.drain(), yl::storage::StorageError);  // it stays failed
    CHECK(count_rows(db, " WHERE n >= 20000") == 0);
    CHECK(count_rows(db) == 19999);  // the rows before it, until the rollback
  }                                  // no commit: the rollback
  CHECK(message.find("CHECK constraint failed") != std::string::npos);
  CHECK(count_rows(db) == 0);
}

TEST_CASE("WriteBehind: rows still queued when the caller fails are dropped, then rolled back") {
  const std::string path = fresh_db("yl_write_behind_unwind.db");
  Database db(path, Database::Mode::read_write_create);
  db.exec(kTable);
  CHECK_THROWS_WITH_AS(
      [&] {
        yl::storage::Transaction txn(db);
        Statement insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
        WriteBehind writes;
        writes.start();
        queue_rows(writes, insert, 1, 15000);
        throw std::runtime_error("the caller failed");
      }(),
      "the caller failed", std::runtime_error);
  CHECK(count_rows(db) == 0);
}
