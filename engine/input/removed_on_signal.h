// The temporary files and new folders a command is making, removed when Ctrl-C (or SIGTERM,
// SIGHUP, SIGQUIT) ends it: they were left behind until the next command writing the same output
// removed them (helper-57's F6).
#pragma once

#include <filesystem>

#include <signal.h>

namespace yl {

// The signals that end a command and that it cleans up after: Ctrl-C and its kin. (HeldSignals,
// engine/output/output_file.h, holds the same ones around a set of renames.)
inline constexpr int kFatalSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Installs, once, the handler of SIGINT, SIGTERM, SIGHUP and SIGQUIT that removes what every live
// RemovedOnSignal names and then ends the process by the same signal, with its default action (a
// shell sees status 128 + N, as before). A signal the process was started ignoring (`nohup`'s
// SIGHUP, a background job's SIGINT) stays ignored. main calls it; where it is not called (the
// tests), a RemovedOnSignal only records its path.
void remove_on_fatal_signals();

// While it lives, `path` is removed if a fatal signal ends the process: a file (with, for a
// database, its -wal, -shm and -journal), or a folder and `levels` - 1 of its parents (the folders
// a command made on the way to its output: one slot however deep), each removed only when empty,
// after every file, the innermost first.
// The process-wide list is fixed in size (64 paths of up to 4 KiB): a path past it is left, as a
// SIGKILL leaves it, for the next command's removal of stale temporaries. Registering, moving and
// ending one are safe from any thread; the handler reads the list without locks.
class RemovedOnSignal {
 public:
  enum class Kind { file, database, folder };
  RemovedOnSignal() = default;  // names nothing
  RemovedOnSignal(const std::filesystem::path& path, Kind kind, unsigned levels = 1);
  ~RemovedOnSignal();
  RemovedOnSignal(RemovedOnSignal&& other) noexcept : slot_(other.slot_) { other.slot_ = -1; }
  RemovedOnSignal& operator=(RemovedOnSignal&& other) noexcept;
  RemovedOnSignal(const RemovedOnSignal&) = delete;
  RemovedOnSignal& operator=(const RemovedOnSignal&) = delete;

 private:
  int slot_ = -1;  // none
};

}  // namespace yl
