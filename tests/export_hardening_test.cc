// Issue #9, the export's part: it never writes onto the ledger or the files it was built from,
// replaces a file it did not write only with --force, never mixes two exports' files, reads one
// snapshot, reports every failed write, exports every ledger audit accepts, and defuses text
// cells that a spreadsheet would run as formulas.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/synthetic.h"
#include "engine/export/csv_sink.h"
#include "engine/export/exporter.h"
#include "engine/export/output_guard.h"
#include "engine/export/xlsx_sink.h"
#include "engine/input/input_file.h"
#include "engine/output/export_error.h"
#include "engine/output/output_file.h"
#include "engine/runner.h"
#include "tests/test_util.h"

using yl::testing::read_file;
using yl::testing::run_cli;
using yl::testing::TempDir;
using yl::testing::unzip;

namespace {

// A scenario's one source: 90% of each ETH deposit is staked at 4%.
const std::string kLido =
    "\n[[source]]\nname = \"lido\"\nasset = \"ETH\"\nkind = \"staking\"\napr_bps = 400\n"
    "weight_bps = 9000\n";

// The quickstart example copied into `dir` and run there; returns the database path.
std::string quickstart_in(const TempDir& dir) {
  const std::filesystem::path example =
      std::filesystem::path(yl::testing::example_scenario("quickstart")).parent_path();
  for (const char* file : {"scenario.toml", "events.csv"}) {
    std::filesystem::copy_file(example / file, dir.path(file));
  }
  const std::string db = dir.path("q.db");
  REQUIRE(run_cli({"run", dir.path("scenario.toml"), "--db", db}).exit_code == 0);
  return db;
}

// A ledger large enough that its XLSX sheets pass a few hundred KB (20,000 events).
std::string synthetic_db(const TempDir& dir) {
  yl::bench::SyntheticOptions options;
  options.accounts = 500;
  options.events = 20'000;
  options.days = 30;
  const std::string scenario = yl::bench::write_synthetic_scenario(dir.path("synthetic"), options);
  const std::string db = dir.path("synthetic.db");
  yl::run_into_database(scenario, db);
  return db;
}

// The folder a TempDir is.
std::string root_of(const TempDir& dir) {
  return std::filesystem::path(dir.path("x")).parent_path().string();
}

std::size_t lines_of(const std::string& path) {
  const std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The files in `folder` whose names contain `part`.
std::vector<std::string> files_with(const std::string& folder, const std::string& part) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.find(part) != std::string::npos) names.push_back(name);
  }
  return names;
}

// The `value` of the summary.csv line `scenario,ITEM,...`.
std::string summary_value(const std::string& folder, const std::string& item) {
  std::istringstream in(read_file(folder + "/summary.csv"));
  std::string line;
  while (std::getline(in, line)) {
    const std::string prefix = "scenario," + item + ",,";
    if (line.starts_with(prefix))
      return line.substr(prefix.size(), line.find(',', prefix.size()) - prefix.size());
  }
  return "(none)";
}

}  // namespace

TEST_CASE("Export never writes onto the ledger, its -wal/-shm, or the files it was built from") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string events = dir.path("events.csv");
  const std::string scenario = dir.path("scenario.toml");
  const std::string events_text = read_file(events);
  const std::string scenario_text = read_file(scenario);
  auto refused = [&](const std::vector<std::string>& out_and_format, const std::string& message) {
    for (bool force : {false, true}) {
      std::vector<std::string> args = {"export", "--db", db, "--out"};
      args.insert(args.end(), out_and_format.begin(), out_and_format.end());
      if (force) args.emplace_back("--force");
      const auto result = run_cli(args);
      CHECK(result.exit_code == 2);
      CHECK(result.err == "yieldledger: " + message + "\n");
    }
  };
  // The issue's three cases: the events CSV turned into a workbook, the ledger replaced, and a
  // CSV export into the example's own folder.
  refused({events, "--format", "xlsx"}, "will not write '" + events +
                                            "': it is the events file the ledger was run from ('" +
                                            events + "')");
  refused({db, "--format", "xlsx"},
          "will not write '" + db + "': it is the ledger database being exported ('" + db + "')");
  refused({root_of(dir)}, "will not write '" + root_of(dir) +
                              "/events.csv': it is the events file the ledger "
                              "was run from ('" +
                              events + "')");
  refused({scenario, "--format", "xlsx"},
          "will not write '" + scenario + "': it is the scenario file the ledger was run from ('" +
              scenario + "')");
  // By identity, not by spelling: the -wal before SQLite made it, a symlink, a `.` in the path.
  refused({db + "-wal", "--format", "xlsx"},
          "will not write '" + db +
              "-wal': it is the write-ahead log of the ledger database being "
              "exported ('" +
              db + "')");
  // Through a --db that is a symlink or a hard link, the log of the file it names, where a writer
  // by that name keeps it (helper-85's F1: `--out V.db-wal --force` replaced the live log, and
  // committed rows with it; helper-88's F2: through a hard link too).
  for (const bool hard : {false, true}) {
    CAPTURE(hard);
    const std::string link = dir.path("link.db");
    if (hard) {
      std::filesystem::create_hard_link(db, link);
    } else {
      std::filesystem::create_symlink(db, link);
    }
    for (const char* suffix : {"-wal", "-shm"}) {
      const auto r =
          run_cli({"export", "--db", link, "--out", db + suffix, "--format", "html", "--force"});
      CHECK(r.exit_code == 2);
      CHECK(r.err == "yieldledger: will not write '" + db + suffix + "': it is the " +
                         (suffix[1] == 'w' ? "write-ahead log" : "shared-memory index") +
                         " of the ledger database being exported ('" + link + "')\n");
      const auto c =
          run_cli({"compare", link, db, "--out", db + suffix, "--format", "html", "--force"});
      CHECK(c.err == "yieldledger: will not write '" + db + suffix + "': it is the " +
                         (suffix[1] == 'w' ? "write-ahead log" : "shared-memory index") + " of '" +
                         link + "', a file compared\n");
      CHECK_FALSE(std::filesystem::exists(db + suffix));
    }
    std::filesystem::remove(link);
  }
  std::filesystem::create_symlink(events, dir.path("alias.xlsx"));
  refused({dir.path("alias.xlsx")}, "will not write '" + dir.path("alias.xlsx") +
                                        "': it is the events file the ledger was run from ('" +
                                        events + "')");
  const std::string dotted = dir.path(".") + "/q.db";
  refused(
      {dotted, "--format", "xlsx"},
      "will not write '" + dotted + "': it is the ledger database being exported ('" + db + "')");
  CHECK(read_file(events) == events_text);
  CHECK(read_file(scenario) == scenario_text);
  CHECK(yl::testing::audit_result(db) == "OK");
  CHECK(files_with(root_of(dir), "partial").empty());
  CHECK(files_with(root_of(dir), ".csv") == std::vector<std::string>{"events.csv"});
}

