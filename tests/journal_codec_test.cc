// The stored journal format (schema/0005_binary_journal.sql, with schema/0007_paired_postings.sql's
// pairs): exact bytes for known postings, which postings pair, round trips at every amount width
// and varint length, and a refusal for every byte outside it.
#include "engine/storage/journal_codec.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_util.h"

using yl::Amount;
using yl::Asset;
using yl::Memo;
using yl::storage::decode_postings;
using yl::storage::DecodedPosting;
using yl::storage::JournalNames;
using yl::storage::StoredPosting;

namespace {

std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (unsigned v : values) out += static_cast<char>(v);
  return out;
}

// Encodes `postings` through the conversion path (names numbered in order of use).
std::string encode(const std::vector<StoredPosting>& postings, JournalNames& names) {
  std::string out;
  for (const StoredPosting& p : postings) {
    REQUIRE(yl::storage::encode_stored_posting(out, p, names));
  }
  return out;
}

}  // namespace

TEST_CASE("Journal format: a deposit's two postings, byte by byte") {
  JournalNames names;
  // 1500 ETH = 1500 * 10^18 = 0x5150AE84A8CDF00000 (9 bytes).
  const Amount a = yl::testing::wei("1500000000000000000000");
  const std::string row = encode({{"l1:buffer:ETH", Asset::eth, true, a, "deposit"},
                                  {"l2:account:alice", Asset::eth, false, a, "deposit"}},
                                 names);
  CHECK(row == bytes({0x01, 0x00, 0x01, 0x09, 0x51, 0x50, 0xAE, 0x84, 0xA8, 0xCD, 0xF0, 0x00,
                      0x00,  // Dr l1:buffer:ETH (id 1)
                      0x00, 0x00, 0x02, 0x09, 0x51, 0x50, 0xAE, 0x84, 0xA8, 0xCD, 0xF0, 0x00,
                      0x00}));  // Cr l2:account:alice (id 2)
  const JournalNames::Added added = names.take_added();
  CHECK(added.first == 1);
  CHECK(added.names == std::vector<std::string>{"l1:buffer:ETH", "l2:account:alice"});
  // A USDB credit (flag bit 1) of 1 wei with memo 26 (rebalance) to an account seen before.
  const std::string usdb =
      encode({{"l2:account:alice", Asset::usdb, false, Amount::from_u64(1), "rebalance"}}, names);
  CHECK(usdb == bytes({0x02, 26, 0x02, 0x01, 0x01}));
  CHECK(names.take_added().names.empty());
}

TEST_CASE("Journal format: a debit and a credit of one amount are one pair record") {
  const Amount a = yl::testing::wei("1500000000000000000000");
  const Amount one = Amount::from_u64(1);
  auto dp = [](std::uint32_t account, Asset asset, bool debit, const Amount& amount, Memo memo) {
    return DecodedPosting{account, asset, debit, amount, memo};
  };
  // The deposit above, paired: flags 0x05 (pair, first a debit), memo 0, ids 1 then 2 (the
  // credit), then the amount once. 13 bytes where two postings took 26.
  const std::vector<DecodedPosting> deposit = {dp(1, Asset::eth, true, a, Memo::deposit),
                                               dp(2, Asset::eth, false, a, Memo::deposit)};
  std::string row;
  yl::storage::encode_decoded(row, deposit);
  CHECK(row == bytes({0x05, 0x00, 0x01, 0x02, 0x09, 0x51, 0x50, 0xAE, 0x84, 0xA8, 0xCD, 0xF0, 0x00,
                      0x00}));
  CHECK(*decode_postings(row) == deposit);
  // A credit first (flags 0x06: pair, USDB, a credit), read back in the order written.
  const std::vector<DecodedPosting> credit_first = {
      dp(300, Asset::usdb, false, one, Memo::transfer),
      dp(7, Asset::usdb, true, one, Memo::transfer)};
  row.clear();
  yl::storage::encode_decoded(row, credit_first);
  CHECK(row == bytes({0x06, 10, 0xAC, 0x02, 0x07, 0x01, 0x01}));
  CHECK(*decode_postings(row) == credit_first);
  // Left to right: D C D of one amount is a pair then a single; postings differing in side,
  // asset, memo or amount are not paired.
  const std::vector<std::vector<DecodedPosting>> cases = {
      {dp(1, Asset::eth, true, one, Memo::fee), dp(2, Asset::eth, false, one, Memo::fee),
       dp(3, Asset::eth, true, one, Memo::fee)},
      {dp(1, Asset::eth, true, one, Memo::fee), dp(2, Asset::eth, true, one, Memo::fee)},
      {dp(1, Asset::eth, true, one, Memo::fee), dp(2, Asset::usdb, false, one, Memo::fee)},
      {dp(1, Asset::eth, true, one, Memo::fee), dp(2, Asset::eth, false, one, Memo::cover)},
      {dp(1, Asset::eth, true, one, Memo::fee), dp(2, Asset::eth, false, a, Memo::fee)},
      // Once a pair is made, the next posting starts afresh: C D pairs after a single D.
      {dp(1, Asset::eth, true, a, Memo::fee), dp(2, Asset::eth, false, one, Memo::fee),
       dp(3, Asset::eth, true, one, Memo::fee)}};
  const std::vector<std::string> flags = {bytes({0x05, 0x01}), bytes({0x01, 0x01}),
                                          bytes({0x01, 0x02}), bytes({0x01, 0x00}),
                                          bytes({0x01, 0x00}), bytes({0x01, 0x04})};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    row.clear();
    yl::storage::encode_decoded(row, cases[i]);
    CHECK(*decode_postings(row) == cases[i]);
    // The flags of each record, in order.
    const std::vector<std::size_t> bounds = yl::testing::record_bounds(row);
    std::string record_flags;
    for (std::size_t b = 0; b + 1 < bounds.size(); ++b) record_flags += row[bounds[b]];
    CHECK(record_flags == flags[i]);
  }
}

