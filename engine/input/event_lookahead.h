// EventLookahead: an EventReader's rows, each with its parsed event, read a few rows ahead of the
// one the caller is at, so that the caller can show the events to come to Ledger::prefetch.
//
// It reads and parses exactly what reading row by row would, in the same order, and fails the
// same way: a row that does not read or parse throws its error when the caller reaches it, after
// every row before it (the rows past it are never read). Reading ahead has no other effect than
// on when the input is read.
//
// Thread-safety: none.
#pragma once

#include <array>
#include <cstddef>
#include <exception>

#include "engine/core/event.h"
#include "engine/core/ledger.h"
#include "engine/input/event_parser.h"

namespace yl {

class EventLookahead {
 public:
  struct Row {
    RawEvent raw;
    Event event;
  };

  // Reads from `reader`, which must outlive this; the file name of its errors is the reader's.
  explicit EventLookahead(EventReader& reader);
  EventLookahead(const EventLookahead&) = delete;
  EventLookahead& operator=(const EventLookahead&) = delete;

  // The next row, valid until the next call; nullptr at the end. Throws the row's error, if its
  // reading or parsing failed.
  const Row* next();
  // The event `k` rows after the one next() last returned; nullptr past the end or at a row in
  // error. (Ledger::prefetch's `ahead`.) REQUIRES: 0 < k <= kAhead.
  const Event* ahead(std::size_t k) const;

  static constexpr std::size_t kAhead = Ledger::kPrefetchNamesAhead;

 private:
  struct Slot {
    Row row;
    std::exception_ptr error;  // set: the row failed, and it is the last one read
  };
  // Room for the row returned and kAhead + 1 read past it (fill reads one more before next()
  // returns one).
  static constexpr std::size_t kSlots = 32;
  static_assert(kSlots >= kAhead + 2);
  // Reads rows until kAhead are held past the current one, or the reader ended or failed.
  void fill();

  EventReader& reader_;
  std::array<Slot, kSlots> slots_;
  // The rows read and not yet returned are in slots next_, next_ + 1, ... (mod kSlots), held_ of
  // them; the row next() last returned is in next_ - 1.
  std::size_t next_ = 0;
  std::size_t held_ = 0;
  bool done_ = false;  // the reader ended or failed: read no further
};

}  // namespace yl
