#include "engine/storage/results_identity.h"

#include <fmt/format.h>

#include "engine/storage/migrations.h"

namespace yl::storage {

std::optional<NotResults> check_results_identity(Database& db, const std::string& path) {
  const std::int64_t id = db.query_int("PRAGMA application_id");
  if (id == kApplicationId) {
    return NotResults{
        NotResults::Kind::ledger,
        fmt::format("'{}' is a yieldledger ledger, not a sweep's results file", path)};
  }
  if (id != kResultsApplicationId) {
    return NotResults{NotResults::Kind::other_file,
                      fmt::format("'{}' is not a yieldledger results file (application_id {}, "
                                  "not {})",
                                  path, id, kResultsApplicationId)};
  }
  const std::int64_t version = db.user_version();
  if (version != kResultsVersion) {
    return NotResults{NotResults::Kind::other_version,
                      fmt::format("'{}' is a results file of version {}; this yieldledger reads "
                                  "version {}",
                                  path, version, kResultsVersion)};
  }
  return std::nullopt;
}

}  // namespace yl::storage
