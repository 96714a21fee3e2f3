#pragma once

#include <cstdio>
#include <string>

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

}  // namespace yl
