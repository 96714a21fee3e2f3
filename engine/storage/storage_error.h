// Infrastructure failures of the store (SQLite errors, a file that is not a yieldledger database,
// a newer schema). Thrown by engine/storage and caught at the CLI edge (exit code 1, or 2 when the
// user pointed at the wrong file).
#pragma once

#include <stdexcept>
#include <string>

namespace yl::storage {

class StorageError : public std::runtime_error {
 public:
  enum class Kind { internal, bad_database };
  StorageError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace yl::storage