TEST_CASE("Export replaces a file it did not write only with --force, and its own without") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string xlsx = dir.write("mine.xlsx", "a user's own file\n");
  const std::string not_ours = "' exists and was not written by `yieldledger export`; pass "
                               "--force to replace it\n";
  auto refused = run_cli({"export", "--db", db, "--out", xlsx});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == "yieldledger: '" + xlsx + not_ours);
  CHECK(read_file(xlsx) == "a user's own file\n");
  CHECK(run_cli({"export", "--db", db, "--out", xlsx, "--force"}).exit_code == 0);
  CHECK(yl::zip_is_marked(xlsx));
  CHECK(run_cli({"export", "--db", db, "--out", xlsx}).exit_code == 0);  // its own: replaced

  // A symbolic link at --out is replaced by the new workbook; the file it pointed to is kept.
  const std::string link = dir.path("latest.xlsx");
  std::filesystem::create_symlink(xlsx, link);
  const std::string before = read_file(xlsx);
  CHECK(run_cli({"export", "--db", db, "--out", link, "--tables", "events"}).exit_code == 0);
  CHECK_FALSE(std::filesystem::is_symlink(link));
  CHECK(yl::zip_is_marked(link));
  CHECK(read_file(xlsx) == before);

  // --out in upper case is a workbook too.
  const auto upper = run_cli({"export", "--db", db, "--out", dir.path("R.XLSX")});
  CHECK(upper.exit_code == 0);
  CHECK(upper.out.find(" (xlsx): ") != std::string::npos);
  CHECK(unzip(dir.path("R.XLSX"), "xl/workbook.xml").find("name=\"summary\"") != std::string::npos);

  // A CSV folder: a user's accounts.csv needs --force; the export's own files do not; a file
  // the user edited since is the user's again.
  std::filesystem::create_directories(dir.path("out"));
  const std::string accounts = dir.write("out/accounts.csv", "mine\n");
  auto csv = run_cli({"export", "--db", db, "--out", dir.path("out")});
  CHECK(csv.exit_code == 2);
  CHECK(csv.err == "yieldledger: '" + accounts + not_ours);
  CHECK(read_file(accounts) == "mine\n");
  CHECK(run_cli({"export", "--db", db, "--out", dir.path("out"), "--force"}).exit_code == 0);
  CHECK(run_cli({"export", "--db", db, "--out", dir.path("out")}).exit_code == 0);
  CHECK(read_file(dir.path("out/.yieldledger-export")).find(" accounts.csv\n") !=
        std::string::npos);
  std::ofstream(accounts, std::ios::app) << "an edit\n";
  csv = run_cli({"export", "--db", db, "--out", dir.path("out"), "--tables", "accounts"});
  CHECK(csv.exit_code == 2);
  CHECK(csv.err == "yieldledger: '" + accounts + not_ours);

  const auto help = run_cli({"export", "--help"});
  CHECK(help.out.find("--force") != std::string::npos);
  CHECK(help.out.find("did not write") != std::string::npos);
}

