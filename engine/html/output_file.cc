#include "engine/html/output_file.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "engine/core/assert.h"
#include "engine/export/export_error.h"
#include "engine/usage_error.h"

namespace yl::html {
namespace {

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
}

[[noreturn]] void fail(const std::filesystem::path& path, int error) {
  throw ExportError(fmt::format("cannot write '{}': {}", path.string(), std::strerror(error)));
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path path, Existing existing)
    : path_(std::move(path)), existing_(existing) {
  std::error_code ec;
  const std::filesystem::path folder = folder_of(path_);
  if (!std::filesystem::is_directory(folder, ec)) {
    throw UsageError(fmt::format("cannot write '{}': the folder '{}' does not exist",
                                 path_.string(), folder.string()));
  }
  if (std::filesystem::is_directory(path_, ec)) {
    throw UsageError(fmt::format("cannot write '{}': it is a folder", path_.string()));
  }
  if (existing_ == Existing::refuse && std::filesystem::exists(path_, ec)) {
    throw UsageError(fmt::format("'{}' already exists; choose another --out, or add --force to "
                                 "replace it",
                                 path_.string()));
  }
  // A name no other writer uses: this process's id and the first free number, created
  // exclusively, with the permissions a new file gets (0666 less the umask; mkstemp gives 0600).
  for (int attempt = 0;; ++attempt) {
    temp_ =
        folder / fmt::format(".{}.{}-{}.partial", path_.filename().string(), ::getpid(), attempt);
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (errno != EEXIST || attempt == 100) fail(path_, errno);
  }
}

OutputFile::~OutputFile() {
  if (committed_) return;
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
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
    if (::rename(temp_.c_str(), path_.c_str()) != 0) fail(path_, errno);
  } else {
    // link() fails with EEXIST rather than replace a file that appeared since the check.
    if (::link(temp_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) {
        throw UsageError(fmt::format("'{}' appeared while the report was written; it was left "
                                     "as it is",
                                     path_.string()));
      }
      fail(path_, errno);
    }
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
  committed_ = true;
}

}  // namespace yl::html
