// Opening a file the user named (a scenario, an events file, a ledger): when it fails, the real
// cause, from stat() and errno, naming the file; never a guess.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

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

// Opens `path` (a regular file) for reading. A bad path throws InputError(file, line, type,
// "cannot open WHAT: CAUSE"), the cause being "it is a folder, not a file" and the like, or the
// system's words for errno ("No such file or directory", "Permission denied", "File name too
// long"); a fault of the machine throws std::system_error ("cannot open 'PATH': Too many open
// files").
std::ifstream open_input_file(const std::string& path, const std::string& file, std::uint64_t line,
                              const std::string& type, std::string_view what);

}  // namespace yl
