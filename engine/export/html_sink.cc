#include "engine/export/html_sink.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/html/report.h"

namespace yl {
namespace {

class KeptRows : public TableWriter {
 public:
  explicit KeptRows(std::vector<std::vector<std::string>>* rows) : rows_(rows) {}
  void row(const std::vector<std::string>& cells) override {
    if (rows_ != nullptr) rows_->push_back(cells);
  }
  void close() override {}

 private:
  std::vector<std::vector<std::string>>* rows_;  // null: rows are dropped
};

// The ledger_history columns the page shows: exact text, no `_wei` twins and no `_float`.
constexpr std::string_view kHistoryColumns[] = {
    "time",   "asset",   "price",    "realized_apy_pct", "debt",        "insurance",
    "locked", "revenue", "balances", "claimable",        "pending_wei", "period_s"};

std::string summary_value(const std::string& scenario_item, const std::vector<SummaryRow>& rows) {
  for (const SummaryRow& row : rows) {
    if (row.section == "scenario" && row.item == scenario_item) return row.value;
  }
  return "";
}

html::Section summary_section(const std::vector<SummaryRow>& summary) {
  html::Table table{"",
                    {"section", "item", "asset", "value", "value_wei"},
                    {false, false, false, true, true},
                    {}};
  for (const SummaryRow& r : summary) {
    table.rows.push_back({r.section, r.item, r.asset, r.value, r.value_wei});
  }
  return {"Summary",
          "Exact figures: amounts in asset units and in wei, APYs in percent.",
          {},
          {std::move(table)}};
}

html::Section chart_section(const ChartSpec& spec, const ChartData& charts,
                            const std::vector<std::string>& labels) {
  html::Json datasets = html::Json::array();
  html::Table table{"As plotted (floating point, for display)", {"time"}, {false}, {}};
  for (std::size_t s = 0; s < spec.series.size(); ++s) {
    const ChartSeries& series = spec.series[s];
    YL_ASSERT(series.values.size() == charts.times.size());
    datasets.push(html::line_dataset(
        series.name, std::vector<std::optional<double>>(series.values.begin(), series.values.end()),
        s));
    table.columns.push_back(series.name);
    table.numeric.push_back(true);
  }
  for (std::size_t i = 0; i < charts.times.size(); ++i) {
    std::vector<std::string> row = {labels[i]};
    for (const ChartSeries& series : spec.series) {
      row.push_back(fmt::format("{}", series.values[i]));
    }
    table.rows.push_back(std::move(row));
  }
  html::Chart chart{spec.title, html::line_chart(labels, std::move(datasets), spec.y_axis), {}};
  return {spec.title, "", {std::move(chart)}, {std::move(table)}};
}

html::Section history_section(const TableSpec& spec,
                              const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> picked;
  html::Table table{"", {}, {}, {}};
  for (std::string_view name : kHistoryColumns) {
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      if (spec.columns[c].name != name) continue;
      picked.push_back(c);
      table.columns.push_back(spec.columns[c].name);
      const CellKind kind = spec.columns[c].kind;
      table.numeric.push_back(kind != CellKind::text && kind != CellKind::time);
    }
  }
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (std::size_t c : picked) cells.push_back(row.at(c));
    table.rows.push_back(std::move(cells));
  }
  return {"Ledger history (exact)",
          "Per sample time and asset, as in the ledger_history table of the CSV and XLSX "
          "exports: amounts in asset units, the period's realized APY in percent.",
          {},
          {std::move(table)}};
}

}  // namespace

HtmlSink::HtmlSink(std::filesystem::path file)
    : created_(file.parent_path()), out_(std::move(file), OutputFile::Existing::replace) {}

void HtmlSink::claim(const std::vector<std::string>&, const std::vector<KeptFile>& keep,
                     bool force) {
  const std::filesystem::path& file = out_.path();
  lock_ = std::make_unique<OutputLock>(file.parent_path() / (hidden_name(file) + ".lock"),
                                       file.string());
  check_target(
      file, [](const std::filesystem::path& p) { return html::is_export_page(p.string()); }, keep,
      force);
}

std::unique_ptr<TableWriter> HtmlSink::open_table(const TableSpec& spec) {
  if (spec.name != "ledger_history") return std::make_unique<KeptRows>(nullptr);
  history_spec_ = std::make_unique<TableSpec>(spec);
  return std::make_unique<KeptRows>(&history_rows_);
}

std::string HtmlSink::page(const std::vector<SummaryRow>& summary, const ChartData& charts,
                           const TableSpec* history_spec,
                           const std::vector<std::vector<std::string>>& history_rows) {
  html::Page page;
  page.generator = html::kExportGenerator;
  const std::string name = summary_value("name", summary);
  page.title = "yieldledger: " + name;
  page.subtitle = fmt::format("Scenario '{}', {} to {}: {} events, {} history samples.", name,
                              summary_value("start", summary), summary_value("end", summary),
                              summary_value("events", summary), charts.times.size());
  page.sections.push_back(summary_section(summary));
  std::vector<std::string> labels;
  for (std::int64_t time : charts.times) labels.push_back(html::time_label(time));
  if (!charts.times.empty()) {
    for (const ChartSpec& spec : charts.charts) {
      // A chart of no series (the holders of a ledger without accounts) would be a blank canvas
      // the page never draws: said instead, as the workbook's `charts` sheet says it.
      page.sections.push_back(spec.series.empty()
                                  ? html::Section{spec.title, "Nothing to plot.", {}, {}}
                                  : chart_section(spec, charts, labels));
    }
  }
  if (history_spec != nullptr)
    page.sections.push_back(history_section(*history_spec, history_rows));
  return html::render(page);
}

void HtmlSink::finish(const std::vector<SummaryRow>& summary, const ChartData& charts) {
  out_.write(page(summary, charts, history_spec_.get(), history_rows_));
  out_.commit();
  created_.keep();
}

}  // namespace yl
