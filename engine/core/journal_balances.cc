#include "engine/core/journal_balances.h"

#include <fmt/format.h>

namespace yl {
void JournalBalances::add(const Posting& p) {
  Column& column = columns_[column_of(p.account, p.asset)];
  if (p.index >= column.size()) column.resize(std::size_t{p.index} + 1);
  Slot& slot = column[p.index];
  if (!slot.posted) {
    slot.posted = true;
    ++posted_;
  }
  if (p.debit) {
    slot.net.add(p.amount);
  } else {
    slot.net.subtract(p.amount);
  }
}

void JournalBalances::add_all(const Journal& journal) {
  for (const Posting& p : journal.postings()) add(p);
}

S512 JournalBalances::balance(BookAccount account, std::uint32_t index, Asset asset) const {
  const Column& column = columns_[column_of(account, asset)];
  return index < column.size() ? column[index].net.value() : S512(0);
}

std::optional<std::string> JournalBalances::check_against(const Ledger& ledger) const {
  auto expect = [&](BookAccount account, std::uint32_t index, Asset asset,
                    const S512& expected) -> std::optional<std::string> {
    const S512 actual = balance(account, index, asset);
    if (actual == expected) return std::nullopt;
    const Posting named{Memo::deposit, account, index, asset, true, Amount()};
    return fmt::format("journal account {} ({}) has balance {} but the state says {} (off by {})",
                       book_account_name(ledger, named), asset_name(asset), actual.str(),
                       expected.str(), S512(actual - expected).str());
  };
  for (Asset asset : kAssets) {
    const AssetBook& b = ledger.book(asset);
    const Amount& price = b.shares.price();
    S512 unposted_total = 0;
    for (AccountId id = 0; id < ledger.account_count(); ++id) {
      const Position p = ledger.position_of(id, asset);
      const S512 unposted =
          p.shares.signed_wide() * (price.signed_wide() - p.price_posted.signed_wide());
      unposted_total += unposted;
      const S512 held = b.shares.balance(p).signed_wide() + b.shares.claimable(p).signed_wide();
      if (auto m = expect(BookAccount::account, id, asset, -(held - unposted))) return m;
    }
    if (auto m = expect(BookAccount::accrued, 0, asset, -unposted_total)) return m;
    if (auto m = expect(BookAccount::buffer, 0, asset, b.buffer.signed_wide())) return m;
    if (auto m = expect(BookAccount::insurance, 0, asset, b.insurance.signed_wide())) return m;
    if (auto m = expect(BookAccount::debt, 0, asset, b.debt.signed_wide())) return m;
    if (auto m = expect(BookAccount::retained, 0, asset, -b.retained.signed_wide())) return m;
    if (auto m = expect(BookAccount::pending, 0, asset, -b.shares.pending().signed_wide()))
      return m;
    if (auto m = expect(BookAccount::revenue, 0, asset, b.revenue.signed_wide())) return m;
    if (auto m = expect(BookAccount::locked, 0, asset, -b.stream.locked().signed_wide())) return m;
  }
  for (std::size_t i = 0; i < ledger.source_count(); ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    const Asset asset = ledger.source_config(i).asset;
    const SourceState& s = ledger.source_state(i);
    if (auto m = expect(BookAccount::source, index, asset, s.principal.signed_wide())) return m;
    if (auto m = expect(BookAccount::unreported, index, asset,
                        s.value.signed_wide() - s.principal.signed_wide())) {
      return m;
    }
  }
  std::array<NetSum, kAssets.size()> sums{};
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    for (const Slot& slot : columns_[c]) sums[c % kAssets.size()] += slot.net;
  }
  for (Asset asset : kAssets) {
    if (!sums[index_of(asset)].is_zero()) {
      return fmt::format("the {} journal does not balance: debits exceed credits by {}",
                         asset_name(asset), sums[index_of(asset)].value().str());
    }
  }
  return std::nullopt;
}

}  // namespace yl
