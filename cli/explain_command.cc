// `yieldledger explain --db FILE (--account NAME [--asset ETH|USDB] | --source NAME)
//  [--from TIME] [--to TIME] [--format table|csv]`: a statement an auditor can check line by line
// (engine/statement.h). Exit 3 if its check line does not hold.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/query.h"
#include "engine/statement.h"

namespace yl::cli {
namespace {

struct ExplainOptions {
  std::string db, asset;
  // Optional, not empty: `--account ""` (a script's unset variable) is an unknown account.
  std::optional<std::string> account, source, from, to;
  std::string format = "table";
};

std::string check_text(const SignedAmount& difference) {
  return difference.is_zero() ? "OK, to the wei"
                              : "MISMATCH by " + difference.wei_string() + " wei";
}

// For tables, the closing and check lines, printed under the table.
std::string account_summary(const AccountStatement& s) {
  const Amount opening = s.opening_balance + s.opening_claimable;
  const Amount closing = s.closing_balance + s.closing_claimable;
  std::string text = fmt::format(
      "{} {}: opening + movements + accruals = closing (balance + claimable)\n"
      "  {} + {} + {} = {}  (balance {}, claimable {}): {}\n",
      s.account, asset_name(s.asset), units(opening), signed_units(s.movements.wei_string()),
      signed_units(s.accruals.wei_string()), units(closing), units(s.closing_balance),
      units(s.closing_claimable), check_text(s.check_difference));
  if (!s.discounts.is_zero()) {
    text += fmt::format("  withdrawal discounts {} (debited and not paid out: debt repaid and "
                        "retained, SPEC §5.5)\n",
                        units(s.discounts));
  }
  return text;
}

void print_account(const AccountStatement& s, bool csv, Table& table) {
  const std::string asset(asset_name(s.asset));
  auto wei = [&](const Amount& a) { return csv ? a.wei_string() : units(a); };
  auto signed_wei = [&](const SignedAmount& a) {
    return csv ? a.wei_string() : signed_units(a.wei_string());
  };
  table.rows.push_back({s.from, asset, "opening", "balance + claimable", "", "",
                        wei(s.opening_balance), wei(s.opening_claimable), "", "", "", ""});
  for (const StatementLine& l : s.lines) {
    table.rows.push_back({l.time, asset, l.accrual ? "accrual" : "movement", l.what, l.event,
                          signed_wei(l.change), wei(l.balance), wei(l.claimable),
                          l.shares.wei_string(), l.accrual ? l.price_before.wei_string() : "",
                          l.accrual ? l.price_after.wei_string() : "",
                          l.discount ? wei(*l.discount) : ""});
  }
  table.rows.push_back({s.to, asset, "closing", "movements + accruals", "",
                        signed_wei(s.movements + s.accruals), wei(s.closing_balance),
                        wei(s.closing_claimable), "", "", "", wei(s.discounts)});
  if (csv) {
    table.rows.push_back({s.to, asset, "check", "opening + movements + accruals - closing", "",
                          s.check_difference.wei_string(), "", "", "", "", "", ""});
  }
}

// Prints the statements of one account (both assets unless --asset); true if they all check.
bool explain_account_statements(storage::LedgerStore& store, const ExplainOptions& options,
                                std::optional<Timestamp> from, std::optional<Timestamp> to) {
  const bool csv = options.format == "csv";
  std::vector<Asset> assets = {Asset::eth, Asset::usdb};
  if (!options.asset.empty()) assets = {*parse_asset(options.asset)};
  Table table;
  table.columns = {{"time"},
                   {"asset"},
                   {"kind"},
                   {"what"},
                   {"event", false, true},
                   {csv ? "change_wei" : "change", true},
                   {csv ? "balance_wei" : "balance", true},
                   {csv ? "claimable_wei" : "claimable", true},
                   {"shares", true},
                   {"price_before", true},
                   {"price_after", true},
                   {csv ? "discount_wei" : "discount", true}};
  std::string summaries;
  bool balanced = true;
  for (Asset asset : assets) {
    const AccountStatement s = explain_account(store, *options.account, asset, from, to);
    print_account(s, csv, table);
    summaries += account_summary(s);
    balanced = balanced && s.check_difference.is_zero();
  }
  print(std::cout, table, csv ? Format::csv : Format::table);
  if (!csv) std::cout << '\n' << summaries;
  return balanced;
}

// Prints the statement of one source; true if it checks.
bool explain_source_statement(storage::LedgerStore& store, const ExplainOptions& options,
                              std::optional<Timestamp> from, std::optional<Timestamp> to) {
  const bool csv = options.format == "csv";
  const SourceStatement s = explain_source(store, *options.source, from, to);
  auto wei = [&](const Amount& a) { return csv ? a.wei_string() : units(a); };
  auto signed_wei = [&](const SignedAmount& a) {
    return csv ? a.wei_string() : signed_units(a.wei_string());
  };
  Table table;
  table.columns = {{"time"},
                   {"kind"},
                   {"what"},
                   {"event", false, true},
                   {csv ? "value_change_wei" : "value_change", true},
                   {csv ? "principal_change_wei" : "principal_change", true},
                   {csv ? "value_wei" : "value", true},
                   {csv ? "principal_wei" : "principal", true},
                   // A hurdle line's yield no fee was taken of (SPEC §9.4); it moves nothing, and
                   // showed 0 and 0 alone (helper-72's F6).
                   {csv ? "exempt_wei" : "exempt", true}};
  table.rows.push_back(
      {s.from, "opening", "", "", "", "", wei(s.opening_value), wei(s.opening_principal), ""});
  for (const SourceLine& l : s.lines) {
    table.rows.push_back({l.time, "line", l.what, l.event, signed_wei(l.value_change),
                          signed_wei(l.principal_change), wei(l.value), wei(l.principal),
                          l.what == "hurdle" ? wei(l.exempt) : ""});
  }
  table.rows.push_back({s.to, "closing", "", "", signed_wei(s.value_changes),
                        signed_wei(s.principal_changes), wei(s.closing_value),
                        wei(s.closing_principal), ""});
  if (csv) {
    table.rows.push_back({s.to, "check", "opening + changes - closing", "",
                          s.value_check_difference.wei_string(),
                          s.principal_check_difference.wei_string(), "", "", ""});
  }
  print(std::cout, table, csv ? Format::csv : Format::table);
  if (!csv) {
    std::cout << fmt::format(
        "\n{} ({}): opening + changes = closing\n  value:     {} + {} = {}: {}\n"
        "  principal: {} + {} = {}: {}\n",
        s.source, asset_name(s.asset), units(s.opening_value),
        signed_units(s.value_changes.wei_string()), units(s.closing_value),
        check_text(s.value_check_difference), units(s.opening_principal),
        signed_units(s.principal_changes.wei_string()), units(s.closing_principal),
        check_text(s.principal_check_difference));
  }
  return s.value_check_difference.is_zero() && s.principal_check_difference.is_zero();
}

void explain(const ExplainOptions& options) {
  if (options.account.has_value() == options.source.has_value()) {
    throw UsageError("explain needs exactly one of --account NAME or --source NAME");
  }
  const auto from = optional_time("--from", options.from);
  const auto to = optional_time("--to", options.to);
  if (from && to && *to < *from) {
    throw UsageError(fmt::format("--from {} is after --to {}", *options.from, *options.to));
  }
  LedgerReader reader(options.db);
  const bool balanced = !options.account
                            ? explain_source_statement(reader.store, options, from, to)
                            : explain_account_statements(reader.store, options, from, to);
  flush_stdout();
  if (!balanced) throw MismatchPrinted{};
}

}  // namespace

void add_explain_command(CLI::App& app) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* command = app.add_subcommand(
      "explain", "A statement of an account or a source that checks itself to the wei");
  command->add_option("--db", options->db, "the ledger database written by `run`")->required();
  command->add_option("--account", options->account, "the account to explain");
  CLI::Option* source =
      command->add_option("--source", options->source, "the yield source to explain");
  // A source has one asset: --asset with it was ignored without a word.
  command->add_option("--asset", options->asset, "ETH or USDB (default: both; --account only)")
      ->check(CLI::IsMember({"ETH", "USDB"}))
      ->excludes(source);
  command->add_option("--from", options->from,
                      "open at the state `balances --at FROM` shows, and list what follows it "
                      "(default: before the start)");
  command->add_option("--to", options->to,
                      "close at the state `balances --at TO` shows (default: the end)");
  command->add_option("--format", options->format, "table (for people) or csv (for spreadsheets)")
      ->check(CLI::IsMember({"table", "csv"}));
  command->callback([options] { explain(*options); });
}

}  // namespace yl::cli
