// Hostile input at the command line: each case ends with a clear message and exit code 2 (or 1
// for a fault of the machine), never a crash, a hang or a half-written database.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/test_util.h"

using yl::testing::TempDir;

namespace {

struct Result {
  int exit_code;
  std::string err;
};

// Runs the CLI through the shell (so that `prefix` can set limits), capturing stderr.
Result sh(const std::string& prefix, const std::string& args, const TempDir& dir) {
  const std::string err = dir.path("stderr.txt");
  const std::string command =
      prefix + " '" + std::string(YL_CLI_PATH) + "' " + args + " >/dev/null 2>'" + err + "'";
  const int status = std::system(("bash -c \"" + command + "\"").c_str());
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  return Result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

}  // namespace

TEST_CASE("Hostile input: strange files get a clear message and exit 2") {
  TempDir dir;
  const std::string scenario = dir.write("s.toml", yl::testing::small_scenario_toml());
  const std::string header = "time,type,account,asset,amount,to,value\n";
  struct Case {
    const char* name;
    std::string events;
    int exit_code;
    std::string message;  // a part of stderr
  };
  const std::vector<Case> cases = {
      {"BOM and CRLF",
       "\xEF\xBB\xBF" + std::string("time,type,account,asset,amount,to,value\r\n"
                                    "2024-03-01T00:00:00Z,open,a,,,,user\r\n"),
       0, ""},
      {"10 MB line",
       header + "2024-03-01T00:00:00Z,open," + std::string(10'000'000, 'x') + ",,,,user\n", 2,
       "bytes left out) ..."},
      {"NUL byte", header + std::string("2024-03-01T00:00:00Z,open,a\0b,,,,user\n", 38), 2,
       "events.csv:2: csv: column 'account' (field 3) contains a NUL byte"},
      {"invalid UTF-8", header + "2024-03-01T00:00:00Z,open,\xFF\xFE,,,,user\n", 2,
       "events.csv:2: csv: column 'account' (field 3) is not valid UTF-8 (byte 0xFF at offset 0)"},
      {"truncated last line", header + "2024-03-01T00:00:00Z,open,a,,,,user\n2024-03-01T00:0", 2,
       "events.csv:3: csv: expected 7 fields, found 1"},
      {"binary garbage",
       std::string("\x7f"
                   "ELF\x02\x01\x01\x00\x00\x00",
                   10),
       2, "events.csv:1: csv:"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.name);
    dir.write("events.csv", c.events);
    const Result r = sh("", "run '" + scenario + "' --db '" + dir.path("h.db") + "'", dir);
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.size() < 1000);  // a message, not the input echoed back
    std::remove(dir.path("h.db").c_str());
  }
}

TEST_CASE("Hostile input: damaged databases and a full disk") {
  TempDir dir;
  const std::string db = dir.path("good.db");
  REQUIRE(
      sh("", "run '" + yl::testing::example_scenario("blast-launch") + "' --db '" + db + "'", dir)
          .exit_code == 0);
  std::ifstream in(db, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string whole = bytes.str();
  REQUIRE(whole.size() > 8192);

  // Truncated to half: the file's own header says it is longer.
  const std::string truncated = dir.write("truncated.db", whole.substr(0, whole.size() / 2));
  Result r = sh("", "audit --db '" + truncated + "'", dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("truncated or damaged") != std::string::npos);

  // A page in the middle overwritten with garbage, whole (the page size is the header's bytes
  // 16-17, big-endian): SQLite's integrity_check finds it before anything is read (3). Garbage in a
  // page's unused space alone would change nothing.
  const std::size_t page = (std::size_t{static_cast<unsigned char>(whole[16])} << 8) |
                           static_cast<unsigned char>(whole[17]);
  REQUIRE(page == 16384);  // a new ledger's pages (engine/storage/database.cc)
  std::string corrupted = whole;
  const std::size_t middle = whole.size() / 3 / page * page;
  for (std::size_t i = middle; i < middle + page; ++i) corrupted[i] = '\x5a';
  const yl::testing::CliResult audit =
      yl::testing::run_cli({"audit", "--db", dir.write("corrupted.db", corrupted)});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out.find(": MISMATCH\n  the file is damaged (SQLite's integrity_check: ") !=
        std::string::npos);

  // A file size limit (a full disk, as the process sees it): the run fails cleanly, exit 1,
  // and leaves no database behind.
  r = sh("ulimit -f 64;",
         "run '" + yl::testing::example_scenario("blast-launch") + "' --db '" +
             dir.path("full.db") + "'",
         dir);
  CHECK(r.exit_code == 1);
  // The ledger named as the user gave it, not as the temporary it was built under.
  CHECK(r.err == "yieldledger: could not write '" + dir.path("full.db") +
                     "': the disk is full, a file size limit was reached, or the disk failed "
                     "(disk I/O error); what was being written was rolled back\n");
  CHECK_FALSE(std::ifstream(dir.path("full.db")).good());

  // A reader under the same limit: SQLite's -shm index is what it cannot write. It said "could
  // not write 'good.db' ...; what was being written was rolled back" of a read.
  r = sh("ulimit -f 1;", "balances --db '" + db + "'", dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "yieldledger: could not read '" + db +
                     "': SQLite could not write the index it reads it with (its -shm file): the "
                     "disk is full, a file size limit was reached, or the disk failed (disk I/O "
                     "error); nothing was changed\n");
  CHECK(yl::testing::read_file(db) == whole);
}

