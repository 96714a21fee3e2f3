#include "tests/test_util.h"

#include <doctest/doctest.h>

namespace yl::testing {

Amount wei(std::string_view text) {
  auto parsed = Amount::parse_units(text, 0, nullptr);
  REQUIRE(parsed.has_value());
  return *parsed;
}

Amount eth(std::string_view units) {
  auto parsed = Amount::parse_units(units, 18, nullptr);
  REQUIRE(parsed.has_value());
  return *parsed;
}

Timestamp at(std::string_view iso_time) {
  auto parsed = parse_timestamp(iso_time);
  REQUIRE(parsed.has_value());
  return *parsed;
}

LedgerParams basic_params() {
  LedgerParams params;
  params.start = at("2024-03-01T00:00:00Z");
  params.end = at("2024-06-01T00:00:00Z");
  params.report_every_s = 86400;
  return params;
}

void must_apply(Ledger& ledger, const Event& event) {
  auto rejected = ledger.apply(event);
  INFO("event " << event_type_name(event.body)
                << " rejected: " << (rejected ? rejected->reason : std::string()));
  REQUIRE_FALSE(rejected.has_value());
  const auto violation = ledger.audit_invariants();
  INFO("invariant: " << violation.value_or(""));
  REQUIRE_FALSE(violation.has_value());
}

std::string must_reject(Ledger& ledger, const Event& event, RejectCode code) {
  auto rejected = ledger.apply(event);
  REQUIRE(rejected.has_value());
  CHECK(static_cast<int>(rejected->code) == static_cast<int>(code));
  const auto violation = ledger.audit_invariants();
  REQUIRE_FALSE(violation.has_value());
  return rejected->reason;
}

}  // namespace yl::testing

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/audit.h"
#include "engine/input/input_error.h"
#include "engine/storage/database.h"
#include "engine/storage/journal_codec.h"
#include "engine/storage/ledger_store.h"
#include "engine/usage_error.h"

namespace yl::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const auto base = std::filesystem::temp_directory_path();
  root_ =
      (base / ("yl_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++))).string();
  std::filesystem::remove_all(root_);
  std::filesystem::create_directories(root_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

std::string TempDir::path(const std::string& name) const { return root_ + "/" + name; }

std::string TempDir::write(const std::string& name, const std::string& text) const {
  const std::string file = path(name);
  std::ofstream out(file, std::ios::binary);
  out << text;
  REQUIRE(out.good());
  return file;
}

std::string rejection(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "(accepted)";
}

std::string usage_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(accepted)";
}

void write_unchained_appends(const std::string& db_path) {
  storage::Database db(db_path, storage::Database::Mode::read_write_create);
  db.exec("ALTER TABLE appends DROP COLUMN hash");
}

void write_one_journal_table(const std::string& db_path) {
  write_unchained_appends(db_path);
  storage::Database db(db_path, storage::Database::Mode::read_write_create);
  storage::Transaction txn(db);
  db.exec("CREATE TABLE journal_v9 (seq INTEGER PRIMARY KEY, event_seq INTEGER REFERENCES events "
          "(seq), report_seq INTEGER, postings BLOB NOT NULL) STRICT;"
          "INSERT INTO journal_v9 SELECT seq, event_seq, report_seq, postings FROM journal "
          "ORDER BY seq;"
          "DROP VIEW journal; DROP TABLE journal_other;"
          "ALTER TABLE journal_v9 RENAME TO journal;"
          "ALTER TABLE events DROP COLUMN journal_seq; ALTER TABLE events DROP COLUMN postings;");
  txn.commit();
}

void write_hex_hashes(const std::string& db_path) {
  write_one_journal_table(db_path);
  // A plain connection: foreign_keys is off, so `journal` keeps its reference to `events` while
  // that table is replaced.
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &handle) == SQLITE_OK);
  auto exec = [&](const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
    INFO(sql << ": " << (error != nullptr ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
  };
  auto texts = [&](const char* query, const std::string& table) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(handle, query, -1, &s, nullptr) == SQLITE_OK);
    sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::string> values;
    while (sqlite3_step(s) == SQLITE_ROW) {
      values.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    }
    sqlite3_finalize(s);
    return values;
  };
  exec("BEGIN");
  for (const std::string table : {"events", "reports"}) {
    std::string sql = texts("SELECT sql FROM sqlite_schema WHERE name = ?1", table).at(0);
    const std::size_t hash = sql.find("hash ");
    const std::string type = "BLOB NOT NULL";
    const std::size_t end = sql.find(type, hash);
    REQUIRE((hash != std::string::npos && end != std::string::npos));
    sql.replace(hash, end + type.size() - hash, "hash TEXT NOT NULL DEFAULT ''");
    sql.replace(0, std::string("CREATE TABLE " + table).size(), "CREATE TABLE hex_" + table);
    exec(sql);
    std::string columns;
    for (const std::string& name : texts("SELECT name FROM pragma_table_info(?1)", table)) {
      columns += (columns.empty() ? "" : ", ") +
                 (name == "hash" ? std::string("lower(hex(hash))") : "\"" + name + "\"");
    }
    exec(fmt::format("INSERT INTO hex_{0} SELECT {1} FROM {0}", table, columns));
    exec(fmt::format("DROP TABLE {0}; ALTER TABLE hex_{0} RENAME TO {0}", table));
  }
  exec("CREATE UNIQUE INDEX events_by_id ON events (id) WHERE id IS NOT NULL");
  exec("COMMIT");
  sqlite3_close(handle);
}

