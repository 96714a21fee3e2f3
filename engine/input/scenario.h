// The scenario file (SPEC §1.1): TOML, strictly checked (unknown keys and tables are errors, every
// number an integer in range), turned into the Ledger's parameters.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/core/ledger.h"

namespace yl {

struct Scenario {
  std::string name;
  LedgerParams params;
  std::string report_every;           // as written, e.g. "1d"
  std::string events_as_written;      // the `events` value, used as FILE in events errors
  std::filesystem::path events_path;  // resolved against the scenario's folder
  std::uint64_t events_line = 1;      // where `events` is, for a missing-file error
  // Where `report_every` is: a scheduled report after the last event that fails (an overflow)
  // is rejected there, the key that scheduled it.
  std::uint64_t report_every_line = 1;
  std::string toml_text;  // verbatim, for storage and replay
};

// The reason a TOML parse error of `text` gives at `line` and `column`, as toml++ words it
// (`description`), except an integer past 64 bits, which toml++ reports without its key and its
// sign ("Error while parsing decimal integer: '9223372036854775809' is not representable in 64
// bits"): named as `'KEY' = VALUE is not a 64-bit integer ...`; and a key given twice, which
// toml++ garbles when it is quoted: `"KEY" is given twice in one table ...`.
std::string toml_reason(std::string_view text, std::uint64_t line, std::uint64_t column,
                        std::string_view description);

// Refuses (InputError of `type` in `file`) TOML text with a line of more than 4096 '.' outside
// strings and comments, before toml++ reads it: toml++ 3.3 reads each part of a dotted key a
// level deeper on the stack, and some 31,000 parts overflowed it (helper-87's F1: a segfault,
// exit 139). A key is one line, so its parts are its line's dots; no key of a scenario or a study
// needs more than a few, and a line of 4096 numbers is more than any sweep lists.
void refuse_deep_keys(std::string_view text, const std::string& file, std::string_view type);

// Parses scenario text. `file_name` is used in errors; `base_dir` resolves a relative `events`.
// Throws InputError (type `scenario`) at the offending line. `must_exist`: the events file is
// checked too, at the `events` line in the file's order of keys (a stored scenario's need not).
enum class EventsFile { unchecked, must_exist };
Scenario parse_scenario(std::string_view toml_text, const std::string& file_name,
                        const std::filesystem::path& base_dir,
                        EventsFile events_file = EventsFile::unchecked);

// Reads and parses a scenario file, and checks that its events file exists.
Scenario load_scenario(const std::string& path_as_given);

}  // namespace yl
