// `yieldledger export`: a stored ledger as tables for spreadsheets (a folder of CSV files, or one
// XLSX workbook with a summary and charts). Read-only on the database; the output appears at its
// path only when complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/export/export_options.h"
#include "engine/export/table_sink.h"
#include "engine/storage/ledger_store.h"

namespace yl {

// How far an export is: `done` of `total` `unit`s in its current phase (`total` is 0 when
// unknown).
struct ExportProgress {
  std::string_view phase;
  std::string_view unit;
  std::int64_t done = 0;
  std::int64_t total = 0;
};
using ExportProgressFn = std::function<void(const ExportProgress&)>;

struct ExportResult {
  std::string scenario;
  std::map<std::string, std::int64_t> rows;  // per table written, summary included
  std::int64_t samples = 0;                  // history sample times
};

// The sink for `format`, "csv" (a folder of files at `out`), "xlsx" (a workbook at `out`) or
// "html" (a page at `out`).
// Throws ExportError if `out` cannot be created.
std::unique_ptr<ExportSink> make_export_sink(std::string_view format,
                                             const std::filesystem::path& out);

// The files a ledger was made from: the scenario file `run` read, its events file and the files
// `apply` appended. The stored paths are as they were given, from the folder `run` ran in, so a
// relative one is resolved against the current folder, the ledger's, and every folder above
// either: the ledger's own sources are recognized when `run` ran in one of them.
std::vector<KeptFile> ledger_sources(storage::LedgerStore& store,
                                     const std::filesystem::path& db_path);
// The files an export of the ledger at `db_path` never writes (output_guard.h): the database with
// its -wal, -shm and -journal, and its sources.
std::vector<KeptFile> ledger_files(storage::LedgerStore& store,
                                   const std::filesystem::path& db_path);

// Writes the tables `options` asks for, the summary and the charts into `sink`, then finishes it.
// Everything is read inside one read transaction, from one snapshot of the ledger, whatever
// writers commit meanwhile (issue #9). Throws UsageError (bad --accounts, a format limit),
// StorageError or ExportError.
ExportResult export_ledger(storage::LedgerStore& store, const ExportOptions& options,
                           ExportSink& sink, const ExportProgressFn& progress = {});

}  // namespace yl
