// HTML reports (engine/html): escaping of every text from inputs, the page's self-containment
// (Chart.js embedded, a CSP that forbids the network), the export's page, and the output file
// that is never half-written. The browser check is scripts/browser_test.sh.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <set>

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/export/html_sink.h"
#include "engine/html/report.h"
#include "engine/input/input_error.h"
#include "engine/output/export_error.h"
#include "engine/output/output_file.h"
#include "engine/usage_error.h"
#include "tests/test_util.h"

using yl::testing::read_file;
using yl::testing::run_cli;
using yl::testing::TempDir;

namespace {
bool g_no_exchange = false;  // set: renameat2 below answers RENAME_EXCHANGE as NFS does

std::size_t partials_in(const TempDir& dir) {  // the temporaries `.NAME.MARK-N.partial` there
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path(""))) {
    if (entry.path().extension() == ".partial") ++n;
  }
  return n;
}
// A folder that appears at the path of an output after its check is never taken away (a rename
// over it fails; a swap would have moved it to the temporary name): the commit fails.
void check_folder_appearing(const TempDir& dir, const std::string& name) {
  {
    yl::OutputFile out(dir.path(name), yl::OutputFile::Existing::replace);
    out.write("late");
    std::filesystem::create_directory(dir.path(name));
    dir.write(name + "/inside", "kept");
    CHECK_THROWS_WITH_AS(out.commit(),
                         ("cannot write '" + dir.path(name) + "': Is a directory").c_str(),
                         yl::ExportError);
  }
  CHECK(read_file(dir.path(name + "/inside")) == "kept");
}
}  // namespace

// This test binary's renameat2, taken by OutputFile in place of the C library's: with
// g_no_exchange set it refuses RENAME_EXCHANGE with EINVAL, as a file system that cannot swap
// does (NFS, many FUSE and cluster file systems); otherwise the system call.
extern "C" int renameat2(int old_dir, const char* old_path, int new_dir, const char* new_path,
                         unsigned int flags) noexcept {
  if (g_no_exchange && (flags & RENAME_EXCHANGE) != 0) {
    errno = EINVAL;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_renameat2, old_dir, old_path, new_dir, new_path, flags));
}

TEST_CASE("HTML: every text from inputs is escaped, in markup and in the chart data") {
  CHECK(yl::html::html_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  // Controls but whitespace, which HTML does not allow (helper-70's F10), as escapes.
  CHECK(yl::html::html_escape(std::string("\x1b[31mred\nx\0y\x7f\t\xc2\x85z\xc2\xa0", 19)) ==
        "\\x1b[31mred\nx\\x00y\\x7f\t\\u0085z\\u00a0");  // a no-break space, too (helper-87's F3)
  // By the one rule of controls (escape_controls), keeping what a page may hold: whitespace, and
  // a byte that is not UTF-8 (a browser shows U+FFFD; a message writes \xff).
  CHECK(yl::html::html_escape("a\xff\r\n") == "a\xff\r\n");
  CHECK(yl::escape_controls("a\xff\r\n") == "a\\xff\\r\\n");
  CHECK(yl::escape_controls("a\xff\r\n", yl::Keep::page_text) == "a\xff\r\n");
  CHECK(yl::html::json_string("</script><!--\"\\\n") ==
        "\"\\u003c/script\\u003e\\u003c!--\\\"\\\\\\u000a\"");
  // U+2028 (E2 80 A8) and U+2029 are escaped; other UTF-8 passes through.
  CHECK(yl::html::json_string("a\xE2\x80\xA8"
                              "b\xE2\x80\xA9"
                              "c é") == "\"a\\u2028b\\u2029c é\"");
  yl::html::Json j = yl::html::Json::object({{"x", 1.5}, {"nan", std::nan("")}, {"s", "<"}});
  j.set("x", 2);
  CHECK(j.text() == "{\"x\":2,\"nan\":null,\"s\":\"\\u003c\"}");

  yl::html::Page page{"T <&>", "sub \"q\"", {}, "yieldledger test"};
  yl::html::Section section{"S</h2>", "note <b>", {}, {}};
  section.tables.push_back({"cap", {"a<"}, {false}, {{"<script>alert(1)</script>"}}});
  section.charts.push_back(
      {"chart </script>", yl::html::Json::object({{"type", "line"}}), {"<x>"}});
  page.sections.push_back(section);
  const std::string html = yl::html::render(page);
  CHECK(html.find("<title>T &lt;&amp;&gt;</title>") != std::string::npos);
  CHECK(html.find("<h2>S&lt;/h2&gt;</h2>") != std::string::npos);
  CHECK(html.find("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>") != std::string::npos);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("chart </script>") == std::string::npos);
  CHECK(html.find("\"chart \\u003c/script\\u003e\"") != std::string::npos);
  CHECK(html.find("<body data-charts=\"1\" data-charts-drawn=\"0\" data-errors=\"0\">") !=
        std::string::npos);
}