void write_json_journal(const std::string& db_path) {
  std::vector<std::tuple<std::int64_t, std::string, std::string, std::string>> rows;
  {
    storage::Database current(db_path, storage::Database::Mode::read_only);
    storage::LedgerStore store(current);
    const std::vector<std::string> names = store.journal_account_names();
    auto cursor = store.journal_in_order();
    storage::StoredJournalEntry entry;
    auto seq_text = [](std::optional<std::int64_t> seq) {
      return seq ? std::to_string(*seq) : std::string("NULL");
    };
    while (cursor.next(entry)) {
      const auto postings = storage::read_postings(entry.postings, names);
      REQUIRE(postings);
      std::string json = "[";
      for (const storage::StoredPosting& p : *postings) {
        if (json.size() > 1) json += ',';
        json += fmt::format("[\"{}\",\"{}\",\"{}\",\"{}\",\"{}\"]", p.account, asset_name(p.asset),
                            p.debit ? "D" : "C", p.amount.wei_string(), p.memo);
      }
      rows.emplace_back(entry.seq, seq_text(entry.event_seq), seq_text(entry.report_seq),
                        json + "]");
    }
  }
  write_hex_hashes(db_path);
  storage::Database db(db_path, storage::Database::Mode::read_write_create);
  // The tables as migrations 1-4 left them: events with its column UNIQUE on id (no partial
  // index), the JSON journal, and no drip schedule (migration 6).
  db.exec(
      "ALTER TABLE scenario DROP COLUMN drip_schedule;"
      "DROP TABLE journal; DROP TABLE journal_accounts; DROP TABLE journal_memos;"
      "ALTER TABLE events RENAME TO events_v5; DROP INDEX events_by_id;"
      "CREATE TABLE events (seq INTEGER PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL, "
      "id TEXT UNIQUE, time_s INTEGER NOT NULL, time TEXT NOT NULL, type TEXT NOT NULL, "
      "account TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, \"to\" TEXT NOT NULL, "
      "value TEXT NOT NULL, hash TEXT NOT NULL DEFAULT '') STRICT;"
      "INSERT INTO events SELECT * FROM events_v5; DROP TABLE events_v5;"
      "CREATE TABLE journal (seq INTEGER PRIMARY KEY, event_seq INTEGER REFERENCES events (seq), "
      "report_seq INTEGER, postings TEXT NOT NULL) STRICT;");
  for (const auto& [seq, event_seq, report_seq, json] : rows) {
    db.exec(fmt::format("INSERT INTO journal VALUES ({}, {}, {}, '{}')", seq, event_seq, report_seq,
                        json));
  }
}

