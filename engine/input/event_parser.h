// Turns the events file (SPEC §1.2) into typed events, one row at a time: the header is checked
// once, then each row's fields are checked against its type's rules (which fields it uses, the
// formats of times, names, amounts and enumerations). What depends on state (does the account
// exist? is the balance enough?) is the Ledger's to decide.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "engine/core/event.h"
#include "engine/input/csv_reader.h"
#include "engine/input/first_lines.h"

namespace yl {

// One row as written, kept verbatim for storage, replay and idempotent appends (SPEC §8).
struct RawEvent {
  std::uint64_t line = 0;
  std::string id;  // empty: none
  std::string time, type, account, asset, amount, to, value;
  friend bool operator==(const RawEvent&, const RawEvent&) = default;
};

// Parses one raw row. Throws InputError naming `file_name`, the row's line and its type.
Event parse_event(const RawEvent& raw, const std::string& file_name);

class EventReader {
 public:
  // Reads and checks the header row. Throws InputError (`csv`, line 1) if it is missing or has
  // an unknown, repeated or missing column.
  EventReader(std::istream& in, std::string file_name);

  // The next row, verbatim, into `raw` (its strings' storage reused: a run reads a million
  // rows), or false at the end. Rejects a row with the wrong number of fields or an id repeated
  // within this file.
  bool next_raw(RawEvent& raw);
  // The same, as a new value (nullopt at the end).
  std::optional<RawEvent> next_raw();
  const std::string& file_name() const { return file_name_; }

 private:
  CsvReader csv_;
  std::string file_name_;
  // The index of each column of RawEvent (id, time, type, account, asset, amount, to, value)
  // in the file, found once in the header; -1 for an absent id column.
  std::array<int, 8> columns_{};
  std::size_t column_count_ = 0;
  FirstLines id_lines_;
  CsvFields record_;
};

}  // namespace yl
