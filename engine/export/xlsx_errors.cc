#include "engine/export/xlsx_errors.h"

#include <string_view>

#include <fmt/format.h>
#include <unistd.h>

#include "engine/output/export_error.h"

namespace yl {

StderrCapture::StderrCapture() : file_(std::tmpfile()) {
  std::fflush(stderr);
  saved_ = file_ == nullptr ? -1 : ::dup(STDERR_FILENO);
  if (saved_ >= 0) ::dup2(::fileno(file_), STDERR_FILENO);
}

StderrCapture::~StderrCapture() {
  restore();
  if (file_ != nullptr) std::fclose(file_);
}

std::string StderrCapture::take() {
  restore();
  std::string text;
  if (file_ == nullptr) return text;
  std::rewind(file_);
  char line[512];
  while (std::fgets(line, sizeof line, file_) != nullptr) {
    std::string_view piece(line);
    while (!piece.empty() && (piece.back() == '\n' || piece.back() == '\r')) {
      piece.remove_suffix(1);
    }
    // "[ERROR] text" or "[ERROR][src/file.c:123]: text"
    if (piece.starts_with("[ERROR]")) {
      piece.remove_prefix(7);
      if (piece.starts_with('[') && piece.find("]: ") != std::string_view::npos) {
        piece.remove_prefix(piece.find("]: ") + 2);
      }
      while (piece.starts_with(' ')) piece.remove_prefix(1);
    }
    if (piece.empty()) continue;
    if (!text.empty()) text += "; ";
    text += piece;
  }
  return text;
}

void StderrCapture::restore() {
  if (saved_ < 0) return;
  std::fflush(stderr);
  ::dup2(saved_, STDERR_FILENO);
  ::close(saved_);
  saved_ = -1;
}

void check_xlsx(lxw_error error, const std::string& what, const std::string& detail) {
  if (error == LXW_NO_ERROR) return;
  throw ExportError(fmt::format("could not write {}: {}{}", what, lxw_strerror(error),
                                detail.empty() ? "" : " (" + detail + ")"));
}

void close_workbook(lxw_workbook* workbook, const std::string& what) {
  // The document's created and modified times (docProps/core.xml) are the ZIP entries' date,
  // 1980-01-01, not the clock's: the same ledger gives the same bytes whenever it is exported.
  lxw_doc_properties properties{};
  properties.created = kWorkbookTime;
  check_xlsx(workbook_set_properties(workbook, &properties), what);
  StderrCapture said;
  const lxw_error error = workbook_close(workbook);
  check_xlsx(error, what, said.take());
}

}  // namespace yl
