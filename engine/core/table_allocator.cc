#include "engine/core/table_allocator.h"

#include <cstdint>
#include <new>

#include <sys/mman.h>

namespace yl {
namespace {

std::size_t round_up(std::size_t n) {
  return (n + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
}

}  // namespace

void* map_table(std::size_t bytes) {
  if (bytes > SIZE_MAX / 2) throw std::bad_alloc();  // round_up and the extra page cannot wrap
  const std::size_t size = round_up(bytes);
  // One huge page more than needed, then the ends unmapped, so that the block starts on a 2 MiB
  // boundary (mmap promises only 4 KiB): a huge page must be aligned to its size.
  void* const raw = ::mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto first = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t begin = (first + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  const std::size_t head = begin - first;
  if (head != 0) ::munmap(raw, head);
  if (head != kHugePageBytes) {
    ::munmap(reinterpret_cast<void*>(begin + size), kHugePageBytes - head);
  }
  auto* const block = reinterpret_cast<void*>(begin);
  // A hint: its failure (no THP in this kernel) leaves ordinary pages, which work the same.
  (void)::madvise(block, size, MADV_HUGEPAGE);
  return block;
}

void unmap_table(void* p, std::size_t bytes) noexcept { ::munmap(p, round_up(bytes)); }

}  // namespace yl