TEST_CASE(
    "Export CSV: a mark that cannot be written leaves no table, and the retry needs no --force") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string out = dir.path("out");
  // A folder where the mark goes: its write fails. The tables were renamed into place first,
  // unlisted, and every retry was refused for want of --force. The failure is the path's, exit 2
  // (it was exit 1, with the errno of the cleanup after the failed rename).
  std::filesystem::create_directories(out + "/.yieldledger-export");
  const auto failed = run_cli({"export", "--db", db, "--out", out, "--tables", "accounts"});
  CHECK(failed.exit_code == 2);
  CHECK(failed.err ==
        "yieldledger: cannot write '" + out + "/.yieldledger-export': Is a directory\n");
  CHECK(files_with(out, ".csv").empty());
  CHECK(files_with(out, ".partial").empty());
  std::filesystem::remove(out + "/.yieldledger-export");
  CHECK(run_cli({"export", "--db", db, "--out", out, "--tables", "accounts"}).exit_code == 0);
  // The mark names the files by the stamps they kept through the rename: a second export
  // replaces them without --force.
  const auto again = run_cli({"export", "--db", db, "--out", out, "--tables", "accounts,reports"});
  CHECK(again.exit_code == 0);
  CHECK(again.err.empty());
  std::vector<std::string> tables = files_with(out, ".csv");
  std::sort(tables.begin(), tables.end());
  CHECK(tables == std::vector<std::string>{"accounts.csv", "reports.csv", "summary.csv"});
  // Fewer tables: the earlier export's reports.csv is removed, not left beside this export's
  // summary as if it were this one's; a file of it edited since is the user's, and stays.
  const auto fewer = run_cli({"export", "--db", db, "--out", out, "--tables", "accounts"});
  CHECK(fewer.exit_code == 0);
  tables = files_with(out, ".csv");
  std::sort(tables.begin(), tables.end());
  CHECK(tables == std::vector<std::string>{"accounts.csv", "summary.csv"});
  CHECK(run_cli({"export", "--db", db, "--out", out, "--tables", "events"}).exit_code == 0);
  tables = files_with(out, ".csv");
  std::sort(tables.begin(), tables.end());
  CHECK(tables == std::vector<std::string>{"events.csv", "summary.csv"});
  std::ofstream(out + "/events.csv", std::ios::app) << "an edit\n";
  CHECK(run_cli({"export", "--db", db, "--out", out, "--tables", "accounts"}).exit_code == 0);
  tables = files_with(out, ".csv");
  std::sort(tables.begin(), tables.end());
  CHECK(tables == std::vector<std::string>{"accounts.csv", "events.csv", "summary.csv"});
  // The mark lists this export's files once each.
  const std::string mark = read_file(out + "/.yieldledger-export");
  CHECK(std::count(mark.begin(), mark.end(), '\n') == 2);
  CHECK(mark.find(" accounts.csv\n") != std::string::npos);
  CHECK(mark.find(" summary.csv\n") != std::string::npos);
  // A mark that names a file no export writes (forged, or of another program) removes nothing:
  // it removed a user's notes.csv of the stamp it gave (helper-70's F12).
  const std::string notes = out + "/notes.csv";
  std::ofstream(notes) << "mine\n";
  struct stat info {};
  REQUIRE(::stat(notes.c_str(), &info) == 0);
  std::ofstream(out + "/.yieldledger-export", std::ios::app) << fmt::format(
      "{} {} {} notes.csv\n", info.st_ino, info.st_size,
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec);
  CHECK(run_cli({"export", "--db", db, "--out", out, "--tables", "accounts"}).exit_code == 0);
  CHECK(read_file(notes) == "mine\n");
}

TEST_CASE("Export: temporary names are unique to a process and removed when an export stops") {
  const std::filesystem::path out = "/some/folder/accounts.csv";
  const std::filesystem::path a = yl::partial_path(out);
  const std::filesystem::path b = yl::partial_path(out);
  CHECK(a != b);
  CHECK(a.parent_path() == out.parent_path());
  CHECK(a.filename().string().starts_with(".accounts.csv." + yl::process_mark() + "-"));
  CHECK(yl::process_mark().starts_with(std::to_string(::getpid()) + "@"));
  CHECK(a.filename().string().ends_with(".partial"));

  TempDir dir;
  {
    yl::CsvSink sink(dir.path("out/a/b"));
    sink.open_table({"accounts", {{"account"}}, ""})->row({"alice"});
    CHECK(files_with(dir.path("out/a/b"), ".partial").size() == 1);
  }  // no finish(): the export stopped, and the folders it created go with its files
  CHECK(!std::filesystem::exists(dir.path("out")));
  std::filesystem::create_directories(dir.path("kept"));
  {
    yl::CsvSink sink(dir.path("kept"));
    sink.open_table({"accounts", {{"account"}}, ""})->row({"alice"});
  }  // a folder that was there stays, empty again
  CHECK(std::filesystem::is_directory(dir.path("kept")));
  CHECK(std::filesystem::is_empty(dir.path("kept")));
}

TEST_CASE("Export: an output name of 250 bytes keeps its temporary and lock names within 255") {
  // `.NAME.MARK-N.partial` passed the 255-byte limit of a file name: a legal --out of 245
  // characters failed with "File name too long", exit 1.
  const std::string long_name = std::string(240, 'c') + "é.html";  // 248 bytes
  const std::string hidden = yl::hidden_name("/some/folder/" + long_name);
  CHECK(hidden.size() == 1 + 150 + 1 + 16);
  CHECK(hidden.starts_with("." + std::string(150, 'c') + "~"));
  CHECK(hidden == yl::hidden_name(long_name));  // the same in every process and folder
  CHECK(hidden != yl::hidden_name(std::string(241, 'c') + "é.html"));
  CHECK(yl::hidden_name("/x/notes.html") == ".notes.html");
  CHECK(yl::hidden_name(std::string(190, 'c')) == "." + std::string(190, 'c'));
  CHECK(yl::hidden_name(std::string(191, 'c')).size() == 1 + 150 + 1 + 16);
  // The longest suffix, a mark of 44 bytes (10-digit PID, '@', 24-byte host, '~', 8 hex digits)
  // and a count of 10 digits, fits after the longest hidden name kept whole.
  CHECK(1 + 190 +
            std::string_view(".1234567890@abcdefghijklmnopqrstuvwx~0123abcd-1234567890.partial")
                .size() <=
        255);
  // A cut never splits a UTF-8 character: 'é' is two bytes, and 150 falls inside the 75th.
  CHECK(yl::hidden_name(std::string(1, 'c') + std::string(240, 'e') + ".html").size() == 168);
  const std::string accents = yl::hidden_name("c" + [] {
    std::string text;
    for (int i = 0; i < 120; ++i) text += "é";
    return text;
  }() + ".xlsx");
  CHECK(accents.substr(1, accents.find('~') - 1).size() == 149);  // "c" and 74 whole 'é'

  TempDir dir;
  const std::string db = quickstart_in(dir);
  for (const std::string ext : {".html", ".xlsx"}) {
    CAPTURE(ext);
    const std::string out = dir.path(std::string(245, 'c') + ext);
    const auto exported = run_cli({"export", "--db", db, "--out", out});
    CHECK(exported.exit_code == 0);
    CHECK(exported.err.empty());
    CHECK(std::filesystem::is_regular_file(out));
  }
  CHECK(files_with(root_of(dir), ".partial").empty());
  CHECK(files_with(root_of(dir), ".lock").empty());
}

