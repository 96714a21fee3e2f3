// Issue #9, the hardening pass: paths that are not plain files, commands running at the same time
// (two real processes), write errors on stdout, control characters, causes named from errno, and
// memory that stays flat however many reports a scenario schedules. Each case failed before it.
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/core/fnv1a.h"
#include "engine/input/input_error.h"
#include "engine/input/input_file.h"
#include "engine/input/removed_on_signal.h"
#include "engine/storage/database.h"
#include "engine/storage/new_database.h"
#include "engine/storage/storage_error.h"
#include "tests/lab_util.h"
#include "tests/test_util.h"

using yl::testing::CliResult;
using yl::testing::read_file;
using yl::testing::TempDir;

namespace {

CliResult cli(const std::vector<std::string>& args) { return yl::testing::run_cli(args); }

std::string quoted(const std::string& text) { return "'" + text + "'"; }
const std::string kCli = quoted(YL_CLI_PATH);

// Runs a bash script; its exit status.
int bash(const std::string& script) {
  const std::string command = "bash -c " + quoted(script);
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// In a forked child: becomes the CLI with `args`.
[[noreturn]] void exec_cli(const std::vector<std::string>& args) {
  std::vector<char*> argv = {const_cast<char*>(YL_CLI_PATH)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(YL_CLI_PATH, argv.data());
  ::_exit(127);
}

// Runs the CLI with `args` in a child process; its exit code and peak resident memory (KiB).
std::pair<int, long> run_measured(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    exec_cli(args);
  }
  int status = 0;
  rusage usage{};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, usage.ru_maxrss};
}

// Runs the CLI with `args`, its stdout a pipe nobody reads any more (`yieldledger journal | head`
// once head has gone), its stderr into `err_path`; its wait status.
int run_into_closed_pipe(const std::vector<std::string>& args, const std::string& err_path) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGPIPE, SIG_DFL);  // as a shell starts it
    ::dup2(fds[1], STDOUT_FILENO);
    std::freopen(err_path.c_str(), "w", stderr);
    exec_cli(args);
  }
  ::close(fds[1]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

// A scenario of `events` rows: alice opens, then deposits 1 ETH per row; with `fail_last`, the
// last row withdraws more than she holds and the run is rejected there.
std::string deposits_scenario(const TempDir& dir, const std::string& name, int events,
                              bool fail_last) {
  std::string csv = "time,type,account,asset,amount,to,value\n"
                    "2024-03-01T00:00:00Z,open,alice,,,,user\n";
  csv.reserve(static_cast<std::size_t>(events) * 48);
  for (int i = 0; i < events; ++i) csv += "2024-03-02T00:00:00Z,deposit,alice,ETH,1,,\n";
  if (fail_last) csv += "2024-03-03T00:00:00Z,withdraw,alice,ETH,99999999,,\n";
  dir.write(name + ".csv", csv);
  return dir.write(name + ".toml", yl::testing::small_scenario_toml(name + ".csv"));
}

// The names of the files in `dir`.
std::set<std::string> file_names(const TempDir& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path(""))) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

