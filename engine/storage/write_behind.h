// Inserts into SQLite behind the caller's back: `run` computes a row (the engine, the encoding,
// the hash chain) while a second thread steps the inserts of the rows before it. On a 2-core
// machine the b-tree and the page writes stop adding to the run's time (bench/PROFILE.md,
// "After (write-behind)").
//
// Rows are queued with their values copied, in batches, and one thread binds and runs them in
// the order they were queued, on the caller's prepared statements. So the database ends exactly as
// if the caller had run each insert itself, only later. The caller must not touch the connection
// while rows are queued: drain() first, which waits for them and rethrows the first error the
// writer met (StorageError), after which nothing more is written. The caller's transaction, and
// its one rollback path, are unchanged: destroying a WriteBehind with rows queued (unwinding from
// an error) discards them, and the caller's rollback removes what was written.
//
// Off (the default), each row is run at once, on the caller's thread: `apply` and every other
// store user read what they wrote.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/storage/database.h"

namespace yl::storage {

class WriteBehind {
 public:
  WriteBehind() = default;
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;
  ~WriteBehind();

  // Starts the writer thread: rows from now on are queued. REQUIRES: not started.
  void start();
  bool started() const { return writer_.joinable(); }

  // One row: begin() names its statement, then its values in bind order (from ?1), then end().
  WriteBehind& begin(Statement& insert);
  WriteBehind& integer(std::int64_t value);
  WriteBehind& text(std::string_view value);
  WriteBehind& blob(std::string_view value);
  WriteBehind& null();
  void end();

  // Waits until every queued row is written. Throws the writer's first error, if it met one.
  void drain();

 private:
  struct Value {
    enum class Kind : std::uint8_t { integer, text, blob, null } kind;
    std::int64_t integer;  // or the offset into Batch::bytes
    std::size_t size;
  };
  struct Row {
    Statement* insert;
    std::size_t first_value;
  };
  struct Batch {
    std::vector<Row> rows;
    std::vector<Value> values;
    std::string bytes;
    void clear();
  };
  // Sent when this full: 4,096 rows (about as many events: one row each, most of them) or 1 MiB
  // of values.
  static constexpr std::size_t kBatchRows = 4096;
  static constexpr std::size_t kBatchBytes = 1 << 20;
  static constexpr std::size_t kQueued = 4;  // batches waiting: the caller waits beyond that

  void text_value(Value::Kind kind, std::string_view value);
  static void write(const Batch& batch);  // binds and runs its rows, in order
  void send();                            // the current batch to the writer
  void rethrow_failure();                 // REQUIRES: mutex_ held
  void writer_loop();

  Batch current_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queued_;    // guarded by mutex_
  std::vector<Batch> spare_;    // written batches, their capacity reused; guarded by mutex_
  bool writing_ = false;        // guarded by mutex_: the writer holds a batch
  bool stopping_ = false;       // guarded by mutex_
  std::exception_ptr failure_;  // guarded by mutex_: the writer's first error
  std::thread writer_;
};

}  // namespace yl::storage
