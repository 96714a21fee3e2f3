#include "engine/input/first_lines.h"

#include <functional>

#include "engine/core/assert.h"

namespace yl {

std::uint64_t FirstLines::insert(std::string_view id, std::uint64_t line) {
  YL_ASSERT(line > 0);
  if (2 * (used_ + 1) > slots_.size()) grow();
  const std::uint64_t hash = std::hash<std::string_view>{}(id);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {  // linear probing
    Slot& slot = slots_[i];
    if (slot.line == 0) {
      slot = Slot{hash, line, arena_.size(), id.size()};
      arena_.append(id);
      ++used_;
      return 0;
    }
    if (slot.hash == hash && std::string_view(arena_).substr(slot.offset, slot.length) == id) {
      return slot.line;
    }
  }
}

void FirstLines::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : 2 * old.size(), Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.line == 0) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].line != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace yl
