#include "engine/input/input_error.h"

#include <fmt/format.h>

namespace yl {

namespace {

// A message quotes the offending field; a hostile file can make that field megabytes long.
std::string bounded(std::string text) {
  constexpr std::size_t kMax = 400;
  if (text.size() <= kMax) return text;
  const std::size_t total = text.size();
  text.resize(kMax);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  return fmt::format("{}... ({} bytes in all)", text, total);
}

}  // namespace

InputError::InputError(std::string file, std::uint64_t line, std::string type, std::string reason)
    : std::runtime_error(fmt::format("{}:{}: {}: {}", bounded(file), line, type,
                                     bounded(reason))),
      file_(std::move(file)),
      line_(line),
      type_(std::move(type)),
      reason_(std::move(reason)) {}

}  // namespace yl