void rewrite_journal_row(const std::string& db_path, std::int64_t seq,
                         const std::function<void(std::string&)>& change) {
  storage::Database db(db_path, storage::Database::Mode::read_write_create);
  storage::Statement read = db.prepare("SELECT postings FROM journal WHERE seq = ?1");
  read.bind(1, seq);
  REQUIRE(read.step());
  std::string postings = read.column_blob(0);
  change(postings);
  // Since schema 10 an event's own row is in its events row, any other in journal_other; before
  // it, `journal` was the one table.
  storage::Statement layout =
      db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'journal_other'");
  REQUIRE(layout.step());
  const bool split = layout.column_int(0) == 1;
  const std::vector<const char*> updates =
      split ? std::vector<const char*>{"UPDATE events SET postings = ?1 WHERE journal_seq = ?2",
                                       "UPDATE journal_other SET postings = ?1 WHERE seq = ?2"}
            : std::vector<const char*>{"UPDATE journal SET postings = ?1 WHERE seq = ?2"};
  for (const char* sql : updates) db.prepare(sql).bind_blob(1, postings).bind(2, seq).run();
}

namespace {

// The end of the varint at `pos`.
std::size_t skip_varint(const std::string& postings, std::size_t pos) {
  while (static_cast<unsigned char>(postings.at(pos)) & 0x80) ++pos;
  return pos + 1;
}

}  // namespace

std::vector<std::size_t> record_bounds(const std::string& postings) {
  std::vector<std::size_t> bounds;
  std::size_t pos = 0;
  while (pos < postings.size()) {
    bounds.push_back(pos);
    const bool pair = (static_cast<unsigned char>(postings.at(pos)) & 0x04) != 0;
    pos = skip_varint(postings, pos + 2);        // flags, memo, the account
    if (pair) pos = skip_varint(postings, pos);  // the pair's second account
    pos += 1 + std::size_t{static_cast<unsigned char>(postings.at(pos))};  // length, amount
  }
  REQUIRE(pos == postings.size());
  bounds.push_back(pos);
  return bounds;
}

void unpair_record(std::string& postings, std::size_t start) {
  REQUIRE((static_cast<unsigned char>(postings.at(start)) & 0x04) != 0);
  postings[start] = static_cast<char>(postings[start] & ~0x04);
  const std::size_t second = skip_varint(postings, start + 2);
  postings.erase(second, skip_varint(postings, second) - second);
}

std::string split_pairs(const std::string& postings) {
  const std::vector<std::size_t> bounds = record_bounds(postings);
  std::string out;
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
    const std::string record = postings.substr(bounds[i], bounds[i + 1] - bounds[i]);
    const auto flags = static_cast<unsigned char>(record[0]);
    if ((flags & 0x04) == 0) {
      out += record;
      continue;
    }
    const std::size_t first_end = skip_varint(record, 2);
    const std::size_t second_end = skip_varint(record, first_end);
    const std::string amount = record.substr(second_end);  // its length byte, then its bytes
    out += static_cast<char>(flags & ~0x04);
    out += record.substr(1, first_end - 1) + amount;   // memo, first account
    out += static_cast<char>((flags & ~0x04) ^ 0x01);  // the other side
    out += record[1];
    out += record.substr(first_end, second_end - first_end) + amount;
  }
  return out;
}

