#include "engine/core/name_index.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/random.h"

using yl::NameIndex;

// Names of up to 7 bytes are decided in the slot, longer ones by comparing the owner's name: the
// long names here share their first 7 bytes ("account"), so only that comparison tells them apart.
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
