// Opening a file the user named (a scenario, an events file, a ledger): when it fails, the real
// cause, from stat() and errno, naming the file; never a guess.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yl {

// What `path` is when it exists but is not a regular file: "a folder", "a FIFO (named pipe)",
// "a device" or "a socket"; nullopt otherwise (a regular file, or nothing there).
std::optional<std::string_view> special_file_kind(const std::string& path);

// Whether `error` (an errno value) is a fault of the machine rather than of the path: too many
// open files, out of memory. Those exit 1, not 2.
bool is_machine_fault(int error);

// Moves `from` to `to` unless a file is at `to`, atomically: renameat2's RENAME_NOREPLACE, or
// link() then unlink() on a file system without it. Returns 0, or the errno: EEXIST when a file is
// at `to` (left as it is).
int rename_if_absent(const std::string& from, const std::string& to);

// This process's mark in the names of its temporary files: `PID@HOST`, HOST being this machine's
// host name (16 hex digits of its FNV-1a hash unless it is at most 24 bytes of letters, digits,
// '.', '-' and '_'), '~' and 8 hex digits of a hash of the boot id and the PID namespace. At most
// 44 bytes. HOST is what lets a process tell a dead process's temporary from a live one of
// another machine sharing the folder (a cluster's shared file system), or of a container with
// PIDs of its own: a PID means nothing there.
std::string process_mark();

constexpr std::size_t kLongestProcessMark = 44;  // bytes (a PID of up to 10 digits)

// A file's name in the name of a temporary beside it, which adds up to 255 - `longest` bytes: the
// name itself where it has at most `longest` bytes, a longer one cut to its first 150 bytes (whole
// UTF-8 characters) and '~' and 16 hex digits of the FNV-1a hash of the whole (167 bytes), the
// same in every process. So a name that a file may have leaves its temporary's within 255 bytes.
std::string name_with_room(std::string_view name, std::size_t longest);

// Whether `mark` is a process mark (above) of this host whose process no longer exists (kill(PID,
// 0) fails with ESRCH, in this PID namespace). False for this process, a live one, another
// host's and anything not a mark: those temporaries are never removed.
bool is_dead_process_mark(std::string_view mark);

// The temporaries in `folder` that processes of this host no longer running left behind (killed
// before they could remove them): the files named `PREFIX MARK SUFFIX`, or with `numbered`
// `PREFIX MARK-N SUFFIX` (N decimal), whose MARK is_dead_process_mark(). None where the folder
// cannot be read.
std::vector<std::filesystem::path> dead_temporaries(const std::filesystem::path& folder,
                                                    std::string_view prefix,
                                                    std::string_view suffix, bool numbered);

// Opens `path` (a regular file) for reading. A bad path throws InputError(file, line, type,
// "cannot open WHAT: CAUSE"), the cause being "it is a folder, not a file" and the like, or the
// system's words for errno ("No such file or directory", "Permission denied", "File name too
// long"); a fault of the machine throws std::system_error ("cannot open 'PATH': Too many open
// files").
std::ifstream open_input_file(const std::string& path, const std::string& file, std::uint64_t line,
                              const std::string& type, std::string_view what);

}  // namespace yl
