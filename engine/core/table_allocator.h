// TableAllocator: the allocator of the Ledger's large tables (the positions, the name index, the
// account and gas records, the name arena). A block of 2 MiB or more is mapped on its own, aligned
// to 2 MiB, and marked for transparent huge pages (madvise MADV_HUGEPAGE); a smaller one comes
// from std::allocator, as before.
//
// Why: at a million accounts these tables hold about 200 MB, and the events touch them at random.
// In 4 KiB pages, every page costs a fault when first written (under a hypervisor, about half of
// a million opens' time) and nearly every access a TLB miss; a 2 MiB page costs one fault for 512
// of them and covers 512 times the memory per TLB entry. It is a hint: where the kernel gives no
// huge page (THP set to "never", or memory too fragmented), the block is the same memory in 4 KiB
// pages. Nothing observable depends on it but the time and the resident set's rounding.
//
// A mapped block has no AddressSanitizer redzones: the sanitizer build checks the tables' small
// blocks only (the tests reach the mapped ones too, and run there without them).
//
// Stateless: every TableAllocator is equal to every other. Thread-safety: as std::allocator.
#pragma once

#include <cstddef>
#include <memory>

namespace yl {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// A block of `bytes` >= kHugePageBytes (a multiple of it after rounding up), aligned to it,
// zero-filled; throws std::bad_alloc. Freed only by unmap_table(p, bytes) with the same `bytes`.
void* map_table(std::size_t bytes);
void unmap_table(void* p, std::size_t bytes) noexcept;

template <typename T>
struct TableAllocator {
  using value_type = T;
  TableAllocator() = default;
  template <typename U>
  TableAllocator(const TableAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    if (n * sizeof(T) < kHugePageBytes) return std::allocator<T>().allocate(n);
    static_assert(alignof(T) <= kHugePageBytes);
    return static_cast<T*>(map_table(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kHugePageBytes) {
      std::allocator<T>().deallocate(p, n);
    } else {
      unmap_table(p, n * sizeof(T));
    }
  }
  template <typename U>
  friend bool operator==(const TableAllocator&, const TableAllocator<U>&) noexcept {
    return true;
  }
};

}  // namespace yl