TEST_CASE("Export: an --out the path itself rules out is exit 2, refused before the work") {
  // A name past 255 bytes failed the final rename after the whole export (exit 1); a folder that
  // cannot be made, exit 1; "x.xlsx/" wrote a CSV folder named x.xlsx.
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string long_name = dir.path(std::string(300, 'a') + ".xlsx");
  auto r = run_cli({"export", "--db", db, "--out", long_name});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "yieldledger: cannot write '" + long_name +
                     "': its name is 305 bytes long, more than the 255 a file name may have\n");
  r = run_cli({"export", "--db", db, "--out", dir.path(std::string(300, 'f'))});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "yieldledger: cannot create the folder '" + dir.path(std::string(300, 'f')) +
                     "': File name too long\n");
  r = run_cli({"export", "--db", db, "--out", "/proc/self/x.xlsx"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "yieldledger: cannot create '/proc/self/x.xlsx': No such file or directory\n");
  r = run_cli({"export", "--db", db, "--out", dir.path("x.xlsx/")});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "yieldledger: --out '" + dir.path("x.xlsx/") +
                     "' ends in '/', a folder, but is named like a workbook (.xlsx): leave out "
                     "the '/' to write one, or pass --format csv for a folder of that name\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("x.xlsx")));
  // With --format given, or for a page: "it is a folder" was said of a folder the export had
  // just made itself (or of one "that does not exist").
  for (const auto& [format, name] : {std::pair{"xlsx", "y.xlsx/"}, std::pair{"html", "p.html/"}}) {
    r = run_cli({"export", "--db", db, "--format", format, "--out", dir.path(name)});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: cannot write '" + dir.path(name) +
                       "': it ends in '/', so it names a folder, not a file\n");
  }
  r = run_cli({"compare", db, db, "--out", dir.path("c.html/")});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "yieldledger: cannot write '" + dir.path("c.html/") +
                     "': it ends in '/', so it names a folder, not a file\n");
  for (const char* made : {"y.xlsx", "p.html", "c.html"}) {
    CHECK_FALSE(std::filesystem::exists(dir.path(made)));
  }
  CHECK(files_with(dir.path(""), "aaaa").empty());
  // A name with a line break is written as given, and the closing line shows it escaped.
  r = run_cli({"export", "--db", db, "--out", dir.path("new\nline.xlsx")});
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("exported 'quickstart' to " + dir.path("new\\nline.xlsx") + " (xlsx): "));
  CHECK(std::filesystem::exists(dir.path("new\nline.xlsx")));
}

TEST_CASE("ExportError: the errno says whose fault it is, the path's (exit 2) or the machine's") {
  // EISDIR and EINVAL (a name the file system refuses) were taken for the machine's, exit 1.
  for (const int error :
       {ENAMETOOLONG, ENOENT, ENOTDIR, EISDIR, EINVAL, EACCES, EPERM, EROFS, ELOOP}) {
    CAPTURE(error);
    CHECK(yl::ExportError("x", error).users_path());
  }
  for (const int error : {ENOSPC, EDQUOT, EIO, EMFILE, ENFILE, ENOMEM, 0}) {
    CAPTURE(error);
    CHECK_FALSE(yl::ExportError("x", error).users_path());
  }
  CHECK_FALSE(yl::ExportError("x").users_path());
}

TEST_CASE("Export: the temporary files of a killed export are removed by the next one") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string folder = dir.path("out");
  std::filesystem::create_directories(folder);
  // A process that has ended, and one that runs (this test).
  const pid_t ended = ::fork();
  if (ended == 0) ::_exit(0);
  REQUIRE(ended > 0);
  REQUIRE(::waitpid(ended, nullptr, 0) == ended);
  const std::string host = yl::process_mark().substr(yl::process_mark().find('@'));
  const std::string dead = std::to_string(ended) + host;
  const std::string alive = yl::process_mark();
  // The dead process's number on another host sharing the folder is no dead process (helper-44's
  // F21: such a live export's temporary was removed); nor is a bare number (no host).
  const std::string elsewhere = std::to_string(ended) + "@another-host";
  const std::string bare = std::to_string(ended);
  for (const std::string& name :
       {".accounts.csv." + dead + "-0.partial", ".accounts.csv." + alive + "-7.partial",
        ".accounts.csv." + dead + "-.partial", ".notes.txt." + dead + "-0.partial",
        ".accounts.csv." + elsewhere + "-1.partial", ".accounts.csv." + bare + "-2.partial"}) {
    std::ofstream(folder + "/" + name) << "x";
  }
  std::ofstream(dir.path(".w.xlsx." + dead + "-2.partial")) << "x";
  CHECK(yl::testing::run_cli({"export", "--db", db, "--out", folder}).exit_code == 0);
  CHECK(yl::testing::run_cli({"export", "--db", db, "--out", dir.path("w.xlsx")}).exit_code == 0);
  // Only the dead process's, of a file the export writes, in the PID-N form.
  std::vector<std::string> left = files_with(folder, ".partial");
  std::vector<std::string> kept = {
      ".accounts.csv." + alive + "-7.partial", ".accounts.csv." + dead + "-.partial",
      ".notes.txt." + dead + "-0.partial", ".accounts.csv." + elsewhere + "-1.partial",
      ".accounts.csv." + bare + "-2.partial"};
  std::sort(left.begin(), left.end());
  std::sort(kept.begin(), kept.end());
  CHECK(left == kept);
  CHECK(files_with(dir.path(""), ".partial").empty());
}

