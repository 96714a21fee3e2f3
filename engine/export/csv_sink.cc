#include "engine/export/csv_sink.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/core/assert.h"
#include "engine/export/export_error.h"

namespace yl {
namespace {

// Buffered writing of one file; a failed write or close is an ExportError naming the file.
class CsvTableWriter : public TableWriter {
 public:
  CsvTableWriter(std::filesystem::path path, std::string display, std::size_t columns)
      : path_(std::move(path)), display_(std::move(display)), columns_(columns) {
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
    YL_ASSERT(cells.size() == columns_);
    YL_ASSERT(file_ != nullptr);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i != 0) buffer_ += ',';
      append_csv_field(buffer_, cells[i]);
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
    throw ExportError(fmt::format("{} '{}': {}", what, display_, std::strerror(errno)));
  }

  std::filesystem::path path_;
  std::string display_;
  std::size_t columns_;
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

CsvSink::CsvSink(std::filesystem::path folder) : folder_(std::move(folder)) {
  std::error_code ec;
  std::filesystem::create_directories(folder_, ec);
  if (ec || !std::filesystem::is_directory(folder_, ec)) {
    throw ExportError(fmt::format("cannot create the folder '{}': {}", folder_.string(),
                                  ec ? ec.message() : "a file of that name is in the way"));
  }
}

CsvSink::~CsvSink() {
  if (finished_) return;
  std::error_code ec;
  for (const std::string& table : tables_)
    std::filesystem::remove(partial_path(path_of(table)), ec);
}

std::filesystem::path CsvSink::path_of(const std::string& table) const {
  return folder_ / (table + ".csv");
}

std::unique_ptr<TableWriter> CsvSink::open_table(const TableSpec& spec) {
  YL_ASSERT(!finished_);
  tables_.push_back(spec.name);
  auto writer = std::make_unique<CsvTableWriter>(partial_path(path_of(spec.name)),
                                                 path_of(spec.name).string(), spec.columns.size());
  std::vector<std::string> header;
  for (const ColumnSpec& column : spec.columns) header.push_back(column.name);
  writer->row(header);
  return writer;
}

void CsvSink::finish(const std::vector<SummaryRow>& summary, const ChartData&) {
  if (!summary.empty()) {
    auto writer =
        open_table({"summary", {{"section"}, {"item"}, {"asset"}, {"value"}, {"value_wei"}}, ""});
    for (const SummaryRow& r : summary)
      writer->row({r.section, r.item, r.asset, r.value, r.value_wei});
    writer->close();
  }
  for (const std::string& table : tables_) {
    std::error_code ec;
    std::filesystem::rename(partial_path(path_of(table)), path_of(table), ec);
    if (ec) {
      throw ExportError(
          fmt::format("cannot write '{}': {}", path_of(table).string(), ec.message()));
    }
  }
  finished_ = true;
}

}  // namespace yl
