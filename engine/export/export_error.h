// A failure to write an export (a folder that cannot be created, a full disk). The CLI prints it
// and exits 1; whatever was partly written has been removed. Limits of a format that the user can
// avoid with options (XLSX's rows per sheet) are UsageErrors instead (exit 2).
#pragma once

#include <stdexcept>
#include <string>

namespace yl {

class ExportError : public std::runtime_error {
 public:
  explicit ExportError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace yl
