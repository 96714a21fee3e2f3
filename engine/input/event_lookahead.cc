#include "engine/input/event_lookahead.h"

#include "engine/core/assert.h"

namespace yl {

EventLookahead::EventLookahead(EventReader& reader) : reader_(reader) {}

void EventLookahead::fill() {
  while (!done_ && held_ < kAhead + 1) {
    Slot& slot = slots_[(next_ + held_) % kSlots];
    try {
      if (!reader_.next_raw(slot.row.raw)) {
        done_ = true;
        return;
      }
      slot.row.event = parse_event(slot.row.raw, reader_.file_name());
      slot.error = nullptr;
    } catch (...) {
      slot.error = std::current_exception();
      done_ = true;
    }
    ++held_;
  }
}

const EventLookahead::Row* EventLookahead::next() {
  fill();
  if (held_ == 0) return nullptr;
  const Slot& slot = slots_[next_];
  next_ = (next_ + 1) % kSlots;
  --held_;
  if (slot.error) std::rethrow_exception(slot.error);
  return &slot.row;
}

const Event* EventLookahead::ahead(std::size_t k) const {
  YL_ASSERT(k > 0 && k <= kAhead);
  if (k > held_) return nullptr;
  const Slot& slot = slots_[(next_ + k - 1) % kSlots];
  return slot.error ? nullptr : &slot.row.event;
}

}  // namespace yl
