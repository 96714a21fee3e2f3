// NameIndex: account name -> AccountId, a flat open-addressing table (linear probing).
//
// It holds no pointers to names: each slot is (32 bits of the name's hash, the name's length and
// up to 7 of its bytes, id + 1). A name of at most 7 bytes is decided in the slot; for a longer
// one a probe that meets a matching slot asks the owner for that id's name to compare. So the
// owner (the Ledger, whose name arena holds the names) can be copied with its index and nothing
// dangles, and a lookup costs one hash and usually one cache line (before: std::unordered_map's
// node chase, then the key string's).
// Deterministic: the table is never iterated, and its layout depends only on the names inserted.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/core/table_allocator.h"

namespace yl {

class NameIndex {
 public:
  // The id of `name`, if present. `name_of(id)` returns the name stored under id.
  template <typename NameOf>
  std::optional<std::uint32_t> find(std::string_view name, const NameOf& name_of) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint32_t tag = hash(name);
    const std::uint64_t head = head_of(name);
    for (std::size_t i = tag & mask(); slots_[i].id_plus_one != 0; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (slot.tag != tag || slot.head != head) continue;
      if (name.size() <= kInlineBytes || name_of(slot.id_plus_one - 1) == name) {
        return slot.id_plus_one - 1;
      }
    }
    return std::nullopt;
  }
  // Starts loading the slot where a lookup of `name` begins. A hint: it changes nothing.
  void prefetch(std::string_view name) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash(name) & mask()]);
  }
  // REQUIRES: `name` is absent and id < 2^32 - 1.
  void insert(std::string_view name, std::uint32_t id);
  // Removes `name`, stored under `id`. REQUIRES: present.
  void erase(std::string_view name, std::uint32_t id);
  std::size_t size() const { return size_; }

  // 32 bits of a 64-bit FNV-1a of the bytes, finished with MurmurHash3's fmix64 so that names
  // differing in their last character land far apart.
  static std::uint32_t hash(std::string_view name) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : name) {
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return static_cast<std::uint32_t>(h);
  }

 private:
  static constexpr std::size_t kInlineBytes = 7;
  // The length (capped at 255) in the top byte, the first bytes (up to 7) below, zero-padded:
  // for a name of at most 7 bytes, equal heads mean equal names.
  static std::uint64_t head_of(std::string_view name) {
    std::uint64_t head = std::uint64_t{name.size() < 255 ? name.size() : 255} << 56;
    const std::size_t n = name.size() < kInlineBytes ? name.size() : kInlineBytes;
    for (std::size_t i = 0; i < n; ++i) {
      head |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
    }
    return head;
  }
  struct Slot {
    std::uint64_t head = 0;
    std::uint32_t tag = 0;
    std::uint32_t id_plus_one = 0;  // 0: empty
  };
  std::size_t mask() const { return slots_.size() - 1; }
  void place(Slot slot);  // REQUIRES: a free slot exists
  void grow();

  std::vector<Slot, TableAllocator<Slot>> slots_;  // a power of two in size, at most 3/4 full
  std::size_t size_ = 0;
};

}  // namespace yl
