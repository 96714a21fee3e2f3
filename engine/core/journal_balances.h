// Running balances of the journal's accounts, as an auditor rebuilds them from the entries, and
// the check that each equals the state quantity it mirrors (journal.h chart of accounts).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/journal.h"
#include "engine/core/ledger.h"
#include "engine/core/table_allocator.h"

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

  std::size_t account_count() const { return posted_; }

 private:
  // One balance per journal account, found by index: accounts are numbered densely by kind
  // (AccountId, source index), so a column per kind and asset needs no search. (A std::map
  // keyed by the three was a fifth of the audit's time, most of it cache misses.)
  struct Slot {
    NetSum net;  // debits − credits
    bool posted = false;
  };
  static std::size_t column_of(BookAccount account, Asset asset) {
    return static_cast<std::size_t>(account) * kAssets.size() + index_of(asset);
  }

  // The accounts' columns grow with the ledger: TableAllocator gives them huge pages once large.
  using Column = std::vector<Slot, TableAllocator<Slot>>;
  std::array<Column, kBookAccountCount * kAssets.size()> columns_;
  std::size_t posted_ = 0;  // slots ever posted to
};

}  // namespace yl
