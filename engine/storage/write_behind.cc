#include "engine/storage/write_behind.h"

#include <exception>

#include "engine/core/assert.h"

namespace yl::storage {

void WriteBehind::Batch::clear() {
  rows.clear();
  values.clear();
  bytes.clear();
}

WriteBehind::~WriteBehind() {
  if (!started()) return;
  {
    const std::lock_guard lock(mutex_);
    // Rows still queued are dropped only while an error unwinds: the caller's transaction then
    // rolls back what was written. Otherwise a row would be lost without a word.
    YL_ASSERT(std::uncaught_exceptions() > 0 || failure_ ||
              (queued_.empty() && current_.rows.empty()));
    stopping_ = true;
    queued_.clear();
  }
  changed_.notify_all();
  writer_.join();
}

void WriteBehind::start() {
  YL_ASSERT(!started() && current_.rows.empty());
  writer_ = std::thread([this] { writer_loop(); });
}

WriteBehind& WriteBehind::begin(Statement& insert) {
  current_.rows.push_back(Row{&insert, current_.values.size()});
  return *this;
}

WriteBehind& WriteBehind::integer(std::int64_t value) {
  current_.values.push_back(Value{Value::Kind::integer, value, 0});
  return *this;
}

void WriteBehind::text_value(Value::Kind kind, std::string_view value) {
  current_.values.push_back(
      Value{kind, static_cast<std::int64_t>(current_.bytes.size()), value.size()});
  current_.bytes.append(value);
}

WriteBehind& WriteBehind::text(std::string_view value) {
  text_value(Value::Kind::text, value);
  return *this;
}

WriteBehind& WriteBehind::blob(std::string_view value) {
  text_value(Value::Kind::blob, value);
  return *this;
}

WriteBehind& WriteBehind::null() {
  current_.values.push_back(Value{Value::Kind::null, 0, 0});
  return *this;
}

void WriteBehind::end() {
  if (!started()) {  // off: the row now, on this thread; gone from the batch even if it fails
    struct Cleared {
      Batch& batch;
      ~Cleared() { batch.clear(); }
    } cleared{current_};
    write(current_);
    return;
  }
  if (current_.rows.size() >= kBatchRows || current_.bytes.size() >= kBatchBytes) send();
}

void WriteBehind::write(const Batch& batch) {
  for (std::size_t r = 0; r < batch.rows.size(); ++r) {
    Statement& insert = *batch.rows[r].insert;
    const std::size_t last =
        r + 1 < batch.rows.size() ? batch.rows[r + 1].first_value : batch.values.size();
    int index = 1;
    for (std::size_t v = batch.rows[r].first_value; v < last; ++v, ++index) {
      const Value& value = batch.values[v];
      const std::string_view bytes =
          value.kind == Value::Kind::text || value.kind == Value::Kind::blob
              ? std::string_view(batch.bytes)
                    .substr(static_cast<std::size_t>(value.integer), value.size)
              : std::string_view();
      switch (value.kind) {
        case Value::Kind::integer:
          insert.bind(index, value.integer);
          break;
        case Value::Kind::text:
          insert.bind_view(index, bytes);
          break;  // the batch outlives run()
        case Value::Kind::blob:
          insert.bind_blob(index, bytes);
          break;
        case Value::Kind::null:
          insert.bind_null(index);
          break;
      }
    }
    insert.run();
  }
}

void WriteBehind::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void WriteBehind::send() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queued_.size() < kQueued || failure_; });
  rethrow_failure();
  queued_.push_back(std::move(current_));
  Batch next;
  if (!spare_.empty()) {
    next = std::move(spare_.back());
    spare_.pop_back();
  }
  lock.unlock();
  changed_.notify_all();
  current_ = std::move(next);
  current_.clear();
}

void WriteBehind::drain() {
  if (!started()) return;
  if (!current_.rows.empty()) send();
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (queued_.empty() && !writing_) || failure_; });
  rethrow_failure();
}

void WriteBehind::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
    if (stopping_) return;
    Batch batch = std::move(queued_.front());
    queued_.pop_front();
    writing_ = true;
    lock.unlock();
    std::exception_ptr failure;
    try {
      write(batch);
    } catch (...) {
      failure = std::current_exception();
    }
    batch.clear();
    lock.lock();
    writing_ = false;
    spare_.push_back(std::move(batch));
    if (failure) {
      failure_ = failure;
      queued_.clear();  // nothing after a failed row is written
      changed_.notify_all();
      // Wait for the destructor: the caller rethrows the failure and rolls back.
      changed_.wait(lock, [&] { return stopping_; });
      return;
    }
    changed_.notify_all();
  }
}

}  // namespace yl::storage