TEST_CASE("HTML: sixteen colours, then each round of them another dash") {
  // A study's page has 22 cohorts and 12 points: colours 8-15 repeated 0-7 (helper-60's F2), and
  // 16-23 then repeated 0-7 whole (helper-61's R2).
  std::set<std::string> colours;
  for (std::size_t n = 0; n < 16; ++n) colours.insert(yl::html::palette_color(n));
  CHECK(colours.size() == 16);
  CHECK(yl::html::palette_color(16) == yl::html::palette_color(0));
  CHECK(yl::html::palette_dash(0).text() == "[]");
  CHECK(yl::html::palette_dash(15).text() == "[]");
  CHECK(yl::html::palette_dash(16).text() == "[6,4]");
  CHECK(yl::html::palette_dash(32).text() == "[2,3]");
  CHECK(yl::html::palette_dash(48).text() == "[8,3,2,3]");
  CHECK(yl::html::palette_dash(64).text() == "[]");
  // Every colour is data ink to the browser test: channels more than 60 apart.
  for (std::size_t n = 0; n < 16; ++n) {
    int r = 0, g = 0, b = 0;
    REQUIRE(std::sscanf(yl::html::palette_color(n).c_str(), "rgb(%d, %d, %d)", &r, &g, &b) == 3);
    CHECK(std::max({r, g, b}) - std::min({r, g, b}) > 60);
  }
}

TEST_CASE("HTML: one self-contained file: Chart.js inline, no network allowed or referenced") {
  // The UMD build (it defines the global Chart), from Debian's libjs-chart.js.
  CHECK(yl::html::chart_js().starts_with("/*!\n * Chart.js v"));
  CHECK(yl::html::chart_js().find(".Chart=e()") != std::string_view::npos);
  CHECK(yl::html::chart_js().size() > 100000);
  const std::string html = yl::html::render({"t", "", {}, "yieldledger test"});
  CHECK(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">") !=
        std::string::npos);
  for (const char* reference : {" src=", "<link", "@import", "url(", "fetch(", "XMLHttpRequest"}) {
    const std::string page_only = html.substr(0, html.find(std::string(yl::html::chart_js())));
    CHECK_MESSAGE(page_only.find(reference) == std::string::npos, reference);
  }
}

