// Exports as a folder of CSV files, one per table (`accounts.csv`, `balance_history.csv`, ...):
// RFC 4180 quoting, a header row, LF line ends, every cell exactly as given (SPEC §7.1 style:
// plain integer wei, exact decimal text, ISO-8601 UTC times).
//
// Atomicity: each file is written under a temporary name in the folder and renamed into place by
// finish(), so an export that fails leaves the folder's earlier files as they were.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/export/table_sink.h"

namespace yl {

class CsvSink : public ExportSink {
 public:
  // Creates `folder` (and its parents) if missing. Throws ExportError if it cannot.
  explicit CsvSink(std::filesystem::path folder);
  ~CsvSink() override;  // removes the temporary files of an unfinished export
  CsvSink(const CsvSink&) = delete;
  CsvSink& operator=(const CsvSink&) = delete;

  std::unique_ptr<TableWriter> open_table(const TableSpec& spec) override;
  void finish(const std::vector<SummaryRow>& summary, const ChartData& charts) override;

  // The file a table is written to.
  std::filesystem::path path_of(const std::string& table) const;

 private:
  std::filesystem::path folder_;
  std::vector<std::string> tables_;  // opened so far, renamed into place by finish()
  bool finished_ = false;
};

// RFC 4180: a field with a comma, quote, CR or LF is quoted, with quotes doubled.
std::string csv_field(const std::string& text);
void append_csv_field(std::string& out, const std::string& text);

}  // namespace yl
