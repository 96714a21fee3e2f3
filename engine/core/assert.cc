#include "engine/core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace yl::detail {

void assertion_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "yieldledger: internal error: assertion failed: %s (%s:%d)\n", condition,
               file, line);
  std::abort();
}

}  // namespace yl::detail
