#include "engine/export/csv_sink.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <sys/stat.h>

#include "engine/core/assert.h"
#include "engine/export/export_options.h"
#include "engine/output/export_error.h"
#include "engine/output/output_file.h"

namespace yl {
namespace {

// Buffered writing of one file; a failed write or close is an ExportError naming the file.
class CsvTableWriter : public TableWriter {
 public:
  CsvTableWriter(std::filesystem::path path, std::string display, std::vector<CellKind> kinds)
      : path_(std::move(path)), display_(std::move(display)), kinds_(std::move(kinds)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) fail("cannot create");
    buffer_.reserve(kFlushBytes + 4096);
  }
  ~CsvTableWriter() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  CsvTableWriter(const CsvTableWriter&) = delete;
  CsvTableWriter& operator=(const CsvTableWriter&) = delete;

  void row(const std::vector<std::string>& cells) override {
    YL_ASSERT(cells.size() == kinds_.size());
    YL_ASSERT(file_ != nullptr);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i != 0) buffer_ += ',';
      append_csv_field(buffer_, kinds_[i] == CellKind::text ? defuse_formula(cells[i]) : cells[i]);
    }
    buffer_ += '\n';
    if (buffer_.size() >= kFlushBytes) flush();
  }

  void close() override {
    if (file_ == nullptr) return;
    flush();
    std::FILE* file = file_;
    file_ = nullptr;
    if (std::fclose(file) != 0) fail("cannot write");
  }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;

  void flush() {
    if (buffer_.empty()) return;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      fail("cannot write");
    }
    buffer_.clear();
  }
  [[noreturn]] void fail(const char* what) const {
    const int error = errno;
    throw ExportError(fmt::format("{} '{}': {}", what, display_, std::strerror(error)), error);
  }

  std::filesystem::path path_;
  std::string display_;
  std::vector<CellKind> kinds_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

}  // namespace

