// Tamper evidence for stored rows: SHA-256 chains (OpenSSL libcrypto). Each row's hash covers the
// previous row's hash and the row's fields, so a row changed, deleted or inserted by hand breaks
// the chain from that row on.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace yl::storage {

// Hex SHA-256 of `previous` followed by each field, each preceded by its length so that no two
// different rows can serialize alike.
std::string chain_hash(std::string_view previous, std::initializer_list<std::string_view> fields);
std::string chain_hash(std::string_view previous, std::span<const std::string_view> fields);

}  // namespace yl::storage
