// The export's tables that are read straight from the store (`events`, `reports`, `journal`) or
// from the final state (`accounts`), one row per fact.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/core/ledger.h"
#include "engine/export/export_options.h"
#include "engine/export/table_sink.h"
#include "engine/storage/ledger_store.h"

namespace yl {

TableSpec accounts_spec();
TableSpec events_spec();
TableSpec reports_spec();  // SPEC §7.1 `reports` columns, exactly
TableSpec journal_spec();

// Each writes its rows and returns how many. `on_row`, if set, is told the count so far.
std::int64_t write_accounts(const Ledger& final_ledger, const SelectedAccounts& selected,
                            TableWriter& out);
std::int64_t write_events(storage::LedgerStore& store, TableWriter& out,
                          const std::function<void(std::int64_t)>& on_row);
std::int64_t write_reports(storage::LedgerStore& store, TableWriter& out);
// One row per posting. Throws StorageError if a stored entry is malformed.
std::int64_t write_journal(storage::LedgerStore& store, TableWriter& out,
                           const std::function<void(std::int64_t)>& on_row);

}  // namespace yl