void append_csv_field(std::string& out, const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(const std::string& text) {
  std::string field;
  append_csv_field(field, text);
  return field;
}

CsvSink::CsvSink(std::filesystem::path folder) : folder_(std::move(folder)), created_(folder_) {}

CsvSink::~CsvSink() {
  if (finished_) return;
  std::error_code ec;
  for (const auto& [table, partial] : tables_) std::filesystem::remove(partial, ec);
}

void CsvSink::claim(const std::vector<std::string>& tables, const std::vector<KeptFile>& keep,
                    bool force) {
  YL_ASSERT(tables_.empty());
  lock_ = std::make_unique<OutputLock>(folder_ / ".yieldledger-export.lock", folder_.string());
  std::vector<std::string> written = tables;
  written.emplace_back("summary");
  for (const std::string& table : written) {
    remove_stale_partials(path_of(table));
    check_target(
        path_of(table), [&](const std::filesystem::path&) { return made_by_export(table); }, keep,
        force);
  }
}

namespace {

// How the mark names a file as it was written: `INODE SIZE MTIME_NS`; a file replaced or edited
// since has another.
std::string stamp_of(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "";
  return fmt::format(
      "{} {} {}", info.st_ino, info.st_size,
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec);
}

// The mark's lines, `STAMP NAME` (NAME last: it is a table name, with no spaces).
std::vector<std::pair<std::string, std::string>> read_mark(const std::filesystem::path& mark) {
  std::vector<std::pair<std::string, std::string>> lines;
  std::ifstream in(mark);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    lines.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return lines;
}

}  // namespace

bool CsvSink::made_by_export(const std::string& table) const {
  const std::string stamp = stamp_of(path_of(table));
  if (stamp.empty()) return false;
  const auto lines = read_mark(folder_ / kCsvMark);
  return std::find(lines.begin(), lines.end(), std::pair(stamp, table + ".csv")) != lines.end();
}

// The mark lists the files of this export by their partials' stamps (a rename keeps a file's
// inode, size and mtime), and those of earlier ones still in the folder. It is written before the
// partials are renamed into place, so that an export that cannot write it leaves nothing new; an
// earlier export's file about to be replaced stays listed, so that one rename failing halfway
// leaves every file the folder holds still known as the export's.
void CsvSink::write_mark() const {
  std::string text;
  for (const auto& [stamp, name] : read_mark(folder_ / kCsvMark)) {
    const bool current = stamp_of(folder_ / name) == stamp;
    if (!written_now(name) || current) text += fmt::format("{} {}\n", stamp, name);
  }
  for (const auto& [table, partial] : tables_) {
    text += fmt::format("{} {}.csv\n", stamp_of(partial), table);
  }
  write_mark_file(text);
}

void CsvSink::write_mark_file(const std::string& text) const {
  const std::filesystem::path mark = folder_ / kCsvMark;
  const std::filesystem::path partial = partial_path(mark);
  // The errno of the first call that failed (a later call may change errno) says whose fault.
  int error = 0;
  const auto failed = [&error] {
    if (error == 0) error = errno != 0 ? errno : EIO;
  };
  errno = 0;
  const RemovedOnSignal removed(partial, RemovedOnSignal::Kind::file);
  std::FILE* file = std::fopen(partial.c_str(), "wb");
  if (file == nullptr) failed();
  if (file != nullptr && std::fwrite(text.data(), 1, text.size(), file) != text.size()) failed();
  if (file != nullptr && std::fclose(file) != 0) failed();
  std::error_code ec;
  if (error == 0) {
    std::filesystem::rename(partial, mark, ec);
    error = ec.value();
  }
  if (error != 0) {
    std::filesystem::remove(partial, ec);
    throw ExportError(fmt::format("cannot write '{}': {}", mark.string(), std::strerror(error)),
                      error);
  }
}

bool CsvSink::written_now(const std::string& file_name) const {
  return std::any_of(tables_.begin(), tables_.end(),
                     [&](const auto& t) { return t.first + ".csv" == file_name; });
}

// After the renames: an earlier export's table that this one did not write, still as that export
// wrote it, is removed (a folder of `summary.csv` and `accounts.csv` of one ledger beside the
// `events.csv` of another read as one export); a file edited since is the user's, and stays. Then
// the mark lists this export's files alone. Neither step can fail the export: the mark written
// before the renames already names every file the folder holds.
void CsvSink::remove_earlier_tables() const {
  std::string text;
  for (const auto& [table, partial] : tables_) {
    text += fmt::format("{} {}.csv\n", stamp_of(path_of(table)), table);
  }
  for (const auto& [stamp, name] : read_mark(folder_ / kCsvMark)) {
    // One of an export's own file names, never a path nor another name: the mark is a file in
    // the user's folder, and a forged one removed a user's `notes.csv` (helper-70's F12).
    const bool table_file =
        name == "summary.csv" || std::ranges::any_of(kExportTables, [&](const std::string& table) {
          return name == table + ".csv";
        });
    std::error_code ec;
    if (table_file && !written_now(name) && stamp_of(folder_ / name) == stamp) {
      std::filesystem::remove(folder_ / name, ec);
    }
  }
  try {
    write_mark_file(text);
  } catch (const ExportError&) {  // the mark before the renames stays: it names them all
  }
}

std::filesystem::path CsvSink::path_of(const std::string& table) const {
  return folder_ / (table + ".csv");
}

std::unique_ptr<TableWriter> CsvSink::open_table(const TableSpec& spec) {
  YL_ASSERT(!finished_);
  tables_.emplace_back(spec.name, partial_path(path_of(spec.name)));
  removed_.emplace_back(tables_.back().second, RemovedOnSignal::Kind::file);
  std::vector<CellKind> kinds;
  std::vector<std::string> header;
  for (const ColumnSpec& column : spec.columns) {
    kinds.push_back(column.kind);
    header.push_back(column.name);
  }
  auto writer = std::make_unique<CsvTableWriter>(tables_.back().second, path_of(spec.name).string(),
                                                 std::move(kinds));
  writer->row(header);
  return writer;
}

void CsvSink::finish(const std::vector<SummaryRow>& summary, const ChartData&) {
  if (!summary.empty()) {
    // `value` holds numbers and text: a text fact is defused here, a number never is.
    auto writer = open_table({"summary",
                              {{"section"},
                               {"item"},
                               {"asset"},
                               {"value", CellKind::literal},
                               {"value_wei", CellKind::wei}},
                              ""});
    for (const SummaryRow& r : summary) {
      const std::string value = r.kind == CellKind::text ? defuse_formula(r.value) : r.value;
      writer->row({r.section, r.item, r.asset, value, r.value_wei});
    }
    writer->close();
  }
  write_mark();
  const HeldSignals held;  // Ctrl-C acts once the folder holds one export, not two
  for (const auto& [table, partial] : tables_) {
    std::error_code ec;
    std::filesystem::rename(partial, path_of(table), ec);
    if (ec) {
      throw ExportError(fmt::format("cannot write '{}': {}", path_of(table).string(), ec.message()),
                        ec.value());
    }
  }
  remove_earlier_tables();
  created_.keep();
  finished_ = true;
}

}  // namespace yl