std::vector<std::string> journal_row(const std::string& db_path, std::int64_t seq) {
  // Read with SQL alone (not a LedgerStore), so that it reads older schemas too.
  storage::Database db(db_path, storage::Database::Mode::read_only);
  std::vector<std::string> names;
  storage::Statement accounts = db.prepare("SELECT name FROM journal_accounts ORDER BY id");
  while (accounts.step()) names.push_back(accounts.column_text(0));
  storage::Statement read = db.prepare("SELECT postings FROM journal WHERE seq = ?1");
  read.bind(1, seq);
  REQUIRE(read.step());
  const auto postings = storage::read_postings(read.column_blob(0), names);
  REQUIRE(postings);
  std::vector<std::string> lines;
  for (const storage::StoredPosting& p : *postings) {
    lines.push_back(fmt::format("{} {} {} {} {}", p.account, asset_name(p.asset),
                                p.debit ? "D" : "C", p.amount.wei_string(), p.memo));
  }
  return lines;
}

AuditSummary audit_summary(const std::string& db_path) {
  storage::Database db(db_path, storage::Database::Mode::read_only);
  storage::LedgerStore store(db);
  return audit_ledger(store);
}

std::string audit_result(const std::string& db_path) {
  try {
    audit_summary(db_path);
  } catch (const AuditMismatch& error) {
    return error.what();
  }
  return "OK";
}

std::string example_scenario(const std::string& name) {
  return std::string(YL_SOURCE_DIR) + "/examples/" + name + "/scenario.toml";
}

std::string small_scenario_toml(const std::string& events_file) {
  return fmt::format(R"(name = "small"
start = "2024-03-01T00:00:00Z"
end = "2024-03-08T00:00:00Z"
report_every = "1d"
events = "{}"

[ledger]
initial_price = 1_000_000_000

[[source]]
name = "lido"
asset = "ETH"
kind = "staking"
apr_bps = 400
weight_bps = 9000

[[source]]
name = "tbill"
asset = "USDB"
kind = "treasury"
apr_bps = 500
weight_bps = 10000
)",
                     events_file);
}

}  // namespace yl::testing

namespace yl::testing {
namespace {

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string unzip(const std::string& zip, const std::string& member) {
  const std::string command = "unzip -p '" + zip + "' '" + member + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  ::pclose(pipe);
  return text;
}

std::vector<std::string> chart_symbols(const std::string& xlsx) {
  // ST_MarkerStyle of ECMA-376 (part 1, 21.2.3.27): what a chart's <c:symbol val> may be.
  static const std::set<std::string> kSymbols = {"circle", "dash",     "diamond", "dot",
                                                 "none",   "picture",  "plus",    "square",
                                                 "star",   "triangle", "x",       "auto"};
  std::vector<std::string> symbols;
  const std::regex symbol(R"re(<c:symbol val="([^"]*)"/>)re");
  for (int n = 1;; ++n) {
    const std::string chart = unzip(xlsx, "xl/charts/chart" + std::to_string(n) + ".xml");
    if (chart.empty()) break;
    for (auto it = std::sregex_iterator(chart.begin(), chart.end(), symbol);
         it != std::sregex_iterator(); ++it) {
      symbols.push_back(kSymbols.contains((*it)[1]) ? (*it)[1].str() : "invalid:" + (*it)[1].str());
    }
  }
  return symbols;
}

CliResult run_cli(const std::vector<std::string>& args, const std::string& shell_prefix) {
  static std::atomic<int> counter = 0;
  // One stderr file per process and call, so parallel CTest runs never share one.
  const std::string err_file = std::string(YL_TEST_TMP) + "/cli_err_" + std::to_string(::getpid()) +
                               "_" + std::to_string(counter++);
  std::string command = shell_prefix + shell_quote(YL_CLI_PATH);
  for (const std::string& a : args) command += " " + shell_quote(a);
  command += " 2>" + shell_quote(err_file) + " </dev/null";
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = read_file(err_file);
  std::remove(err_file.c_str());
  return result;
}

}  // namespace yl::testing
