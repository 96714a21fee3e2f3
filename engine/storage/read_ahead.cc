#include "engine/storage/read_ahead.h"

#include <algorithm>

namespace yl::storage {

void ReadAhead::start() {
  YL_ASSERT(!reader_.joinable() && !stopped_);
  reader_ = std::thread([this] { read_loop(); });
}

void ReadAhead::stop() {
  stopped_ = true;
  if (!reader_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

ReadAhead::LaneBase* ReadAhead::wanting() {
  for (std::size_t i = 1; i <= lanes_.size(); ++i) {
    const std::size_t at = (last_filled_ + i) % lanes_.size();
    LaneBase& lane = *lanes_[at];
    if (!lane.finished && lane.queued < kQueued) {
      last_filled_ = at;
      return &lane;
    }
  }
  return nullptr;
}

void ReadAhead::read_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    LaneBase* lane = nullptr;
    changed_.wait(lock, [&] {
      lane = wanting();
      return stopping_ || lane != nullptr ||
             std::ranges::all_of(lanes_, [](const auto& l) { return l->finished; });
    });
    if (stopping_ || lane == nullptr) return;
    lane->fill(lock);  // reads with the mutex released, queues with it held
    lock.unlock();
    changed_.notify_all();
    lock.lock();
  }
}

}  // namespace yl::storage
