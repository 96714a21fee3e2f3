// The line each id of an events file was first used on, so that a repeated id is named with it
// (SPEC §8.3). One open-addressed table of slots, the ids' bytes in one arena: a million random
// ids in a std::unordered_map cost two allocations an id and three cache misses an insert (bucket,
// node, key); here one miss, and no allocation but the table's and the arena's growth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace yl {

class FirstLines {
 public:
  // Records that `id` is used on `line` and returns 0 if it is new; else returns the line it was
  // first recorded on, and records nothing. REQUIRES: line > 0.
  std::uint64_t insert(std::string_view id, std::uint64_t line);
  std::size_t size() const { return used_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t line = 0;  // 0: empty
    std::size_t offset = 0;  // of the id in arena_
    std::size_t length = 0;
  };
  void grow();

  std::vector<Slot> slots_;  // a power of two in size, at most half used
  std::string arena_;
  std::size_t used_ = 0;
};

}  // namespace yl