TEST_CASE("Export and compare never write onto a FIFO, a folder or a file they read") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string other = dir.path("other.db");
  REQUIRE(run_cli({"run", dir.path("scenario.toml"), "--db", other}).exit_code == 0);
  const std::string fifo = dir.path("pipe.html");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string not_a_file = "': it is a FIFO (named pipe), not a file\n";
  // Refused before it is opened (a reader would wait for a writer forever), even with --force.
  for (const char* format : {"html", "xlsx"}) {
    const auto onto_fifo =
        run_cli({"export", "--db", db, "--out", fifo, "--format", format, "--force"});
    CHECK(onto_fifo.exit_code == 2);
    CHECK(onto_fifo.err == "yieldledger: cannot write '" + fifo + not_a_file);
  }
  const std::string folder = dir.path("csv");
  std::filesystem::create_directory(folder);
  REQUIRE(::mkfifo((folder + "/accounts.csv").c_str(), 0600) == 0);
  CHECK(run_cli({"export", "--db", db, "--out", folder, "--force"}).err ==
        "yieldledger: cannot write '" + folder + "/accounts.csv" + not_a_file);
  CHECK(run_cli({"compare", db, other, "--format", "csv", "--out", fifo, "--force"}).err ==
        "yieldledger: cannot write '" + fifo + not_a_file);

  // The files compared, and their -wal, are never the output.
  const std::string before = read_file(other);
  const auto onto_input =
      run_cli({"compare", db, other, "--format", "html", "--out", other, "--force"});
  CHECK(onto_input.exit_code == 2);
  CHECK(onto_input.err ==
        "yieldledger: will not write '" + other + "': it is the file compared, '" + other + "'\n");
  CHECK(run_cli({"compare", db, other, "--out", db + "-wal", "--force"}).err ==
        "yieldledger: will not write '" + db + "-wal': it is the write-ahead log of '" + db +
            "', a file compared\n");
  CHECK(read_file(other) == before);
  // Nor the files the ledgers were run from, as export (helper-45's F10: replaced with --force).
  for (const char* input : {"events.csv", "scenario.toml"}) {
    const std::string path = dir.path(input);
    const std::string kept = read_file(path);
    const auto onto_source =
        run_cli({"compare", db, other, "--format", "csv", "--out", path, "--force"});
    CHECK(onto_source.exit_code == 2);
    CHECK(onto_source.err.starts_with("yieldledger: will not write '" + path + "': it is the " +
                                      (input[0] == 'e' ? "events" : "scenario") +
                                      " file the ledger was run from"));
    CHECK(read_file(path) == kept);
  }

  // Usage errors, exit 2: no output name; a file where the CSV folder goes.
  const auto unnamed = run_cli({"export", "--db", db, "--out", ""});
  CHECK(unnamed.exit_code == 2);
  CHECK(unnamed.err == "yieldledger: --out is empty: name the folder or file to write\n");
  const auto onto_db = run_cli({"export", "--db", db, "--out", db});
  CHECK(onto_db.exit_code == 2);
  CHECK(onto_db.err == "yieldledger: cannot write into '" + db + "': it is a file, not a folder\n");
  // A symbolic link to nothing is no folder either, and nothing is made where it points.
  const std::string dangling = db + ".link";
  std::filesystem::create_symlink(db + ".nowhere", dangling);
  CHECK(run_cli({"export", "--db", db, "--out", dangling + "/sub"}).err ==
        "yieldledger: cannot write into '" + dangling + "/sub': '" + dangling +
            "' is a broken symbolic link, not a folder\n");
  CHECK(!std::filesystem::exists(db + ".nowhere"));
  std::filesystem::remove(dangling);
  // A loop of links, too (helper-80).
  std::filesystem::create_symlink(db + ".loop-b", db + ".loop-a");
  std::filesystem::create_symlink(db + ".loop-a", db + ".loop-b");
  CHECK(run_cli({"export", "--db", db, "--out", db + ".loop-a"}).err ==
        "yieldledger: cannot write into '" + db +
            ".loop-a': it is a broken symbolic link, not a "
            "folder\n");
  std::filesystem::remove(db + ".loop-a");
  std::filesystem::remove(db + ".loop-b");

  CHECK(run_cli({"compare", db, other, "--out", db + "-journal"}).err ==
        "yieldledger: will not write '" + db + "-journal': it is the rollback journal of '" + db +
            "', a file compared\n");
  CHECK(run_cli({"export", "--db", db, "--out", db + "-journal", "--format", "html"}).err ==
        "yieldledger: will not write '" + db +
            "-journal': it is the rollback journal of the ledger "
            "database being exported ('" +
            db + "')\n");
  CHECK_FALSE(std::filesystem::exists(db + "-journal"));
  // compare's format follows --out's extension, as export's does.
  REQUIRE(run_cli({"compare", db, other, "--out", dir.path("c.html")}).exit_code == 0);
  CHECK(read_file(dir.path("c.html")).starts_with("<!DOCTYPE html>"));

  // A failed export leaves no folder it created; a page's folder is created as a CSV folder is.
  REQUIRE(run_cli({"export", "--db", db, "--out", dir.path("made/p.html")}).exit_code == 0);
  CHECK(read_file(dir.path("made/p.html")).starts_with("<!DOCTYPE html>"));
  for (const std::string& out :
       {dir.path("new/a/b"), dir.path("new/c/x.xlsx"), dir.path("new/d/p.html")}) {
    const auto failed = run_cli({"export", "--db", db, "--out", out, "--accounts", "nobody"});
    CHECK(failed.exit_code == 2);
    CHECK(failed.err == (out.ends_with(".html")
                             ? "yieldledger: --accounts picks the rows of accounts and "
                               "balance_history, which a page (--format html) does not hold\n"
                             : "yieldledger: --accounts: no account 'nobody' in this ledger\n"));
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("new")));
}

