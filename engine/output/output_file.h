// A report file written under a unique temporary name beside its final path and moved into place
// only when complete, so nothing is ever half-written at the path a user named.
#pragma once

#include <filesystem>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <signal.h>

#include "engine/input/removed_on_signal.h"

namespace yl {

class OutputFile {
 public:
  enum class Existing { refuse, replace };

  // Checks `path` before any work and creates the temporary file `.NAME.MARK-N.partial` beside
  // it. Throws UsageError when the folder is missing, `path` is a folder, or (Existing::refuse) a
  // file is already there; ExportError when the temporary file cannot be created.
  OutputFile(std::filesystem::path path, Existing existing);
  ~OutputFile();  // removes the temporary file: the unfinished one, or the one commit() replaced
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Where a library that writes files by name (libxlsxwriter) writes, before commit().
  const std::filesystem::path& temp_path() const { return temp_; }

  // Writes `content` as the whole file, flushed to disk. Throws ExportError.
  void write(std::string_view content);
  // Moves the temporary file to `path`. With Existing::refuse it never replaces a file that
  // appeared meanwhile (rename_if_absent). With Existing::replace the file it replaces is kept
  // at a temporary name until revert() or the end: swapped with the new file (renameat2's
  // RENAME_EXCHANGE), or, where the file system cannot swap, given that name by a hard link before
  // the new file is renamed over it. Throws UsageError or ExportError.
  void commit();
  // Undoes commit(), for an output that must go with another that could not be put in place
  // (generate's events.csv and scenario.toml): the file it replaced is put back, or, where none
  // was (or it could not be kept: a file system with neither swaps nor hard links), the new file
  // is removed.
  void revert() noexcept;

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  Existing existing_;
  // Exchanges the files at temp_ and path_ (renameat2's RENAME_EXCHANGE); false, with errno,
  // where either is missing or the file system cannot.
  bool swap() const noexcept;
  // commit() where the file system cannot swap: true once path_ holds the new file and temp_ the
  // old one, false (nothing moved) where the old one cannot be kept. Throws ExportError.
  bool replace_keeping_old();

  bool committed_ = false;
  bool holds_replaced_ = false;  // temp_ holds the file commit() replaced
  RemovedOnSignal removed_;      // the temporary file, were Ctrl-C to end the process
};

// Refuses (UsageError "cannot write 'PATH': it is a FIFO (named pipe), not a file") to write a
// file at `path` when a folder, a FIFO, a device or a socket is there: never replaced, whatever
// --force says, and checked before anything opens it (a FIFO would block). So is a file name
// longer than NAME_MAX (255 bytes), which the final rename would refuse after all the work.
void refuse_special_file(const std::filesystem::path& path);

// While it lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT are held: one that comes meanwhile, to any
// thread, is noted (take_held_signal), and the process's own handling is restored as it ends.
// Around the renames that put a set of files in place (an export's CSV tables, generate's three
// files), so that Ctrl-C cannot land between two of them: it did, and a folder held three tables
// of a new ledger beside four of the old (helper-57's F1; a replaced file's blocks are freed in its
// rename, 20 ms for a large one). SIGKILL cannot be held. One at a time (asserted).
class HeldSignals {
 public:
  HeldSignals();
  ~HeldSignals();
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

 private:
  struct sigaction before_[std::size(kFatalSignals)];
};

// The signal a HeldSignals noted (0: none), cleared. main raises it once the command has ended
// and closed its files: raised as the renames ended, it killed the process before the temporary
// files and the lock were removed (helper-58's R2).
int take_held_signal();

// The folder an output goes into, created with its missing parents; unless kept (the output is in
// place), what was created is removed again (deepest first, each only if still empty), so a
// failed export or generate leaves no new folder behind. Throws UsageError when a file (or a
// FIFO, a device) is where a folder goes, ExportError when the system refuses to create one.
class CreatedFolders {
 public:
  explicit CreatedFolders(const std::filesystem::path& folder);
  CreatedFolders(const CreatedFolders&) = delete;
  CreatedFolders& operator=(const CreatedFolders&) = delete;
  ~CreatedFolders();
  void keep() {  // the output is in place: what was created stays
    created_.clear();
    removed_ = RemovedOnSignal();
  }

 private:
  void remove_created();
  std::vector<std::filesystem::path> created_;  // outermost first
  RemovedOnSignal removed_;  // the same (the innermost and its count), were Ctrl-C to end it
};

// `.NAME` for `path`'s file name NAME: the start of the hidden files an output keeps beside it
// (`.NAME.MARK-N.partial`, MARK the writer's process_mark(); `.NAME.lock`). A NAME too long to
// take their suffixes within a file name's 255 bytes (over 190) is cut to its first 150 bytes
// (whole UTF-8 characters) and the FNV-1a hash of the whole: `.NAME~HHHHHHHHHHHHHHHH`, the same
// in every process.
std::string hidden_name(const std::filesystem::path& path);

// Removes the temporary files `.NAME.MARK-N.partial` beside `path` (NAME its file name) that a
// process of this host no longer running left behind: an output whose writer was killed (Ctrl-C,
// SIGTERM) before it could remove its own. Safe without the output's lock, since only the files of
// a process that has ended are removed (as `run` does with its temporaries). Best effort: a file it
// cannot remove stays.
void remove_stale_partials(const std::filesystem::path& path);

}  // namespace yl
