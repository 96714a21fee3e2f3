#include "engine/storage/journal_json.h"

namespace yl::storage {

std::string journal_entry_json(const Ledger& ledger, const JournalEntry& entry) {
  // Names come from the chart ([A-Za-z0-9_.-] and ':'), so they need no JSON escaping.
  std::string json = "[";
  const auto& postings = ledger.journal().postings();
  for (std::size_t i = entry.first; i < entry.first + entry.count; ++i) {
    const Posting& p = postings[i];
    const std::string_view indexed = names_account(p.account) ? std::string_view(ledger.info(p.index).name)
                                     : names_source(p.account)
                                         ? std::string_view(ledger.source_config(p.index).name)
                                         : std::string_view();
    if (i != entry.first) json += ',';
    json += "[\"";
    json += book_account_name(p, indexed);
    json += "\",\"";
    json += asset_name(p.asset);
    json += p.debit ? "\",\"D\",\"" : "\",\"C\",\"";
    json += p.amount.wei_string();
    json += "\"]";
  }
  json += ']';
  return json;
}

}  // namespace yl::storage
