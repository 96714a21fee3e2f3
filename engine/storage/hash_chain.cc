#include "engine/storage/hash_chain.h"

#include <array>
#include <charconv>
#include <cstring>
#include <memory>

#include <openssl/evp.h>

#include "engine/storage/storage_error.h"

namespace yl::storage {

std::string chain_hash(std::string_view previous, std::initializer_list<std::string_view> fields) {
  return chain_hash(previous, std::span<const std::string_view>(fields.begin(), fields.size()));
}

std::string chain_hash(std::string_view previous, std::span<const std::string_view> fields) {
  return to_hex(chain_digest(previous, fields));
}

std::string to_hex(const Digest& digest) {
  std::string hex;
  to_hex(digest, hex);
  return hex;
}

void to_hex(const Digest& digest, std::string& hex) {
  // Two digits a byte from one table: the running link is formatted for every row written or
  // audited.
  static constexpr auto kPairs = [] {
    constexpr char kHex[] = "0123456789abcdef";
    std::array<char, 512> pairs{};
    for (std::size_t b = 0; b < 256; ++b) {
      pairs[2 * b] = kHex[b >> 4];
      pairs[2 * b + 1] = kHex[b & 0xF];
    }
    return pairs;
  }();
  hex.resize(2 * digest.size());
  char* out = hex.data();
  for (const unsigned char b : digest) {
    std::memcpy(out, &kPairs[2 * std::size_t{b}], 2);
    out += 2;
  }
}

Digest chain_digest(std::string_view previous, std::span<const std::string_view> fields) {
  // One buffer, one digest call: this runs for every stored row, so it avoids per-field
  // formatting, per-call digest contexts and, with the buffer kept per thread, allocations.
  // Each field as "<length>:<bytes>", written into a buffer sized once for the longest lengths.
  thread_local std::string message;
  constexpr std::size_t kLengthDigits = 20;  // of the largest std::size_t
  std::size_t most = previous.size() + kLengthDigits + 1;
  for (std::string_view field : fields) most += field.size() + kLengthDigits + 1;
  if (message.size() < most) message.resize(most);
  char* const begin = message.data();
  char* out = begin;
  auto feed = [&](std::string_view bytes) {
    out = std::to_chars(out, out + kLengthDigits, bytes.size()).ptr;
    *out++ = ':';
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    out += bytes.size();
  };
  feed(previous);
  for (std::string_view field : fields) feed(field);
  // OpenSSL 3 looks an algorithm up on every init unless it is fetched once; the context is
  // reused too. Both are per thread, so this stays safe without locks.
  thread_local const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256(
      EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Digest digest{};
  unsigned int size = 0;
  if (!sha256 || !context || EVP_DigestInit_ex(context.get(), sha256.get(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), begin, static_cast<std::size_t>(out - begin)) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1 || size != digest.size()) {
    throw StorageError(StorageError::Kind::internal, "SHA-256 failed in OpenSSL");
  }
  return digest;
}

}  // namespace yl::storage
