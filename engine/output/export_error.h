// A failure to write an export (a folder that cannot be created, a full disk). The CLI prints it
// and exits 1; whatever was partly written has been removed. Limits of a format that the user can
// avoid with options (XLSX's rows per sheet) are UsageErrors instead (exit 2), and so is a failure
// whose cause is the path the user gave (users_path()).
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace yl {

class ExportError : public std::runtime_error {
 public:
  explicit ExportError(const std::string& what) : std::runtime_error(what) {}
  // `error`, the errno of the failed call, says whose fault it was: a name too long, a folder on
  // the way that is missing or not a folder, a folder where the file goes, a name the file system
  // does not take (EINVAL: a ':' on FAT), no permission, a read-only file system or a loop of
  // links is the path's (exit 2, as for --db); a full disk, an I/O error or too many open files
  // is the machine's (exit 1).
  ExportError(const std::string& what, int error)
      : std::runtime_error(what),
        users_path_(error == ENAMETOOLONG || error == ENOENT || error == ENOTDIR ||
                    error == EISDIR || error == EINVAL || error == EACCES || error == EPERM ||
                    error == EROFS || error == ELOOP) {}
  bool users_path() const { return users_path_; }

 private:
  bool users_path_ = false;
};

}  // namespace yl
