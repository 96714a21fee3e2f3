// YL_ASSERT: always-on checks of programmer invariants (never of user input; see STYLE §2.2).
// A failed assertion means the engine's own arithmetic or bookkeeping is wrong, so continuing
// could corrupt a ledger: it prints the location and aborts, in every build type.
#pragma once

namespace yl::detail {
[[noreturn]] void assertion_failed(const char* condition, const char* file, int line);
}  // namespace yl::detail

#define YL_ASSERT(condition)                                          \
  do {                                                                \
    if (!(condition)) {                                               \
      ::yl::detail::assertion_failed(#condition, __FILE__, __LINE__); \
    }                                                                 \
  } while (false)
