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
