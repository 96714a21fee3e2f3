#include "engine/input/input_error.h"

#include <fmt/format.h>

namespace yl {

InputError::InputError(std::string file, std::uint64_t line, std::string type, std::string reason)
    : std::runtime_error(fmt::format("{}:{}: {}: {}", file, line, type, reason)),
      file_(std::move(file)),
      line_(line),
      type_(std::move(type)),
      reason_(std::move(reason)) {}

}  // namespace yl
