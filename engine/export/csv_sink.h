// Exports as a folder of CSV files, one per table (`accounts.csv`, `balance_history.csv`, ...):
// RFC 4180 quoting, a header row, LF line ends, every cell exactly as given (SPEC §7.1 style:
// plain integer wei, exact decimal text, ISO-8601 UTC times).
//
// Atomicity: each file is written under a temporary name in the folder and renamed into place by
// finish(), so an export that fails leaves the folder's earlier files as they were.
//
// Text cells that could run as spreadsheet formulas are defused (defuse_formula). The files an
// export wrote are listed in the folder's `.yieldledger-export` (kCsvMark), so that the next export
// may replace them without --force as long as nobody changed them (output_guard.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/export/table_sink.h"
#include "engine/input/removed_on_signal.h"
#include "engine/output/output_file.h"

namespace yl {

// The file in an export folder that lists what exports wrote there, one `INODE SIZE MTIME_NS
// NAME` line per file as it was written.
inline constexpr std::string_view kCsvMark = ".yieldledger-export";

class CsvSink : public ExportSink {
 public:
  // Creates `folder` (and its parents) if missing, and removes them again unless the export
  // finishes (CreatedFolders). Throws UsageError or ExportError if it cannot.
  explicit CsvSink(std::filesystem::path folder);
  ~CsvSink() override;  // removes the temporary files of an unfinished export
  CsvSink(const CsvSink&) = delete;
  CsvSink& operator=(const CsvSink&) = delete;

  void claim(const std::vector<std::string>& tables, const std::vector<KeptFile>& keep,
             bool force) override;
  std::unique_ptr<TableWriter> open_table(const TableSpec& spec) override;
  void finish(const std::vector<SummaryRow>& summary, const ChartData& charts) override;

  // The file a table is written to.
  std::filesystem::path path_of(const std::string& table) const;

 private:
  // Whether the file of `table` is, unchanged, one an export wrote (listed in kCsvMark).
  bool made_by_export(const std::string& table) const;
  void write_mark() const;
  void write_mark_file(const std::string& text) const;
  // Whether this export writes `file_name` ("accounts.csv").
  bool written_now(const std::string& file_name) const;
  void remove_earlier_tables() const;

  std::filesystem::path folder_;
  CreatedFolders created_;  // destroyed after lock_, whose file is in the folder
  std::unique_ptr<OutputLock> lock_;
  // Opened so far, with their temporary files, renamed into place by finish().
  std::vector<std::pair<std::string, std::filesystem::path>> tables_;
  std::vector<RemovedOnSignal> removed_;  // the partials, were Ctrl-C to end the process
  bool finished_ = false;
};

// RFC 4180: a field with a comma, quote, CR or LF is quoted, with quotes doubled.
std::string csv_field(const std::string& text);
void append_csv_field(std::string& out, const std::string& text);

}  // namespace yl
