// 64-bit FNV-1a of a byte string: the one hash of names that is not cryptographic (an account
// name's slot key, a lab label's seed, a long output name's short form). Pinned: seeds and file
// names derived from it must not change.
#pragma once

#include <cstdint>
#include <string_view>

namespace yl {

constexpr std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return hash;
}

static_assert(fnv1a("") == 14695981039346656037ULL);
static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cULL);  // the published test vector

}  // namespace yl
