// Running balances of the journal's accounts, as an auditor rebuilds them from the entries, and
// the check that each equals the state quantity it mirrors (journal.h chart of accounts).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "engine/core/journal.h"
#include "engine/core/ledger.h"

namespace yl {

class JournalBalances {
 public:
  void add(const Posting& posting);
  void add_all(const Journal& journal);

  // Debits minus credits of one account (0 if never posted).
  S512 balance(BookAccount account, std::uint32_t index, Asset asset) const;

  // Checks every mirrored account against `ledger` and that each asset's accounts sum to zero.
  // Returns a description of the first mismatch (with both values), or nullopt.
  std::optional<std::string> check_against(const Ledger& ledger) const;

  std::size_t account_count() const { return balances_.size(); }

 private:
  using Key = std::tuple<std::uint8_t, std::uint32_t, std::uint8_t>;  // account, index, asset
  std::map<Key, S512> balances_;
};

}  // namespace yl