bool has_file_starting_with(const TempDir& dir, const std::string& prefix) {
  for (const auto& entry : std::filesystem::directory_iterator(dir.path(""))) {
    if (entry.path().filename().string().starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("Hardening (defect 1): a ledger path must be a real file path") {
  TempDir dir;
  const std::string scenario = yl::testing::example_scenario("quickstart");
  const std::string memory_message =
      "is not a file path: SQLite would read it as an in-memory or URI database and write "
      "nothing to disk; name a file (./";
  struct Case {
    std::string db;
    std::string err;
  };
  const std::vector<Case> cases = {
      {"", "yieldledger: the database path is empty: name a file, such as ledger.db\n"},
      {":memory:", "yieldledger: ':memory:' " + memory_message +
                       ":memory: for a file of that "
                       "name)\n"},
      {"file:u.db?mode=memory", "yieldledger: 'file:u.db?mode=memory' " + memory_message +
                                    "file:u.db?mode=memory for a file of that name)\n"},
      {dir.path("x.db/"), "yieldledger: '" + dir.path("x.db/") +
                              "' ends in '/', so it names a folder, not a ledger file\n"},
      {dir.path(""), "yieldledger: '" + dir.path("") +
                         "' ends in '/', so it names a folder, not a ledger file\n"},
      // SQLite takes them for x.db's log, index or journal (folded in or deleted at x.db's
      // next open): helper-36's F5 lost a results file so.
      {dir.path("x.db-wal"), "yieldledger: '" + dir.path("x.db-wal") +
                                 "' ends in '-wal': SQLite takes a file so named for the "
                                 "write-ahead log of '" +
                                 dir.path("x.db") +
                                 "', and would fold it into that file or delete it; name the "
                                 "ledger file otherwise\n"},
      {dir.path("x.db-shm"), "yieldledger: '" + dir.path("x.db-shm") +
                                 "' ends in '-shm': SQLite takes a file so named for the "
                                 "shared-memory index of '" +
                                 dir.path("x.db") +
                                 "', and would fold it into that file or delete it; name the "
                                 "ledger file otherwise\n"},
      {dir.path("x.db-journal"), "yieldledger: '" + dir.path("x.db-journal") +
                                     "' ends in '-journal': SQLite takes a file so named for the "
                                     "rollback journal of '" +
                                     dir.path("x.db") +
                                     "', and would fold it into that file or delete it; name the "
                                     "ledger file otherwise\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.db);
    const CliResult run = cli({"run", scenario, "--db", c.db});
    CHECK(run.exit_code == 2);
    CHECK(run.err == c.err);
    CHECK(run.out.empty());
    for (const std::string command : {"balances", "audit", "reports"}) {
      const CliResult read = cli({command, "--db", c.db});
      CHECK(read.exit_code == 2);
      CHECK(read.err == c.err);
    }
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("x.db")));
  CHECK(std::filesystem::is_empty(dir.path("")));
  // Where a symlink leads counts (SQLite writes there): a link to x.db-wal made it x.db's log,
  // deleted at x.db's next open. A file named "-journal" alone is no file's journal, in any
  // spelling (it was refused by a path with a folder; helper-37's F2, F3).
  const std::string link = dir.path("link.db");
  std::filesystem::create_symlink("x.db-wal", link);
  const CliResult linked = cli({"run", scenario, "--db", link});
  CHECK(linked.exit_code == 2);
  CHECK(linked.err == "yieldledger: '" + link + "' leads to '" + dir.path("x.db-wal") +
                          "', which ends in '-wal': SQLite takes a file so named for the "
                          "write-ahead log of '" +
                          dir.path("x.db") +
                          "', and would fold it into that file or delete it; name the ledger "
                          "file otherwise\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("x.db-wal")));
  CHECK(cli({"run", scenario, "--db", dir.path("-journal")}).exit_code == 0);
  CHECK(cli({"balances", "--db", dir.path("-journal")}).exit_code == 0);
}

TEST_CASE(
    "Hardening: an input that is the -wal, -shm or -journal of the database written is refused "
    "and kept") {
  // SQLite takes V.db-wal for V.db's log when V.db opens, writes over it and deletes it: `apply
  // --db V.db V.db-wal` lost the events file it was given (helper-88's F3). By identity: a
  // symlink or a hard link to it, a --db symlink to V.db.
  TempDir dir;
  const std::string db = dir.path("V.db");
  const std::string scenario = yl::testing::example_scenario("quickstart");
  REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
  const std::string events =
      "time,type,account,asset,amount,to,value\n2024-03-08T00:00:00Z,deposit,alice,ETH,1,,\n";
  const std::string wal = dir.write("V.db-wal", events);
  const std::string link = dir.path("link.csv");
  std::filesystem::create_symlink("V.db-wal", link);
  const std::string hard = dir.path("hard.csv");
  std::filesystem::create_hard_link(wal, hard);
  const std::string db_link = dir.path("S.db");
  std::filesystem::create_symlink("V.db", db_link);
  const std::string ledger = read_file(db);
  const auto refusal = [](const std::string& input, const std::string& role,
                          const std::string& what, const std::string& database) {
    return "yieldledger: will not read '" + input + "' as " + role + ": it is the " + what +
           " SQLite keeps beside the database '" + database +
           "', and opening that database would take it for its own, write over it and delete "
           "it; give a copy of it under a name of its own (and if it is the database's own " +
           what + ", leave it where it is)\n";
  };
  for (const auto& [input, database] : std::vector<std::pair<std::string, std::string>>{
           {wal, db}, {link, db}, {hard, db}, {wal, db_link}}) {
    CAPTURE(input);
    CAPTURE(database);
    const CliResult apply = cli({"apply", "--db", database, input});
    CHECK(apply.exit_code == 2);
    CHECK(apply.err == refusal(input, "the events file", "write-ahead log", database));
    CHECK(read_file(wal) == events);
    CHECK(read_file(db) == ledger);
  }
  // `run` over the ledger: its scenario, or the events file the scenario names.
  dir.write("events.csv",
            read_file(std::filesystem::path(scenario).replace_filename("events.csv")));
  const std::string journal = dir.write("V.db-journal", read_file(scenario));
  const CliResult run = cli({"run", journal, "--db", db});
  CHECK(run.exit_code == 2);
  CHECK(run.err == refusal(journal, "the scenario", "rollback journal", db));
  const std::string shm = dir.write("V.db-shm", events);
  std::string text = read_file(scenario);
  const std::string quickstart_events = "events = \"events.csv\"";
  REQUIRE(text.find(quickstart_events) != std::string::npos);
  text.replace(text.find(quickstart_events), quickstart_events.size(), "events = \"V.db-shm\"");
  const std::string named = dir.write("s.toml", text);
  const CliResult run_events = cli({"run", named, "--db", db});
  CHECK(run_events.exit_code == 2);
  CHECK(run_events.err == refusal(shm, "the events file", "shared-memory index", db));
  CHECK(read_file(journal) == read_file(scenario));
  CHECK(read_file(shm) == events);
  CHECK(read_file(db) == ledger);
}

TEST_CASE("Hardening: a file of the user's named as a ledger's -wal or -journal is refused, kept") {
  // SQLite takes V.db-wal and V.db-journal beside V.db for its own when V.db opens, and deleted
  // them even from a reader (`balances`); one that does not begin as SQLite's is the user's.
  TempDir dir;
  const std::string db = dir.path("V.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string ledger = read_file(db);
  const std::string events = dir.write("e.csv", "time,type,account,asset,amount,to,value\n");
  for (const auto& [suffix, what] : std::vector<std::pair<std::string, std::string>>{
           {"-wal", "write-ahead log"}, {"-journal", "rollback journal"}}) {
    const std::string notes = dir.write("V.db" + suffix, "my notes\n");
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"balances", "--db", db},
          std::vector<std::string>{"audit", "--db", db},
          std::vector<std::string>{"export", "--db", db, "--out", dir.path("x.xlsx")},
          std::vector<std::string>{"apply", "--db", db, events},
          std::vector<std::string>{"migrate", "--db", db},
          std::vector<std::string>{"run", yl::testing::example_scenario("quickstart"), "--db",
                                   db}}) {
      CAPTURE(command[0]);
      CAPTURE(suffix);
      const CliResult r = cli(command);
      CHECK(r.exit_code == 2);
      CHECK(r.err == "yieldledger: '" + notes + "' beside the database '" + db + "' is not a " +
                         what +
                         " SQLite made (it does not begin as one): SQLite takes a file so named "
                         "for the database's own and would write over it or delete it; move it "
                         "away, then run the command again\n");
      CHECK(read_file(notes) == "my notes\n");
      CHECK(read_file(db) == ledger);
    }
    std::filesystem::remove(notes);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("x.xlsx")));
  // A -shm hard-linked to a file of the user's: SQLite wrote its index into it (helper-89's F5).
  const std::string notes = dir.write("notes.txt", "my notes\n");
  std::filesystem::create_hard_link(notes, db + "-shm");
  const CliResult linked = cli({"balances", "--db", db});
  CHECK(linked.exit_code == 2);
  CHECK(linked.err == "yieldledger: '" + db + "-shm' beside the database '" + db +
                          "' is a hard link (another name of a file that has more than one): "
                          "SQLite takes a file so named for the database's own and would write "
                          "through it or refuse it; if it is the database's own shared-memory "
                          "index, put a copy of the file in its place (cp --remove-destination), "
                          "else move it away, then run the command again\n");
  CHECK(read_file(notes) == "my notes\n");
  std::filesystem::remove(db + "-shm");
  // One that is a symbolic link: SQLite stopped on "too many levels of symbolic links", naming
  // neither file, and left a -wal (helper-89's F9).
  std::filesystem::create_symlink("notes.txt", db + "-shm");
  const CliResult symlinked = cli({"balances", "--db", db});
  CHECK(symlinked.exit_code == 2);
  CHECK(symlinked.err.starts_with("yieldledger: '" + db + "-shm' beside the database '" + db +
                                  "' is a symbolic link: SQLite takes a file so named"));
  CHECK_FALSE(std::filesystem::exists(db + "-wal"));
  std::filesystem::remove(db + "-shm");
  // SQLite's own, empty or as a journal no longer hot begins (a zero byte), are SQLite's to use.
  dir.write("V.db-wal", "");
  dir.write("V.db-journal", std::string(512, '\0'));
  CHECK(cli({"balances", "--db", db}).exit_code == 0);
  // A journal not yet synced begins with 12 zero bytes; one whose first byte alone is zero is
  // not SQLite's (an MP4 file, `00 00 00 18 ftyp`, passed: helper-90's F3). A hot journal begins
  // with the magic (SQLite then finds this one holds nothing to roll back); a -wal cut short
  // within its magic is SQLite's.
  const std::string movie = std::string("\0\0\0\x18", 4) + "ftypmp42";
  dir.write("V.db-journal", movie);
  CHECK(cli({"balances", "--db", db}).exit_code == 2);
  CHECK(read_file(dir.path("V.db-journal")) == movie);
  dir.write("V.db-journal", "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + std::string(504, '\0'));
  dir.write("V.db-wal", "\x37\x7f\x06");
  CHECK(cli({"balances", "--db", db}).exit_code == 0);
  CHECK(yl::testing::audit_result(db) == "OK");
}

TEST_CASE("Hardening: a folder, FIFO or device given as a file is named as such, never waited on") {
  TempDir dir;
  const std::string folder = dir.path("folder");
  std::filesystem::create_directory(folder);
  const std::string fifo = dir.path("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string scenario = yl::testing::example_scenario("quickstart");

  CHECK(cli({"run", scenario, "--db", folder}).err ==
        "yieldledger: '" + folder + "' is a folder, not a ledger file\n");
  CHECK(cli({"balances", "--db", fifo}).err ==
        "yieldledger: '" + fifo + "' is a FIFO (named pipe), not a ledger file\n");
  CHECK(cli({"audit", "--db", "/dev/null"}).err ==
        "yieldledger: '/dev/null' is a device, not a ledger file\n");

  const CliResult run_folder = cli({"run", folder, "--db", dir.path("a.db")});
  CHECK(run_folder.exit_code == 2);
  CHECK(run_folder.err ==
        folder + ":1: scenario: cannot open the scenario file: it is a folder, not a file\n");
  // A FIFO would block a reader until someone writes to it: refused before it is opened.
  CHECK(cli({"run", fifo, "--db", dir.path("a.db")}).err ==
        fifo + ":1: scenario: cannot open the scenario file: it is a FIFO (named pipe), not a "
               "file\n");
  const std::string via_fifo = dir.write("s.toml", yl::testing::small_scenario_toml("fifo"));
  CHECK(cli({"run", via_fifo, "--db", dir.path("a.db")}).err ==
        via_fifo + ":5: scenario: events file 'fifo' is a FIFO (named pipe), not a file\n");
  REQUIRE(cli({"run", scenario, "--db", dir.path("q.db")}).exit_code == 0);
  CHECK(cli({"apply", "--db", dir.path("q.db"), folder}).err ==
        folder + ":1: csv: cannot open the events file: it is a folder, not a file\n");
  CHECK(cli({"apply", "--db", dir.path("q.db"), dir.path("missing.csv")}).err ==
        dir.path("missing.csv") +
            ":1: csv: cannot open the events file: No such file or directory\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("a.db")));
}

TEST_CASE("Hardening: a name too long and too many open files get their own cause") {
  TempDir dir;
  const std::string scenario = yl::testing::example_scenario("quickstart");
  const std::string long_db = dir.path(std::string(300, 'n') + ".db");
  const CliResult too_long = cli({"run", scenario, "--db", long_db});
  CHECK(too_long.exit_code == 2);
  CHECK(too_long.err == "yieldledger: '" + long_db + "' cannot be used: the path is too long\n");
  const std::string long_scenario = dir.path(std::string(300, 's') + ".toml");
  CHECK(cli({"run", long_scenario, "--db", dir.path("x.db")}).err ==
        long_scenario + ":1: scenario: cannot open the scenario file: File name too long\n");

  // EMFILE is a fault of the machine: exit 1, named as such.
  REQUIRE(cli({"run", scenario, "--db", dir.path("q.db")}).exit_code == 0);
  const std::string err = dir.path("err");
  // In the sanitizer build, UBSan's vptr check probes memory through pipe(2), which this limit
  // makes fail: it would report a false "invalid vptr" in CLI11. That check, and only for this
  // process, is suppressed; the plain build ignores the variable.
  const std::string suppressions = dir.write("ubsan.supp", "vptr:*\n");
  // Descriptors the test runner left open would count against the limit: close them first, then
  // open the redirections, and only then lower the limit (ctest keeps more open than doctest).
  const int code =
      bash("for fd in $(ls /proc/$$/fd); do "
           "[ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done; exec >/dev/null 2>" +
           quoted(err) + "; ulimit -n 4; UBSAN_OPTIONS=suppressions=" + quoted(suppressions) +
           " exec " + kCli + " balances --db " + quoted(dir.path("q.db")));
  CHECK(code == 1);
  CHECK(read_file(err) ==
        "yieldledger: cannot open the database '" + dir.path("q.db") + "': Too many open files\n");
}

TEST_CASE("Hardening: an empty file holds no ledger: apply and migrate leave it as it is") {
  TempDir dir;
  const std::string empty = dir.write("e.db", "");
  const std::string events = dir.write("e.csv", "time,type,account,asset,amount,to,value\n");
  const std::string message = "yieldledger: '" + empty +
                              "' holds no ledger (run a scenario into it "
                              "first)\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"apply", "--db", empty, events},
        std::vector<std::string>{"migrate", "--db", empty}}) {
    const CliResult refused = cli(args);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == message);
  }
  CHECK(read_file(empty).empty());
  CHECK_FALSE(std::filesystem::exists(empty + "-wal"));
  // A file that is not a database at all is named in the message.
  const std::string noise = dir.write("noise.db", std::string(4096, 'x'));
  const CliResult damaged = cli({"balances", "--db", noise});
  CHECK(damaged.exit_code == 2);
  const std::string other_kind =
      "' is not an SQLite database (it does not begin with SQLite's header, \"SQLite format 3\"): "
      "another kind of file\n";
  CHECK(damaged.err == "yieldledger: '" + noise + other_kind);
  // As the user gave it: SQLite's own name for it is absolute.
  const std::string relative = std::filesystem::relative(noise).string();
  REQUIRE(relative.starts_with(".."));
  const CliResult named = cli({"audit", "--db", relative});
  CHECK(named.exit_code == 2);
  CHECK(named.err == "yieldledger: '" + relative + other_kind);
  // A file of a few bytes is no more a database (helper-73's R5).
  const std::string short_text = dir.write("short.db", "id,time\n");
  CHECK(cli({"balances", "--db", short_text}).err == "yieldledger: '" + short_text + other_kind);
  // A database whose header is SQLite's but whose pages are not may be truncated or damaged (a
  // text file was said to be that too: helper-70's F7).
  const std::string header =
      dir.write("header.db", std::string("SQLite format 3\0", 16) + std::string(4080, 'x'));
  CHECK(cli({"balances", "--db", header}).err ==
        "yieldledger: '" + header +
            "' is not a usable SQLite database (file is not a database); it may be truncated or "
            "damaged\n");
}

TEST_CASE("Hardening: a ledger whose tables were changed by hand is refused as such, exit 2") {
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "DROP TABLE reports", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const std::string message = "yieldledger: '" + db +
                              "' does not match its schema version (no such table: reports): it "
                              "was changed by hand, or is damaged\n";
  const CliResult balances = cli({"balances", "--db", db});
  CHECK(balances.exit_code == 2);
  CHECK(balances.err == message);
  const std::string before = read_file(db);
  const CliResult migrated = cli({"migrate", "--db", db});  // not "schema version 10 -> 10"
  CHECK(migrated.exit_code == 2);
  CHECK(migrated.err == "yieldledger: '" + db +
                            "' does not match its schema version 11: sqlite_schema: table "
                            "reports, which the schema's migrations create, is not in the "
                            "database (dropped?); it was not migrated\n");
  CHECK(read_file(db) == before);
}

TEST_CASE("Hardening: a ledger holding a trigger added by hand is refused by every writer, kept") {
  // SQLite runs a trigger as a command writes: one that dropped alice's final balances made
  // `apply` exit 0 with her rows gone, and one with RAISE(ABORT, ...) failed every apply with a
  // message of its own (helper-92's F1; its type in capitals, audit did not list it either).
  TempDir dir;
  const std::string db = dir.path("q.db");
  const std::string scenario = yl::testing::example_scenario("quickstart");
  REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle,
                       "CREATE TRIGGER keep_alice BEFORE INSERT ON final_balances WHEN "
                       "NEW.account = 'alice' BEGIN SELECT RAISE(IGNORE); END; PRAGMA "
                       "writable_schema = ON; UPDATE sqlite_schema SET type = 'TRIGGER' WHERE "
                       "name = 'keep_alice'",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const std::string events =
      dir.write("more.csv", "time,type,account,asset,amount,to,value,id\n"
                            "2024-03-08T00:00:00Z,deposit,alice,ETH,1,,,x1\n");
  const std::string message =
      "yieldledger: '" + db +
      "' holds a trigger, 'keep_alice', which yieldledger never makes: it was added by hand, and "
      "SQLite would run it as this command writes (changing or dropping rows, or failing the "
      "write with a message of its own); drop it (`DROP TRIGGER \"keep_alice\"` in sqlite3), "
      "then check the file (`yieldledger audit --db " +
      db + "` for a ledger)\n";
  const std::string before = read_file(db);
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"apply", "--db", db, events},
        std::vector<std::string>{"run", scenario, "--db", db},
        std::vector<std::string>{"migrate", "--db", db}}) {
    INFO(command[0]);
    const CliResult r = cli(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err == message);
    CHECK(read_file(db) == before);
  }
  CHECK(cli({"audit", "--db", db}).exit_code == 3);
}

