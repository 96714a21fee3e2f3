#include "engine/export/output_guard.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/output/export_error.h"
#include "engine/output/output_file.h"
#include "engine/storage/database.h"
#include "engine/usage_error.h"

namespace yl {
namespace {

bool identity(const std::filesystem::path& path, struct stat& info) {
  return ::stat(path.c_str(), &info) == 0;
}

bool same_identity(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The end-of-central-directory record every ZIP file ends with (22 bytes, then its comment).
constexpr std::size_t kEndRecord = 22;
constexpr std::array<unsigned char, 4> kEndSignature = {0x50, 0x4b, 0x05, 0x06};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

std::vector<KeptFile> kept_files(const std::filesystem::path& db, std::vector<KeptFile> sources) {
  std::vector<KeptFile> kept = {{db, "the ledger database being exported", /*database=*/true}};
  for (KeptFile& source : sources) kept.push_back(std::move(source));
  return kept;
}

void refuse_kept_or_special(const std::filesystem::path& target,
                            const std::vector<KeptFile>& keep) {
  for (const KeptFile& kept : keep) {
    if (storage::same_file(target, kept.path)) {
      throw UsageError(fmt::format("will not write '{}': it is {} ('{}')", target.string(),
                                   kept.role, kept.path.string()));
    }
    if (const std::string_view what = kept.database ? storage::companion_of(target, kept.path) : "";
        !what.empty()) {
      throw UsageError(fmt::format("will not write '{}': it is the {} of {} ('{}')",
                                   target.string(), what, kept.role, kept.path.string()));
    }
  }
  // Before `ours`, which reads the file: reading a FIFO would wait for a writer forever.
  refuse_special_file(target);
}

void check_target(const std::filesystem::path& target,
                  const std::function<bool(const std::filesystem::path&)>& ours,
                  const std::vector<KeptFile>& keep, bool force) {
  refuse_kept_or_special(target, keep);
  std::error_code ec;
  if (!force && std::filesystem::exists(std::filesystem::symlink_status(target, ec)) &&
      !ours(target)) {
    throw UsageError(fmt::format(
        "'{}' exists and was not written by `yieldledger export`; pass --force to replace it",
        target.string()));
  }
}

OutputLock::OutputLock(std::filesystem::path lock_file, const std::string& output)
    : lock_file_(std::move(lock_file)) {
  // The last holder removes the file: a lock taken on a file no longer at the path is retried.
  for (;;) {
    // Not through a symlink: one left at the path made the file it names, and left it (helper-45's
    // F1).
    fd_ = ::open(lock_file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) {
      const int error = errno;
      const std::string why = error == ELOOP ? "it is a symbolic link, which no export follows; "
                                               "remove it"
                                             : std::strerror(error);
      throw ExportError(fmt::format("cannot write '{}': its lock file '{}' cannot be made: {}",
                                    output, lock_file_.string(), why),
                        error);
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd_);
      fd_ = -1;
      if (error == EWOULDBLOCK) {
        throw ExportError(fmt::format(
            "'{}' is being written by another export; try again when it has finished", output));
      }
      throw ExportError(
          fmt::format("cannot lock '{}': {}", lock_file_.string(), std::strerror(error)));
    }
    struct stat held {};
    struct stat at_path {};
    if (::fstat(fd_, &held) == 0 && identity(lock_file_, at_path) && same_identity(held, at_path)) {
      removed_ = RemovedOnSignal(lock_file_, RemovedOnSignal::Kind::file);
      return;
    }
    ::close(fd_);
  }
}

OutputLock::~OutputLock() {
  // No longer named first: once unlinked, the name may be another export's lock.
  removed_ = RemovedOnSignal();
  if (fd_ < 0) return;
  ::unlink(lock_file_.c_str());
  ::close(fd_);
}

void mark_zip(const std::filesystem::path& zip, const std::string& display) {
  auto fail = [&](const std::string& why) {
    throw ExportError(fmt::format("cannot write '{}': {}", display, why));
  };
  File file(std::fopen(zip.c_str(), "r+b"));
  if (!file) fail(std::strerror(errno));
  std::array<unsigned char, kEndRecord> end{};
  if (std::fseek(file.get(), -static_cast<long>(kEndRecord), SEEK_END) != 0 ||
      std::fread(end.data(), 1, end.size(), file.get()) != end.size() ||
      !std::equal(kEndSignature.begin(), kEndSignature.end(), end.begin()) || end[20] != 0 ||
      end[21] != 0) {
    fail(std::string(kCutShort));
  }
  const std::array<unsigned char, 2> length = {static_cast<unsigned char>(kXlsxMark.size()), 0};
  if (std::fseek(file.get(), -2, SEEK_END) != 0 ||
      std::fwrite(length.data(), 1, 2, file.get()) != 2 ||
      std::fwrite(kXlsxMark.data(), 1, kXlsxMark.size(), file.get()) != kXlsxMark.size() ||
      std::fflush(file.get()) != 0) {
    fail(std::strerror(errno));
  }
  if (std::fclose(file.release()) != 0) fail(std::strerror(errno));
}

bool zip_is_marked(const std::filesystem::path& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) return false;
  const std::size_t tail = kEndRecord + kXlsxMark.size();
  std::string bytes(tail, '\0');
  if (std::fseek(file.get(), -static_cast<long>(tail), SEEK_END) != 0 ||
      std::fread(bytes.data(), 1, tail, file.get()) != tail) {
    return false;
  }
  const std::string expected_end = {'\x50', '\x4b', '\x05', '\x06'};
  return bytes.starts_with(expected_end) &&
         static_cast<unsigned char>(bytes[20]) == kXlsxMark.size() && bytes[21] == 0 &&
         bytes.ends_with(kXlsxMark);
}

}  // namespace yl
