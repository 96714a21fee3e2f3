// The stored form of a journal entry: a JSON array of [account, asset, side, wei, memo] (see
// schema/0002_journal_and_hashes.sql), with the chart's account names.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/journal.h"
#include "engine/core/ledger.h"

namespace yl::storage {

// The postings of `entries` (consecutive entries of `ledger.journal()`) in one array, in order:
// one stored journal row (see journal_rows in runner.h).
std::string journal_entries_json(const Ledger& ledger, std::span<const JournalEntry> entries);

// A stored posting read back without the engine's help.
struct StoredPosting {
  std::string account;  // e.g. "l2:pending:ETH"
  Asset asset;
  bool debit;
  Amount amount;
  std::string memo;  // why: "accrual", "fee", ... (journal.h Memo)
};

// Parses the format journal_entries_json writes. Returns nullopt if `json` is not in it.
std::optional<std::vector<StoredPosting>> parse_journal_postings(const std::string& json);

}  // namespace yl::storage
