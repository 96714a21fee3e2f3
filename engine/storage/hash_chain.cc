#include "engine/storage/hash_chain.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>

#include "engine/storage/storage_error.h"

namespace yl::storage {

std::string chain_hash(std::string_view previous, std::initializer_list<std::string_view> fields) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  auto feed = [&](std::string_view bytes) {
    const std::string length = fmt::format("{}:", bytes.size());
    ok = ok && EVP_DigestUpdate(ctx.get(), length.data(), length.size()) == 1 &&
         EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1;
  };
  feed(previous);
  for (std::string_view field : fields) feed(field);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), digest, &size) == 1;
  if (!ok) throw StorageError(StorageError::Kind::internal, "SHA-256 failed in OpenSSL");
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace yl::storage