TEST_CASE("HTML: an output file appears whole or not at all") {
  TempDir dir;
  using yl::OutputFile;
  {
    OutputFile out(dir.path("a.html"), OutputFile::Existing::refuse);
    out.write("first");
    CHECK_FALSE(std::filesystem::exists(dir.path("a.html")));  // not before commit
    out.commit();
  }
  CHECK(read_file(dir.path("a.html")) == "first");
  {
    OutputFile out(dir.path("b.html"), OutputFile::Existing::refuse);
    out.write("never committed");
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("b.html")));
  CHECK(yl::testing::usage_error([&] {
          OutputFile(dir.path("a.html"), OutputFile::Existing::refuse);
        }) == "'" + dir.path("a.html") +
                  "' already exists; choose another --out, or add --force to "
                  "replace it");
  CHECK(yl::testing::usage_error([&] {
          OutputFile(dir.path("none/a.html"), OutputFile::Existing::refuse);
        }) == "cannot write '" + dir.path("none/a.html") + "': the folder '" + dir.path("none") +
                  "' does not exist");
  std::filesystem::create_directory(dir.path("folder"));
  CHECK(yl::testing::usage_error([&] {
          OutputFile(dir.path("folder"), OutputFile::Existing::replace);
        }) == "cannot write '" + dir.path("folder") + "': it is a folder, not a file");
  CHECK(yl::testing::usage_error([&] {
          OutputFile(dir.path("new.html/"), OutputFile::Existing::replace);
        }) == "cannot write '" + dir.path("new.html/") +
                  "': it ends in '/', so it names a folder, not a file");
  // A file that appears between the check and the commit is not replaced.
  {
    OutputFile out(dir.path("c.html"), OutputFile::Existing::refuse);
    out.write("late");
    dir.write("c.html", "someone else's");
    CHECK(yl::testing::usage_error([&] {
            out.commit();
          }).ends_with("appeared while it was written; it was left as it is"));
  }
  CHECK(read_file(dir.path("c.html")) == "someone else's");
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path(""))) {
    CHECK_MESSAGE(entry.path().extension() != ".partial", entry.path());
    ++files;
  }
  CHECK(files == 3);  // a.html, c.html and the folder
}

TEST_CASE("HTML: a committed output is reverted to the file it replaced, or to none") {
  // generate's scenario.toml that cannot be put in place takes its events.csv back: with
  // --force the old events.csv was removed, the old scenario.toml left alone (helper-46's F2).
  TempDir dir;
  using yl::OutputFile;
  auto partials = [&] { return partials_in(dir); };
  dir.write("a.txt", "old");
  {
    OutputFile out(dir.path("a.txt"), OutputFile::Existing::replace);
    out.write("new");
    out.commit();
    CHECK(read_file(dir.path("a.txt")) == "new");
    CHECK(partials() == 1);  // the old file, kept until the end
    out.revert();
    CHECK(read_file(dir.path("a.txt")) == "old");
  }
  CHECK(read_file(dir.path("a.txt")) == "old");
  CHECK(partials() == 0);
  {
    OutputFile out(dir.path("a.txt"), OutputFile::Existing::replace);
    out.write("newer");
    out.commit();
  }
  CHECK(read_file(dir.path("a.txt")) == "newer");
  CHECK(partials() == 0);  // the replaced file goes at the end
  // The new file moved away before the revert: the replaced one comes back all the same (the
  // swap back failed, and the end removed it: neither was left, helper-49's F2).
  {
    OutputFile out(dir.path("a.txt"), OutputFile::Existing::replace);
    out.write("newest");
    out.commit();
    std::filesystem::rename(dir.path("a.txt"), dir.path("moved.txt"));
    out.revert();
  }
  CHECK(read_file(dir.path("a.txt")) == "newer");
  CHECK(read_file(dir.path("moved.txt")) == "newest");
  CHECK(partials() == 0);
  check_folder_appearing(dir, "d");
  CHECK(partials() == 0);
  for (const auto existing : {OutputFile::Existing::replace, OutputFile::Existing::refuse}) {
    {
      OutputFile out(dir.path("b.txt"), existing);
      out.write("first");
      out.commit();
      CHECK(read_file(dir.path("b.txt")) == "first");
      out.revert();  // none was there before
    }
    CHECK_FALSE(std::filesystem::exists(dir.path("b.txt")));
    CHECK(partials() == 0);
  }
}