TEST_CASE("Journal format: amounts of every width and ids of every varint length round-trip") {
  const std::vector<Amount> amounts = {Amount::from_u64(1),
                                       Amount::from_u64(255),
                                       Amount::from_u64(256),
                                       Amount::from_limbs({0, 1, 0, 0}),          // 2^64
                                       Amount::from_limbs({~0ull, ~0ull, 0, 0}),  // 2^128 - 1
                                       Amount::from_limbs({0, 0, 0, 1}),          // 2^192
                                       Amount::max()};                            // 2^256 - 1
  std::string row;
  std::vector<DecodedPosting> expected;
  JournalNames names;
  // Ids 1..20000 cross the varint's one-, two- and three-byte forms (128, 16384).
  for (std::uint32_t id = 1; id <= 20000; ++id) {
    const Amount& amount = amounts[id % amounts.size()];
    const bool debit = id % 2 == 0;
    const Asset asset = id % 3 == 0 ? Asset::usdb : Asset::eth;
    const auto memo = static_cast<Memo>(id % yl::kMemoCount);
    REQUIRE(yl::storage::encode_stored_posting(
        row, {"a" + std::to_string(id), asset, debit, amount, std::string(yl::memo_name(memo))},
        names));
    expected.push_back({id, asset, debit, amount, memo});
  }
  const auto decoded = decode_postings(row);
  REQUIRE(decoded);
  CHECK(*decoded == expected);
  // The widest amount takes 32 bytes after its length byte; 2^64 takes 9.
  std::string wide, mid;
  JournalNames fresh;
  REQUIRE(yl::storage::encode_stored_posting(wide, {"x", Asset::eth, true, Amount::max(), "fee"},
                                             fresh));
  REQUIRE(
      yl::storage::encode_stored_posting(mid, {"x", Asset::eth, true, amounts[3], "fee"}, fresh));
  CHECK(wide.size() == 2 + 1 + 1 + 32);
  CHECK(mid == bytes({0x01, 4, 0x01, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST_CASE("Journal format: every byte outside the format is refused") {
  const std::string good = bytes({0x01, 0x00, 0x01, 0x01, 0x05});
  REQUIRE(decode_postings(good));
  CHECK(decode_postings("")->empty());  // an empty row decodes (audit then finds it extra)
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"flag bit 3", bytes({0x09, 0x00, 0x01, 0x01, 0x05})},
      {"a pair without its second account", bytes({0x05, 0x00, 0x01, 0x01})},
      {"a pair's second account id 0", bytes({0x05, 0x00, 0x01, 0x00, 0x01, 0x05})},
      {"a pair's second varint cut short", bytes({0x05, 0x00, 0x01, 0x82})},
      {"memo 27", bytes({0x01, 27, 0x01, 0x01, 0x05})},
      {"account id 0", bytes({0x01, 0x00, 0x00, 0x01, 0x05})},
      {"a redundant varint group", bytes({0x01, 0x00, 0x81, 0x00, 0x01, 0x05})},
      {"a varint over 32 bits", bytes({0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x01, 0x05})},
      {"a varint cut short", bytes({0x01, 0x00, 0x81})},
      {"length 0", bytes({0x01, 0x00, 0x01, 0x00})},
      {"length 33", bytes({0x01, 0x00, 0x01, 33})},
      {"a leading zero byte", bytes({0x01, 0x00, 0x01, 0x02, 0x00, 0x05})},
      {"an amount cut short", bytes({0x01, 0x00, 0x01, 0x02, 0x05})},
      {"a posting cut after its flags", good + bytes({0x01})},
  };
  for (const auto& [what, row] : bad) {
    const std::string& named = what;  // CAPTURE's lambda cannot capture a structured binding
    CAPTURE(named);                   // in clang 14
    CHECK_FALSE(decode_postings(row));
  }
  // Names: an id the names table does not hold is refused by read_postings.
  CHECK(yl::storage::read_postings(good, {"l1:buffer:ETH"}));
  CHECK_FALSE(yl::storage::read_postings(good, {}));
  // The conversion refuses what the format cannot hold: an unknown memo, a zero amount.
  JournalNames names;
  std::string out;
  CHECK_FALSE(yl::storage::encode_stored_posting(
      out, {"x", Asset::eth, true, Amount::from_u64(1), "bribe"}, names));
  CHECK_FALSE(
      yl::storage::encode_stored_posting(out, {"x", Asset::eth, true, Amount(), "fee"}, names));
  CHECK(out.empty());
}
