// A rejected input (SPEC §1.3): printed as `FILE:LINE: TYPE: reason`, where FILE is the file's
// name as given, TYPE the event type, or `scenario` / `csv` for errors that are not one event's.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace yl {

// `text` with every control character escaped, so that a message stays one line and nothing from
// an input reaches a terminal as a control code: \n, \r and \t, other C0 bytes and DEL as \xHH,
// C1 controls (UTF-8 U+0080 to U+009F) and characters that show as nothing or as a space (U+00A0,
// U+200B, U+FEFF, the direction overrides U+202A-U+202E, ...) as \uHHHH, a byte that is not part
// of valid UTF-8 as \xHH (so the message is valid UTF-8). Idempotent. An HTML page's text
// (`Keep::page_text`) keeps TAB, CR and LF, which HTML allows, and bytes that are not UTF-8 (a
// browser shows each as U+FFFD): the one rule of controls for messages, tables and pages
// (html::html_escape).
enum class Keep { nothing, page_text };
std::string escape_controls(std::string_view text, Keep keep = Keep::nothing);

// `text` as a message quotes it: escape_controls, and past `max_bytes` cut there and followed by
// "... (N bytes in all)" (a hostile input can make a field megabytes long).
std::string bounded(std::string_view text, std::size_t max_bytes = 400);

// `text` as an error message quotes it whole: escape_controls, and past `max_bytes` (and the 40
// bytes the note costs) its middle left out, "... (N bytes left out) ...", so that both a long
// field's start and the reason after it are kept (cutting at the end lost "is repeated (first
// used at line 2)" after a long id).
std::string elided(std::string_view text, std::size_t max_bytes = 400);

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::uint64_t line, std::string type, std::string reason);

  const std::string& file() const { return file_; }
  std::uint64_t line() const { return line_; }
  const std::string& type() const { return type_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::uint64_t line_;
  std::string type_;
  std::string reason_;
};

}  // namespace yl
