// Fuzz target: the whole engine fed an event sequence decoded from the bytes. After every event
// the SPEC §6 laws must hold (recomputed from scratch), the journal must mirror the state, and a
// rejected event must leave the ledger exactly as it was.
#include <cstdint>
#include <string>

#include "engine/core/journal_balances.h"
#include "engine/core/ledger.h"
#include "tests/ledger_state.h"

namespace {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  // An amount of 0 to 32 bytes, big-endian, so small and huge values are both reachable.
  yl::Amount amount() {
    const std::size_t length = byte() % 33;
    yl::U512 value = 0;
    for (std::size_t i = 0; i < length; ++i) value = value * 256 + byte();
    return yl::Amount::from_u512(value);
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

const char* const kNames[] = {"a", "b", "c", "d", "e", "@gas", "nobody"};
const char* const kSources[] = {"lido", "rocket", "tbill", "nowhere"};

std::string name(Bytes& in) { return kNames[in.byte() % 7]; }

// The SPEC §9 policy from one byte: bit 0 streamed, 1 to_protocol, 2 socialize, 3 rebalance,
// 4 protocol fee and hurdle.
yl::LedgerParams params(std::uint8_t policy) {
  yl::LedgerParams p;
  if (policy & 1U) {
    p.policy.distribution = yl::Distribution::streamed;
    p.policy.unlock_seconds = 7 * 86400;
  }
  if (policy & 2U) p.policy.void_yield = yl::VoidYield::to_protocol;
  if (policy & 4U) p.policy.negative_yield = yl::NegativeYield::socialize;
  p.policy.rebalance = (policy & 8U) != 0;
  if (policy & 16U) {
    p.policy.protocol_fee_bps = 2000;
    p.policy.fee_hurdle_bps = 300;
  }
  p.start = yl::Timestamp{1709251200};
  p.end = yl::Timestamp{p.start.seconds + 3 * 365 * 86400};
  p.report_every_s = 86400;
  p.initial_price = yl::Amount::from_u64(1'000'000'000);
  p.sources = {{"lido", yl::Asset::eth, yl::SourceKind::staking, 400, 8000},
               {"rocket", yl::Asset::eth, yl::SourceKind::treasury, 350, 1000},
               {"tbill", yl::Asset::usdb, yl::SourceKind::treasury, 500, 9000}};
  return p;
}

yl::EventBody body(Bytes& in) {
  using namespace yl;
  const Asset asset = in.byte() % 2 ? Asset::eth : Asset::usdb;
  switch (in.byte() % 12) {
    case 0:
      return OpenAccount{name(in), in.byte() % 2 ? AccountKind::dapp : AccountKind::user};
    case 1:
      return Deposit{name(in), static_cast<DepositAsset>(in.byte() % 5), in.amount()};
    case 2:
      return Withdraw{name(in), asset, in.amount()};
    case 3:
      return Transfer{name(in), name(in), asset, in.amount()};
    case 4:
      return Configure{name(in), asset, static_cast<YieldMode>(in.byte() % 3)};
    case 5: {
      std::optional<Amount> amount;
      if (in.byte() % 2) amount = in.amount();
      return Claim{name(in), asset, amount, in.byte() % 2 ? name(in) : std::string()};
    }
    case 6:
      return SetGasMode{name(in), in.byte() % 2 ? GasMode::claimable : GasMode::void_mode};
    case 7:
      return PayGas{name(in), name(in), in.amount()};
    case 8:
      return ClaimGas{name(in)};
    case 9:
      return ForceReport{in.byte() % 3 == 0 ? std::nullopt : std::optional(asset)};
    // The parser guarantees apr_bps <= 100000 (the engine asserts it): 255 * 390 = 99450.
    case 10:
      return SetRate{kSources[in.byte() % 4], static_cast<std::uint32_t>(in.byte()) * 390};
    default:
      return Loss{kSources[in.byte() % 4], in.amount()};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  yl::Ledger ledger(params(in.byte()));
  yl::JournalBalances journal;
  std::int64_t time = ledger.params().start.seconds;
  for (int steps = 0; steps < 200 && !in.empty(); ++steps) {
    time += (in.byte() % 4 == 0) ? static_cast<std::int64_t>(in.byte()) * 3600 : 0;
    const yl::Event event{yl::Timestamp{time}, body(in)};
    if (event.time > ledger.params().end) break;
    const bool stuck = ledger.prepare_for(event.time).has_value();  // reports, then §9.1 drip
    journal.add_all(ledger.journal());
    ledger.clear_journal();
    if (stuck) break;  // a source near 2^256 cannot accrue further: the run would end here
    const yl::Ledger before = ledger;
    if (ledger.apply(event) && !yl::testing::same_state(before, ledger)) __builtin_trap();
    if (ledger.audit_invariants()) __builtin_trap();
    journal.add_all(ledger.journal());
    ledger.clear_journal();
    ledger.take_reports();
    if (journal.check_against(ledger)) __builtin_trap();
  }
  return 0;
}
