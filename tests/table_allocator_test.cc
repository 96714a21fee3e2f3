// The allocator of the Ledger's large tables (engine/core/table_allocator.h): blocks of 2 MiB or
// more are mapped apart, aligned to 2 MiB and zero-filled; smaller ones are std::allocator's.
#include "engine/core/table_allocator.h"

#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/name_index.h"

using yl::kHugePageBytes;
using yl::TableAllocator;

TEST_CASE("TableAllocator: a large block is aligned to 2 MiB, zero-filled, and all of it usable") {
  for (const std::size_t bytes : {kHugePageBytes, kHugePageBytes + 1, 5 * kHugePageBytes - 64}) {
    auto* block = static_cast<unsigned char*>(yl::map_table(bytes));
    CHECK(reinterpret_cast<std::uintptr_t>(block) % kHugePageBytes == 0);
    std::size_t nonzero = 0;
    for (std::size_t i = 0; i < bytes; i += 4096) {
      if (block[i] != 0) ++nonzero;
    }
    CHECK(nonzero == 0);
    block[0] = 1;
    block[bytes - 1] = 2;
    CHECK(block[0] + block[bytes - 1] == 3);
    yl::unmap_table(block, bytes);
  }
}

TEST_CASE("TableAllocator: a vector grown past 2 MiB keeps every value, through copies") {
  std::vector<std::uint64_t, TableAllocator<std::uint64_t>> values;
  constexpr std::uint64_t kCount = 3 * kHugePageBytes / sizeof(std::uint64_t) + 7;  // 24 MiB
  for (std::uint64_t i = 0; i < kCount; ++i) values.push_back(i * 3);
  const auto copy = values;
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 0; i < kCount; ++i) {
    if (copy[i] != i * 3) ++wrong;
  }
  CHECK(wrong == 0);
  values.resize(10);  // shrink_to_fit moves it back to a small block
  values.shrink_to_fit();
  CHECK(values.capacity() == 10);
  CHECK(values[9] == 27);
  CHECK(copy.size() == kCount);
}

TEST_CASE("NameIndex: 300,000 names, in a table of huge pages, are all found") {
  yl::NameIndex index;
  std::vector<std::string> names;
  const auto name_of = [&](std::uint32_t id) -> std::string_view { return names[id]; };
  constexpr std::uint32_t kCount = 300'000;  // 2^19 slots of 12 bytes: a mapped block of 6 MiB
  for (std::uint32_t id = 0; id < kCount; ++id) {
    names.push_back((id % 2 == 0 ? "a" : "account") + std::to_string(id));
    index.insert(names.back(), id);
  }
  std::uint32_t wrong = 0;
  for (std::uint32_t id = 0; id < kCount; ++id) {
    index.prefetch(names[id]);  // a hint: changes nothing
    if (index.find(names[id], name_of) != id) ++wrong;
  }
  CHECK(wrong == 0);
  CHECK_FALSE(index.find("a300000", name_of));
  CHECK_FALSE(index.find("account300001", name_of));
}
