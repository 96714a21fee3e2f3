#include "engine/output/output_file.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "engine/core/assert.h"
#include "engine/input/input_file.h"
#include "engine/output/export_error.h"
#include "engine/usage_error.h"

namespace yl {
namespace {

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
}

// The nearest of `folder` and its parents that is there (a dangling symlink is: no folder can be
// made in its place), "." for a relative path none of whose parts is; and those missing, innermost
// first. OutputFile names what stands where a folder should be, CreatedFolders makes the missing.
struct FolderWalk {
  std::filesystem::path existing;
  std::vector<std::filesystem::path> missing;
};
FolderWalk walk_up(const std::filesystem::path& folder) {
  std::error_code ec;
  FolderWalk walk;
  std::filesystem::path at = folder;
  while (!at.empty() && !std::filesystem::exists(std::filesystem::symlink_status(at, ec))) {
    walk.missing.push_back(at);
    at = at.parent_path();
  }
  walk.existing = at.empty() ? std::filesystem::path(".") : at;
  return walk;
}

// What is at `at`, a path that is there and is no folder: "a file", "a FIFO (named pipe)", "a
// broken symbolic link" (to nothing, or a loop of links), ...
std::string not_folder_kind(const std::filesystem::path& at) {
  std::error_code ec;
  if (std::filesystem::is_symlink(at, ec) && !std::filesystem::exists(at, ec)) {
    return "a broken symbolic link";
  }
  const auto kind = special_file_kind(at.string());
  return kind ? std::string(*kind) : "a file";
}

[[noreturn]] void fail(const std::filesystem::path& path, int error) {
  throw ExportError(fmt::format("cannot write '{}': {}", path.string(), std::strerror(error)),
                    error);
}

// A temporary `.NAME.MARK-N.partial` beside `path` made by `make(name)`, which returns 0 or an
// errno, with this process's mark and the first N for which it does not fail with EEXIST: its
// name, and 0 or the errno.
struct Partial {
  std::filesystem::path name;
  int error = 0;
};
template <typename Make>
Partial make_partial(const std::filesystem::path& path, Make make) {
  for (int attempt = 0;; ++attempt) {
    Partial made{folder_of(path) /
                 fmt::format("{}.{}-{}.partial", hidden_name(path), process_mark(), attempt)};
    made.error = make(made.name);
    if (made.error != EEXIST || attempt == 100) return made;
  }
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path path, Existing existing)
    : path_(std::move(path)), existing_(existing) {
  refuse_special_file(path_);
  std::error_code ec;
  const std::filesystem::path folder = folder_of(path_);
  if (!std::filesystem::is_directory(folder, ec)) {
    // A file where a folder of the path should be was "does not exist" (helper-70's F6; a file
    // further up too: helper-73's R8).
    const std::filesystem::path at = walk_up(folder).existing;
    throw UsageError(std::filesystem::is_directory(at, ec)
                         ? fmt::format("cannot write '{}': the folder '{}' does not exist",
                                       path_.string(), folder.string())
                         : fmt::format("cannot write '{}': '{}' is {}, not a folder",
                                       path_.string(), at.string(), not_folder_kind(at)));
  }
  if (existing_ == Existing::refuse && std::filesystem::exists(path_, ec)) {
    throw UsageError(fmt::format("'{}' already exists; choose another --out, or add --force to "
                                 "replace it",
                                 path_.string()));
  }
  remove_stale_partials(path_);
  // A name no other writer uses, created exclusively, with the permissions a new file gets (0666
  // less the umask; mkstemp gives 0600).
  Partial made = make_partial(path_, [](const std::filesystem::path& name) {
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
  });
  if (made.error != 0) fail(path_, made.error);
  temp_ = std::move(made.name);
  removed_ = RemovedOnSignal(temp_, RemovedOnSignal::Kind::file);
}

OutputFile::~OutputFile() {
  if (committed_ && !holds_replaced_) return;
  std::error_code ec;
  std::filesystem::remove(temp_, ec);  // the unfinished file, or the one the commit replaced
}

void OutputFile::write(std::string_view content) {
  YL_ASSERT(!committed_);
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) fail(path_, errno);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      fail(path_, error);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) fail(path_, errno);
}

void OutputFile::commit() {
  YL_ASSERT(!committed_);
  if (existing_ == Existing::replace) {
    // Swapped, so that the file replaced stays at the temporary name until revert() or the end;
    // renamed over where there is none, or the file system cannot swap.
    if (swap()) {
      // A folder that appeared at `path` since the check is swapped back, never taken away (a
      // rename over it failed with EISDIR).
      std::error_code ec;
      if (std::filesystem::is_directory(std::filesystem::symlink_status(temp_, ec))) {
        (void)swap();
        fail(path_, EISDIR);
      }
      holds_replaced_ = true;
    } else if (errno != ENOENT && errno != EINVAL && errno != ENOSYS && errno != EPERM &&
               errno != EOPNOTSUPP) {
      fail(path_, errno);
    } else if (errno != ENOENT && replace_keeping_old()) {
      holds_replaced_ = true;
    } else if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      fail(path_, errno);
    }
  } else {
    // Never over a file that appeared since the check; by rename where the file system can (a
    // link() alone failed where it has no hard links: helper-46's F8).
    if (const int error = rename_if_absent(temp_.string(), path_.string()); error != 0) {
      if (error == EEXIST) {
        throw UsageError(fmt::format("'{}' appeared while it was written; it was left as it is",
                                     path_.string()));
      }
      fail(path_, error);
    }
  }
  committed_ = true;
}

