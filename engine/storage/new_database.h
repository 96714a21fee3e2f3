// A new database file, built whole or not at all, beside where it goes: `run`'s new ledgers, and
// the lab's new results files (sweep, merge).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace yl::storage {

// Builds a new database at `path`: `build(temporary)` fills a file of this process's own in the
// same folder, `PATH.MARK.TAG.tmp` with MARK this process's `PID@HOST` (process_mark(); a long
// file name cut short as name_with_room() does, so any name a file may have can be built; open it
// with Database::Mode::build_new and finish_build() it), which is then synced and renamed into
// place, the folder synced too. Returns false, with the temporary removed, when a file appeared at
// `path` meanwhile (another process's: never replaced). A build that throws leaves nothing; a
// StorageError from it names `path`, not the temporary. Temporaries of the same TAG left by killed
// processes of this host are removed first; a `-wal` or `-journal` beside a missing `path` (a
// deleted database's) is refused (StorageError, bad_database), as SQLite would fold it into the
// new file.
bool build_new_database(const std::string& path, std::string_view tag,
                        const std::function<void(const std::string& temporary)>& build);

// Removes `path` and its -wal, -shm and -journal files, if there.
void remove_database_files(const std::string& path);

}  // namespace yl::storage