TEST_CASE("Concurrency: two applies at once both land, once each, a reader works meanwhile") {
  TempDir dir;
  const std::string db = dir.path("c.db");
  REQUIRE(sh("", "run '" + yl::testing::example_scenario("quickstart") + "' --db '" + db + "'", dir)
              .exit_code == 0);
  const std::string header = "id,time,type,account,asset,amount,to,value\n";
  std::string a = header, b = header;
  for (int i = 0; i < 300; ++i) {
    a += "a" + std::to_string(i) + ",2024-03-10T00:00:00Z,transfer,alice,ETH,0.01,bob,\n";
    b += "b" + std::to_string(i) + ",2024-03-10T00:00:00Z,transfer,bob,USDB,0.5,alice,\n";
  }
  const std::string file_a = dir.write("a.csv", a), file_b = dir.write("b.csv", b);
  const std::string cli = std::string(YL_CLI_PATH);
  const std::string apply = " apply --db '" + db + "' --until 2024-03-10T00:00:00Z ";
  const std::string script = "'" + cli + "'" + apply + "'" + file_a + "' > '" + dir.path("out_a") +
                             "' 2>&1; echo $? > '" + dir.path("rc_a") + "' & '" + cli + "'" +
                             apply + "'" + file_b + "' > '" + dir.path("out_b") +
                             "' 2>&1; echo $? > '" + dir.path("rc_b") + "' & '" + cli +
                             "' balances --db '" + db + "' --format csv > '" + dir.path("out_r") +
                             "' 2>&1; echo $? > '" + dir.path("rc_r") + "' & wait";
  REQUIRE(std::system(("bash -c \"" + script + "\"").c_str()) == 0);
  auto read = [&](const std::string& name) {
    std::ifstream in(dir.path(name));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  CHECK(read("rc_a") == "0\n");
  CHECK(read("rc_b") == "0\n");
  CHECK(read("rc_r") == "0\n");  // the reader saw a consistent state, before or after
  CHECK(read("out_a").find("300 events") != std::string::npos);
  CHECK(read("out_b").find("300 events") != std::string::npos);
  CHECK(sh("", "audit --db '" + db + "'", dir).exit_code == 0);
  // Both files again: every row is a duplicate now, nothing is applied twice.
  const Result again = sh("", "apply --db '" + db + "' '" + file_a + "'", dir);
  CHECK(again.exit_code == 0);
}

TEST_CASE("Hostile input: a ledger on a read-only file system can be read but not written") {
  TempDir dir;
  const std::string mnt = dir.path("ro");
  const std::string db = dir.path("q.db");
  REQUIRE(sh("", "run '" + yl::testing::example_scenario("quickstart") + "' --db '" + db + "'", dir)
              .exit_code == 0);
  const std::string mount = "mkdir -p '" + mnt + "' && mount -t tmpfs -o size=8m tmpfs '" + mnt +
                            "' && cp '" + db + "' '" + mnt + "/q.db' && mount -o remount,ro '" +
                            mnt + "'";
  if (std::system(("(" + mount + ") >/dev/null 2>&1").c_str()) != 0) {
    MESSAGE("skipped: this machine does not let the test mount a read-only file system");
    std::system(("umount '" + mnt + "' >/dev/null 2>&1").c_str());
    return;
  }
  const Result read = sh("", "balances --db '" + mnt + "/q.db' --format csv", dir);
  const Result audit = sh("", "audit --db '" + mnt + "/q.db'", dir);
  const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value\n");
  const Result write = sh("", "apply --db '" + mnt + "/q.db' '" + more + "'", dir);
  const Result create =
      sh("", "run '" + yl::testing::example_scenario("quickstart") + "' --db '" + mnt + "/new.db'",
         dir);
  std::system(("umount '" + mnt + "'").c_str());
  CHECK(read.exit_code == 0);
  CHECK(audit.exit_code == 0);
  CHECK(write.exit_code == 2);
  CHECK(write.err.find("read-only file system") != std::string::npos);
  CHECK(create.exit_code == 2);
  CHECK(create.err.find("read-only file system") != std::string::npos);
}