TEST_CASE("Hardening: a foreign SQLite file is refused and left byte-identical") {
  TempDir dir;
  const std::string other = dir.path("other.db");
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const std::string before = read_file(other);
  REQUIRE(before.size() >= 100);
  CHECK(before[18] == 1);  // a rollback-journal file; WAL would make these bytes 2
  const std::string message = "yieldledger: '" + other + "' is not a yieldledger database\n";
  const CliResult run = cli({"run", yl::testing::example_scenario("quickstart"), "--db", other});
  CHECK(run.exit_code == 2);
  CHECK(run.err == message);
  const std::string events = dir.write("e.csv", "time,type,account,asset,amount,to,value\n");
  CHECK(cli({"apply", "--db", other, events}).err == message);
  CHECK(read_file(other) == before);

  // Its hot journal too (a crashed writer's: the file and journal copied mid-transaction): a
  // reader or apply opening it read-write rolled it back into the file, and removed the journal,
  // before refusing it; opened read-only, it was refused for the journal, not as another
  // application's file. It is read as it stands.
  REQUIRE(sqlite3_open(other.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle,
                       "PRAGMA cache_size = 1; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                       "i + 1 FROM n WHERE i < 3000) INSERT INTO t SELECT i FROM n; BEGIN; "
                       "UPDATE t SET x = x + 1000000",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  const std::string crashed = dir.path("crashed.db");
  std::filesystem::copy_file(other, crashed);
  std::filesystem::copy_file(other + "-journal", crashed + "-journal");
  sqlite3_close(handle);
  const std::string file = read_file(crashed);
  const std::string journal = read_file(crashed + "-journal");
  REQUIRE(journal.size() > 512);
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"balances", "--db", crashed},
        std::vector<std::string>{"audit", "--db", crashed},
        std::vector<std::string>{"apply", "--db", crashed, events},
        // `run` into an existing file opened it for writing first (an empty one it may fill).
        std::vector<std::string>{"run", yl::testing::example_scenario("quickstart"), "--db",
                                 crashed}}) {
    CAPTURE(command[0]);
    const CliResult r = cli(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: '" + crashed + "' is not a yieldledger database\n");
    CHECK(read_file(crashed) == file);
    CHECK(read_file(crashed + "-journal") == journal);
  }
  // A file of another application in WAL mode: read-only, SQLite made a -wal and -shm beside it,
  // and left them.
  const std::string logged = dir.path("wal.db");
  REQUIRE(sqlite3_open(logged.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "PRAGMA journal_mode = WAL; CREATE TABLE t (x)", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  REQUIRE_FALSE(std::filesystem::exists(logged + "-wal"));
  const std::string wal_file = read_file(logged);
  for (const std::string command : {"balances", "journal", "audit"}) {
    CAPTURE(command);
    const CliResult r = cli({command, "--db", logged});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: '" + logged + "' is not a yieldledger database\n");
    CHECK_FALSE(std::filesystem::exists(logged + "-wal"));
    CHECK_FALSE(std::filesystem::exists(logged + "-shm"));
    CHECK(read_file(logged) == wal_file);
  }
}

TEST_CASE("Hardening (defect 4): a failed run never deletes a ledger another process wrote") {
  TempDir dir;
  // Process A creates the file with a long run that fails at its last row; process B starts
  // while A is working and succeeds. The ledger B wrote must survive A's failure.
  const std::string big = deposits_scenario(dir, "big", 150'000, /*fail_last=*/true);
  const std::string small = yl::testing::example_scenario("quickstart");
  const std::string db = dir.path("race.db");
  const std::string script =
      kCli + " run " + quoted(big) + " --db " + quoted(db) + " >" + quoted(dir.path("a.out")) +
      " 2>&1 & a=$!; for i in $(seq 1 2000); do ls " + quoted(dir.path("")) +
      " | grep -q '^race.db' && break; sleep 0.005; done; " + kCli + " run " + quoted(small) +
      " --db " + quoted(db) + " >" + quoted(dir.path("b.out")) + " 2>&1; echo $? >" +
      quoted(dir.path("b.rc")) + "; wait $a; echo $? >" + quoted(dir.path("a.rc"));
  REQUIRE(bash(script) == 0);
  CHECK(read_file(dir.path("a.rc")) == "2\n");
  CHECK(read_file(dir.path("a.out")).find("big.csv:150003: withdraw: insufficient balance") !=
        std::string::npos);
  CHECK(read_file(dir.path("b.rc")) == "0\n");
  CHECK(read_file(dir.path("b.out")).find("ledger written to " + db) != std::string::npos);
  REQUIRE(std::filesystem::exists(db));
  CHECK(yl::testing::audit_result(db) == "OK");
  CHECK(cli({"balances", "--db", db, "--format", "csv"}).out ==
        read_file(std::string(YL_SOURCE_DIR) + "/tests/golden/quickstart/balances.csv"));
  // Nothing of A's is left: no temporary file.
  CHECK_FALSE(has_file_starting_with(dir, "race.db."));
  CHECK_FALSE(std::filesystem::exists(db + "-journal"));
}

TEST_CASE("Hardening: a new ledger, built without a WAL (Mode::build_new), ends in WAL mode") {
  // The temporary is built with its rollback journal in memory and no syncs; once committed it
  // is put in WAL mode like every ledger (file header bytes 18 and 19 are 2 for WAL, 1 for the
  // rollback journal), then fsynced and renamed. Nothing else is left beside it.
  TempDir dir;
  const std::string db = dir.path("new.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", db}).exit_code == 0);
  const std::string header = read_file(db).substr(0, 20);
  CHECK(header.substr(0, 16) == std::string("SQLite format 3\0", 16));
  CHECK(static_cast<int>(header[18]) == 2);
  CHECK(static_cast<int>(header[19]) == 2);
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    CHECK_FALSE(std::filesystem::exists(db + suffix));
  }
  CHECK_FALSE(has_file_starting_with(dir, "new.db."));
  CHECK(yl::testing::audit_result(db) == "OK");
  // A run replacing that ledger in place writes through the WAL, and leaves it in WAL mode.
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  CHECK(static_cast<int>(read_file(db)[18]) == 2);
  CHECK(cli({"balances", "--db", db, "--format", "csv"}).out ==
        read_file(std::string(YL_SOURCE_DIR) + "/tests/golden/quickstart/balances.csv"));
}

TEST_CASE(
    "Hardening: a ledger put in the rollback journal mode by hand is kept so until a commit") {
  // Opening it to write switched it to WAL at once (its header's bytes 18 and 19 rewritten), so an
  // `apply` refused for a bad row changed the file (helper-84's F4). Now the switch follows the
  // first commit.
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(handle);
  const std::string before = read_file(db);
  REQUIRE(static_cast<int>(before[18]) == 1);
  const std::string bad = dir.write("bad.csv", "time,type,account,asset,amount,to,value\n"
                                               "2024-03-09T00:00:00Z,deposit,alice,ETH,1x,,\n");
  const CliResult refused = cli({"apply", "--db", db, bad});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == bad + ":2: deposit: bad amount: '1x' is not a plain decimal number "
                             "(digits, optionally '.' and more digits)\n");
  CHECK(read_file(db) == before);
  CHECK(file_names(dir) == std::set<std::string>{"q.db", "bad.csv"});
  // A commit, then WAL mode, as every ledger has.
  const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value\n"
                                                 "2024-03-08T00:00:00Z,deposit,alice,ETH,1,,\n");
  CHECK(cli({"apply", "--db", db, more}).exit_code == 0);
  CHECK(static_cast<int>(read_file(db)[18]) == 2);
  CHECK(static_cast<int>(read_file(db)[19]) == 2);
  CHECK(yl::testing::audit_result(db) == "OK");
}

TEST_CASE("Hardening: a temporary's process mark is PID@HOST, and only this host's dead are dead") {
  const std::string mark = yl::process_mark();
  const std::string host = mark.substr(mark.find('@') + 1);
  CHECK(mark == std::to_string(::getpid()) + "@" + host);
  // The host name (or its hash), '~', and 8 hex digits of the boot and the PID namespace.
  REQUIRE(host.size() > 9);
  CHECK(host.size() <= 24 + 1 + 8);
  CHECK(host[host.size() - 9] == '~');
  CHECK(host.find_first_not_of("0123456789abcdef", host.size() - 8) == std::string::npos);
  CHECK(host.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~") == std::string::npos);
  CHECK(yl::process_mark() == mark);  // the same for every temporary of the process
  const pid_t ended = ::fork();
  if (ended == 0) ::_exit(0);
  REQUIRE(ended > 0);
  REQUIRE(::waitpid(ended, nullptr, 0) == ended);
  const std::string dead = std::to_string(ended);
  CHECK(yl::is_dead_process_mark(dead + "@" + host));
  CHECK_FALSE(yl::is_dead_process_mark(mark));                     // this process
  CHECK_FALSE(yl::is_dead_process_mark("1@" + host));              // init: alive
  CHECK_FALSE(yl::is_dead_process_mark(dead + "@x" + host));       // another host's
  CHECK_FALSE(yl::is_dead_process_mark(dead));                     // no host: not a mark
  CHECK_FALSE(yl::is_dead_process_mark("0" + dead + "@" + host));  // not as a mark is written
  CHECK_FALSE(yl::is_dead_process_mark("-" + dead + "@" + host));
  CHECK_FALSE(yl::is_dead_process_mark("@" + host));
  CHECK_FALSE(yl::is_dead_process_mark(""));
}

TEST_CASE("Hardening: a new run removes the temporaries of killed runs, never a live one's") {
  TempDir dir;
  const std::string db = dir.path("q.db");
  // A run killed with SIGKILL leaves `q.db.PID@HOST.yl-run.tmp` (its process gone) behind.
  REQUIRE(bash("sleep 0 & echo $! >" + quoted(dir.path("dead.pid")) + "; wait") == 0);
  std::string dead = read_file(dir.path("dead.pid"));
  dead.pop_back();  // the newline
  const std::string host = yl::process_mark().substr(yl::process_mark().find('@'));
  const std::string stale = dir.write("q.db." + dead + host + ".yl-run.tmp", "half a ledger");
  dir.write("q.db." + dead + host + ".yl-run.tmp-wal", "its log");
  // One of a process that is still running (this test's), a file merely named alike, and one of
  // the dead number on another host sharing the folder: a run there, perhaps live (helper-44's
  // F21: it was removed).
  const std::string live = dir.write("q.db." + yl::process_mark() + ".yl-run.tmp", "being written");
  const std::string other = dir.write("q.db.notapid.yl-run.tmp", "someone's");
  const std::string elsewhere = dir.write("q.db." + dead + "@elsewhere.yl-run.tmp", "theirs");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK_FALSE(std::filesystem::exists(stale + "-wal"));
  CHECK(read_file(live) == "being written");
  CHECK(read_file(other) == "someone's");
  CHECK(read_file(elsewhere) == "theirs");
  CHECK(yl::testing::audit_result(db) == "OK");

  // A name of 251 bytes, the most a database's may have (SQLite adds '-wal' and '-shm'): its
  // temporary's is cut short, so it runs, and a killed run's temporary of that name is removed too
  // (helper-49's F8: from 209 bytes, on a host with a long name, the run failed with "the path is
  // too long"). One byte more is refused before anything is made (a ledger was made that no
  // command could open), and so is a short name that leads there.
  const std::string longer = dir.path(std::string(249, 'n') + ".db");
  const CliResult refused_name =
      cli({"run", yl::testing::example_scenario("quickstart"), "--db", longer});
  CHECK(refused_name.exit_code == 2);
  CHECK(refused_name.err == "yieldledger: '" + longer +
                                "' cannot be used: its name is 252 bytes long, and SQLite needs "
                                "room for '-wal' and '-shm' after it: a ledger file's name may "
                                "have at most 251 bytes\n");
  CHECK_FALSE(std::filesystem::exists(longer));
  const std::string link = dir.path("link.db");
  std::filesystem::create_symlink(longer, link);
  CHECK(cli({"run", yl::testing::example_scenario("quickstart"), "--db", link}).err ==
        "yieldledger: '" + link + "' cannot be used: the name of '" + longer +
            "', where it leads, is 252 bytes long, and SQLite needs room for '-wal' and '-shm' "
            "after it: a ledger file's name may have at most 251 bytes\n");
  const std::string long_name = std::string(248, 'n') + ".db";
  const std::string cut =
      std::string(150, 'n') + "~" + fmt::format("{:016x}", yl::fnv1a(long_name));
  const std::string long_stale = dir.write(cut + "." + dead + host + ".yl-run.tmp", "half");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", dir.path(long_name)})
              .exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(long_stale));
  CHECK(yl::testing::audit_result(dir.path(long_name)) == "OK");

  // A log beside a ledger deleted after its run was killed: refused, not folded into the new one.
  const std::string gone = dir.path("gone.db");
  dir.write("gone.db-wal", "a deleted ledger's log");
  const auto refused = cli({"run", yl::testing::example_scenario("quickstart"), "--db", gone});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.starts_with("yieldledger: cannot make '" + gone + "': '" + gone +
                                "-wal' is left beside it"));
  CHECK_FALSE(std::filesystem::exists(gone));
  // Through a symlink to a new file, the log beside that file counts (helper-89's F4: it was
  // taken in); an index left alone is refused too (F8: SQLite wrote over it).
  const std::string to_gone = dir.path("to_gone.db");
  std::filesystem::create_symlink("gone.db", to_gone);
  const auto linked = cli({"run", yl::testing::example_scenario("quickstart"), "--db", to_gone});
  CHECK(linked.exit_code == 2);
  CHECK(linked.err.starts_with("yieldledger: cannot make '" + to_gone + "': '" + gone +
                               "-wal' is left beside it"));
  std::filesystem::remove(gone + "-wal");
  dir.write("gone.db-shm", "an index");
  const auto index = cli({"run", yl::testing::example_scenario("quickstart"), "--db", to_gone});
  CHECK(index.exit_code == 2);
  CHECK(index.err == "yieldledger: cannot make '" + to_gone + "': '" + gone +
                         "-shm' is left beside it from a database of that name that was deleted, "
                         "and SQLite would write over it; remove it, or choose another name\n");
  CHECK(read_file(gone + "-shm") == "an index");
  CHECK_FALSE(std::filesystem::exists(gone));
}

