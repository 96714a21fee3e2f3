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

// REQUIRES: `entry` is one of `ledger.journal()`'s entries.
std::string journal_entry_json(const Ledger& ledger, const JournalEntry& entry);
// The postings of several entries in one array, in order (one stored row; see runner.h).
std::string journal_entries_json(const Ledger& ledger, std::span<const JournalEntry> entries);

// A stored posting read back without the engine's help.
struct StoredPosting {
  std::string account;  // e.g. "l2:pending:ETH"
  Asset asset;
  bool debit;
  Amount amount;
  std::string memo;  // why: "accrual", "fee", ... (journal.h Memo)
};

// Parses the format journal_entry_json writes. Returns nullopt if `json` is not in it.
std::optional<std::vector<StoredPosting>> parse_journal_postings(const std::string& json);

}  // namespace yl::storage
