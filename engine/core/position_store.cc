#include "engine/core/position_store.h"

#include "engine/core/assert.h"

namespace yl {
namespace {

constexpr std::uint64_t kWideBit = std::uint64_t{1} << 63;
constexpr int kModeShift = 61;
constexpr std::uint64_t kFlagBits = std::uint64_t{7} << kModeShift;  // mode and wide

Amount amount_of(std::uint64_t low, std::uint64_t high) {
  return Amount::from_limbs(Amount::Limbs{low, high, 0, 0});
}

bool fits_128(const Amount& a) { return (a.limbs()[2] | a.limbs()[3]) == 0; }

}  // namespace

PositionStore::PositionStore(const PositionStore& other)
    : chunks_(other.chunks_), account_count_(other.account_count_), wide_(other.wide_) {
  YL_ASSERT(other.working_set_empty());
}

PositionStore& PositionStore::operator=(const PositionStore& other) {
  YL_ASSERT(other.working_set_empty());
  chunks_ = other.chunks_;
  account_count_ = other.account_count_;
  wide_ = other.wide_;
  working_count_ = 0;
  return *this;
}

void PositionStore::add_account() {
  YL_ASSERT(working_set_empty());
  for (std::vector<Chunk>& chunks : chunks_) {
    if (account_count_ % kChunk == 0) {
      chunks.emplace_back();
      // The first chunk grows as a vector does, so a small ledger stays small; a later one is
      // reserved whole, one block of huge pages, and never copied.
      if (chunks.size() > 1) chunks.back().reserve(kChunk);
    }
    chunks.back().emplace_back();  // AUTOMATIC (0), all zero
  }
  ++account_count_;
}

void PositionStore::remove_last_account() {
  YL_ASSERT(working_set_empty() && account_count_ > 0);
  --account_count_;
  for (std::vector<Chunk>& chunks : chunks_) {
    chunks.back().pop_back();
    if (chunks.back().empty()) chunks.pop_back();
  }
}

void PositionStore::unpack(const Slot& slot, Position& p) {
  const std::array<std::uint64_t, 8>& l = slot.limbs;
  p.mode = static_cast<YieldMode>((l[1] >> kModeShift) & 3);
  p.shares = amount_of(l[0], l[1] & ~kFlagBits);
  p.remainder = amount_of(l[2], l[3]);
  p.fixed = amount_of(l[4], l[5]);
  p.price_posted = amount_of(l[6], l[7]);
}

void PositionStore::load(const Slot& slot, Position& p) const {
  if ((slot.limbs[1] & kWideBit) != 0) {
    p = wide_[slot.limbs[0]];
  } else {
    unpack(slot, p);
  }
}

bool PositionStore::pack(const Position& p, Slot& slot) {
  const Amount::Limbs& s = p.shares.limbs();
  if (!fits_128(p.shares) || (s[1] & kFlagBits) != 0 || !fits_128(p.remainder) ||
      !fits_128(p.fixed) || !fits_128(p.price_posted)) {
    return false;
  }
  const auto mode = static_cast<std::uint64_t>(p.mode);
  YL_ASSERT(mode <= 2);
  slot.limbs = {s[0],
                s[1] | (mode << kModeShift),
                p.remainder.limbs()[0],
                p.remainder.limbs()[1],
                p.fixed.limbs()[0],
                p.fixed.limbs()[1],
                p.price_posted.limbs()[0],
                p.price_posted.limbs()[1]};
  return true;
}

std::size_t PositionStore::working_index(std::uint32_t id, Asset asset) const {
  std::size_t i = 0;
  while (i < working_count_ && (working_[i].id != id || working_[i].asset != asset)) ++i;
  return i;
}

Position PositionStore::get(std::uint32_t id, Asset asset) const {
  if (const std::size_t i = working_index(id, asset); i < working_count_) {
    return working_[i].position;
  }
  Position p;
  load(slot(id, asset), p);
  return p;
}

Position& PositionStore::edit(std::uint32_t id, Asset asset) {
  if (const std::size_t i = working_index(id, asset); i < working_count_) {
    return working_[i].position;
  }
  YL_ASSERT(working_count_ < kWorkingSet && id < account_count_);
  Working& w = working_[working_count_++];
  w.id = id;
  w.asset = asset;
  w.slot = &slot(id, asset);
  load(*w.slot, w.position);
  return w.position;
}

void PositionStore::store(Slot& slot, const Position& p) {
  if ((slot.limbs[1] & kWideBit) != 0) {
    wide_[slot.limbs[0]] = p;
  } else if (!pack(p, slot)) {
    slot.limbs = {wide_.size(), kWideBit, 0, 0, 0, 0, 0, 0};
    wide_.push_back(p);
  }
}

void PositionStore::commit() {
  for (std::size_t i = 0; i < working_count_; ++i) store(*working_[i].slot, working_[i].position);
  working_count_ = 0;
}

}  // namespace yl
