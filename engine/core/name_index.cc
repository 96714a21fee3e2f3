#include "engine/core/name_index.h"

#include "engine/core/assert.h"

namespace yl {

void NameIndex::insert(std::string_view name, std::uint32_t id) {
  YL_ASSERT(id != UINT32_MAX);
  if (4 * (size_ + 1) > 3 * slots_.size()) grow();
  const std::uint64_t key = key_of(name);
  place(Slot{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32), id + 1});
  ++size_;
}

void NameIndex::place(Slot slot) {
  std::size_t i = home(slot.key());
  while (slots_[i].id_plus_one != 0) i = (i + 1) & mask();
  slots_[i] = slot;
}

void NameIndex::grow() {
  std::vector<Slot, TableAllocator<Slot>> old(slots_.size() < 16 ? 16 : 2 * slots_.size());
  old.swap(slots_);
  for (const Slot& slot : old) {
    if (slot.id_plus_one != 0) place(slot);
  }
}

void NameIndex::erase(std::string_view name, std::uint32_t id) {
  std::size_t i = home(key_of(name));
  while (slots_[i].id_plus_one != id + 1) {
    YL_ASSERT(slots_[i].id_plus_one != 0);  // REQUIRES: present
    i = (i + 1) & mask();
  }
  // Backward-shift deletion (Knuth 6.4, algorithm R): move later entries of the run into the
  // hole when their home slot does not lie cyclically in (hole, j], so every probe still finds
  // its name before an empty slot.
  for (std::size_t j = (i + 1) & mask(); slots_[j].id_plus_one != 0; j = (j + 1) & mask()) {
    const std::size_t start = home(slots_[j].key());
    const bool stays = i <= j ? (i < start && start <= j) : (i < start || start <= j);
    if (!stays) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
  --size_;
}

}  // namespace yl