TEST_CASE("Export: the ledger's own files are kept when export runs from another folder") {
  TempDir dir;
  const std::filesystem::path example =
      std::filesystem::path(yl::testing::example_scenario("quickstart")).parent_path();
  std::filesystem::create_directories(dir.path("q"));
  std::filesystem::create_directories(dir.path("t"));
  for (const char* file : {"scenario.toml", "events.csv"}) {
    std::filesystem::copy_file(example / file, dir.path("q/") + file);
  }
  // Run in the ledger's folder (paths stored as "scenario.toml"), export from a sibling folder.
  REQUIRE(run_cli({"run", "scenario.toml", "--db", "q.db"}, "cd '" + dir.path("q") + "' && ")
              .exit_code == 0);
  std::filesystem::create_directory_symlink("../q", dir.path("t/qlink"));
  const std::string before = read_file(dir.path("q/events.csv"));
  const auto refused = run_cli({"export", "--db", "../q/q.db", "--out", "qlink", "--force"},
                               "cd '" + dir.path("t") + "' && ");
  CHECK(refused.exit_code == 2);
  CHECK(refused.err ==
        "yieldledger: will not write 'qlink/events.csv': it is the events file the ledger was run "
        "from ('" +
            dir.path("q/events.csv") + "')\n");
  CHECK(read_file(dir.path("q/events.csv")) == before);
  // Run from the folder above (paths stored as "q/scenario.toml"), export from inside q.
  REQUIRE(run_cli({"run", "q/scenario.toml", "--db", "q/above.db"}, "cd '" + dir.path("") + "' && ")
              .exit_code == 0);
  const auto inside = run_cli({"export", "--db", "above.db", "--out", ".", "--force"},
                              "cd '" + dir.path("q") + "' && ");
  CHECK(inside.exit_code == 2);
  CHECK(inside.err == "yieldledger: will not write './events.csv': it is the events file the "
                      "ledger was run from ('" +
                          dir.path("q/events.csv") + "')\n");
  CHECK(read_file(dir.path("q/events.csv")) == before);
}

