// ReadAhead (engine/storage/read_ahead.h): each lane's rows come out in order from the reader
// thread, however the consumer interleaves the lanes; a lane's error comes out after the rows
// read before it while the other lanes go on; and stopping early reads a bounded number of rows
// and gives the connection back.
#include "engine/storage/read_ahead.h"

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include <doctest/doctest.h>

#include "engine/storage/database.h"

namespace {

using yl::storage::Database;
using yl::storage::ReadAhead;
using yl::storage::Statement;

// A new file with a table t of rows n = 1..rows, with n's decimal text. Returns its path.
std::string table_of(const std::string& name, int rows) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix);
  }
  Database db(path, Database::Mode::read_write_create);
  db.exec("CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT");
  yl::storage::Transaction txn(db);
  Statement insert = db.prepare("INSERT INTO t VALUES (?1, ?2)");
  for (std::int64_t n = 1; n <= rows; ++n) insert.bind(1, n).bind(2, std::to_string(n)).run();
  txn.commit();
  return path;
}

// Reads t in the given order as (n, text) pairs; counts the rows read in `reads`.
auto rows_in_order(Database& db, const char* order, std::atomic<int>& reads) {
  return [statement = db.prepare(std::string("SELECT n, text FROM t ORDER BY n ") + order),
          &reads](std::pair<std::int64_t, std::string>& row) mutable {
    if (!statement.step()) return false;
    row = {statement.column_int(0), statement.column_text(1)};
    ++reads;
    return true;
  };
}

using Row = std::pair<std::int64_t, std::string>;

}  // namespace

TEST_CASE("ReadAhead: each lane's rows in order, however the lanes are interleaved") {
  Database db(table_of("yl_read_ahead_order.db", 10000), Database::Mode::read_only);
  std::atomic<int> reads{0};
  ReadAhead reader;
  auto& up = reader.add<Row>(rows_in_order(db, "ASC", reads), 256);
  auto& down = reader.add<Row>(rows_in_order(db, "DESC", reads), 100);
  reader.start();
  std::int64_t next_up = 1, next_down = 10000, sum = 0;
  // Three rows up for each row down, until up ends; then down to its end.
  bool up_ended = false;
  while (!up_ended) {
    for (int i = 0; i < 3 && !up_ended; ++i) {
      const Row* row = up.next();
      if (row == nullptr) {
        up_ended = true;
        break;
      }
      CHECK(row->first == next_up);
      CHECK(row->second == std::to_string(next_up));
      sum += row->first;
      ++next_up;
    }
    Row copied;
    if (down.next(copied)) {
      CHECK(copied.first == next_down);
      CHECK(copied.second == std::to_string(next_down));
      --next_down;
    }
  }
  Row copied;
  while (down.next(copied)) {
    CHECK(copied.first == next_down);
    --next_down;
  }
  CHECK(next_up == 10001);
  CHECK(next_down == 0);
  CHECK(sum == 10000 * 10001 / 2);
  CHECK(up.next() == nullptr);  // an ended lane stays ended
  CHECK_FALSE(down.next(copied));
  reader.stop();
  CHECK(reads == 20000);
  // The connection is the caller's again.
  Statement count = db.prepare("SELECT count(*) FROM t");
  REQUIRE(count.step());
  CHECK(count.column_int(0) == 10000);
}

TEST_CASE("ReadAhead: peek shows the rows after the current one that its batch holds") {
  Database db(table_of("yl_read_ahead_peek.db", 1050), Database::Mode::read_only);
  std::atomic<int> reads{0};
  ReadAhead reader;
  auto& lane = reader.add<Row>(rows_in_order(db, "ASC", reads), 100);
  reader.start();
  CHECK(lane.peek(1) == nullptr);  // no row taken yet
  int wrong = 0, shown = 0;
  for (std::int64_t n = 1; n <= 1050; ++n) {
    const Row* row = lane.next();
    REQUIRE(row != nullptr);
    REQUIRE(row->first == n);
    const std::int64_t in_batch = (n - 1) % 100;  // batches of 100, the last of 50
    const std::int64_t batch_rows = n > 1000 ? 50 : 100;
    for (std::int64_t k = 1; k <= 20; ++k) {
      const Row* ahead = lane.peek(static_cast<std::size_t>(k));
      if (in_batch + k < batch_rows) {
        ++shown;
        if (ahead == nullptr || ahead->first != n + k) ++wrong;
      } else if (ahead != nullptr) {
        ++wrong;
      }
    }
  }
  CHECK(wrong == 0);
  CHECK(shown == 10 * (80 * 20 + 190) + 30 * 20 + 190);
  CHECK(lane.next() == nullptr);
  reader.stop();
}

TEST_CASE("ReadAhead: a lane's error comes after the rows before it, and the other lanes go on") {
  Database db(table_of("yl_read_ahead_error.db", 1000), Database::Mode::read_only);
  std::atomic<int> reads{0};
  ReadAhead reader;
  auto failing = [read = rows_in_order(db, "ASC", reads)](Row& row) mutable {
    if (!read(row)) return false;
    if (row.first == 700) throw std::runtime_error("row 700 is unreadable");
    return true;
  };
  auto& broken = reader.add<Row>(std::move(failing), 64);
  auto& whole = reader.add<Row>(rows_in_order(db, "ASC", reads), 64);
  reader.start();
  std::int64_t taken = 0;
  std::string message;
  try {
    while (const Row* row = broken.next()) {
      CHECK(row->first == taken + 1);
      ++taken;
    }
  } catch (const std::runtime_error& error) {
    message = error.what();
  }
  CHECK(taken == 699);
  CHECK(message == "row 700 is unreadable");
  CHECK_THROWS_WITH_AS(broken.next(), "row 700 is unreadable", std::runtime_error);  // stays
  std::int64_t whole_rows = 0;
  while (const Row* row = whole.next()) {
    CHECK(row->first == whole_rows + 1);
    ++whole_rows;
  }
  CHECK(whole_rows == 1000);
}

TEST_CASE("ReadAhead: stopped early, it has read a few batches ahead, not the table") {
  Database db(table_of("yl_read_ahead_stop.db", 100000), Database::Mode::read_only);
  std::atomic<int> reads{0};
  {
    ReadAhead reader;
    auto& lane = reader.add<Row>(rows_in_order(db, "ASC", reads), 128);
    reader.start();
    for (std::int64_t n = 1; n <= 10; ++n) {
      const Row* row = lane.next();
      REQUIRE(row != nullptr);
      CHECK(row->first == n);
    }
  }  // the destructor stops it, with the lane's rows unread
  // The batch taken, four queued and at most one more being read when it stopped.
  CHECK(reads > 0);
  CHECK(reads <= 6 * 128);
  Statement count = db.prepare("SELECT count(*) FROM t WHERE n % 2 = 0");
  REQUIRE(count.step());
  CHECK(count.column_int(0) == 50000);
}
