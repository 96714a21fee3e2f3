// Reads a connection's cursors ahead of their consumer, on a second thread: `audit` (and every
// replay: export, explain, --at, apply) applies an event while the rows after it are stepped,
// parsed and, for the audit, hashed (bench/PROFILE.md, "After (read-ahead)"). The mirror of
// write_behind.h.
//
// Each cursor is a lane: a function that reads the next row, run by the one reader thread in
// batches, a few batches ahead. Only that thread uses the connection between start() and stop(),
// so a connection opened SQLITE_OPEN_NOMUTEX is never used by two threads at once (sharing it
// needs SQLite's serialized mode, a mutex around every call: PROFILE.md, "Tried for `audit`").
// Every lane reads inside the caller's read transaction, so from the caller's one snapshot.
//
// A lane's rows come out of next() in the order its function read them, then its end, or the
// error its function threw (rethrown once the rows read before it are taken). A lane that fails
// stops; the others go on. The caller may use the connection again after stop(), which waits for
// the batch being read and ends the thread; the destructor stops too.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/core/assert.h"

namespace yl::storage {

class ReadAhead {
  struct LaneBase;

 public:
  template <typename Row>
  class Lane;

  ReadAhead() = default;
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  ~ReadAhead() { stop(); }

  // A lane whose rows `read(Row&)` gives (false at the end), `batch_rows` at a time. The lane
  // lives as long as this. REQUIRES: not started.
  template <typename Row, typename Read>
  Lane<Row>& add(Read read, std::size_t batch_rows);

  // Starts the reader thread. REQUIRES: not started.
  void start();
  // Waits for the batch being read and ends the thread. After it, no lane may be read.
  void stop();

 private:
  static constexpr std::size_t kQueued = 4;  // batches read ahead in a lane

  struct LaneBase {
    virtual ~LaneBase() = default;
    // Reads one batch with the mutex released, and queues it. REQUIRES: `lock` holds the mutex.
    virtual void fill(std::unique_lock<std::mutex>& lock) = 0;
    std::size_t queued = 0;  // guarded by the mutex: batches ready
    bool finished = false;   // guarded by the mutex: read to its end, or failed
  };

  LaneBase* wanting();  // a lane with room for another batch; REQUIRES: mutex_ held
  void read_loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<LaneBase>> lanes_;
  std::size_t last_filled_ = 0;  // lanes are filled in turn
  bool stopping_ = false;        // guarded by mutex_
  bool stopped_ = false;         // set by stop(): no lane may be read after it
  std::thread reader_;
};

template <typename Row>
class ReadAhead::Lane : public ReadAhead::LaneBase {
 public:
  explicit Lane(ReadAhead& owner, std::size_t batch_rows)
      : owner_(owner), batch_rows_(batch_rows) {}

  // The next row, valid until the next call (its buffers stay in the batch, which goes back to
  // the reader thread: each thread frees what it allocated); null at the end. Throws what the
  // lane's function threw, after the rows before it.
  const Row* next() {
    if (at_ == taken_.count) {
      YL_ASSERT(!owner_.stopped_);
      std::unique_lock lock(owner_.mutex_);
      if (!taken_.rows.empty()) spare_.push_back(std::move(taken_));
      owner_.changed_.wait(lock, [&] { return !ready_.empty() || finished; });
      if (ready_.empty()) {
        if (failure_) std::rethrow_exception(failure_);
        taken_ = Batch{};
        at_ = 0;
        return nullptr;
      }
      taken_ = std::move(ready_.front());
      ready_.pop_front();
      --queued;
      at_ = 0;
      lock.unlock();
      owner_.changed_.notify_all();
    }
    return &taken_.rows[at_++];
  }
  // The same, copied into `row`; false at the end.
  bool next(Row& row) {
    const Row* read = next();
    if (read != nullptr) row = *read;
    return read != nullptr;
  }
  // The row `k` after the one next() last returned, if the consumer's batch holds it (it is not
  // waited for: near the batch's end, null), valid as long as that row. For hints, such as
  // Ledger::prefetch's. REQUIRES: k > 0.
  const Row* peek(std::size_t k) const {
    const std::size_t i = at_ + k - 1;
    return at_ > 0 && i < taken_.count ? &taken_.rows[i] : nullptr;
  }

 protected:
  virtual bool read(Row& row) = 0;  // the reader thread's

 private:
  struct Batch {
    std::vector<Row> rows;  // [0, count) read; the rest kept for their buffers
    std::size_t count = 0;
  };

  void fill(std::unique_lock<std::mutex>& lock) override {
    Batch batch;
    if (!spare_.empty()) {
      batch = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    batch.count = 0;
    bool end = false;
    std::exception_ptr failure;
    try {
      if (batch.rows.size() < batch_rows_) batch.rows.resize(batch_rows_);
      while (batch.count < batch_rows_ && !end) {
        if (read(batch.rows[batch.count])) {
          ++batch.count;
        } else {
          end = true;
        }
      }
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    if (batch.count > 0) {
      ready_.push_back(std::move(batch));
      ++queued;
    }
    if (end || failure) {
      finished = true;
      failure_ = failure;
    }
  }

  ReadAhead& owner_;
  const std::size_t batch_rows_;
  Batch taken_;                 // the consumer's
  std::size_t at_ = 0;          // the consumer's: the next row of taken_
  std::deque<Batch> ready_;     // guarded by owner_.mutex_
  std::vector<Batch> spare_;    // guarded by owner_.mutex_: taken batches, to reuse
  std::exception_ptr failure_;  // guarded by owner_.mutex_
};

template <typename Row, typename Read>
ReadAhead::Lane<Row>& ReadAhead::add(Read read, std::size_t batch_rows) {
  YL_ASSERT(!reader_.joinable() && !stopped_ && batch_rows > 0);
  class Reading final : public Lane<Row> {
   public:
    Reading(ReadAhead& owner, std::size_t rows, Read read)
        : Lane<Row>(owner, rows), read_(std::move(read)) {}

   private:
    bool read(Row& row) override { return read_(row); }
    Read read_;
  };
  auto lane = std::make_unique<Reading>(*this, batch_rows, std::move(read));
  Lane<Row>& added = *lane;
  lanes_.push_back(std::move(lane));
  return added;
}

}  // namespace yl::storage