TEST_CASE("Export: a second export of one output is refused while the first writes (processes)") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string folder = dir.path("out");
  std::filesystem::create_directories(folder);
  const std::string xlsx = dir.path("book.xlsx");
  {
    // This test's process holds the locks, as a running export does; the CLI is a second one.
    const yl::OutputLock csv_lock(folder + "/.yieldledger-export.lock", folder);
    const yl::OutputLock xlsx_lock(dir.path(".book.xlsx.lock"), xlsx);
    const auto csv = run_cli({"export", "--db", db, "--out", folder});
    CHECK(csv.exit_code == 1);
    CHECK(csv.err == "yieldledger: '" + folder +
                         "' is being written by another export; try again when it has finished\n");
    const auto book = run_cli({"export", "--db", db, "--out", xlsx});
    CHECK(book.exit_code == 1);
    CHECK(book.err == "yieldledger: '" + xlsx +
                          "' is being written by another export; try again when it has finished\n");
    CHECK(files_with(folder, ".csv").empty());
    CHECK_FALSE(std::filesystem::exists(xlsx));
  }
  // Released (and its lock file removed): the export goes ahead.
  CHECK(run_cli({"export", "--db", db, "--out", folder}).exit_code == 0);
  CHECK(run_cli({"export", "--db", db, "--out", xlsx}).exit_code == 0);
  CHECK(files_with(folder, ".lock").empty());
  CHECK(files_with(root_of(dir), ".lock").empty());
  // A folder where the lock file goes: the output is named, nothing is written, and the fault is
  // the path's (EISDIR), exit 2.
  std::filesystem::create_directory(dir.path(".other.xlsx.lock"));
  const auto blocked = run_cli({"export", "--db", db, "--out", dir.path("other.xlsx")});
  CHECK(blocked.exit_code == 2);
  CHECK(blocked.err == "yieldledger: cannot write '" + dir.path("other.xlsx") +
                           "': its lock file '" + dir.path(".other.xlsx.lock") +
                           "' cannot be made: Is a directory\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("other.xlsx")));
  // A symbolic link there is not followed: a dangling one made the file it names, left behind
  // (helper-45's F1).
  std::filesystem::create_symlink("made-by-the-lock", dir.path(".linked.xlsx.lock"));
  const auto linked = run_cli({"export", "--db", db, "--out", dir.path("linked.xlsx")});
  CHECK(linked.exit_code == 2);
  CHECK(linked.err == "yieldledger: cannot write '" + dir.path("linked.xlsx") +
                          "': its lock file '" + dir.path(".linked.xlsx.lock") +
                          "' cannot be made: it is a symbolic link, which no export follows; "
                          "remove it\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("made-by-the-lock")));
  CHECK_FALSE(std::filesystem::exists(dir.path("linked.xlsx")));
}

TEST_CASE("Export: two exports into one folder at once never mix their files (processes)") {
  TempDir dir;
  const std::string small = quickstart_in(dir);
  const std::string big = synthetic_db(dir);
  const std::string folder = dir.path("out");
  // Both start together; each either finishes or is refused by the other's lock.
  auto launch = [&](const std::string& db, const std::string& name) {
    return "(" + std::string(YL_CLI_PATH) + " export --db " + db + " --out " + folder +
           " --tables accounts,events >" + dir.path(name + ".out") + " 2>" +
           dir.path(name + ".err") + "; echo $? >" + dir.path(name + ".rc") + ") &";
  };
  const std::string both = launch(big, "big") + " " + launch(small, "small") + " wait";
  REQUIRE(std::system(both.c_str()) == 0);
  const std::string refusal =
      "yieldledger: '" + folder +
      "' is being written by another export; try again when it has finished\n";
  int finished = 0;
  for (const char* name : {"big", "small"}) {
    const std::string rc = read_file(dir.path(std::string(name) + ".rc"));
    CHECK((rc == "0\n" || rc == "1\n"));
    if (rc == "0\n") ++finished;
    if (rc == "1\n") CHECK(read_file(dir.path(std::string(name) + ".err")) == refusal);
  }
  CHECK(finished >= 1);
  // The folder holds one export's files: its events table has as many rows as its summary says.
  CHECK(std::to_string(lines_of(folder + "/events.csv") - 1) == summary_value(folder, "events"));
  CHECK(files_with(folder, ".partial").empty());
}

TEST_CASE("Export XLSX: a write cut short by a file size limit fails, and nothing is left") {
  TempDir dir;
  const std::string db = synthetic_db(dir);
  const std::string xlsx = dir.path("limited.xlsx");
  // 200 blocks of 1 KiB: the events sheet's rows pass it long before the zip is written.
  const auto result = run_cli({"export", "--db", db, "--out", xlsx}, "ulimit -f 200; exec ");
  CHECK(result.exit_code == 1);
  CHECK(result.err == "yieldledger: could not write '" + xlsx +
                          "': a write failed and the output was cut short (is the disk full, or "
                          "a file size limit set?)\n");
  CHECK(result.err.find("[ERROR]") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(xlsx));
  CHECK(files_with(root_of(dir), "partial").empty());
  CHECK(files_with(root_of(dir), "lock").empty());
  // Without the limit the same export succeeds, and its workbook is complete.
  CHECK(run_cli({"export", "--db", db, "--out", xlsx}).exit_code == 0);
  CHECK(unzip(xlsx, "xl/worksheets/sheet7.xml").ends_with("</worksheet>"));
}

TEST_CASE("Export: a ledger whose ETH sums reach 2^256 - 1 exports exactly") {
  TempDir dir;
  // 2^255 wei = 57896044618658097711785492504343953926634992332820282019728.792003956564819968
  // ETH. 90% of the deposits is staked and 10% stays in the buffer. Two deposits of 2^255 would
  // bring buffer + Σ value to 2^256, which SPEC §6 rejects as overflow (the run fails at row 5);
  // with bob's one wei less the sums are 2^256 - 1: every pool fits, and so does the sum of the
  // balances, which the export adds in unbounded integers. The weekly report never comes.
  dir.write("scenario.toml",
            "name = \"big\"\nstart = \"2024-03-01T00:00:00Z\"\nend = \"2024-03-02T00:00:00Z\"\n"
            "report_every = \"7d\"\nevents = \"events.csv\"\n\n[ledger]\n"
            "initial_price = 1_000_000_000\n" +
                kLido);
  const std::string half =
      "57896044618658097711785492504343953926634992332820282019728.792003956564819968";
  const std::string half_less_one =
      "57896044618658097711785492504343953926634992332820282019728.792003956564819967";
  const std::string opens = "time,type,account,asset,amount,to,value\n"
                            "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                            "2024-03-01T00:00:00Z,open,bob,,,,user\n"
                            "2024-03-01T00:00:00Z,deposit,alice,ETH," +
                            half + ",,\n";
  dir.write("events.csv", opens + "2024-03-01T00:00:00Z,deposit,bob,ETH," + half + ",,\n");
  const std::string db = dir.path("big.db");
  const auto refused = run_cli({"run", dir.path("scenario.toml"), "--db", db});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("events.csv:5: deposit: overflow") != std::string::npos);
  dir.write("events.csv", opens + "2024-03-01T00:00:00Z,deposit,bob,ETH," + half_less_one + ",,\n");
  REQUIRE(run_cli({"run", dir.path("scenario.toml"), "--db", db}).exit_code == 0);
  REQUIRE(run_cli({"audit", "--db", db}).exit_code == 0);
  const auto csv = run_cli({"export", "--db", db, "--out", dir.path("csv")});
  CHECK(csv.exit_code == 0);
  CHECK(csv.err == "");
  // 2^256 - 1 wei = 115792089237316195423570985008687907853269984665640564039457.58400791312963
  // 9935 ETH.
  const std::string max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  CHECK(read_file(dir.path("csv/summary.csv"))
            .find("end,balances,ETH,115792089237316195423570985008687907853269984665640564039457."
                  "584007913129639935," +
                  max + "\n") != std::string::npos);
  CHECK(read_file(dir.path("csv/ledger_history.csv")).find("," + max + ",") != std::string::npos);
  const auto xlsx = run_cli({"export", "--db", db, "--out", dir.path("big.xlsx")});
  CHECK(xlsx.exit_code == 0);
  CHECK(xlsx.err == "");
}

