#include "engine/input/event_parser.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/input/input_error.h"
#include "engine/input/names.h"

namespace yl {
namespace {

constexpr std::array<std::string_view, 7> kRequiredColumns = {"time",   "type", "account", "asset",
                                                              "amount", "to",   "value"};

// Field-level checks for one row; `fail` throws with the row's location and type.
class RowParser {
 public:
  RowParser(const RawEvent& raw, const std::string& file) : raw_(raw), file_(file) {}

  [[noreturn]] void fail(const std::string& reason) const {
    throw InputError(file_, raw_.line, raw_.type, reason);
  }

  void require_empty(std::string_view column, const std::string& field) const {
    if (!field.empty()) {
      fail(fmt::format("{} must be empty for {} (got '{}')", column, raw_.type, field));
    }
  }
  const std::string& require_present(std::string_view column, const std::string& field) const {
    if (field.empty()) fail(fmt::format("{} is required for {}", column, raw_.type));
    return field;
  }
  Asset l2_asset() const {
    const auto asset = parse_asset(require_present("asset", raw_.asset));
    if (!asset) fail(fmt::format("unknown asset '{}' (expected ETH or USDB)", raw_.asset));
    return *asset;
  }
  void require_eth() const {
    if (raw_.asset != "ETH") {
      fail(fmt::format("asset must be ETH for {} (got '{}')", raw_.type, raw_.asset));
    }
  }
  Amount amount(unsigned decimals, bool positive) const {
    std::string error;
    const auto parsed =
        Amount::parse_units(require_present("amount", raw_.amount), decimals, &error);
    if (!parsed) fail("bad amount: " + error);
    if (positive && parsed->is_zero()) fail("amount must be greater than 0");
    return *parsed;
  }

