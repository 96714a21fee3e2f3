// Tamper evidence for stored rows: SHA-256 chains (OpenSSL libcrypto). Each row's hash covers the
// previous row's hash and the row's fields, so a row changed, deleted or inserted by hand breaks
// the chain from that row on.
#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace yl::storage {

// A link as stored (schema/0008_binary_hashes.sql): the 32 bytes of a SHA-256.
using Digest = std::array<unsigned char, 32>;

// SHA-256 of `previous` (the previous link in hex) followed by each field, each preceded by its
// length so that no two different rows can serialize alike.
Digest chain_digest(std::string_view previous, std::span<const std::string_view> fields);
// The same link in lowercase hex: the next link's `previous`, and what `audit` prints.
std::string to_hex(const Digest& digest);
// The same, into `hex`'s own buffer: no allocation for a chain's running link (once per row).
void to_hex(const Digest& digest, std::string& hex);
// The link's bytes, as the `hash` columns store them.
inline std::string_view bytes_of(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}
std::string chain_hash(std::string_view previous, std::initializer_list<std::string_view> fields);
std::string chain_hash(std::string_view previous, std::span<const std::string_view> fields);

}  // namespace yl::storage
