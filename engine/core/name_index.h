// NameIndex: account name -> AccountId, a flat open-addressing table (linear probing).
//
// It holds no pointers to names: each slot is 12 bytes, a 64-bit key and id + 1. A name of at
// most 7 bytes is its own key (its bytes, zero-padded, under its length in the top byte), so it
// is decided in the slot and hashing it is one mix of those 8 bytes. A longer name's key is 56
// bits of a hash of its bytes under its length (capped at 255; 8 or more, so never a short
// name's key); a probe that meets that key asks the owner for that id's name to compare. So the
// owner (the Ledger, whose name arena holds the names) can be copied with its index and nothing
// dangles, a lookup costs one mix and usually one cache line, and the table grows from the keys
// alone. A slot is 12 bytes, not 16, for memory: with 16 the table was a sixth of a ledger's bytes
// at a million accounts (bench/PROFILE.md, "After (memory an account, ...)").
// Deterministic: the table is never iterated, and its layout depends only on the names inserted.
//
// Thread-safety: none.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/core/fnv1a.h"
#include "engine/core/table_allocator.h"

namespace yl {

class NameIndex {
 public:
  // The id of `name`, if present. `name_of(id)` returns the name stored under id.
  template <typename NameOf>
  std::optional<std::uint32_t> find(std::string_view name, const NameOf& name_of) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint64_t key = key_of(name);
    for (std::size_t i = home(key); slots_[i].id_plus_one != 0; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (slot.key() != key) continue;
      if (name.size() <= kInlineBytes || name_of(slot.id_plus_one - 1) == name) {
        return slot.id_plus_one - 1;
      }
    }
    return std::nullopt;
  }
  // Starts loading the slot where a lookup of `name` begins (both of its cache lines when it
  // straddles two). A hint: it changes nothing.
  void prefetch(std::string_view name) const {
    if (slots_.empty()) return;
    const Slot* slot = &slots_[home(key_of(name))];
    __builtin_prefetch(slot);
    __builtin_prefetch(reinterpret_cast<const char*>(slot) + sizeof(Slot) - 1);
  }
  // REQUIRES: `name` is absent and id < 2^32 - 1.
  void insert(std::string_view name, std::uint32_t id);
  // Removes `name`, stored under `id`. REQUIRES: present.
  void erase(std::string_view name, std::uint32_t id);
  std::size_t size() const { return size_; }

  // The slot's key (see the top of this file).
  static std::uint64_t key_of(std::string_view name) {
    const std::uint64_t length = name.size() < 255 ? name.size() : 255;
    std::uint64_t bits = 0;
    if (name.size() <= kInlineBytes) {
      bits = inline_bits(name);
    } else {  // 64-bit FNV-1a of the bytes
      bits = mix(fnv1a(name)) & ((std::uint64_t{1} << 56) - 1);
    }
    return length << 56 | bits;
  }

 private:
  static constexpr std::size_t kInlineBytes = 7;
  // Byte i of a name of at most 7 bytes at bits 8i..8i+7, without a loop over its bytes: from 4
  // bytes on, its first 4 and its last 4 (they overlap, on the same bytes); below, its first,
  // middle and last byte (some the same). So a short name costs two loads, not one per byte.
  static std::uint64_t inline_bits(std::string_view name) {
    static_assert(std::endian::native == std::endian::little, "a load's byte 0 is its low byte");
    const char* p = name.data();
    const std::size_t n = name.size();
    if (n >= 4) {
      std::uint32_t first = 0, last = 0;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + n - 4, 4);
      return first | std::uint64_t{last} << (8 * (n - 4));
    }
    if (n == 0) return 0;
    const auto byte = [p](std::size_t i) {
      return std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    };
    return byte(0) | byte(n / 2) | byte(n - 1);
  }
  // MurmurHash3's fmix64: every bit of the key moves the slot a name's probe starts at.
  static std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  }
  // Three 32-bit words, so that a slot takes 12 bytes (a 64-bit member would align it to 16).
  struct Slot {
    std::uint32_t key_low = 0;
    std::uint32_t key_high = 0;
    std::uint32_t id_plus_one = 0;  // 0: empty
    std::uint64_t key() const { return std::uint64_t{key_high} << 32 | key_low; }
  };
  static_assert(sizeof(Slot) == 12);
  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(std::uint64_t key) const { return mix(key) & mask(); }
  void place(Slot slot);  // REQUIRES: a free slot exists
  void grow();

  std::vector<Slot, TableAllocator<Slot>> slots_;  // a power of two in size, at most 3/4 full
  std::size_t size_ = 0;
};

}  // namespace yl
