// The README as a new user reads it: its walk through examples/blast-launch is run again, and
// every command prints what the README shows; every test it names exists. A review on 2026-12-05
// found seven of its blocks as they were before SPEC v1.2 added columns, and a test name that
// selected nothing.
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/lab/metrics.h"
#include "tests/test_util.h"

using yl::testing::read_file;
using yl::testing::TempDir;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A command shown in a README code block (`$ ...`) and the lines shown after it.
struct Shown {
  std::size_t line = 0;  // 1-based, in README.md
  std::string command;
  std::vector<std::string> output;
};

std::vector<Shown> shown_commands(const std::vector<std::string>& readme) {
  std::vector<Shown> shown;
  bool in_block = false, after_command = false;
  for (std::size_t i = 0; i < readme.size(); ++i) {
    const std::string& line = readme[i];
    if (line.starts_with("```")) {
      in_block = !in_block;
      after_command = false;
    } else if (in_block && line.starts_with("$ ")) {
      shown.push_back({i + 1, line.substr(2), {}});
      after_command = true;
    } else if (after_command) {
      shown.back().output.push_back(line);
    }
  }
  for (Shown& s : shown) {  // the blank lines before the next command or the block's end
    while (!s.output.empty() && s.output.back().empty()) s.output.pop_back();
  }
  return shown;
}

// Runs `command` with bash in `dir`: what it prints on stdout.
std::string run_in(const TempDir& dir, const std::string& command) {
  const std::string script = dir.write("command.sh", "cd '" + dir.path("") + "' && " + command);
  std::FILE* pipe = ::popen(("bash '" + script + "'").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// Whether `actual` is what `shown` shows: its lines in order, where a line "..." stands for any
// lines the README leaves out (none, at its end, means the output may go on).
bool shows(const std::vector<std::string>& shown, const std::vector<std::string>& actual) {
  std::vector<std::vector<std::string>> parts(1);
  for (const std::string& line : shown) {
    if (line == "...") {
      parts.emplace_back();
    } else {
      parts.back().push_back(line);
    }
  }
  const auto matches_at = [&](const std::vector<std::string>& part, std::size_t at) {
    if (at + part.size() > actual.size()) return false;
    return std::equal(part.begin(), part.end(), actual.begin() + static_cast<long>(at));
  };
  if (parts.size() == 1) return parts[0] == actual;
  if (!matches_at(parts.front(), 0)) return false;
  std::size_t at = parts.front().size();
  for (std::size_t p = 1; p + 1 < parts.size(); ++p) {
    while (at < actual.size() && !matches_at(parts[p], at)) ++at;
    if (at == actual.size() && !parts[p].empty()) return false;
    at += parts[p].size();
  }
  const auto& last = parts.back();
  return last.empty() ||
         (actual.size() >= at + last.size() && matches_at(last, actual.size() - last.size()));
}

}  // namespace

TEST_CASE("README: the walk through examples/blast-launch prints what the README shows") {
  const std::vector<std::string> readme = lines_of(read_file(YL_SOURCE_DIR "/README.md"));
  TempDir dir;
  // The paths the README gives (examples/..., relative): the scenario's path is hashed into the
  // chains' heads that audit prints.
  std::filesystem::create_directory_symlink(YL_SOURCE_DIR "/examples", dir.path("examples"));
  const std::string cli = std::string("'") + YL_CLI_PATH + "'";
  int ran = 0;
  for (const Shown& s : shown_commands(readme)) {
    // The blast-launch ledger and what is made from it; fee20.db is made by no command shown.
    if (s.command.find("blast-launch") == std::string::npos ||
        s.command.find("fee20") != std::string::npos) {
      continue;
    }
    const std::string command = std::regex_replace(
        s.command, std::regex("(^|\\| )(build/cli/)?yieldledger "), "$1" + cli + " ");
    CAPTURE(s.line);
    CAPTURE(s.command);
    const std::vector<std::string> actual = lines_of(run_in(dir, command));
    if (!shows(s.output, actual)) {
      std::string expected, got;
      for (const auto& l : s.output) expected += l + "\n";
      for (const auto& l : actual) got += l + "\n";
      CHECK(got == expected);
    }
    ++ran;
  }
  // run, ledgers, balances, reports, ledgers --at, journal, audit, explain, three exports, head
  CHECK(ran == 12);
}

TEST_CASE("README: its Metrics section names every metric a run writes") {
  // Lab version 6 added eight (helper-78: nothing checked the table against metric_infos()).
  const std::string readme = read_file(YL_SOURCE_DIR "/README.md");
  const std::size_t start = readme.find("\n### Metrics\n");
  REQUIRE(start != std::string::npos);
  const std::string section = readme.substr(start, readme.find("\n### ", start + 1) - start);
  for (const yl::lab::MetricInfo& info : yl::lab::metric_infos()) {
    const std::string name = "`" + std::string(info.name) + "`";
    CAPTURE(name);
    // A row of the table starts with it, or names it after another: "| `a`, `b` |".
    CHECK((section.find("| " + name) != std::string::npos ||
           section.find(", " + name) != std::string::npos));
  }
}

TEST_CASE("README: every test it names exists") {
  const std::string readme = read_file(YL_SOURCE_DIR "/README.md");
  std::string tests;
  for (const auto& entry : std::filesystem::directory_iterator(YL_SOURCE_DIR "/tests")) {
    if (entry.path().extension() == ".cc") tests += read_file(entry.path().string());
  }
  tests = std::regex_replace(tests, std::regex("TEST_CASE\\(\\s+\""), "TEST_CASE(\"");
  // A name in backticks that reads as one: "Prefix: what it checks", as in the table of
  // blast-mechanics §6 and the SPEC sections' tests.
  const std::regex name("`((ShareLedger|Ledger|Randomized|Gas|Policy §[0-9.]+|Hardening)[^`:]*: "
                        "[^`]+)`");
  int named = 0;
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), name);
       it != std::sregex_iterator(); ++it) {
    const std::string test = (*it)[1];
    CAPTURE(test);
    CHECK(tests.find("TEST_CASE(\"" + test + "\")") != std::string::npos);
    ++named;
  }
  CHECK(named >= 14);  // as many as the README names (2026-12-05): the pattern finds them
}
