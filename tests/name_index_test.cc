#include "engine/core/name_index.h"

#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/random.h"

using yl::NameIndex;

// Names of up to 7 bytes are their own keys; longer ones are keyed by a hash and their length and
// confirmed by comparing the owner's name. Both kinds are mixed here, the long ones sharing their
// first 7 bytes ("account").
std::string name_for(std::uint64_t k) {
  return k % 2 == 0 ? "a" + std::to_string(k) : "account" + std::to_string(k);
}

TEST_CASE("NameIndex: finds every name inserted, and none other") {
  NameIndex index;
  std::vector<std::string> names;
  const auto name_of = [&](std::uint32_t id) -> std::string_view { return names[id]; };
  CHECK_FALSE(index.find("a0", name_of));  // an empty table
  for (std::uint32_t id = 0; id < 1000; ++id) {
    names.push_back(name_for(id));
    index.insert(names.back(), id);
  }
  CHECK(index.size() == 1000);
  for (std::uint32_t id = 0; id < 1000; ++id) CHECK(index.find(names[id], name_of) == id);
  CHECK_FALSE(index.find("a1000", name_of));
  CHECK_FALSE(index.find("account1001", name_of));
  CHECK_FALSE(index.find("account", name_of));
  CHECK_FALSE(index.find("", name_of));
  CHECK_FALSE(index.find("a", name_of));
  CHECK_FALSE(index.find(std::string_view("a0\0", 3), name_of));  // same bytes, longer
}

TEST_CASE("NameIndex: a short name is decided by its key, a long one by its owner's name too") {
  NameIndex index;
  std::vector<std::string> names = {"abcdefg", "abcdefgh", std::string("\xff\x00z", 3)};
  for (std::uint32_t id = 0; id < names.size(); ++id) index.insert(names[id], id);
  int asked = 0;
  const auto name_of = [&](std::uint32_t id) -> std::string_view {
    ++asked;
    return names[id];
  };
  // 7 bytes and fewer (any bytes, NUL included): the key is the name; the owner is never asked.
  CHECK(index.find("abcdefg", name_of) == 0u);
  CHECK(index.find(std::string("\xff\x00z", 3), name_of) == 2u);
  CHECK_FALSE(index.find(std::string("\xff\x00", 2), name_of));
  CHECK_FALSE(index.find("abcdef", name_of));
  CHECK(asked == 0);
  // 8 bytes and more: a matching key is confirmed against the owner's name.
  CHECK(index.find("abcdefgh", name_of) == 1u);
  CHECK(asked == 1);
  // An owner whose name under that id is another (as after a hash collision) is not a match.
  names[1] = "abcdefgX";
  CHECK_FALSE(index.find("abcdefgh", name_of));
  CHECK(asked == 2);
  // The key of a long name is never a short name's: the length sits in its top byte.
  CHECK((NameIndex::key_of("abcdefgh") >> 56) == 8);
  CHECK(NameIndex::key_of("abcdefg") == 0x07'67'66'65'64'63'62'61ULL);
  CHECK((NameIndex::key_of(std::string(300, 'a')) >> 56) == 255);
}

TEST_CASE("NameIndex: a short name's key is its bytes, at every length from 0 to 7") {
  // key_of loads a short name in two pieces; the key must be byte i at bits 8i, under the length.
  yl::testing::Random rng(77);
  for (std::size_t length = 0; length <= 7; ++length) {
    for (int round = 0; round < 200; ++round) {
      std::string name(length, '\0');
      std::uint64_t expected = std::uint64_t{length} << 56;
      for (std::size_t i = 0; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(rng.below(256));
        name[i] = static_cast<char>(byte);
        expected |= std::uint64_t{byte} << (8 * i);
      }
      INFO("length " << length << " round " << round);
      CHECK(NameIndex::key_of(name) == expected);
    }
  }
}

// Removals anywhere in a probe run, against std::map: a table of 16 slots holding up to 7 names
// has long runs and wraps around its end, so the backward shift meets every case.
TEST_CASE("NameIndex: erase keeps every other name findable (backward shift, with wrap-around)") {
  yl::testing::Random rng(7);
  for (int round = 0; round < 200; ++round) {
    NameIndex index;
    std::vector<std::string> names;
    std::map<std::string, std::uint32_t> expected;
    const auto name_of = [&](std::uint32_t id) -> std::string_view { return names[id]; };
    for (int op = 0; op < 60; ++op) {
      const std::string name = name_for(rng.below(12));
      const auto it = expected.find(name);
      if (it == expected.end() && expected.size() < 7) {
        const auto id = static_cast<std::uint32_t>(names.size());
        names.push_back(name);
        index.insert(name, id);
        expected.emplace(name, id);
      } else if (it != expected.end()) {
        index.erase(name, it->second);
        expected.erase(it);
      }
      REQUIRE(index.size() == expected.size());
      for (int k = 0; k < 12; ++k) {
        const std::string probe = name_for(static_cast<std::uint64_t>(k));
        const auto found = index.find(probe, name_of);
        const auto want = expected.find(probe);
        if (want == expected.end()) {
          REQUIRE_FALSE(found);
        } else {
          REQUIRE(found == want->second);
        }
      }
    }
  }
}