TEST_CASE("Hardening (defect 3): audit reads one snapshot while apply commits") {
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", db}).exit_code == 0);
  // One process applies a day at a time, each apply moving the end a day later; the other
  // audits in a loop meanwhile. Without one read transaction an audit read the events of one
  // commit and the reports or final state of the next, and reported a false mismatch (exit 3).
  std::string applies;
  for (int day = 2; day <= 30; ++day) {
    const std::string time =
        "2024-06-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T00:00:00Z";
    const std::string file =
        dir.write("d" + std::to_string(day) + ".csv",
                  "id,time,type,account,asset,amount,to,value\nd" + std::to_string(day) + "," +
                      time + ",transfer,alice,ETH,0.001,carol,\n");
    applies += kCli + " apply --db " + quoted(db) + " --until " + time + " " + quoted(file) +
               " >/dev/null || echo apply failed >>" + quoted(dir.path("errors")) + "; ";
  }
  const std::string script = "(" + applies + ") & w=$!; n=0; while kill -0 $w 2>/dev/null; do " +
                             kCli + " audit --db " + quoted(db) + " >" +
                             quoted(dir.path("audit.out")) + " 2>&1 || cat " +
                             quoted(dir.path("audit.out")) + " >>" + quoted(dir.path("errors")) +
                             "; n=$((n+1)); done; wait $w; echo $n >" + quoted(dir.path("count"));
  REQUIRE(bash(script) == 0);
  CHECK(read_file(dir.path("errors")) == "");
  CHECK(std::stoi(read_file(dir.path("count"))) >= 1);
  CHECK(cli({"audit", "--db", db}).exit_code == 0);
}

TEST_CASE("Hardening (defect 8): a write error on stdout is exit 1 with one message") {
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string err = dir.path("err");
  for (const std::string command :
       {"balances --format csv", "reports", "audit", "--version", "explain --account alice"}) {
    CAPTURE(command);
    const std::string db_option = command.starts_with("--") ? "" : " --db " + quoted(db);
    CHECK(bash(kCli + " " + command + db_option + " >/dev/full 2>" + quoted(err)) == 1);
    CHECK(read_file(err) ==
          "yieldledger: cannot write to standard output: No space left on device\n");
  }
  // A size limit (40 KiB: room for SQLite's 32 KiB -shm file) cuts the 49,745-byte CSV: the
  // same, not a silent half.
  const std::string big = dir.path("b.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", big}).exit_code == 0);
  CHECK(bash("ulimit -f 40; " + kCli + " reports --format csv --db " + quoted(big) + " >" +
             quoted(dir.path("r.csv")) + " 2>" + quoted(err)) == 1);
  CHECK(read_file(err) == "yieldledger: cannot write to standard output: File too large\n");
}

TEST_CASE("Hardening: a message is at most 8 KiB, its middle left out") {
  // helper-57's F2: a 100,000-byte option value was echoed whole, a 100 KB line.
  const std::string path(100'000, 'c');
  const CliResult r = cli({"balances", "--db", path});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        yl::elided("yieldledger: '" + path + "' cannot be used: the path is too long", 8192 - 48) +
            "\n");
  CHECK(r.err.size() <= 8192 + 1);
  CHECK(r.err.starts_with("yieldledger: 'cccc"));
  CHECK(r.err.find("... (91") != std::string::npos);  // "(91NNN bytes left out)"
  CHECK(r.err.ends_with("cccc' cannot be used: the path is too long\n"));
  // A path of PATH_MAX (4096 bytes) is named whole.
  const CliResult whole = cli({"balances", "--db", std::string(4095, 'd')});
  CHECK(whole.err.find(std::string(4095, 'd')) != std::string::npos);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)  // they reserve terabytes
TEST_CASE("Hardening: out of memory is said so, exit 1, not as an internal error") {
  // helper-57's F5: "internal error: std::bad_alloc". A million users' plans under 150 MB.
  TempDir dir;
  const std::string study =
      dir.write("big.toml", yl::testing::tiny_study("", "users = 30", "users = 1_000_000"));
  const CliResult r = yl::testing::run_cli(
      {"generate", study, "--seed", "1", "--out", dir.path("out")}, "ulimit -v 150000; exec ");
  CHECK(r.exit_code == 1);
  CHECK(r.err == "yieldledger: out of memory (the machine's, or a limit such as ulimit -v)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("out")));
}
#endif

TEST_CASE("Hardening: control characters from inputs are escaped in messages and tables") {
  TempDir dir;
  // A scenario name with a newline, ESC sequences and a C1 control (U+009B, CSI).
  std::string toml = yl::testing::small_scenario_toml();
  toml.replace(toml.find("name = \"small\""), 14,
               "name = \"evil\\n\\u001b[31mred\\r\\u0007\\u009b2J\"");
  const std::string scenario = dir.write("s.toml", toml);
  dir.write("events.csv", "id,time,type,account,asset,amount,to,value\n"
                          "\"a\x1b]0;title\x07\",2024-03-01T00:00:00Z,open,alice,,,,user\n"
                          "\"b\nc\",2024-03-01T00:00:00Z,deposit,alice,ETH,1,,\n"
                          "x\x7f,2024-03-01T00:00:00Z,deposit,alice,ETH,1,,\n");
  const std::string db = dir.path("c.db");
  const CliResult run = cli({"run", scenario, "--db", db});
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.starts_with("ran 'evil\\n\\x1b[31mred\\r\\x07\\u009b2J': 3 events"));
  const CliResult audit = cli({"audit", "--db", db});
  CHECK(audit.out.find("(scenario 'evil\\n\\x1b[31mred\\r\\x07\\u009b2J')\n") != std::string::npos);
  const CliResult explain = cli({"explain", "--db", db, "--account", "alice", "--asset", "ETH"});
  CHECK(explain.exit_code == 0);
  CHECK(explain.out.find("events.csv:2 (seq 1, a\\x1b]0;title\\x07)") != std::string::npos);
  CHECK(explain.out.find("events.csv:3 (seq 2, b\\nc)") != std::string::npos);
  CHECK(explain.out.find("events.csv:5 (seq 3, x\\x7f)") != std::string::npos);
  for (const std::string& text : {run.out, audit.out, explain.out}) {
    for (char c : text) CHECK((c == '\n' || static_cast<unsigned char>(c) >= 0x20));
    CHECK(text.find('\x7f') == std::string::npos);
    CHECK(text.find("\xc2\x9b") == std::string::npos);
  }
  // Bytes that are not UTF-8 (a bare 0x9b is CSI in an 8-bit terminal; an overlong '/'; a cut
  // sequence) as \xHH, valid characters of 2 to 4 bytes as they are (helper-57's F3).
  const CliResult bytes = cli({"balances", "--db",
                               dir.path("a\x9b"
                                        "2J\xff\xc0\xaf\xe2\x82 é€𝄞.db")});
  CHECK(bytes.exit_code == 2);
  CHECK(bytes.err.find("a\\x9b2J\\xff\\xc0\\xaf\\xe2\\x82 é€𝄞.db") != std::string::npos);
  CHECK(yl::escape_controls("\xed\xa0\x80\xf4\x90\x80\x80") ==
        "\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80");  // a surrogate; past U+10FFFF
  CHECK(yl::escape_controls(yl::escape_controls("\x9b\xc2\x9b")) == "\\x9b\\u009b");
  // What shows as nothing or as a space, quoted so (helper-87's F3: "unknown column 'time'" of a
  // second byte order mark); a letter beside them, é, € and 𝄞 stay as they are.
  CHECK(yl::escape_controls(
            "\xef\xbb\xbftime \xe2\x80\x8b\xc2\xa0\xe2\x80\xae\xf3\xa0\x80\x81 é€𝄞") ==
        "\\ufefftime \\u200b\\u00a0\\u202e\\ue0001 é€𝄞");
  CHECK(yl::escape_controls("\xc2\xa0", yl::Keep::page_text) == "\\u00a0");
  // In a message: one line.
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
                          "2024-03-01T00:00:00Z,open,\"al\nice\x1b[2J\",,,,user\n");
  const CliResult rejected = cli({"run", scenario, "--db", dir.path("r.db")});
  CHECK(rejected.exit_code == 2);
  CHECK(rejected.err ==
        "events.csv:2: open: invalid account name 'al\\nice\\x1b[2J' (1-64 of A-Z a-z 0-9 _ . "
        "-)\n");
}

