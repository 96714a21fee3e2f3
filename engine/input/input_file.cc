#include "engine/input/input_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/input/input_error.h"

namespace yl {

std::optional<std::string_view> special_file_kind(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  if (S_ISDIR(info.st_mode)) return "a folder";
  if (S_ISFIFO(info.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode)) return "a device";
  if (S_ISSOCK(info.st_mode)) return "a socket";
  return std::nullopt;
}

bool is_machine_fault(int error) { return error == EMFILE || error == ENFILE || error == ENOMEM; }

int rename_if_absent(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
}

std::ifstream open_input_file(const std::string& path, const std::string& file, std::uint64_t line,
                              const std::string& type, std::string_view what) {
  // stat() before open(): opening a FIFO for reading would wait for a writer forever.
  if (const auto kind = special_file_kind(path)) {
    throw InputError(file, line, type,
                     fmt::format("cannot open {}: it is {}, not a file", what, *kind));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (is_machine_fault(error)) {
      throw std::system_error(error, std::generic_category(),
                              fmt::format("cannot open '{}'", path));
    }
    throw InputError(file, line, type,
                     fmt::format("cannot open {}: {}", what, std::strerror(error)));
  }
  ::close(fd);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::system_error(errno, std::generic_category(), fmt::format("cannot open '{}'", path));
  }
  return in;
}

}  // namespace yl
