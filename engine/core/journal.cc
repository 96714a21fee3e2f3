#include "engine/core/journal.h"

#include <array>

#include <fmt/format.h>

#include "engine/core/assert.h"

namespace yl {

namespace {

constexpr std::array<std::string_view, kMemoCount> kMemoNames = {
    "deposit",       "route",        "accrual",     "loss",       "fee",      "cover",
    "commit",        "distribution", "price_step",  "settlement", "transfer", "claim",
    "gas_fee",       "gas_claim",    "gas_penalty", "withdrawal", "payout",   "debt_repaid",
    "retained",      "protocol_fee", "hurdle",      "void_share", "lock",     "drip",
    "lock_absorbed", "socialized",   "rebalance"};

}  // namespace

std::string_view memo_name(Memo memo) { return kMemoNames.at(static_cast<std::size_t>(memo)); }

std::optional<Memo> parse_memo(std::string_view name) {
  for (std::size_t i = 0; i < kMemoNames.size(); ++i) {
    if (kMemoNames[i] == name) return static_cast<Memo>(i);
  }
  return std::nullopt;
}

void Journal::post_signed(Memo memo, BookAccount account, std::uint32_t index, Asset asset,
                          const SignedAmount& delta) {
  if (delta.is_negative()) {
    credit(memo, account, index, asset, delta.magnitude());
  } else {
    debit(memo, account, index, asset, delta.magnitude());
  }
}

void Journal::close(std::int64_t report_ordinal) {
  if (!has_open_postings()) return;
  YL_ASSERT(open_net_[0].is_zero());  // every entry balances, per asset (so the next starts at 0)
  YL_ASSERT(open_net_[1].is_zero());
  entries_.push_back(JournalEntry{report_ordinal, open_first_, postings_.size() - open_first_});
  open_first_ = postings_.size();
}

void Journal::truncate(std::size_t entries, std::size_t postings) {
  YL_ASSERT(entries <= entries_.size() && postings <= postings_.size());
  entries_.resize(entries);
  postings_.resize(postings);
  // What no kept entry closed stays open (a rejected event's drip, which its caller closes).
  open_first_ = entries_.empty() ? 0 : entries_.back().first + entries_.back().count;
  YL_ASSERT(open_first_ <= postings);
  open_net_ = {};
  for (std::size_t i = open_first_; i < postings_.size(); ++i) {
    const Posting& p = postings_[i];
    if (p.debit) {
      open_net_[index_of(p.asset)].add(p.amount);
    } else {
      open_net_[index_of(p.asset)].subtract(p.amount);
    }
  }
}

void Journal::clear() {
  YL_ASSERT(!has_open_postings());
  entries_.clear();
  postings_.clear();
  open_first_ = 0;
  open_net_ = {};  // zero already: nothing was open
}

bool names_account(BookAccount account) { return account == BookAccount::account; }

bool names_source(BookAccount account) {
  return account == BookAccount::source || account == BookAccount::unreported ||
         account == BookAccount::yield;
}

void append_book_account_name(std::string& out, const Posting& p, std::string_view indexed_name) {
  const std::string_view asset = asset_name(p.asset);
  auto pooled = [&](std::string_view prefix) {
    out += prefix;
    out += asset;
  };
  auto named = [&](std::string_view prefix, std::string_view suffix) {
    out += prefix;
    out += indexed_name;
    out += suffix;
  };
  switch (p.account) {
    case BookAccount::buffer:
      return pooled("l1:buffer:");
    case BookAccount::source:
      return named("l1:source:", "");
    case BookAccount::unreported:
      return named("l1:source:", ":unreported");
    case BookAccount::insurance:
      return pooled("l1:insurance:");
    case BookAccount::debt:
      return pooled("l1:debt:");
    case BookAccount::retained:
      return pooled("l1:retained:");
    case BookAccount::pending:
      return pooled("l2:pending:");
    case BookAccount::accrued:
      return pooled("l2:accrued:");
    case BookAccount::account:
      return named("l2:account:", "");
    case BookAccount::yield:
      return named("external:yield:", "");
    case BookAccount::revenue:
      return pooled("l1:revenue:");
    case BookAccount::locked:
      return pooled("l2:locked:");
  }
  YL_ASSERT(false);
}

std::string book_account_name(const Posting& p, std::string_view indexed_name) {
  std::string name;
  append_book_account_name(name, p, indexed_name);
  return name;
}

}  // namespace yl