TEST_CASE(
    "Hardening: table cells are capped at 64 characters, amounts never, CSV keeps them whole") {
  TempDir dir;
  const std::string id(1'000'000, 'i');
  dir.write("events.csv", "id,time,type,account,asset,amount,to,value\n" + id +
                              ",2024-03-01T00:00:00Z,open,alice,,,,user\n");
  const std::string db = dir.path("w.db");
  REQUIRE(
      cli({"run", dir.write("s.toml", yl::testing::small_scenario_toml()), "--db", db}).exit_code ==
      0);
  const CliResult table = cli({"explain", "--db", db, "--account", "alice", "--asset", "ETH"});
  CHECK(table.exit_code == 0);
  CHECK(table.out.size() < 4000);
  // 63 characters of "events.csv:2 (seq 1, iii…", then the ellipsis.
  CHECK(table.out.find("events.csv:2 (seq 1, " + std::string(42, 'i') + "\u2026  ") !=
        std::string::npos);
  const CliResult csv =
      cli({"explain", "--db", db, "--account", "alice", "--asset", "ETH", "--format", "csv"});
  CHECK(csv.out.find("events.csv:2 (seq 1, " + id + ")") != std::string::npos);

  // An amount is never cut: 75 characters of balance, in full (it was "…" after 63).
  const std::string huge =
      "12345678901234567890123456789012345678901234567890123456.123456789012345678";
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
                          "2024-03-01T00:00:00Z,open,bob,,,,user\n"
                          "2024-03-01T00:00:00Z,deposit,bob,ETH," +
                              huge + ",,\n");
  const std::string big = dir.path("big.db");
  REQUIRE(cli({"run", dir.path("s.toml"), "--db", big}).exit_code == 0);
  const CliResult balances = cli({"balances", "--db", big, "--at", "2024-03-01T00:00:00Z"});
  CHECK(balances.exit_code == 0);
  CHECK(balances.out.find("  " + huge + "  ") != std::string::npos);
  CHECK(balances.out.find("\u2026") == std::string::npos);
}

TEST_CASE("Hardening: options and times are checked with a precise reason") {
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const CliResult backwards = cli({"explain", "--db", db, "--account", "alice", "--from",
                                   "2024-03-05T00:00:00Z", "--to", "2024-03-02T00:00:00Z"});
  CHECK(backwards.exit_code == 2);
  CHECK(backwards.err ==
        "yieldledger: --from 2024-03-05T00:00:00Z is after --to 2024-03-02T00:00:00Z\n");
  const CliResult version = cli({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == "yieldledger 0.1.0 (SPEC v1.2)\n");
  const CliResult unknown = cli({"frobnicate", "--db", db});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err == "yieldledger: unknown command 'frobnicate'; the commands are: run, apply, "
                       "balances, ledgers, sources, reports, audit, explain, journal, migrate, "
                       "export, compare, generate, sweep, merge\n");
  CHECK(cli({"balances", "--db", db, "--at", "2024-02-30T00:00:00Z"}).err ==
        "yieldledger: --at: bad time '2024-02-30T00:00:00Z': 2024-02-30 is not a calendar date\n");
  CHECK(cli({"ledgers", "--db", db, "--at", "2024-03-01T24:00:00Z"}).err ==
        "yieldledger: --at: bad time '2024-03-01T24:00:00Z': 24:00:00 is not a time of day "
        "(00:00:00 to 23:59:59)\n");

  std::string toml = yl::testing::small_scenario_toml();
  toml.replace(toml.find("start = \"2024-03-01T00:00:00Z\""), 30, "start = 2024-03-01T00:00:00Z");
  const std::string native = dir.write("native.toml", toml);
  CHECK(cli({"run", native, "--db", dir.path("n.db")}).err ==
        native + ":2: scenario: 'start' is a TOML date-time; write it as a quoted string, like "
                 "start = \"2024-03-01T00:00:00Z\"\n");
  toml = yl::testing::small_scenario_toml();
  toml.replace(toml.find("2024-03-08T00:00:00Z"), 20, "2023-02-29T00:00:00Z");
  const std::string leap = dir.write("leap.toml", toml);
  CHECK(cli({"run", leap, "--db", dir.path("n.db")}).err ==
        leap + ":3: scenario: 'end': bad time '2023-02-29T00:00:00Z': 2023-02-29 is not a "
               "calendar date\n");
  const std::string huge =
      dir.write("huge.toml", yl::testing::small_scenario_toml() + std::string(2'000'000, '#'));
  CHECK(cli({"run", huge, "--db", dir.path("n.db")}).err ==
        huge + ":1: scenario: the file is 2000339 bytes, more than the 1 MiB (1048576 bytes) a "
               "scenario may have\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("n.db")));
}

TEST_CASE("Hardening: many scheduled reports: refused past the limit, memory flat below it") {
  TempDir dir;
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
                          "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                          "2024-03-01T00:00:00Z,deposit,alice,ETH,10,,\n"
                          "2024-03-01T12:00:00Z,deposit,alice,USDB,10,,\n");
  std::string toml = yl::testing::small_scenario_toml();
  toml.replace(toml.find("report_every = \"1d\""), 19, "report_every = \"1s\"");
  toml.replace(toml.find("2024-03-08T00:00:00Z"), 20, "2025-03-01T00:00:00Z");
  const std::string year = dir.write("year.toml", toml);
  const CliResult refused = cli({"run", year, "--db", dir.path("y.db")});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == year + ":4: scenario: report_every = \"1s\" would run 31536000 scheduled "
                              "reports (one every 1 s from 2024-03-01T00:00:00Z to "
                              "2025-03-01T00:00:00Z), more than the limit of 1000000; report less "
                              "often, or raise the limit with --max-reports N\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("y.db")));
  // The limit is the caller's to move: quickstart has 7 report times.
  const std::string quickstart = yl::testing::example_scenario("quickstart");
  CHECK(cli({"run", quickstart, "--db", dir.path("q.db"), "--max-reports", "6"}).err ==
        quickstart +
            ":7: scenario: report_every = \"1d\" would run 7 scheduled reports (one every "
            "86400 s from 2024-03-01T00:00:00Z to 2024-03-08T00:00:00Z), more than the limit of 6; "
            "report less often, or raise the limit with --max-reports N\n");
  CHECK(cli({"run", quickstart, "--db", dir.path("q.db"), "--max-reports", "7"}).exit_code == 0);
  for (const char* bad : {"0", "-1", "1.5", "9223372036854775808"}) {
    const CliResult rejected =
        cli({"run", quickstart, "--db", dir.path("z.db"), "--max-reports", bad});
    CHECK(rejected.exit_code == 2);
    CHECK(rejected.err == "yieldledger: --max-reports: '" + std::string(bad) +
                              "' is not an integer from 1 to 9223372036854775807\nRun with "
                              "--help for more information.\n");
  }

  // 86,400 report times (172,800 asset reports) in one day, most between two events.
  toml.replace(toml.find("2025-03-01T00:00:00Z"), 20, "2024-03-02T00:00:00Z");
  const std::string day = dir.write("day.toml", toml);
  const auto [code, rss_kib] = run_measured({"run", day, "--db", dir.path("d.db")});
  CHECK(code == 0);
#ifndef __SANITIZE_ADDRESS__
  // 82 MB, most of it SQLite's 64 MiB page cache; 209 MB when every report between the last
  // event and the end stayed in memory until the end (and more for a longer run).
  CHECK(rss_kib < 128 * 1024);
#endif
  CHECK(yl::testing::audit_result(dir.path("d.db")) == "OK");

  const CliResult early = cli({"apply", "--db", dir.path("d.db"), "--until", "2024-03-01T12:00:00Z",
                               dir.path("events.csv")});
  CHECK(early.exit_code == 2);
  CHECK(early.err == "yieldledger: --until 2024-03-01T12:00:00Z is before the ledger's end "
                     "2024-03-02T00:00:00Z\n");
  // An --until at the ledger's end runs no new report: the 86,400 already run are not counted.
  const std::string none = dir.write("none.csv", "time,type,account,asset,amount,to,value\n");
  const CliResult at_end = cli({"apply", "--db", dir.path("d.db"), "--until",
                                "2024-03-02T00:00:00Z", "--max-reports", "1", none});
  CHECK(at_end.exit_code == 0);
  CHECK(at_end.err == "");
  const CliResult until = cli({"apply", "--db", dir.path("d.db"), "--until", "9999-12-31T23:59:59Z",
                               dir.path("events.csv")});
  CHECK(until.exit_code == 2);
  CHECK(until.err == "yieldledger: --until 9999-12-31T23:59:59Z would run 251693049599 "
                     "scheduled reports (one every 1 s from 2024-03-01T00:00:00Z to "
                     "9999-12-31T23:59:59Z), more than the limit of 1000000; report less often, "
                     "or raise the limit with --max-reports N\n");
}

namespace {

// What runs a command as the user nobody (no root rights); nobody_can_run() says whether it can
// run the binary here, and notes the skip when not.
const std::string kAsNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
bool nobody_can_run() {
  if (bash(kAsNobody + kCli + " --version >/dev/null 2>&1") == 0) return true;
  MESSAGE("skipped: the user nobody cannot run the binary here");
  return false;
}

}  // namespace

TEST_CASE("Hardening: no permission (EACCES) is named as such, for a user without root's rights") {
  TempDir dir;
  const std::string nobody = kAsNobody;
  if (!nobody_can_run()) return;
  const std::string scenario = yl::testing::example_scenario("quickstart");
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
  REQUIRE(::chmod(db.c_str(), 0600) == 0);
  const std::string err = dir.path("err");  // opened by the root shell, before setpriv
  CHECK(bash(nobody + kCli + " balances --db " + quoted(db) + " >/dev/null 2>" + quoted(err)) == 2);
  CHECK(read_file(err) ==
        "yieldledger: cannot open the database '" + db + "': permission denied\n");
  // The folder is root's (0755): nobody cannot make a new ledger in it.
  const std::string fresh = dir.path("new.db");
  CHECK(bash(nobody + kCli + " run " + quoted(scenario) + " --db " + quoted(fresh) +
             " >/dev/null 2>" + quoted(err)) == 2);
  CHECK(read_file(err) ==
        "yieldledger: cannot open the database '" + fresh + "': permission denied\n");
  const std::string locked = dir.write("s.toml", yl::testing::small_scenario_toml());
  REQUIRE(::chmod(locked.c_str(), 0600) == 0);
  CHECK(bash(nobody + kCli + " run " + quoted(locked) + " --db " + quoted(fresh) +
             " >/dev/null 2>" + quoted(err)) == 2);
  CHECK(read_file(err) == locked + ":1: scenario: cannot open the scenario file: Permission "
                                   "denied\n");
  CHECK_FALSE(std::filesystem::exists(fresh));
}

TEST_CASE("Hardening: a writer that cannot write the ledger's folder or file names which") {
  // SQLite's "attempt to write a readonly database" came out as "the database cannot be written
  // (read-only file or folder)", naming no file (helper-36's F4, for sweep and merge too).
  TempDir dir;
  const std::string nobody = kAsNobody;
  if (!nobody_can_run()) return;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string events = dir.write("e.csv", "time,type,account,asset,amount,to,value\n");
  REQUIRE(::chmod(events.c_str(), 0644) == 0);
  REQUIRE(::chown(db.c_str(), 65534, 65534) == 0);  // nobody's file, in root's folder (0755)
  const std::string whole = read_file(db);
  TempDir errors;
  const std::string err = errors.path("err");  // opened by the root shell, before setpriv
  for (const std::string& command :
       {" apply --db " + quoted(db) + " " + quoted(events), " migrate --db " + quoted(db)}) {
    CAPTURE(command);
    CHECK(bash(nobody + kCli + command + " >/dev/null 2>" + quoted(err)) == 2);
    CHECK(read_file(err) == "yieldledger: '" + db +
                                "' cannot be written: this user cannot write its folder, where "
                                "SQLite makes the '-wal' and '-shm' files a writer needs beside "
                                "it\n");
  }
  CHECK(read_file(db) == whole);
  CHECK(file_names(dir) == std::set<std::string>{"q.db", "e.csv"});
}

