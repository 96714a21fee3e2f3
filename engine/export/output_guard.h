// What an export may write over, and who may write an output at a time (issue #9).
//
// - Never, whatever --force says: the ledger being read, its `-wal`, `-shm` and `-journal` (SQLite
//   reads a `-journal` beside a database as a hot journal to roll back), and the scenario
//   and events files the ledger was built from. Files are compared by identity (device and
//   inode, so a symlink, a hard link or `./x` is caught), not by spelling.
// - An existing file this tool made is replaced; any other existing file only with --force. A
//   CSV folder records what an export wrote in `.yieldledger-export` (inode, size and mtime of
//   each file, so an edited file is no longer ours); an XLSX workbook carries the ZIP archive
//   comment `yieldledger export`.
// - One export writes an output at a time: an OutputLock (flock on a lock file) is held from
//   before the checks until the output is in place; a second export is refused at once.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/input/removed_on_signal.h"

namespace yl {

// A file no export writes onto, and what it is ("the ledger database", ...). A database's
// `-wal`, `-shm` and `-journal` are kept with it.
struct KeptFile {
  std::filesystem::path path;
  std::string role;
  bool database = false;
};

// The ledger database `db` (with its companions), then `sources` (the scenario and events files,
// as `role`/path pairs resolved by the caller).
std::vector<KeptFile> kept_files(const std::filesystem::path& db, std::vector<KeptFile> sources);

// Refuses (UsageError) to write `target` when it is a kept file, a folder, a FIFO, a device or a
// socket: what no output replaces, whatever --force says.
void refuse_kept_or_special(const std::filesystem::path& target, const std::vector<KeptFile>& keep);

// refuse_kept_or_special, then refuses (UsageError) when `target` exists, `force` is not given
// and `ours(target)` (asked only then, of a regular file) is false.
void check_target(const std::filesystem::path& target,
                  const std::function<bool(const std::filesystem::path&)>& ours,
                  const std::vector<KeptFile>& keep, bool force);

// An exclusive lock held while one export writes an output; `lock_file` is created if missing
// and removed on release. Throws ExportError when another export holds it.
class OutputLock {
 public:
  OutputLock(std::filesystem::path lock_file, const std::string& output);
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();

 private:
  std::filesystem::path lock_file_;
  int fd_ = -1;
  RemovedOnSignal removed_;  // the lock file, were Ctrl-C to end the process
};

// Why a write failed when the system did not say: the end of an ExportError's message.
inline constexpr std::string_view kCutShort =
    "a write failed and the output was cut short (is the disk full, or a file size limit set?)";

// The ZIP archive comment that marks a workbook as this tool's.
inline constexpr std::string_view kXlsxMark = "yieldledger export";
// Appends kXlsxMark as the archive comment of the ZIP file at `zip` (which has none). Throws
// ExportError when the file does not end in a ZIP directory (it was cut short) or the write fails.
void mark_zip(const std::filesystem::path& zip, const std::string& display);
// Whether the file at `path` ends with kXlsxMark as its archive comment.
bool zip_is_marked(const std::filesystem::path& path);

}  // namespace yl
