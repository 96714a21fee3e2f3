#include "engine/storage/new_database.h"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "engine/input/input_file.h"
#include "engine/input/removed_on_signal.h"
#include "engine/storage/database.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {
namespace {

// The name of `db_path`'s file in its temporaries `NAME.MARK.TAG.tmp` (and -journal): cut short
// (name_with_room) where the whole would pass a file name's 255 bytes.
std::string name_in_temporary(const std::filesystem::path& path, std::string_view tag) {
  const std::size_t suffixes = 1 + kLongestProcessMark + 1 + tag.size() + 4 + 8;
  return name_with_room(path.filename().string(), 255 - suffixes);
}

// The temporaries of builds that were killed before they could remove them (SIGKILL, a power
// loss): `FILE.MARK.TAG.tmp` and its -wal/-shm/-journal, MARK naming a process of this host that
// no longer exists. A live process's temporary, or another host's, is never touched.
void remove_stale_temporaries(const std::string& db_path, std::string_view tag) {
  const std::filesystem::path path(db_path);
  for (const auto& file :
       dead_temporaries(path.has_parent_path() ? path.parent_path() : ".",
                        name_in_temporary(path, tag) + ".", fmt::format(".{}.tmp", tag),
                        /*numbered=*/false)) {
    remove_database_files(file.string());
  }
}

// fsync()s a file or a folder, so that a rename into it survives a power loss.
void sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const int error = errno;
  if (fd >= 0) ::close(fd);
  if (!synced) {
    throw std::system_error(error, std::generic_category(), fmt::format("cannot sync '{}'", path));
  }
}

// Moves `from` to `to` unless `to` exists (then false), atomically.
bool moved_into_place(const std::string& from, const std::string& to) {
  const int error = rename_if_absent(from, to);
  if (error == 0) return true;
  if (error == EEXIST) return false;
  throw std::system_error(error, std::generic_category(),
                          fmt::format("cannot rename '{}' to '{}'", from, to));
}

// A log or rollback journal beside `path` where no `path` is (a database deleted after a process
// writing it was killed): SQLite would fold it into the new file at its first open, and its pages
// of the deleted file would be the new file's (helper-44's F10: a merge reported every run stored,
// with another study's rows in the file). Refused, naming it; nothing is written.
// The log is looked for first: a database made meanwhile by another process exists before its log.
void refuse_orphan_log(const std::string& path) {
  std::error_code ec;
  // Beside the file a `path` symlink leads to, where SQLite looks (helper-89's F4: through a
  // symlink to a new file, the log beside it was taken in).
  const std::string file = followed(path);
  for (const char* suffix : {"-wal", "-journal"}) {
    if (!std::filesystem::exists(file + suffix, ec) || std::filesystem::exists(file, ec)) continue;
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("cannot make '{}': '{}{}' is left beside it from a database of that name that "
                    "was deleted, and SQLite would take its pages into the new file; remove it "
                    "(and '{}-shm'), or choose another name",
                    path, file, suffix, file));
  }
  // An index alone: SQLite would write over it (helper-89's F8: a sweep's new results deleted one).
  if (std::filesystem::exists(file + "-shm", ec) && !std::filesystem::exists(file, ec)) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("cannot make '{}': '{}-shm' is left beside it from a database "
                                   "of that name that was deleted, and SQLite would write over "
                                   "it; remove it, or choose another name",
                                   path, file));
  }
}

}  // namespace

void remove_database_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ec);
  }
}

bool build_new_database(const std::string& path, std::string_view tag,
                        const std::function<void(const std::string& temporary)>& build) {
  refuse_orphan_log(path);
  remove_stale_temporaries(path, tag);
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  const std::string temporary =
      (folder / fmt::format("{}.{}.{}.tmp", name_in_temporary(path, tag), process_mark(), tag))
          .string();
  // Were Ctrl-C to end the process meanwhile: renamed into place, the temporary is no more.
  const RemovedOnSignal removed(temporary, RemovedOnSignal::Kind::database);
  try {
    build(temporary);  // closed: the WAL is checkpointed into the file and removed
    sync_path(temporary, 0);
    if (moved_into_place(temporary, path)) {
      sync_path(folder.empty() ? "." : folder.string(), O_DIRECTORY);
      return true;
    }
  } catch (const LogNotFolded& error) {
    // The new file goes with its log: nothing is kept, and no -wal (helper-57's F4 was told to
    // keep one that did not exist).
    remove_database_files(temporary);
    throw StorageError(
        StorageError::Kind::machine,
        fmt::format("could not write '{}': {}; nothing was written", path, error.cause()));
  } catch (const StorageError& error) {
    remove_database_files(temporary);
    // Name the file the user gave, not the temporary one.
    std::string message = error.what();
    for (auto at = message.find(temporary); at != std::string::npos;
         at = message.find(temporary, at + path.size())) {
      message.replace(at, temporary.size(), path);
    }
    throw StorageError(error.kind(), message);
  } catch (...) {
    remove_database_files(temporary);
    throw;
  }
  remove_database_files(temporary);
  return false;
}

}  // namespace yl::storage