TEST_CASE("Hardening: a reader who cannot write the ledger's folder sees the log's commits too") {
  TempDir dir;
  const std::string nobody = kAsNobody;
  if (!nobody_can_run()) return;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  REQUIRE(::chmod(db.c_str(), 0644) == 0);
  const std::string out = dir.path("out");  // opened by the root shell, before setpriv
  const std::string err = dir.path("err");
  auto balances_as_nobody = [&] {
    return bash(nobody + kCli + " balances --db " + quoted(db) + " --format csv >" + quoted(out) +
                " 2>" + quoted(err));
  };
  REQUIRE(balances_as_nobody() == 0);
  const std::string before = read_file(out);
  {
    // Another reader keeps the log: the apply's commit stays in q.db-wal, not in q.db.
    yl::storage::Database holder(db, yl::storage::Database::Mode::read_only);
    const yl::storage::ReadTransaction held(holder);
    const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value,id\n"
                                                   "2024-03-09T00:00:00Z,deposit,bob,ETH,7,,,m1\n");
    REQUIRE(cli({"apply", "--db", db, more, "--until", "2024-03-10T00:00:00Z"}).exit_code == 0);
    REQUIRE(std::filesystem::file_size(db + "-wal") > 0);
    const CliResult root = cli({"balances", "--db", db, "--format", "csv"});
    REQUIRE(root.exit_code == 0);
    REQUIRE(root.out != before);
    // Read as immutable, the file alone gave the ledger before the apply, without a word.
    CHECK(balances_as_nobody() == 0);
    CHECK(read_file(out) == root.out);
    // Without the -shm file (which nobody cannot create there) the log cannot be read: said so.
    std::filesystem::remove(db + "-shm");
    CHECK(balances_as_nobody() == 2);
    CHECK(read_file(err) == "yieldledger: cannot read '" + db + "': its write-ahead log '" + db +
                                "-wal' has commits that are not in the file, and reading them "
                                "needs a '" +
                                db +
                                "-shm' file, which this user cannot create in that folder; "
                                "`yieldledger migrate --db " +
                                db +
                                "`, run by a user who can write the folder, folds them into the "
                                "file\n");
  }
  REQUIRE(cli({"migrate", "--db", db}).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(db + "-wal"));
  CHECK(balances_as_nobody() == 0);
  CHECK(read_file(out) == cli({"balances", "--db", db, "--format", "csv"}).out);
}

TEST_CASE("Hardening: a reader through a symlink looks at the folder the link leads to") {
  // SQLite keeps the -wal and -shm beside the file a link leads to: a link in a folder nobody
  // may write, to a ledger in root's folder, was opened as a writable folder's ledger and
  // refused ("the database cannot be written"), though the ledger itself could be read.
  TempDir dir, links;
  const std::string nobody = kAsNobody;
  if (!nobody_can_run()) return;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  REQUIRE(::chmod(db.c_str(), 0644) == 0);
  REQUIRE(::chmod(links.path("").c_str(), 0777) == 0);
  const std::string link = links.path("q.db");
  std::filesystem::create_symlink(db, link);
  const std::string out = links.path("out");  // opened by the root shell, before setpriv
  const std::string err = links.path("err");
  CHECK(bash(nobody + kCli + " balances --db " + quoted(link) + " --format csv >" + quoted(out) +
             " 2>" + quoted(err)) == 0);
  CHECK(read_file(err) == "");
  CHECK(read_file(out) == cli({"balances", "--db", db, "--format", "csv"}).out);
  CHECK_FALSE(std::filesystem::exists(db + "-shm"));
}

TEST_CASE("Hardening: a symlink to nothing is named as such") {
  TempDir dir;
  const std::string link = dir.path("q.db");
  std::filesystem::create_symlink("gone.db", link);
  const std::string events = dir.write("e.csv", "time,type,account,asset,amount,to,value\n");
  // The readers, apply and migrate alike (storage::require_existing_ledger; apply and migrate said
  // only "not found").
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"balances", "--db", link},
        std::vector<std::string>{"apply", "--db", link, events},
        std::vector<std::string>{"migrate", "--db", link}}) {
    CAPTURE(command[0]);
    const CliResult r = cli(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: database '" + link +
                       "' not found: it is a symbolic link to 'gone.db', which does not exist\n");
    CHECK(file_names(dir) == std::set<std::string>{"q.db", "e.csv"});
  }
}

TEST_CASE("Hardening: a reader who cannot write the ledger makes nothing beside it") {
  // A read-only connection made the -wal and -shm as the reader's own files, which the ledger's
  // owner could not write: in a folder both may write, the owner's next `apply` failed ("the
  // database cannot be written") until someone removed them.
  TempDir dir, logs, crashed;
  const std::string nobody = kAsNobody;
  if (!nobody_can_run()) return;
  const std::string owner = "setpriv --reuid=1001 --regid=1001 --clear-groups ";
  REQUIRE(::chmod(dir.path("").c_str(), 0777) == 0);
  const std::string db = dir.path("q.db");
  const std::string err = logs.path("err");  // opened by the root shell, before setpriv
  REQUIRE(bash(owner + kCli + " run " + quoted(yl::testing::example_scenario("quickstart")) +
               " --db " + quoted(db) + " >/dev/null 2>" + quoted(err)) == 0);
  REQUIRE(::chmod(db.c_str(), 0644) == 0);
  const std::string out = logs.path("out");
  const auto read_as_nobody = [&](const std::string& ledger) {
    return bash(nobody + kCli + " balances --db " + quoted(ledger) + " --format csv >" +
                quoted(out) + " 2>" + quoted(err));
  };
  const std::string as_root = cli({"balances", "--db", db, "--format", "csv"}).out;
  CHECK(read_as_nobody(db) == 0);
  CHECK(read_file(err) == "");
  CHECK(read_file(out) == as_root);
  CHECK(file_names(dir) == std::set<std::string>{"q.db"});
  const std::string more = logs.write("more.csv", "time,type,account,asset,amount,to,value,id\n"
                                                  "2024-03-09T00:00:00Z,deposit,bob,ETH,7,,,m1\n");
  CHECK(bash(owner + kCli + " apply --db " + quoted(db) + " " + quoted(more) +
             " --until 2024-03-10T00:00:00Z >/dev/null 2>" + quoted(err)) == 0);
  CHECK(read_file(err) == "");
  // A log with commits and no -shm (a writer's, copied while a reader kept it from the file):
  // reading it needs a -shm, which this reader does not make; said so, nothing made.
  REQUIRE(::chmod(crashed.path("").c_str(), 0777) == 0);
  const std::string copy = crashed.path("q.db");
  {
    yl::storage::Database holder(db, yl::storage::Database::Mode::read_only);
    const yl::storage::ReadTransaction held(holder);
    const std::string later =
        logs.write("later.csv", "time,type,account,asset,amount,to,value,id\n"
                                "2024-03-11T00:00:00Z,deposit,bob,ETH,5,,,m2\n");
    REQUIRE(cli({"apply", "--db", db, later, "--until", "2024-03-12T00:00:00Z"}).exit_code == 0);
    REQUIRE(std::filesystem::file_size(db + "-wal") > 0);
    std::filesystem::copy_file(db, copy);
    std::filesystem::copy_file(db + "-wal", copy + "-wal");
  }
  REQUIRE(::chmod(copy.c_str(), 0644) == 0);
  CHECK(read_as_nobody(copy) == 2);
  CHECK(read_file(err) ==
        "yieldledger: cannot read '" + copy + "': its write-ahead log '" + copy +
            "-wal' has commits that are not in the file, and reading them needs a '" + copy +
            "-shm' file, which a user who cannot write the file does not make (its owner could "
            "not write to it); `yieldledger migrate --db " +
            copy + "`, run by a user who can write the file, folds them into the file\n");
  CHECK(file_names(crashed) == std::set<std::string>{"q.db", "q.db-wal"});
  REQUIRE(cli({"migrate", "--db", copy}).exit_code == 0);
  CHECK(read_as_nobody(copy) == 0);
  CHECK(read_file(out) == cli({"balances", "--db", db, "--format", "csv"}).out);
  CHECK(file_names(crashed) == std::set<std::string>{"q.db"});
}

TEST_CASE("Hardening: a ReadTransaction sees one snapshot while another connection commits") {
  TempDir dir;
  const std::string path = dir.path("s.db");
  using yl::storage::Database;
  Database writer(path, Database::Mode::read_write_create);
  writer.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  Database reader(path, Database::Mode::read_only);
  auto count = [&] {
    yl::storage::Statement s = reader.prepare("SELECT count(*) FROM t");
    REQUIRE(s.step());
    return s.column_int(0);
  };
  {
    const yl::storage::ReadTransaction snapshot(reader);
    writer.exec("INSERT INTO t VALUES (2)");  // committed while the snapshot is open
    CHECK(count() == 1);
  }
  CHECK(count() == 2);  // a new read sees the commit
}

TEST_CASE("Hardening: reports and export refuse a hand-edited reports row, exit 2, never abort") {
  // An unchecked parse aborted (an assertion, exit 134) or printed garbage with exit 0; a cell
  // edited into a spreadsheet formula went into `reports --format csv` and export's CSV as it was.
  TempDir dir;
  const std::string db = dir.path("r.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", db}).exit_code == 0);
  const auto edited = [&](const char* name, const char* sql) {
    const std::string copy = dir.path(name);
    std::filesystem::copy_file(db, copy);
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(copy.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    return copy;
  };
  const auto refused = [](const std::string& message) {
    return "yieldledger: reports, report 3 (ETH): " + message +
           ", which no report stores: the ledger was changed by hand, or is damaged\n";
  };
  const std::string x = edited("x.db", "UPDATE reports SET debt_before_wei = 'x' WHERE seq = 3");
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"reports", "--db", x, "--verbose", "--format", "csv"},
        std::vector<std::string>{"reports", "--db", x},
        std::vector<std::string>{"export", "--db", x, "--out", dir.path("x-export")},
        std::vector<std::string>{"export", "--db", x, "--out", dir.path("x.xlsx")}}) {
    CAPTURE(command[0]);
    const CliResult r = cli(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err == refused("debt_before_wei holds 'x'"));
    CHECK(r.out.empty());  // CSV printed the rows before report 3 first
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("x.xlsx")));
  const struct {
    const char* sql;
    std::string message;
  } cells[] = {
      {"UPDATE reports SET fee_wei = '=HYPERLINK(\"http://e\")' WHERE seq = 3",
       "fee_wei holds '=HYPERLINK(\"http://e\")'"},
      {"UPDATE reports SET yield_wei = '-1x' WHERE seq = 3", "yield_wei holds '-1x'"},
      {"UPDATE reports SET fee_wei = '-1' WHERE seq = 3", "fee_wei holds '-1'"},
      {"UPDATE reports SET price_after = '1e9' WHERE seq = 3", "price_after holds '1e9'"},
      {"UPDATE reports SET cover_wei = '' WHERE seq = 3", "cover_wei holds ''"},
      {"UPDATE reports SET source = '+lido' WHERE seq = 3", "source holds '+lido'"},
  };
  int n = 0;
  for (const auto& cell : cells) {
    CAPTURE(cell.sql);
    const std::string copy = edited(fmt::format("c{}.db", n++).c_str(), cell.sql);
    const CliResult r = cli({"reports", "--db", copy, "--format", "csv"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == refused(cell.message));
    CHECK(r.out.empty());
  }
  // The journal's account names, which `journal` and export print.
  const std::string named =
      edited("n.db", "UPDATE journal_accounts SET name = '=HYPERLINK(\"http://e\")' WHERE id = 2");
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"journal", "--db", named, "--format", "csv"},
        std::vector<std::string>{"export", "--db", named, "--out", dir.path("n-export")}}) {
    CAPTURE(command[0]);
    const CliResult r = cli(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: journal_accounts: id 2 holds the name '=HYPERLINK(\"http://e\")', "
                   "which no ledger stores (run `yieldledger audit`)\n");
  }
  // A damaged entry well into the journal: no row before it is printed, in CSV as in a table.
  const std::string damaged =
      edited("j.db", "UPDATE events SET postings = X'0800010101' WHERE journal_seq = 7");
  for (const char* format : {"csv", "table"}) {
    CAPTURE(format);
    const CliResult r = cli({"journal", "--db", damaged, "--format", format});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: journal entry 7 is malformed (run `yieldledger audit`)\n");
    CHECK(r.out.empty());
  }
  // The final state's names, which `balances` and `sources` print.
  for (const auto& [sql, command, message] :
       std::vector<std::tuple<const char*, const char*, std::string>>{
           {"UPDATE final_balances SET account = '=HYPERLINK(\"http://e\")' WHERE ord = 3",
            "balances", "final_balances.account holds '=HYPERLINK(\"http://e\")'"},
           {"UPDATE final_sources SET source = '@lido' WHERE ord = 1", "sources",
            "final_sources.source holds '@lido'"}}) {
    CAPTURE(sql);
    const CliResult r = cli({command, "--db", edited("f.db", sql), "--format", "csv"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: " + message +
                       ", which no ledger stores: the ledger was changed by hand, or is damaged\n");
    std::filesystem::remove(dir.path("f.db"));
  }
  const std::string z = edited("z.db", "UPDATE reports SET pending_after_wei = '0' WHERE seq = 3");
  const CliResult zero = cli({"reports", "--db", z, "--verbose", "--format", "csv"});
  CHECK(zero.exit_code == 2);
  CHECK(zero.err == "yieldledger: the report of ETH at 2024-03-03T00:00:00Z: its pending_after_wei "
                    "0 and its journal entry do not add up to a pending before it: the ledger was "
                    "changed by hand, or is damaged (`yieldledger audit` names the row)\n");
}

