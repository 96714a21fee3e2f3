// A request that cannot be answered as asked (an unknown account or source, an option out of
// range, an export past a spreadsheet's limits). The CLI prints it and exits 2; nothing changed.
#pragma once

#include <stdexcept>

namespace yl {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace yl
