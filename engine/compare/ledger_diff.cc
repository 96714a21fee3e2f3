#include "engine/compare/ledger_diff.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/core/asset.h"
#include "engine/core/snapshot.h"
#include "engine/export/csv_sink.h"
#include "engine/export/exporter.h"
#include "engine/export/realized_apy.h"
#include "engine/input/input_file.h"
#include "engine/replay/replay.h"
#include "engine/storage/ledger_store.h"
#include "engine/storage/migrations.h"
#include "engine/usage_error.h"

namespace yl::compare {
namespace {

storage::Database open_ledger(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    const auto kind = special_file_kind(path);
    throw UsageError(kind ? fmt::format("ledger '{}' is {}, not a file", path, *kind)
                          : fmt::format("ledger '{}' not found", path));
  }
  storage::Database db(path, storage::Database::Mode::read_only);
  storage::verify_schema(db);
  return db;
}

// An event as the CSV row it was given as (time,type,account,asset,amount,to,value,id).
std::string event_text(const storage::StoredEvent& e) {
  std::string text;
  for (const std::string* field : {&e.raw.time, &e.raw.type, &e.raw.account, &e.raw.asset,
                                   &e.raw.amount, &e.raw.to, &e.raw.value, &e.raw.id}) {
    if (field != &e.raw.time) text += ',';
    append_csv_field(text, *field);
  }
  return text;
}

bool same_event(const RawEvent& a, const RawEvent& b) {
  return a.id == b.id && a.time == b.time && a.type == b.type && a.account == b.account &&
         a.asset == b.asset && a.amount == b.amount && a.to == b.to && a.value == b.value;
}

std::string where(const std::string& path, const storage::StoredEvent& e) {
  return fmt::format("{}: event {} ({}:{}): {}", path, e.seq, e.file, e.raw.line, event_text(e));
}

// Walks both event streams; throws UsageError at the first difference. Returns the count.
std::int64_t check_same_events(storage::LedgerStore& a, const std::string& a_path,
                               storage::LedgerStore& b, const std::string& b_path) {
  auto ca = a.events_in_order();
  auto cb = b.events_in_order();
  storage::StoredEvent ea, eb;
  std::int64_t count = 0;
  for (;;) {
    const bool more_a = ca.next(ea);
    const bool more_b = cb.next(eb);
    if (!more_a && !more_b) return count;
    if (more_a != more_b) {
      const auto& [path, e] = more_a ? std::pair{a_path, ea} : std::pair{b_path, eb};
      throw UsageError(fmt::format(
          "the two ledgers have different events: '{}' has {} events, and the next is only in "
          "'{}': {}",
          more_a ? b_path : a_path, count, path, where(path, e)));
    }
    ++count;
    if (!same_event(ea.raw, eb.raw)) {
      throw UsageError(fmt::format(
          "the two ledgers have different events; the first difference is event {}: {}; {}", count,
          where(a_path, ea), where(b_path, eb)));
    }
  }
}

std::string signed_amount_text(const BigInt& wei) {
  return decimal_toward_zero(wei, BigInt(1'000'000'000'000'000'000ULL), kAssetDecimals);
}

// Exact decimal text with trailing zeros trimmed ("1.500" -> "1.5", "2.000" -> "2").
std::string trimmed(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// Account names in the order A opened them, then any only B has.
std::vector<std::string> accounts_of(const Snapshot& a, const Snapshot& b) {
  std::vector<std::string> order;
  std::set<std::string> seen;
  for (const Snapshot* s : {&a, &b}) {
    for (const BalanceRow& r : s->balances) {
      if (seen.insert(r.account).second) order.push_back(r.account);
    }
  }
  return order;
}

}  // namespace

std::vector<KeptFile> ledger_inputs(const std::string& a_path, const std::string& b_path) {
  std::vector<KeptFile> inputs;
  for (const std::string& path : {a_path, b_path}) {
    storage::Database db = open_ledger(path);
    storage::LedgerStore store(db);
    for (KeptFile& file : ledger_sources(store, path)) inputs.push_back(std::move(file));
  }
  return inputs;
}

LedgerDiff diff_ledgers(const std::string& a_path, const std::string& b_path) {
  storage::Database db_a = open_ledger(a_path);
  storage::Database db_b = open_ledger(b_path);
  storage::LedgerStore a(db_a), b(db_b);
  LedgerDiff diff;
  diff.a_path = a_path;
  diff.b_path = b_path;
  const Scenario scenario_a = load_stored_scenario(a);
  const Scenario scenario_b = load_stored_scenario(b);
  diff.a_scenario = scenario_a.name;
  diff.b_scenario = scenario_b.name;
  const auto note = [&](const char* what, const std::string& x, const std::string& y) {
    if (x == y) return;
    diff.notes.push_back(fmt::format("the ledgers' {} differ (a: {}, b: {}): their differences are "
                                     "not the policies' alone",
                                     what, x, y));
  };
  note("starts", format_timestamp(scenario_a.params.start),
       format_timestamp(scenario_b.params.start));
  note("ends", format_timestamp(scenario_a.params.end), format_timestamp(scenario_b.params.end));
  note("report_every", scenario_a.report_every, scenario_b.report_every);
  diff.events = check_same_events(a, a_path, b, b_path);
  const Snapshot sa = a.read_snapshot();
  const Snapshot sb = b.read_snapshot();

  diff.table = {"",
                {"section", "account", "asset", "item", "a", "b", "b_minus_a"},
                {false, false, false, false, true, true, true},
                {}};
  // An account missing on one side holds 0 there.
  std::map<std::pair<std::string, Asset>, const BalanceRow*> ra, rb;
  for (const BalanceRow& r : sa.balances) ra[{r.account, r.asset}] = &r;
  for (const BalanceRow& r : sb.balances) rb[{r.account, r.asset}] = &r;
  for (const std::string& account : accounts_of(sa, sb)) {
    for (Asset asset : kAssets) {
      const BalanceRow* x = ra.contains({account, asset}) ? ra[{account, asset}] : nullptr;
      const BalanceRow* y = rb.contains({account, asset}) ? rb[{account, asset}] : nullptr;
      for (const bool claimable : {false, true}) {
        auto value = [&](const BalanceRow* r) {
          return r == nullptr ? Amount() : claimable ? r->claimable : r->balance;
        };
        const BigInt d = big(value(y)) - big(value(x));
        diff.table.rows.push_back({"account", account, std::string(asset_name(asset)),
                                   claimable ? "claimable" : "balance", units(value(x)),
                                   units(value(y)), trimmed(signed_amount_text(d))});
      }
    }
  }
  // Assets: the ledger rows of the final state.
  for (Asset asset : kAssets) {
    const auto row_of = [&](const Snapshot& s) {
      for (const LedgerRow& r : s.ledgers) {
        if (r.asset == asset) return r;
      }
      return LedgerRow{};
    };
    const LedgerRow x = row_of(sa), y = row_of(sb);
    const std::string name(asset_name(asset));
    // The `ledgers` columns as that command's table names them (storage::ledger_columns; an
    // amount's name without `_wei`, shown in asset units).
    for (const storage::LedgerColumn& c : storage::ledger_columns()) {
      if (c.field == nullptr) continue;  // asset
      const bool is_amount = c.kind == storage::ColumnKind::amount;
      const std::string_view item =
          is_amount ? c.name.substr(0, c.name.size() - std::string_view("_wei").size()) : c.name;
      const Amount& va = x.*c.field;
      const Amount& vb = y.*c.field;
      const BigInt d = big(vb) - big(va);
      diff.table.rows.push_back({"asset", "", name, std::string(item),
                                 is_amount ? units(va) : va.wei_string(),
                                 is_amount ? units(vb) : vb.wei_string(),
                                 is_amount ? trimmed(signed_amount_text(d)) : d.str()});
    }
  }
  return diff;
}

html::Page ledger_diff_page(const LedgerDiff& diff) {
  html::Page page;
  page.generator = html::kCompareGenerator;
  page.title = fmt::format("yieldledger compare: {} vs {}", diff.a_scenario, diff.b_scenario);
  page.subtitle =
      fmt::format("a = {} ('{}'), b = {} ('{}'): the same {} events; figures at the "
                  "end of each run, b − a.",
                  diff.a_path, diff.a_scenario, diff.b_path, diff.b_scenario, diff.events);
  for (const std::string& note : diff.notes) page.subtitle += fmt::format(" Note: {}.", note);
  // Per asset, a bar chart of each account's b − a of balance + claimable (the 30 largest).
  for (Asset asset : kAssets) {
    const std::string name(asset_name(asset));
    std::map<std::string, double> total;
    std::vector<std::string> order;
    html::Table table{"", diff.table.columns, diff.table.numeric, {}};
    for (const auto& row : diff.table.rows) {
      if (row[2] != name) continue;
      table.rows.push_back(row);
      if (row[0] != "account") continue;
      if (!total.contains(row[1])) order.push_back(row[1]);
      total[row[1]] += to_double(row[6]);
    }
    std::stable_sort(order.begin(), order.end(), [&](const auto& l, const auto& r) {
      return std::abs(total[l]) > std::abs(total[r]);
    });
    if (order.size() > 30) order.resize(30);
    std::vector<std::optional<double>> values;
    for (const std::string& account : order) values.push_back(total[account]);
    html::Json dataset = html::line_dataset("b − a, balance + claimable", values, 0);
    dataset.set("type", "bar");
    html::Json config =
        html::line_chart(order, html::Json::array({std::move(dataset)}), name + " (b − a)");
    config.set("type", "bar");
    page.sections.push_back(
        {name,
         "Per account: balance and claimable in each ledger and the difference; per asset: "
         "the ledger's figures. Exact; amounts in asset units.",
         {html::Chart{name + ": accounts, b − a of balance + claimable (largest 30)",
                      std::move(config),
                      {}}},
         {std::move(table)}});
  }
  return page;
}

}  // namespace yl::compare
