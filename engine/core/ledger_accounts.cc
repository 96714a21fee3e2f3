// Ledger handlers for the L2 side: accounts, transfers, yield modes, claims and gas fees
// (SPEC §2.2, §3.5-§3.7, §4). Each validates first, with a named rejection, then applies.
#include "engine/core/assert.h"
#include "engine/core/ledger.h"

namespace yl {

std::optional<Rejection> Ledger::lookup_account(std::string_view name, AccountId* id) const {
  // System accounts cannot be named in events (SPEC §1.2): to a user they do not exist.
  const auto found = name.starts_with('@') ? std::nullopt : find_account(name);
  if (!found) {
    return reject(RejectCode::unknown_account, "unknown account '{}'", name);
  }
  *id = *found;
  remember(*id);  // the handler may change it: save it for a rollback
  return std::nullopt;
}

std::optional<Rejection> Ledger::lookup_dapp(std::string_view name, AccountId* id) const {
  if (auto rejected = lookup_account(name, id)) return rejected;
  const AccountKind kind = accounts_[*id].kind();
  if (kind != AccountKind::dapp) {
    return reject(RejectCode::not_a_dapp, "{} is a {}, not a dapp", name, account_kind_name(kind));
  }
  return std::nullopt;
}

std::optional<Rejection> Ledger::require_balance(AccountId id, Asset asset,
                                                 const Amount& needed) const {
  const Amount held = balance(id, asset);
  if (needed <= held) return std::nullopt;
  return reject(RejectCode::insufficient_balance, "insufficient balance: {} holds {} {}, needs {}",
                name(id), units(held), asset_name(asset), units(needed));
}

void Ledger::settle(AccountId id, Asset asset) {
  Position& p = position(id, asset);
  const Amount& price = shares(asset).price();
  if (p.price_posted == price) return;
  // The price may have fallen since (SPEC §9.3): then the accrual is negative and posts the other
  // way round.
  if (price > p.price_posted) {
    const Amount accrued = p.shares * (price - p.price_posted);
    journal_.debit(Memo::settlement, BookAccount::accrued, 0, asset, accrued);
    journal_.credit(Memo::settlement, BookAccount::account, id, asset, accrued);
  } else {
    const Amount lost = p.shares * (p.price_posted - price);
    journal_.credit(Memo::settlement, BookAccount::accrued, 0, asset, lost);
    journal_.debit(Memo::settlement, BookAccount::account, id, asset, lost);
  }
  p.price_posted = price;
}

void Ledger::move(AccountId from, AccountId to, Asset asset, const Amount& amount, Memo memo) {
  YL_ASSERT(from != to);
  settle(from, asset);
  settle(to, asset);
  shares(asset).debit(position(from, asset), amount);
  shares(asset).credit(position(to, asset), amount);
  journal_.debit(memo, BookAccount::account, from, asset, amount);
  journal_.credit(memo, BookAccount::account, to, asset, amount);
}

std::optional<Rejection> Ledger::on(const OpenAccount& e) {
  if (e.account.starts_with('@')) {
    return reject(RejectCode::account_name_reserved,
                  "account name '{}' is reserved for system accounts", e.account);
  }
  if (find_account(e.account)) {
    return reject(RejectCode::account_exists, "account '{}' already exists", e.account);
  }
  YL_ASSERT(e.kind == AccountKind::user || e.kind == AccountKind::dapp);
  const AccountId id = add_account(e.account, e.kind);
  for (Asset asset : kAssets) {
    position(id, asset).mode = initial_yield_mode(e.kind, asset);
    position(id, asset).price_posted = shares(asset).price();
  }
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Transfer& e) {
  AccountId from = 0, to = 0;
  if (auto rejected = lookup_account(e.from, &from)) return rejected;
  if (auto rejected = lookup_account(e.to, &to)) return rejected;
  if (from == to) {
    return reject(RejectCode::transfer_to_self, "cannot transfer from {} to itself", e.from);
  }
  if (auto rejected = require_balance(from, e.asset, e.amount)) return rejected;
  move(from, to, e.asset, e.amount, Memo::transfer);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Configure& e) {
  AccountId id = 0;
  if (auto rejected = lookup_account(e.account, &id)) return rejected;
  settle(id, e.asset);  // configure keeps balance + claimable, so it posts nothing else
  shares(e.asset).configure(position(id, e.asset), e.mode);
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const Claim& e) {
  AccountId id = 0;
  if (auto rejected = lookup_account(e.account, &id)) return rejected;
  AccountId recipient = id;
  if (!e.to.empty()) {
    if (auto rejected = lookup_account(e.to, &recipient)) return rejected;
  }
  const Position held = position_of(id, e.asset);  // a copy: deciding changes nothing
  if (held.mode != YieldMode::claimable) {
    return reject(RejectCode::not_claimable, "{}'s {} yield mode is {}, not CLAIMABLE", e.account,
                  asset_name(e.asset), yield_mode_name(held.mode));
  }
  const Amount available = book(e.asset).shares.claimable(held);
  const Amount amount = e.amount.value_or(available);
  if (amount > available) {
    return reject(RejectCode::claim_exceeds_claimable,
                  "claim exceeds claimable: {} can claim {} {}, asked {}", e.account,
                  units(available), asset_name(e.asset), units(amount));
  }
  settle(id, e.asset);
  settle(recipient, e.asset);
  shares(e.asset).take_claim(position(id, e.asset), amount);
  shares(e.asset).credit(position(recipient, e.asset), amount);
  if (recipient != id) {
    journal_.debit(Memo::claim, BookAccount::account, id, e.asset, amount);
    journal_.credit(Memo::claim, BookAccount::account, recipient, e.asset, amount);
  }
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const SetGasMode& e) {
  AccountId dapp = 0;
  if (auto rejected = lookup_dapp(e.dapp, &dapp)) return rejected;
  GasRecord& record = gas_record(dapp);
  age_gas(record, now_);
  record.mode = e.mode;  // B and S are kept (SPEC §4.1)
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const PayGas& e) {
  AccountId payer = 0, dapp = 0;
  if (auto rejected = lookup_account(e.payer, &payer)) return rejected;
  if (auto rejected = lookup_dapp(e.dapp, &dapp)) return rejected;
  if (auto rejected = require_balance(payer, Asset::eth, e.amount)) return rejected;
  GasRecord& record = gas_record(dapp);
  age_gas(record, now_);
  const bool claimable = record.mode == GasMode::claimable;
  move(payer, claimable ? kGasAccount : kFeeVaultAccount, Asset::eth, e.amount, Memo::gas_fee);
  if (claimable) {
    const Amount balance_wei = record.balance_wei + e.amount;
    const Amount owed = gas_owed_ + e.amount;
    record.balance_wei = balance_wei;
    gas_owed_ = owed;
  }
  return std::nullopt;
}

std::optional<Rejection> Ledger::on(const ClaimGas& e) {
  AccountId dapp = 0;
  if (auto rejected = lookup_dapp(e.dapp, &dapp)) return rejected;
  GasRecord& record = gas_record(dapp);
  if (record.balance_wei.is_zero()) {  // aging leaves B as it is: decided before it
    return reject(RejectCode::no_gas_to_claim, "nothing to claim: {} has no unclaimed gas fees",
                  e.dapp);
  }
  age_gas(record, now_);
  const Amount amount = record.balance_wei;
  const ClaimRate rate = claim_rate(params_.gas, amount, record.age_wei_seconds);
  // floor: the fraction of a wei the rate does not pay goes to the fee vault with the penalty.
  const Amount paid =
      mul_div_floor(amount, Amount::from_u64(rate.rate_bps), Amount::from_u64(kBps));
  move(kGasAccount, dapp, Asset::eth, paid, Memo::gas_claim);
  move(kGasAccount, kFeeVaultAccount, Asset::eth, amount - paid, Memo::gas_penalty);
  record.balance_wei = Amount();
  record.age_wei_seconds = record.age_wei_seconds - rate.seconds_used;
  gas_owed_ = gas_owed_ - amount;
  return std::nullopt;
}

std::string book_account_name(const Ledger& ledger, const Posting& posting) {
  const std::string_view indexed = names_account(posting.account) ? ledger.info(posting.index).name
                                   : names_source(posting.account)
                                       ? std::string_view(ledger.source_config(posting.index).name)
                                       : std::string_view();
  return book_account_name(posting, indexed);
}

YieldMode initial_yield_mode(AccountKind kind, Asset asset) {
  return kind == AccountKind::dapp && asset == Asset::eth ? YieldMode::void_mode
                                                          : YieldMode::automatic;
}

}  // namespace yl
