// The names of accounts and sources (SPEC §1.1, §1.2): [A-Za-z0-9_.-]{1,64}.
#pragma once

#include <algorithm>
#include <string_view>

namespace yl {

inline bool is_valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

}  // namespace yl