bool OutputFile::swap() const noexcept {
  return ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0;
}

bool OutputFile::replace_keeping_old() {
  // The file at path_ gets a second name first, a temporary's (reaped like one if this process
  // dies), by a hard link; then the new file is renamed over path_, and temp_ names the old one,
  // as a swap leaves them. False, nothing moved, where no link can be made (a folder appeared at
  // path_, or the file system has no hard links): the old file cannot be kept.
  Partial kept = make_partial(path_, [&](const std::filesystem::path& name) {
    return ::link(path_.c_str(), name.c_str()) == 0 ? 0 : errno;
  });
  if (kept.error != 0) return false;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    (void)::unlink(kept.name.c_str());
    fail(path_, error);
  }
  temp_ = std::move(kept.name);
  removed_ = RemovedOnSignal(temp_, RemovedOnSignal::Kind::file);  // the old file, as after a swap
  return true;
}

void OutputFile::revert() noexcept {
  YL_ASSERT(committed_);
  if (!holds_replaced_) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);  // none was there before, or it could not be kept
    return;
  }
  holds_replaced_ = false;
  if (swap()) {
    committed_ = false;  // the temporary holds the new file again, removed at the end
    return;
  }
  // The new file is gone from `path` (moved, removed): the replaced one goes back all the same,
  // and where it cannot, it stays at the temporary name rather than be removed at the end
  // (helper-49's F2: neither file was left), where Ctrl-C must not remove it either.
  removed_ = RemovedOnSignal();
  (void)::rename(temp_.c_str(), path_.c_str());
}

void refuse_special_file(const std::filesystem::path& path) {
  // "x.xlsx/" names a folder: its parent would be taken for the folder to write into.
  if (path.native().ends_with('/')) {
    throw UsageError(fmt::format("cannot write '{}': it ends in '/', so it names a folder, not a "
                                 "file",
                                 path.string()));
  }
  constexpr std::size_t kMaxNameBytes = 255;  // Linux's NAME_MAX
  if (const std::size_t bytes = path.filename().native().size(); bytes > kMaxNameBytes) {
    throw UsageError(fmt::format("cannot write '{}': its name is {} bytes long, more than the {} "
                                 "a file name may have",
                                 path.string(), bytes, kMaxNameBytes));
  }
  if (const auto kind = special_file_kind(path.string())) {
    throw UsageError(fmt::format("cannot write '{}': it is {}, not a file", path.string(), *kind));
  }
}

namespace {

// The signal noted while a HeldSignals lived (0: none): a handler can only set such a variable.
volatile std::sig_atomic_t held_signal = 0;
bool holding = false;  // a HeldSignals lives

extern "C" void note_signal(int signal) { held_signal = signal; }

}  // namespace

HeldSignals::HeldSignals() {
  YL_ASSERT(!holding);
  holding = true;
  struct sigaction note {};
  note.sa_handler = note_signal;
  note.sa_flags = SA_RESTART;
  sigemptyset(&note.sa_mask);
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    const int failed = sigaction(kFatalSignals[i], &note, &before_[i]);
    YL_ASSERT(failed == 0);
  }
}

HeldSignals::~HeldSignals() {
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    sigaction(kFatalSignals[i], &before_[i], nullptr);
  }
  holding = false;
}

int take_held_signal() {
  const int signal = held_signal;
  held_signal = 0;
  return signal;
}

CreatedFolders::CreatedFolders(const std::filesystem::path& folder) {
  std::error_code ec;
  const auto [existing, missing] = walk_up(folder);
  if (!std::filesystem::is_directory(existing, ec)) {
    const std::string what = not_folder_kind(existing);
    throw UsageError(
        missing.empty()
            ? fmt::format("cannot write into '{}': it is {}, not a folder", folder.string(), what)
            : fmt::format("cannot write into '{}': '{}' is {}, not a folder", folder.string(),
                          existing.string(), what));
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!std::filesystem::create_directory(*it, ec) && ec) {
      remove_created();
      throw ExportError(
          fmt::format("cannot create the folder '{}': {}", it->string(), ec.message()), ec.value());
    }
    created_.push_back(*it);
    removed_ =
        RemovedOnSignal(*it, RemovedOnSignal::Kind::folder, static_cast<unsigned>(created_.size()));
  }
}

CreatedFolders::~CreatedFolders() { remove_created(); }

void CreatedFolders::remove_created() {
  std::error_code ec;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    std::filesystem::remove(*it, ec);  // removes an empty folder only
  }
  created_.clear();
  removed_ = RemovedOnSignal();
}

std::string hidden_name(const std::filesystem::path& path) {
  // Room for the longest suffix, `.MARK-N.partial` (N of up to 10 digits).
  return "." + name_with_room(path.filename().string(), 255 - 1 - (kLongestProcessMark + 20));
}

void remove_stale_partials(const std::filesystem::path& path) {
  std::error_code ec;
  for (const auto& file : dead_temporaries(folder_of(path), hidden_name(path) + ".", ".partial",
                                           /*numbered=*/true)) {
    std::filesystem::remove(file, ec);
  }
}

}  // namespace yl
