#include "engine/storage/journal_json.h"

namespace yl::storage {

std::string journal_entries_json(const Ledger& ledger, std::span<const JournalEntry> entries) {
  // Names come from the chart ([A-Za-z0-9_.-] and ':'), so they need no JSON escaping.
  std::string json = "[";
  const auto& postings = ledger.journal().postings();
  for (const JournalEntry& entry : entries) {
    for (std::size_t i = entry.first; i < entry.first + entry.count; ++i) {
      const Posting& p = postings[i];
      const std::string_view indexed =
          names_account(p.account)  ? std::string_view(ledger.info(p.index).name)
          : names_source(p.account) ? std::string_view(ledger.source_config(p.index).name)
                                    : std::string_view();
      if (json.size() > 1) json += ',';
      json += "[\"";
      append_book_account_name(json, p, indexed);
      json += "\",\"";
      json += asset_name(p.asset);
      json += p.debit ? "\",\"D\",\"" : "\",\"C\",\"";
      json += p.amount.wei_string();
      json += "\",\"";
      json += memo_name(p.memo);
      json += "\"]";
    }
  }
  json += ']';
  return json;
}

std::optional<std::vector<StoredPosting>> parse_journal_postings(const std::string& text) {
  std::vector<StoredPosting> postings;
  std::size_t pos = 0;
  auto take = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  auto string_field = [&](std::string& out) {
    if (!take('"')) return false;
    const std::size_t end = text.find('"', pos);
    if (end == std::string::npos) return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  if (!take('[')) return std::nullopt;
  while (pos < text.size() && text[pos] != ']') {
    if (!postings.empty() && !take(',')) return std::nullopt;
    std::string account, asset, side, wei, memo;
    if (!take('[') || !string_field(account) || !take(',') || !string_field(asset) ||
        !take(',') || !string_field(side) || !take(',') || !string_field(wei) || !take(',') ||
        !string_field(memo) || !take(']')) {
      return std::nullopt;
    }
    const auto parsed_asset = parse_asset(asset);
    const auto amount = Amount::parse_wei(wei);
    if (!parsed_asset || (side != "D" && side != "C") || !amount) return std::nullopt;
    postings.push_back(StoredPosting{account, *parsed_asset, side == "D", *amount, memo});
  }
  if (!take(']') || pos != text.size()) return std::nullopt;
  return postings;
}

}  // namespace yl::storage