TEST_CASE("Hardening: a stored ledger edited to replay without end is refused, exit 2") {
  // An event's amount edited to 2^256 - 1 wei: its first scheduled report overflows on replay and
  // stays due after its rollback, so `balances --at`, `explain` and `export` asked for it again
  // and again, forever. report_every edited from 1d to 1s and the end a century on: a replay ran
  // 3 billion reports.
  const std::string every_second =
      "UPDATE scenario SET toml = replace(replace(toml, 'report_every = \"1d\"', "
      "'report_every = \"1s\"'), 'end = \"2024-03-08', 'end = \"2124-03-08'), "
      "end_time = '2124-03-08T00:00:00Z', report_every = '1s'";
  const std::string too_many_times =
      "stored scenario: it makes 3156278400 scheduled report times (one every 1 s from "
      "2024-03-01T00:00:00Z to 2124-03-08T00:00:00Z), but the ledger stores 14 report rows: the "
      "ledger was changed by hand, or is damaged";
  const struct {
    const char* name;
    std::string sql;
    std::string message;
  } edits[] = {
      {"an amount of 2^256 - 1 wei",
       "UPDATE events SET amount = '115792089237316195423570985008687907853269984665640564039457."
       "584007913129639935' WHERE seq = 4 AND type = 'deposit'",
       "stored ledger no longer replays: overflow in the scheduled report at "
       "2024-03-02T00:00:00Z: overflow: result would not fit in 256 bits (run `yieldledger "
       "audit`)"},
      {"a report every second for a century", every_second,
       too_many_times + " (run `yieldledger audit`)"},
      // The same with the last report's seq edited past the count (the check read max(seq)).
      {"a report every second, the last report's seq a billion on",
       every_second + "; UPDATE reports SET seq = 7000000000 WHERE seq = 14",
       too_many_times + " (run `yieldledger audit`)"},
      // An end apply --until never wrote: the ledger's Ledger asserted start <= end (exit 134).
      {"an extended end before the start",
       "UPDATE scenario SET end_extended = '2020-01-01T00:00:00Z'",
       "stored scenario: end_extended 2020-01-01T00:00:00Z is before the scenario's end "
       "2024-03-08T00:00:00Z, which `apply --until` only moves later: the ledger was changed by "
       "hand, or is damaged (run `yieldledger audit`)"},
      // A row that no longer parses was said as an error of the events file of its name
      // (helper-84's F1: `apply --db L more.csv` blamed 'events.csv:13', a file not given).
      {"a type no event has", "UPDATE events SET type = 'teleport' WHERE seq = 4",
       "stored event events.csv:5 no longer parses: csv: unknown event type 'teleport' (run "
       "`yieldledger audit`)"},
  };
  const auto change = [](const std::string& db, const std::string& sql) {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_changes(handle) == 1);
    sqlite3_close(handle);
  };
  for (const auto& edit : edits) {
    CAPTURE(edit.name);
    TempDir dir;
    const std::string db = dir.path("q.db");
    REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
    change(db, edit.sql);
    const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value\n"
                                                   "2024-03-07T18:00:00Z,deposit,alice,ETH,1,,\n");
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"balances", "--db", db, "--at", "2024-03-05T00:00:00Z"},
          std::vector<std::string>{"apply", "--db", db, more},
          std::vector<std::string>{"explain", "--db", db, "--account", "alice"},
          // Past the report, it was blamed on the event after it ("stored event events.csv:9 no
          // longer applies: overflow in the scheduled report at 2024-03-02T00:00:00Z...").
          std::vector<std::string>{"explain", "--db", db, "--account", "alice", "--from",
                                   "2024-03-05T00:00:00Z"},
          std::vector<std::string>{"export", "--db", db, "--out", dir.path("ex")},
          std::vector<std::string>{"export", "--db", db, "--out", dir.path("ex.xlsx")}}) {
      CAPTURE(command[0]);
      const CliResult r = cli(command);
      CHECK(r.exit_code == 2);
      CHECK(r.err == "yieldledger: " + edit.message + "\n");
      CHECK(r.out.empty());
    }
    CHECK_FALSE(std::filesystem::exists(dir.path("ex")));
    CHECK_FALSE(std::filesystem::exists(dir.path("ex.xlsx")));
    // audit finds each a mismatch, exit 3, and closes the ledger first (std::exit(3) left its
    // -wal and -shm beside it).
    const CliResult audit = cli({"audit", "--db", db});
    CHECK(audit.exit_code == 3);
    CHECK(audit.out.starts_with("audit of " + db + ": MISMATCH\n"));
    CHECK_FALSE(std::filesystem::exists(db + "-wal"));
    CHECK_FALSE(std::filesystem::exists(db + "-shm"));
  }
  // A ledger without events has no hash chain to catch the scenario's edit before the replay:
  // audit ran the 3 billion reports, its memory growing by gigabytes. It is refused first.
  TempDir dir;
  const std::string db = dir.path("none.db");
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n");
  REQUIRE(
      cli({"run", dir.write("s.toml", yl::testing::small_scenario_toml()), "--db", db}).exit_code ==
      0);
  change(db, every_second);
  const CliResult audit = cli({"audit", "--db", db});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out == "audit of " + db + ": MISMATCH\n  " + too_many_times + "\n");
}

TEST_CASE("Hardening: readers leave nothing beside a ledger, and its bytes as they were") {
  // A read-only connection cannot remove the -wal and -shm SQLite needs to read a WAL ledger:
  // every reader left an empty q.db-wal and a 32 KiB q.db-shm behind.
  TempDir dir, elsewhere;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string whole = yl::testing::read_file(db);
  REQUIRE(file_names(dir) == std::set<std::string>{"q.db"});
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"balances", "--db", db},
        std::vector<std::string>{"balances", "--db", db, "--at", "2024-03-05T00:00:00Z"},
        std::vector<std::string>{"reports", "--db", db},
        {"journal", "--db", db},
        std::vector<std::string>{"ledgers", "--db", db},
        {"sources", "--db", db},
        std::vector<std::string>{"explain", "--db", db, "--account", "alice"},
        std::vector<std::string>{"audit", "--db", db},
        {"compare", db, db},
        // A path with two leading slashes: "file:" + it named a URI's host, and SQLite read it
        // as a file it could not write (the -wal and -shm stayed).
        std::vector<std::string>{"balances", "--db", "/" + db}}) {
    CAPTURE(command[0]);
    CHECK(cli(command).exit_code == 0);
    CHECK(file_names(dir) == std::set<std::string>{"q.db"});
    CHECK(yl::testing::read_file(db) == whole);
    // Its reader gone (`| head`), it dies of SIGPIPE, as it always did, but only after it has
    // closed the ledger (killed mid-write, it left the -wal and -shm behind).
    const int status = run_into_closed_pipe(command, elsewhere.path("err"));
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGPIPE);
    CHECK(read_file(elsewhere.path("err")) == "");
    CHECK(file_names(dir) == std::set<std::string>{"q.db"});
    CHECK(yl::testing::read_file(db) == whole);
  }
}

