// Fuzz target: decimal amounts. Whatever parses must print back to the same value, and the
// parse of the printed text must agree (exact decimal round trip).
#include <cstdint>
#include <string>

#include "engine/core/amount.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned decimals = data[0] % 25;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string error;
  const auto amount = yl::Amount::parse_units(text, decimals, &error);
  if (!amount) {
    if (error.empty()) __builtin_trap();  // every rejection says why
    return 0;
  }
  const std::string printed = amount->units_string(decimals);
  const auto again = yl::Amount::parse_units(printed, decimals, &error);
  if (!again || !(*again == *amount)) __builtin_trap();
  if (yl::Amount::parse_wei(amount->wei_string()) != amount) __builtin_trap();
  return 0;
}
