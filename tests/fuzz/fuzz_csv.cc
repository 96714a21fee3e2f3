// Fuzz target: the events CSV reader and row parser on arbitrary bytes. Every input must either
// parse or be rejected with an InputError; nothing else may happen (no crash, hang or other throw).
#include <cstdint>
#include <sstream>
#include <string>

#include "engine/input/event_parser.h"
#include "engine/input/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    yl::EventReader reader(in, "fuzz.csv");
    while (const auto raw = reader.next_raw()) {
      try {
        (void)yl::parse_event(*raw, reader.file_name());
      } catch (const yl::InputError&) {
        // A row rejected for its fields: fine, keep reading the structure.
      }
    }
  } catch (const yl::InputError&) {
  }
  return 0;
}