namespace {

// Makes `name` in `dir` as a `run` into an existing empty file, killed before its end, leaves it:
// the file's page 1 without our application_id (or no page at all), the rest in `name`-wal, with
// its -shm. `fill` runs in a connection that put the empty file in WAL mode and folds nothing into
// it; the three files are copied while it is open (closing it would fold the log in).
void killed_writer_files(const TempDir& dir, const std::string& name, const std::string& fill,
                         const std::string& attach = "") {
  const std::string live = dir.path(name + ".live");
  dir.write(name + ".live", "");
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(live.c_str(), &handle) == SQLITE_OK);
  if (!attach.empty()) {
    REQUIRE(sqlite3_exec(handle, ("ATTACH " + quoted(attach) + " AS s").c_str(), nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  }
  REQUIRE(sqlite3_exec(handle,
                       ("PRAGMA main.page_size = 16384; PRAGMA main.journal_mode = WAL; "
                        "PRAGMA wal_autocheckpoint = 0; PRAGMA main.cache_size = 1; " +
                        fill)
                           .c_str(),
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    std::filesystem::copy_file(live + suffix, dir.path(name + suffix));
  }
  sqlite3_close(handle);
  for (const std::string suffix : {"", "-wal", "-shm"}) std::filesystem::remove(live + suffix);
  const std::string page_one = read_file(dir.path(name));
  REQUIRE((page_one.size() < 72 || page_one.substr(68, 4) == std::string(4, '\0')));
  REQUIRE(std::filesystem::file_size(dir.path(name + "-wal")) > 16384);
}

}  // namespace

TEST_CASE("Hardening: a killed run's log into an empty file is folded in by the next reader") {
  // A `run` into an existing empty file writes its ledger, application_id too, to the -wal; killed
  // before its end, the file's page 1 does not carry the application_id. A reader read that file
  // read-only, as another application's, through the log, and left the -wal and -shm (hundreds of
  // MB) beside it after every command. helper-32's F2 (session 30).
  TempDir dir, source;
  const std::string whole = source.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", whole}).exit_code == 0);
  const CliResult balances = cli({"balances", "--db", whole});
  REQUIRE(balances.exit_code == 0);

  SUBCASE("its log committed the ledger: read, folded in") {
    // The ledger's tables and rows, and its application_id and user_version, in one commit.
    std::string copy = "BEGIN;";
    sqlite3* q = nullptr;
    REQUIRE(sqlite3_open_v2(whole.c_str(), &q, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(q,
                               "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL "
                               "ORDER BY type = 'table' DESC, rowid",
                               -1, &statement, nullptr) == SQLITE_OK);
    while (sqlite3_step(statement) == SQLITE_ROW) {
      const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
      copy += std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 2))) + ";";
      if (type == "table") {
        copy += fmt::format("INSERT INTO main.\"{}\" SELECT * FROM s.\"{}\";", table, table);
      }
    }
    sqlite3_finalize(statement);
    REQUIRE(sqlite3_prepare_v2(q, "PRAGMA user_version", -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    copy += fmt::format("PRAGMA main.application_id = {}; PRAGMA main.user_version = {}; COMMIT;",
                        yl::storage::Database::kLedgerApplicationId,
                        sqlite3_column_int64(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(q);
    killed_writer_files(dir, "k.db", copy, whole);
    const std::string db = dir.path("k.db");
    const CliResult read = cli({"balances", "--db", db});
    CHECK(read.exit_code == 0);
    CHECK(read.out == balances.out);
    CHECK(file_names(dir) == std::set<std::string>{"k.db"});
    // Folded in: the file alone is the ledger.
    const std::string folded = read_file(db);
    CHECK(folded.substr(68, 4) == "YLDR");
    CHECK(cli({"audit", "--db", db}).exit_code == 0);
    CHECK(file_names(dir) == std::set<std::string>{"k.db"});
    CHECK(read_file(db) == folded);
  }

  SUBCASE("another application's, with only a user_version in its log: left as it is") {
    // It held no table and no application_id, and was taken for a killed run's: a reader folded
    // its log into it (helper-37's F5).
    killed_writer_files(dir, "u.db", "PRAGMA user_version = 7;");
    const std::string db = dir.path("u.db");
    const std::string file = read_file(db), log = read_file(db + "-wal");
    const CliResult r = cli({"balances", "--db", db});
    CHECK(r.exit_code == 2);
    CHECK(read_file(db) == file);
    CHECK(read_file(db + "-wal") == log);
  }

  SUBCASE("killed before its first commit: nothing there, the log removed") {
    killed_writer_files(dir, "n.db",
                        "BEGIN; CREATE TABLE t (x); INSERT INTO t WITH RECURSIVE n(i) AS (SELECT "
                        "1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) SELECT randomblob(3000) "
                        "FROM n;");
    const std::string db = dir.path("n.db");
    const std::string file = read_file(db);
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"balances", "--db", db},
          std::vector<std::string>{"audit", "--db", db}}) {
      CAPTURE(command[0]);
      const CliResult r = cli(command);
      CHECK(r.exit_code == 2);
      CHECK(r.err == "yieldledger: '" + db + "' holds no ledger (run a scenario into it first)\n");
      CHECK(file_names(dir) == std::set<std::string>{"n.db"});
      CHECK(read_file(db) == file);
    }
  }
}

TEST_CASE("Hardening: a writer whose log cannot be folded into the file says so, exit 1") {
  // Under a size limit (500 KiB) between its log's (465 KiB) and its file's (528 KiB), the apply's
  // commit went to the -wal, and the close's fold into the file failed in silence: exit 0 and a
  // message of success, the -wal left, the file alone not whole (helper-45's F14).
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value,id\n"
                                                 "2024-03-09T00:00:00Z,deposit,alice,ETH,1,,,x1\n"
                                                 "2024-03-09T00:00:00Z,open,carol,,,,user,x2\n");
  const auto limited =
      yl::testing::run_cli({"apply", "--db", db, more, "--until", "2025-03-08T00:00:00Z"},
                           "ulimit -f 1000; exec ");  // 512-byte blocks in /bin/sh
  CHECK(limited.exit_code == 1);
  CHECK(limited.out == "");
  CHECK(limited.err ==
        "yieldledger: '" + db + "': the changes are committed to its write-ahead log '" + db +
            "-wal', but folding the log into the file failed: the disk is full, a file size "
            "limit was reached, or the disk failed (disk I/O error); keep the -wal beside the "
            "file, which is not whole without it (the next yieldledger to open it with room to "
            "write folds it in)\n");
  CHECK(std::filesystem::exists(db + "-wal"));
  // As it says: the next command folds the log in, and the apply is whole.
  CHECK(yl::testing::audit_result(db) == "OK");
  CHECK_FALSE(std::filesystem::exists(db + "-wal"));
  CHECK(cli({"balances", "--db", db, "--format", "csv"}).out.find("\ncarol,user,ETH,") !=
        std::string::npos);
}

TEST_CASE("Hardening: a new file whose log could not be folded in goes, and the message says so") {
  // helper-57's F4: a new run on a nearly full disk (or out of file descriptors) was told that
  // its changes were in FILE-wal, to keep beside the file; neither existed.
  TempDir dir;
  const std::string db = dir.path("new.db");
  std::string temporary;
  const auto failed = [&] {
    yl::storage::build_new_database(db, "yl-run", [&](const std::string& t) {
      temporary = t;
      yl::storage::Database made(t, yl::storage::Database::Mode::build_new);
      throw yl::storage::LogNotFolded("'" + t + "': ... keep the -wal beside the file",
                                      "Too many open files (disk I/O error)");
    });
  };
  CHECK_THROWS_WITH_AS(
      failed(),
      ("could not write '" + db + "': Too many open files (disk I/O error); nothing was written")
          .c_str(),
      yl::storage::StorageError);
  CHECK(temporary.starts_with(dir.path("new.db.")));
  CHECK(std::filesystem::is_empty(dir.path(".")));  // no file, no temporary, no -wal
}

TEST_CASE("Hardening: a fatal signal removes what RemovedOnSignal names, then ends the process") {
  // helper-57's F6: Ctrl-C left a run's temporary ledger (with its -wal and -shm) or an export's
  // partial files and new folders, until the next command writing that output removed them.
  TempDir dir;
  const std::filesystem::path root = dir.path(".");
  auto make = [&](const std::string& name) { dir.write(name, "x"); };
  // In a child process: registers the files and folders, then gets `signal`; its wait status.
  auto child = [&](int signal, bool ignored) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // As `nohup` leaves SIGHUP, or not ignored whatever this test was started with (helper-68
      // ran the tests from a job that ignores SIGHUP: the child lived on).
      std::signal(signal, ignored ? SIG_IGN : SIG_DFL);
      yl::remove_on_fatal_signals();
      std::filesystem::create_directories(root / "new" / "sub");
      // A chain of 80 made folders is one slot (helper-65's R5: one each filled the 64 slots, and
      // the partial files were left), below a folder that was there before: it stays.
      std::filesystem::path deep = root / "was_there";
      for (int i = 0; i < 80; ++i) deep /= "d";
      std::filesystem::create_directories(deep);
      for (const char* name : {"t.db", "t.db-wal", "t.db-shm", "t.db-journal", "new/sub/p.partial",
                               "left.partial", "kept.csv"}) {
        make(name);
      }
      const yl::RemovedOnSignal chain(deep, yl::RemovedOnSignal::Kind::folder, 80);
      const yl::RemovedOnSignal folder(root / "new", yl::RemovedOnSignal::Kind::folder);
      const yl::RemovedOnSignal inner(root / "new" / "sub", yl::RemovedOnSignal::Kind::folder);
      const yl::RemovedOnSignal partial(root / "new/sub/p.partial",
                                        yl::RemovedOnSignal::Kind::file);
      const yl::RemovedOnSignal database(root / "t.db", yl::RemovedOnSignal::Kind::database);
      { const yl::RemovedOnSignal ended(root / "left.partial", yl::RemovedOnSignal::Kind::file); }
      std::raise(signal);
      ::_exit(7);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
  };
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    CAPTURE(signal);
    const int status = child(signal, false);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == signal);
    // Registered: removed (the database with its companions, the folders once empty); no longer
    // registered, or never: kept.
    CHECK(file_names(dir) == std::set<std::string>{"was_there", "left.partial", "kept.csv"});
    CHECK(std::filesystem::is_empty(dir.path("was_there")));
    std::filesystem::remove(dir.path("was_there"));
    std::filesystem::remove(dir.path("left.partial"));
    std::filesystem::remove(dir.path("kept.csv"));
  }
  // A signal the process was started ignoring stays ignored: nothing is removed, work goes on.
  const int status = child(SIGHUP, true);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 7);
  CHECK(file_names(dir) == std::set<std::string>{"t.db", "t.db-wal", "t.db-shm", "t.db-journal",
                                                 "new", "was_there", "left.partial", "kept.csv"});
}

TEST_CASE("Hardening: Ctrl-C or SIGTERM during run or export leaves no temporary, no new folder") {
  TempDir dir;
  dir.write("e.csv", "time,type,account,asset,amount,to,value\n"
                     "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                     "2024-03-01T00:00:00Z,deposit,alice,ETH,1,,\n");
  // 86,400 reports: a second or more of work, begun well before the signal below.
  dir.write("s.toml", "name = \"long\"\nstart = \"2024-03-01T00:00:00Z\"\nend = "
                      "\"2024-03-02T00:00:00Z\"\nevents = \"e.csv\"\nreport_every = \"1s\"\n"
                      "[ledger]\ninitial_price = 1_000_000_000\n[[source]]\nname = \"lido\"\n"
                      "asset = \"ETH\"\nkind = \"staking\"\napr_bps = 400\nweight_bps = 9000\n");
  // Starts `command` in the background (`set -m`: a job of its own, which takes SIGINT), waits
  // until a file matching `made` is in `folder` (10 s at most), sends `signal`; the job's status.
  // A command that finished before the signal reached it (on a loaded machine: the ctest run of
  // 2026-12-07 once) is run again, its output `gone` first.
  auto interrupted = [&](const std::string& command, const std::string& folder,
                         const std::string& made, const std::string& signal,
                         const std::string& gone) {
    const std::string status = dir.path("status");
    for (int attempt = 1;; ++attempt) {
      REQUIRE(bash("cd " + quoted(dir.path(".")) + " && set -m; " + kCli + " " + command +
                   " >/dev/null 2>&1 & n=0; until ls -a " + quoted(folder) +
                   " 2>/dev/null | grep -q " + quoted(made) +
                   " || [ $n -ge 2000 ]; do sleep 0.005; n=$((n+1)); done; kill -" + signal +
                   " $!; wait $!; echo $? >" + quoted(status)) == 0);
      const std::string result = read_file(status);
      std::filesystem::remove(status);
      if (result != "0\n" || attempt == 5) return result;
      std::filesystem::remove_all(dir.path(gone));
    }
  };
  CHECK(interrupted("run s.toml --db x.db", ".", "yl-run.tmp", "TERM", "x.db") == "143\n");
  CHECK(file_names(dir) == std::set<std::string>{"e.csv", "s.toml"});
  CHECK(interrupted("run s.toml --db x.db", ".", "yl-run.tmp", "INT", "x.db") == "130\n");
  CHECK(file_names(dir) == std::set<std::string>{"e.csv", "s.toml"});
  REQUIRE(cli({"run", dir.path("s.toml"), "--db", dir.path("x.db")}).exit_code == 0);
  // The export's partial files, its lock file and the folders it made go; the -wal and -shm that
  // SQLite keeps beside the ledger it reads stay, as README "Concurrency" says, for the next
  // command to remove (they are the ledger's, and may be another process's).
  const std::set<std::string> read = {"e.csv", "s.toml", "x.db", "x.db-wal", "x.db-shm"};
  CHECK(interrupted("export --db x.db --out new/csv --tables reports", "new/csv", "partial", "INT",
                    "new") == "130\n");
  CHECK(file_names(dir) == read);
  CHECK(interrupted("export --db x.db --out new/r.html", "new", "partial", "TERM", "new") ==
        "143\n");
  CHECK(file_names(dir) == read);
  // The workbook's own temporary too (helper-65's R1: it was left, and the folders with it).
  CHECK(interrupted("export --db x.db --out new/sub/w.xlsx --tables reports", "new/sub", "partial",
                    "INT", "new") == "130\n");
  CHECK(file_names(dir) == read);
  CHECK(cli({"audit", "--db", dir.path("x.db")}).exit_code == 0);
  CHECK(file_names(dir) == std::set<std::string>{"e.csv", "s.toml", "x.db"});
}
