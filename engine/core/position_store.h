// PositionStore: every account's two positions (SPEC §3.1), kept compact, and the working set an
// event changes them through.
//
// Storage. A position is four amounts and a mode: 136 bytes as `Position`. Stored, it takes one
// 64-byte slot (a cache line) while its amounts fit in 128 bits each (the shares in 125: the top
// three bits of their high limb hold the mode and a `wide` flag); one that does not is kept whole
// in a side table, and its slot holds the index there. A slot that went wide stays wide (values
// are what matter: `get` returns the same Position either way). So an account costs 128 bytes
// here instead of 272, and an event that touches one asset reads one line of an account.
//
// The working set. An event's handlers change positions through references (`edit`), which point
// into a small fixed array of unpacked positions: every position the event changes is loaded
// there once, and the references stay valid (and alias correctly: the same position is always
// the same slot) until the event ends. `commit` packs them back; `discard` drops them, so a
// rejected event never touches the table (the Ledger's one rollback path, engine/core/ledger.h).
// `get` reads through the working set, so an event sees its own changes.
//
// Deterministic; no hidden state. Thread-safety: none.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/core/asset.h"
#include "engine/core/share_ledger.h"
#include "engine/core/table_allocator.h"

namespace yl {

class PositionStore {
 public:
  PositionStore() = default;
  // A copy is taken between events. REQUIRES: `other`'s working set is empty (its references
  // would point into `other`).
  PositionStore(const PositionStore& other);
  PositionStore& operator=(const PositionStore& other);
  PositionStore(PositionStore&&) noexcept = default;  // slots stay where they are
  PositionStore& operator=(PositionStore&&) noexcept = default;
  ~PositionStore() = default;

  // A new account's two positions: AUTOMATIC, all zero. REQUIRES: the working set is empty.
  void add_account();
  // Removes the last account (a rolled-back open). REQUIRES: the working set is empty.
  void remove_last_account();
  std::size_t account_count() const { return account_count_; }

  // The position as it stands (the working set's copy when the event changed it).
  // REQUIRES: id < account_count().
  Position get(std::uint32_t id, Asset asset) const;
  // Starts loading (id, asset)'s slot. A hint: it changes nothing. REQUIRES: id < account_count().
  void prefetch(std::uint32_t id, Asset asset) const { __builtin_prefetch(&slot(id, asset)); }
  // A reference, valid until commit() or discard(), to the position the event may change.
  // REQUIRES: id < account_count(); at most kWorkingSet positions between two commits.
  Position& edit(std::uint32_t id, Asset asset);
  // Stores the working set's positions and empties it.
  void commit();
  // Empties the working set without storing it: the table is as at the last commit.
  void discard() { working_count_ = 0; }
  bool working_set_empty() const { return working_count_ == 0; }

  // Positions kept whole in the side table (for tests and the benchmark).
  std::size_t wide_count() const { return wide_.size(); }

  static constexpr std::size_t kWorkingSet = 8;

 private:
  // Limbs, least significant first: shares 0-1, remainder 2-3, fixed 4-5, price_posted 6-7. The
  // top three bits of limb 1 are the mode (bits 61-62) and `wide` (bit 63); a wide slot holds its
  // side-table index in limb 0 and nothing else.
  struct alignas(64) Slot {
    std::array<std::uint64_t, 8> limbs{};
  };
  static void unpack(const Slot& slot, Position& p);
  void load(const Slot& slot, Position& p) const;  // from the table (or the side table)
  // Packs `p` into `slot` if it fits; false (and `slot` unchanged) if it does not.
  static bool pack(const Position& p, Slot& slot);
  void store(Slot& slot, const Position& p);
  // Where (id, asset) is in the working set; working_count_ when it is not there.
  std::size_t working_index(std::uint32_t id, Asset asset) const;
  // Slots live in chunks of kChunk, 2 MiB each (one huge page: table_allocator.h), never moved
  // once full: growing the table copies at most the first chunk and leaves no freed block behind
  // (a doubling vector would, of up to half its size).
  // (A chunk after the first is a vector reserved to kChunk up front; a copy of the store may hold
  // one with less capacity, which costs that copy a reallocation, never a wrong slot.)
  static constexpr std::size_t kChunkBits = 15;
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkBits;
  Slot& slot(std::uint32_t id, Asset asset) {
    return chunks_[index_of(asset)][id >> kChunkBits][id & (kChunk - 1)];
  }
  const Slot& slot(std::uint32_t id, Asset asset) const {
    return chunks_[index_of(asset)][id >> kChunkBits][id & (kChunk - 1)];
  }

  // `slot` stays valid until commit(): slots move only when accounts are added or removed, which
  // needs an empty working set.
  struct Working {
    std::uint32_t id = 0;
    Asset asset = Asset::eth;
    Slot* slot = nullptr;
    Position position;
  };
  // By index_of(asset), then by account id: chunk id / kChunk, slot id % kChunk.
  using Chunk = std::vector<Slot, TableAllocator<Slot>>;
  std::array<std::vector<Chunk>, 2> chunks_;
  std::size_t account_count_ = 0;
  std::vector<Position> wide_;  // the side table
  std::array<Working, kWorkingSet> working_;
  std::size_t working_count_ = 0;
};

}  // namespace yl
