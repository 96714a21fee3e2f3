// libxlsxwriter's failures as one message of ours: export's workbook and compare's.
#pragma once

#include <cstdio>
#include <ctime>
#include <string>

#include <xlsxwriter.h>

namespace yl {

// Holds what the process writes on stderr (fd 2) in a temporary file while it lives, so that
// libxlsxwriter's own `[ERROR] ...` lines can be folded into one message of ours (export's and
// compare's workbooks). If the file cannot be made, stderr is left as it is.
class StderrCapture {
 public:
  StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  ~StderrCapture();
  // What was written, one line per line with libxlsxwriter's `[ERROR] ` and
  // `[ERROR][file.c:line]: ` prefixes dropped and
  // the lines joined by "; "; stderr is restored.
  std::string take();

 private:
  void restore();
  std::FILE* file_;
  int saved_ = -1;
};

// Throws ExportError "could not write WHAT: LIBXLSXWRITER'S WORDS (DETAIL)" unless `error` is
// LXW_NO_ERROR.
void check_xlsx(lxw_error error, const std::string& what, const std::string& detail = "");

// 1980-01-01T00:00:00Z, the date libxlsxwriter gives every entry of the ZIP file.
inline constexpr std::time_t kWorkbookTime = 315532800;

// workbook_close(): writes the file, dated kWorkbookTime, and frees `workbook`; a failure throws as
// check_xlsx, with what libxlsxwriter printed on stderr meanwhile as the detail.
void close_workbook(lxw_workbook* workbook, const std::string& what);

}  // namespace yl
