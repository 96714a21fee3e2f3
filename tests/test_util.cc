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
  INFO("event " << event_type_name(event.body) << " rejected: "
                << (rejected ? rejected->reason : std::string()));
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

#include "engine/audit.h"
#include "engine/input/input_error.h"
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>

namespace yl::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const auto base = std::filesystem::temp_directory_path();
  root_ = (base / ("yl_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++)))
              .string();
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

std::string audit_result(const std::string& db_path) {
  storage::Database db(db_path, storage::Database::Mode::read_only);
  storage::LedgerStore store(db);
  try {
    audit_ledger(store);
  } catch (const AuditMismatch& error) {
    return error.what();
  }
  return "OK";
}

std::string example_scenario(const std::string& name) {
  return std::string(YL_SOURCE_DIR) + "/examples/" + name + "/scenario.toml";
}

std::string small_scenario_toml(const std::string& events_file) {
  return "name = \"small\"\n"
         "start = \"2024-03-01T00:00:00Z\"\n"
         "end = \"2024-03-08T00:00:00Z\"\n"
         "report_every = \"1d\"\n"
         "events = \"" + events_file + "\"\n"
         "\n"
         "[ledger]\n"
         "initial_price = 1_000_000_000\n"
         "\n"
         "[[source]]\n"
         "name = \"lido\"\n"
         "asset = \"ETH\"\n"
         "kind = \"staking\"\n"
         "apr_bps = 400\n"
         "weight_bps = 9000\n"
         "\n"
         "[[source]]\n"
         "name = \"tbill\"\n"
         "asset = \"USDB\"\n"
         "kind = \"treasury\"\n"
         "apr_bps = 500\n"
         "weight_bps = 10000\n";
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

CliResult run_cli(const std::vector<std::string>& args, const std::string& shell_prefix) {
  static std::atomic<int> counter = 0;
  // One stderr file per process and call, so parallel CTest runs never share one.
  const std::string err_file = std::string(YL_TEST_TMP) + "/cli_err_" +
                               std::to_string(::getpid()) + "_" + std::to_string(counter++);
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
