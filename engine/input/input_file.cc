#include "engine/input/input_file.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/core/fnv1a.h"
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

namespace {

// A mark's HOST (input_file.h): the host name, and a hash of the boot and the PID namespace.
std::string host_in_mark() {
  char name[256] = {};
  std::string host = ::gethostname(name, sizeof name - 1) == 0 ? name : "";
  const bool plain =
      !host.empty() && host.size() <= 24 && std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_';
      });
  if (!plain) host = fmt::format("{:016x}", fnv1a(host));
  // The boot id tells machines (and boots) apart, the PID namespace's inode containers of one
  // machine: a container with the host's name and PIDs of its own took a live process of the
  // host for a dead one (helper-49's F3).
  std::string space;
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::getline(boot, space);
  struct stat ns {};
  if (::stat("/proc/self/ns/pid", &ns) == 0) space += fmt::format(":{}", ns.st_ino);
  return fmt::format("{}~{:08x}", host, fnv1a(space) & 0xFFFF'FFFFU);
}

// is_dead_process_mark() with this host's part of a mark, `host`, found once for many marks.
bool is_dead_mark_of(std::string_view mark, std::string_view host) {
  const std::size_t at = mark.find('@');
  if (at == std::string_view::npos || mark.substr(at + 1) != host) return false;
  const std::string_view digits = mark.substr(0, at);
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.front() == '0' ||
      pid <= 0) {
    return false;
  }
  return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

std::string process_mark() { return fmt::format("{}@{}", ::getpid(), host_in_mark()); }

bool is_dead_process_mark(std::string_view mark) { return is_dead_mark_of(mark, host_in_mark()); }

std::vector<std::filesystem::path> dead_temporaries(const std::filesystem::path& folder,
                                                    std::string_view prefix,
                                                    std::string_view suffix, bool numbered) {
  std::vector<std::filesystem::path> dead;
  std::optional<std::string> host;  // found at the first candidate
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
        !name.ends_with(suffix)) {
      continue;
    }
    std::string_view mark =
        std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (numbered) {  // MARK-N
      const std::size_t dash = mark.rfind('-');
      const std::string_view count =
          dash == std::string_view::npos ? std::string_view() : mark.substr(dash + 1);
      if (count.empty() ||
          !std::ranges::all_of(count, [](char c) { return c >= '0' && c <= '9'; })) {
        continue;
      }
      mark = mark.substr(0, dash);
    }
    if (!host) host = host_in_mark();
    if (is_dead_mark_of(mark, *host)) dead.push_back(entry.path());
  }
  return dead;
}

std::string name_with_room(std::string_view name, std::size_t longest) {
  if (name.size() <= longest) return std::string(name);
  std::size_t cut = 150;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}~{:016x}", name.substr(0, cut), fnv1a(name));
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