TEST_CASE("HTML: where the file system cannot swap, a replaced file is kept by a hard link") {
  // helper-49's F6: there commit() renamed over the old file, so a revert (generate's
  // scenario.toml that could not be put in place) left neither the old events.csv nor the new.
  TempDir dir;
  using yl::OutputFile;
  auto partials = [&] { return partials_in(dir); };
  struct NoExchange {
    NoExchange() { g_no_exchange = true; }
    ~NoExchange() { g_no_exchange = false; }
    NoExchange(const NoExchange&) = delete;
    NoExchange& operator=(const NoExchange&) = delete;
  } no_exchange;
  dir.write("a.txt", "old");
  {
    OutputFile out(dir.path("a.txt"), OutputFile::Existing::replace);
    out.write("new");
    out.commit();
    CHECK(read_file(dir.path("a.txt")) == "new");
    CHECK(partials() == 1);  // the old file, by its second name
    CHECK(read_file(out.temp_path().string()) == "old");
    out.revert();
    CHECK(read_file(dir.path("a.txt")) == "old");
    CHECK(partials() == 0);
  }
  CHECK(read_file(dir.path("a.txt")) == "old");
  {
    OutputFile out(dir.path("a.txt"), OutputFile::Existing::replace);
    out.write("newer");
    out.commit();
  }
  CHECK(read_file(dir.path("a.txt")) == "newer");
  CHECK(partials() == 0);  // the old file's second name goes at the end
  check_folder_appearing(dir, "e");
  // None there before: the new file is renamed into place, and a revert removes it.
  {
    OutputFile out(dir.path("b.txt"), OutputFile::Existing::replace);
    out.write("first");
    out.commit();
    CHECK(read_file(dir.path("b.txt")) == "first");
    out.revert();
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("b.txt")));
  CHECK(partials() == 0);
}

