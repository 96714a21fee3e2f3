// Fuzz target: the scenario loader on arbitrary text. It must parse or throw InputError.
#include <cstdint>
#include <string>

#include "engine/input/input_error.h"
#include "engine/input/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const yl::Scenario s = yl::parse_scenario(text, "fuzz.toml", "/nonexistent");
    if (s.params.end < s.params.start) __builtin_trap();  // the loader's own rule
  } catch (const yl::InputError&) {
  }
  return 0;
}
