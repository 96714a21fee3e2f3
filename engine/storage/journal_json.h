// The stored form of a journal entry: a JSON array of [account, asset, side, wei] (see
// schema/0002_journal_and_hashes.sql), with the chart's account names.
#pragma once

#include <string>

#include "engine/core/journal.h"
#include "engine/core/ledger.h"

namespace yl::storage {

// REQUIRES: `entry` is one of `ledger.journal()`'s entries.
std::string journal_entry_json(const Ledger& ledger, const JournalEntry& entry);

}  // namespace yl::storage