TEST_CASE("CLI: export --format html: the summary, the six charts and the exact history") {
  TempDir dir;
  REQUIRE(run_cli({"run", yl::testing::example_scenario("blast-launch"), "--db", dir.path("b.db")})
              .exit_code == 0);
  const auto r = run_cli({"export", "--db", dir.path("b.db"), "--out", dir.path("b.html")});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "exported 'blast-launch' to " + dir.path("b.html") +
                     " (html): 93 history samples; rows: ledger_history 186, summary 70\n");
  const std::string html = read_file(dir.path("b.html"));
  CHECK(html.find("<body data-charts=\"6\"") != std::string::npos);
  for (const char* title : {"Share price", "Realized APY per period", "ETH insurance fund and debt",
                            "USDB insurance fund and debt", "Top ETH holders (balance + claimable)",
                            "Top USDB holders (balance + claimable)", "Ledger history (exact)"}) {
    CHECK_MESSAGE(html.find("<h2>" + yl::html::html_escape(title) + "</h2>") != std::string::npos,
                  title);
  }
  // The summary's exact figures, as in the CSV export's summary.csv (README: ETH price APY).
  CHECK(html.find("<td class=\"n\">1.747710853</td>") != std::string::npos);
  // A page this tool wrote is replaced; another file only with --force (output_guard.h).
  CHECK(run_cli({"export", "--db", dir.path("b.db"), "--out", dir.path("b.html")}).exit_code == 0);
  const std::string mine = dir.write("mine.html", "<p>my notes</p>");
  const auto foreign = run_cli({"export", "--db", dir.path("b.db"), "--out", mine});
  CHECK(foreign.exit_code == 2);
  CHECK(read_file(mine) == "<p>my notes</p>");
  CHECK(run_cli({"export", "--db", dir.path("b.db"), "--out", mine, "--force"}).exit_code == 0);
  CHECK(yl::html::is_export_page(mine));
  // A missing folder is created, as for a CSV folder or a workbook.
  const auto missing =
      run_cli({"export", "--db", dir.path("b.db"), "--out", dir.path("nowhere/b.html")});
  CHECK(missing.exit_code == 0);
  CHECK(yl::html::is_export_page(dir.path("nowhere/b.html")));
  CHECK(html.find("<meta name=\"generator\" content=\"yieldledger export\">") != std::string::npos);

  // --tables with a page was counted in the closing line but left out of the page.
  const auto tables = run_cli(
      {"export", "--db", dir.path("b.db"), "--out", dir.path("j.html"), "--tables", "journal"});
  CHECK(tables.exit_code == 2);
  CHECK(tables.err == "yieldledger: --tables does not apply to a page (--format html): it always "
                      "holds the summary, the charts and ledger_history\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("j.html")));
  // --accounts too, which picks rows of tables a page does not hold, and so with --tables that
  // leaves both out: it was taken and did nothing (helper-45's F15).
  const auto accounts = run_cli(
      {"export", "--db", dir.path("b.db"), "--out", dir.path("a.html"), "--accounts", "top:1"});
  CHECK(accounts.exit_code == 2);
  CHECK(accounts.err == "yieldledger: --accounts picks the rows of accounts and balance_history, "
                        "which a page (--format html) does not hold\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("a.html")));
  const auto journal_only = run_cli({"export", "--db", dir.path("b.db"), "--out", dir.path("jo"),
                                     "--tables", "journal", "--accounts", "top:1"});
  CHECK(journal_only.exit_code == 2);
  CHECK(journal_only.err == "yieldledger: --accounts picks the rows of accounts and "
                            "balance_history, which --tables leaves out\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("jo")));
  CHECK(run_cli({"export", "--db", dir.path("b.db"), "--out", dir.path("ac"), "--tables",
                 "accounts", "--accounts", "top:1"})
            .exit_code == 0);

  // compare's page carried the same generator, so export replaced it without --force.
  const std::string compared = dir.path("compare.html");
  REQUIRE(run_cli({"compare", dir.path("b.db"), dir.path("b.db"), "--format", "html", "--out",
                   compared})
              .exit_code == 0);
  const std::string page = read_file(compared);
  CHECK(page.find("<meta name=\"generator\" content=\"yieldledger compare\">") !=
        std::string::npos);
  CHECK_FALSE(yl::html::is_export_page(compared));
  const auto over = run_cli({"export", "--db", dir.path("b.db"), "--out", compared});
  CHECK(over.exit_code == 2);
  CHECK(over.err == "yieldledger: '" + compared +
                        "' exists and was not written by `yieldledger export`; pass --force to "
                        "replace it\n");
  CHECK(read_file(compared) == page);
}

namespace {
volatile std::sig_atomic_t handled = 0;
extern "C" void note_handled(int signal) { handled = signal; }
}  // namespace

TEST_CASE("HeldSignals: Ctrl-C during a set of renames is noted, for main to raise at the end") {
  // helper-57's F1: a SIGINT between two renames of an export left a folder of two exports;
  // helper-58's R2: raised as the renames ended, it left the temporaries and the lock behind.
  struct sigaction mine {
  }, before_int{}, before_hup{};
  mine.sa_handler = note_handled;
  sigemptyset(&mine.sa_mask);
  REQUIRE(sigaction(SIGINT, &mine, &before_int) == 0);
  handled = 0;
  CHECK(yl::take_held_signal() == 0);
  {
    const yl::HeldSignals held;
    REQUIRE(std::raise(SIGINT) == 0);
  }
  CHECK(handled == 0);  // noted, not acted on: the handler there before is back
  CHECK(yl::take_held_signal() == SIGINT);
  CHECK(yl::take_held_signal() == 0);  // taken once
  REQUIRE(std::raise(SIGINT) == 0);
  CHECK(handled == SIGINT);
  // Ignored before (nohup), ignored after.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  REQUIRE(sigaction(SIGHUP, &ignore, &before_hup) == 0);
  { const yl::HeldSignals held; }
  struct sigaction now {};
  REQUIRE(sigaction(SIGHUP, nullptr, &now) == 0);
  const bool still_ignored = now.sa_handler == SIG_IGN;
  CHECK(still_ignored);
  sigaction(SIGHUP, &before_hup, nullptr);
  sigaction(SIGINT, &before_int, nullptr);
}