 private:
  const RawEvent& raw_;
  const std::string& file_;
};

EventBody parse_body(const RawEvent& r, const RowParser& p) {
  const std::string& type = r.type;
  if (type == "open") {
    p.require_empty("asset", r.asset);
    p.require_empty("amount", r.amount);
    p.require_empty("to", r.to);
    const std::string& name = p.require_present("account", r.account);
    // '@' names reach the ledger, which rejects them as reserved (SPEC §1.2).
    if (!name.starts_with('@') && !is_valid_name(name)) {
      p.fail(fmt::format("invalid account name '{}' (1-64 of A-Z a-z 0-9 _ . -)", name));
    }
    if (r.value == "user") return OpenAccount{name, AccountKind::user};
    if (r.value == "dapp") return OpenAccount{name, AccountKind::dapp};
    p.fail(fmt::format("value must be user or dapp (got '{}')", r.value));
  }
  if (type == "deposit") {
    p.require_empty("to", r.to);
    p.require_empty("value", r.value);
    const std::string& account = p.require_present("account", r.account);
    const auto asset = parse_deposit_asset(p.require_present("asset", r.asset));
    if (!asset)
      p.fail(fmt::format("unknown asset '{}' (expected ETH, USDB, USDC, USDT or DAI)", r.asset));
    return Deposit{account, *asset, p.amount(decimals_of(*asset), true)};
  }
  if (type == "withdraw") {
    p.require_empty("to", r.to);
    p.require_empty("value", r.value);
    const std::string& account = p.require_present("account", r.account);
    const Asset asset = p.l2_asset();
    return Withdraw{account, asset, p.amount(kAssetDecimals, true)};
  }
  if (type == "transfer") {
    p.require_empty("value", r.value);
    const std::string& from = p.require_present("account", r.account);
    const Asset asset = p.l2_asset();
    const Amount amount = p.amount(kAssetDecimals, true);
    return Transfer{from, p.require_present("to", r.to), asset, amount};
  }
  if (type == "configure") {
    p.require_empty("amount", r.amount);
    p.require_empty("to", r.to);
    const std::string& account = p.require_present("account", r.account);
    const Asset asset = p.l2_asset();
    const auto mode = parse_yield_mode(p.require_present("value", r.value));
    if (!mode)
      p.fail(fmt::format("value must be AUTOMATIC, VOID or CLAIMABLE (got '{}')", r.value));
    return Configure{account, asset, *mode};
  }
  if (type == "claim") {
    p.require_empty("value", r.value);
    const std::string& account = p.require_present("account", r.account);
    const Asset asset = p.l2_asset();
    std::optional<Amount> amount;
    if (!r.amount.empty()) amount = p.amount(kAssetDecimals, false);
    return Claim{account, asset, amount, r.to};
  }
  if (type == "gas_mode") {
    p.require_empty("asset", r.asset);
    p.require_empty("amount", r.amount);
    p.require_empty("to", r.to);
    const std::string& dapp = p.require_present("account", r.account);
    const auto mode = parse_gas_mode(p.require_present("value", r.value));
    if (!mode) p.fail(fmt::format("value must be VOID or CLAIMABLE (got '{}')", r.value));
    return SetGasMode{dapp, *mode};
  }
  if (type == "gas") {
    p.require_empty("value", r.value);
    const std::string& payer = p.require_present("account", r.account);
    p.require_eth();
    const Amount amount = p.amount(kAssetDecimals, true);
    return PayGas{payer, p.require_present("to", r.to), amount};
  }
  if (type == "claim_gas") {
    p.require_empty("amount", r.amount);
    p.require_empty("to", r.to);
    p.require_empty("value", r.value);
    const std::string& dapp = p.require_present("account", r.account);
    p.require_eth();
    return ClaimGas{dapp};
  }
  if (type == "report") {
    p.require_empty("account", r.account);
    p.require_empty("amount", r.amount);
    p.require_empty("to", r.to);
    p.require_empty("value", r.value);
    if (r.asset.empty()) return ForceReport{std::nullopt};
    return ForceReport{p.l2_asset()};
  }
  if (type == "set_rate") {
    p.require_empty("asset", r.asset);
    p.require_empty("amount", r.amount);
    p.require_empty("to", r.to);
    const std::string& source = p.require_present("account", r.account);
    const std::string& value = p.require_present("value", r.value);
    // Digits only ("00400" included): an amount with no decimals, then the range.
    const auto apr = Amount::parse_units(value, 0, nullptr);
    if (!apr || *apr > Amount::from_u64(100'000)) {
      p.fail(fmt::format("value must be an APR in basis points, 0 to 100000 (got '{}')", value));
    }
    return SetRate{source, static_cast<std::uint32_t>(apr->raw())};
  }
  if (type == "loss") {
    p.require_empty("asset", r.asset);
    p.require_empty("to", r.to);
    p.require_empty("value", r.value);
    const std::string& source = p.require_present("account", r.account);
    return Loss{source, p.amount(kAssetDecimals, true)};
  }
  p.fail(fmt::format("unknown event type '{}'", type));
}

}  // namespace

Event parse_event(const RawEvent& raw, const std::string& file_name) {
  static constexpr std::array<std::string_view, 12> kTypes = {
      "open",     "deposit", "withdraw",  "transfer", "configure", "claim",
      "gas_mode", "gas",     "claim_gas", "report",   "set_rate",  "loss"};
  if (std::find(kTypes.begin(), kTypes.end(), raw.type) == kTypes.end()) {
    throw InputError(file_name, raw.line, "csv", fmt::format("unknown event type '{}'", raw.type));
  }
  const RowParser parser(raw, file_name);
  const auto time = parse_timestamp(raw.time);
  if (!time) parser.fail(bad_time_message(raw.time));
  return Event{*time, parse_body(raw, parser)};
}

EventReader::EventReader(std::istream& in, std::string file_name)
    : csv_(in, file_name), file_name_(std::move(file_name)) {
  CsvRecord header;
  if (!csv_.next(header)) throw InputError(file_name_, 1, "csv", "missing header row");
  std::unordered_map<std::string, int> column_of;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& name = header.fields[i];
    const bool known = name == "id" || std::find(kRequiredColumns.begin(), kRequiredColumns.end(),
                                                 name) != kRequiredColumns.end();
    if (!known)
      throw InputError(file_name_, header.line, "csv", fmt::format("unknown column '{}'", name));
    if (!column_of.emplace(name, static_cast<int>(i)).second) {
      throw InputError(file_name_, header.line, "csv", fmt::format("repeated column '{}'", name));
    }
  }
  for (std::string_view name : kRequiredColumns) {
    if (!column_of.contains(std::string(name))) {
      throw InputError(file_name_, header.line, "csv", fmt::format("missing column '{}'", name));
    }
  }
  const auto id = column_of.find("id");
  columns_[0] = id == column_of.end() ? -1 : id->second;
  for (std::size_t i = 0; i < kRequiredColumns.size(); ++i) {
    columns_[i + 1] = column_of.at(std::string(kRequiredColumns[i]));
  }
  column_count_ = header.fields.size();
  csv_.limit_fields(column_count_);
}

bool EventReader::next_raw(RawEvent& raw) {
  if (!csv_.next(record_)) return false;
  if (record_.fields.size() != column_count_) {
    throw InputError(
        file_name_, record_.line, "csv",
        fmt::format("expected {} fields, found {}", column_count_, record_.fields.size()));
  }
  raw.line = record_.line;
  const std::array<std::string*, 8> fields = {&raw.id,    &raw.time,   &raw.type, &raw.account,
                                              &raw.asset, &raw.amount, &raw.to,   &raw.value};
  for (std::size_t column = 0; column < fields.size(); ++column) {
    const int index = columns_[column];
    if (index < 0) {
      fields[column]->clear();
    } else {
      fields[column]->assign(record_.fields[static_cast<std::size_t>(index)]);
    }
  }
  if (!raw.id.empty()) {
    if (const std::uint64_t first = id_lines_.insert(raw.id, raw.line)) {
      const std::string type = raw.type.empty() ? "csv" : raw.type;
      throw InputError(file_name_, raw.line, type,
                       fmt::format("id '{}' is repeated (first used at line {})", raw.id, first));
    }
  }
  return true;
}

std::optional<RawEvent> EventReader::next_raw() {
  RawEvent raw;
  if (!next_raw(raw)) return std::nullopt;
  return raw;
}

}  // namespace yl