TEST_CASE("Export: text cells that begin like a formula are defused, number cells never") {
  TempDir dir;
  dir.write("scenario.toml",
            "name = \"=1+2\"\nstart = \"2024-03-01T00:00:00Z\"\nend = \"2024-03-03T00:00:00Z\"\n"
            "report_every = \"1d\"\nevents = \"events.csv\"\n\n[ledger]\n"
            "initial_price = 1_000_000_000\n" +
                kLido);
  dir.write("events.csv", "id,time,type,account,asset,amount,to,value\n"
                          "@SUM(1),2024-03-01T00:00:00Z,open,-A1,,,,user\n"
                          "+x,2024-03-01T00:00:00Z,deposit,-A1,ETH,1.5,,\n");
  const std::string db = dir.path("f.db");
  REQUIRE(run_cli({"run", dir.path("scenario.toml"), "--db", db}).exit_code == 0);
  REQUIRE(run_cli({"export", "--db", db, "--out", dir.path("csv")}).exit_code == 0);
  const std::string accounts = read_file(dir.path("csv/accounts.csv"));
  CHECK(accounts.find("\n'-A1,user,") != std::string::npos);
  CHECK(accounts.find("\n'@gas,system,") != std::string::npos);
  const std::string events = read_file(dir.path("csv/events.csv"));
  CHECK(events.find("\n1,'@SUM(1),") != std::string::npos);
  CHECK(events.find("\n2,'+x,") != std::string::npos);
  CHECK(read_file(dir.path("csv/summary.csv")).find("\nscenario,name,,'=1+2,\n") !=
        std::string::npos);
  // Numbers keep their sign: the journal's credit of 1.5 ETH is exact, unprefixed.
  CHECK(read_file(dir.path("csv/journal.csv")).find(",1500000000000000000,1.5,") !=
        std::string::npos);
  REQUIRE(run_cli({"export", "--db", db, "--out", dir.path("f.xlsx")}).exit_code == 0);
  const std::string sheets = unzip(dir.path("f.xlsx"), "xl/worksheets/sheet3.xml");  // accounts
  CHECK(sheets.find("<t>'-A1</t>") != std::string::npos);
  CHECK(unzip(dir.path("f.xlsx"), "xl/worksheets/sheet1.xml").find("<t>'=1+2</t>") !=
        std::string::npos);
}

TEST_CASE("Export reads one snapshot while another process appends to the ledger") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  // Events after the example's end, appended while the export replays.
  const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value\n"
                                                 "2024-03-09T00:00:00Z,deposit,alice,ETH,1,,\n"
                                                 "2024-03-09T00:00:00Z,deposit,bob,ETH,2,,\n");
  yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(database);
  const std::int64_t before = store.event_count();
  int applied = -1;
  {
    yl::CsvSink sink(dir.path("csv"));
    yl::ExportOptions options;
    options.tables = {"events"};
    yl::export_ledger(store, options, sink, [&](const yl::ExportProgress&) {
      if (applied == -1) {
        applied = run_cli({"apply", more, "--db", db, "--until", "2024-03-10T00:00:00Z"}).exit_code;
      }
    });
  }
  CHECK(applied == 0);
  CHECK(store.event_count() == before + 2);  // committed, and seen after the export
  CHECK(lines_of(dir.path("csv/events.csv")) == static_cast<std::size_t>(before) + 1);
  CHECK(summary_value(dir.path("csv"), "events") == std::to_string(before));
}

TEST_CASE("Export XLSX: libxlsxwriter's own error lines are folded into one message") {
  TempDir dir;
  const std::string db = quickstart_in(dir);
  const std::string xlsx = dir.path("book.xlsx");
  yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(database);
  yl::XlsxSink sink(xlsx);
  // The workbook's temporary file is replaced by a folder: packaging it must fail.
  const auto partials = files_with(root_of(dir), ".partial");
  REQUIRE(partials.size() == 1);
  std::filesystem::remove(dir.path(partials[0]));
  std::filesystem::create_directory(dir.path(partials[0]));
  // The line libxlsxwriter printed ("[ERROR] workbook_close(): ...") is inside our message.
  CHECK_THROWS_WITH_AS(yl::export_ledger(store, {}, sink),
                       ("could not write '" + xlsx +
                        "': Error creating output xlsx file. Usually a permissions error. "
                        "(workbook_close(): Error creating '" +
                        dir.path(partials[0]) + "'. System error = Is a directory)")
                           .c_str(),
                       yl::ExportError);
  CHECK_FALSE(std::filesystem::exists(xlsx));
}

TEST_CASE(
    "Export XLSX: a cell's 32,767 characters are counted as Excel counts them, not in bytes") {
  // helper-63's F3: an id of 16,500 'ë' (33,000 bytes) was refused as "33000 characters".
  TempDir dir;
  dir.write(
      "scenario.toml",
      "name = \"long ids\"\nstart = \"2024-03-01T00:00:00Z\"\nend = \"2024-03-02T00:00:00Z\"\n"
      "report_every = \"1d\"\nevents = \"events.csv\"\n\n[ledger]\n"
      "initial_price = 1_000_000_000\n" +
          kLido);
  auto ledger = [&](const std::string& name, const std::string& id) {
    dir.write(name + ".csv", "id,time,type,account,asset,amount,to,value\n" + id +
                                 ",2024-03-01T00:00:00Z,open,alice,,,,user\n");
    std::string scenario = read_file(dir.path("scenario.toml"));
    scenario.replace(scenario.find("events.csv"), 10, name + ".csv");
    dir.write(name + ".toml", scenario);
    const std::string db = dir.path(name + ".db");
    REQUIRE(run_cli({"run", dir.path(name + ".toml"), "--db", db}).exit_code == 0);
    return db;
  };
  std::string accented;
  for (int i = 0; i < 16'500; ++i) accented += "\xc3\xab";  // ë: 2 bytes, 1 character
  const yl::testing::CliResult fits =
      run_cli({"export", "--db", ledger("e", accented), "--out", dir.path("e.xlsx")});
  CHECK(fits.err == "");
  CHECK(fits.exit_code == 0);
  CHECK(unzip(dir.path("e.xlsx"), "xl/worksheets/sheet7.xml").find(accented) != std::string::npos);
  // Past U+FFFF a character is two UTF-16 units, as Excel counts: 16,384 of them are 32,768.
  std::string astral;
  for (int i = 0; i < 16'384; ++i) astral += "\xf0\x9f\x92\xb0";  // U+1F4B0
  const yl::testing::CliResult over =
      run_cli({"export", "--db", ledger("a", astral), "--out", dir.path("a.xlsx")});
  CHECK(over.exit_code == 2);
  CHECK(over.err == "yieldledger: 'events' row 2 column 'id' holds 32768 characters, more than "
                    "the 32767 a spreadsheet cell holds; export it as --format csv\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("a.xlsx")));
}
