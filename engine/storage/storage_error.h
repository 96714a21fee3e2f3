// Infrastructure failures of the store (SQLite errors, a file that is not a yieldledger database,
// a newer schema). Thrown by engine/storage and caught at the CLI edge (exit code 1, or 2 when the
// user pointed at the wrong file).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace yl::storage {

class StorageError : public std::runtime_error {
 public:
  // internal and machine exit 1, bad_database 2. `machine`: a fault of the machine, not of the
  // file (a full disk, a file size limit, too many open files, another writer holding the lock),
  // which a reader must not report as a bad file.
  enum class Kind { internal, bad_database, machine };
  StorageError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// A commit reached the write-ahead log, but folding the log into the file failed (Database::
// fold_log): the file is whole only with its -wal. Where the file was a new one being built,
// which then goes with its log, the message says so instead (build_new_database).
class LogNotFolded : public StorageError {
 public:
  LogNotFolded(const std::string& what, std::string cause)
      : StorageError(Kind::machine, what), cause_(std::move(cause)) {}
  const std::string& cause() const { return cause_; }  // "the disk is full, … (disk I/O error)"

 private:
  std::string cause_;
};

}  // namespace yl::storage
