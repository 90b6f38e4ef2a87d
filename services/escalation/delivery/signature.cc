// HMAC-SHA256 webhook signatures with OpenSSL.
#include "services/escalation/delivery/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace recovery::escalation::delivery {

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HmacSha256Hex(const std::string& secret, const std::string& body) {
  const std::string mac = HmacSha256(secret, body);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(mac.size() * 2);
  for (const char c : mac) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xf]);
  }
  return out;
}

std::string SignatureValue(const std::string& secret, const std::string& body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

bool VerifySignature(const std::string& secret, const std::string& body, const std::string& header_value) {
  return ConstantTimeEquals(SignatureValue(secret, body), header_value);
}

}  // namespace recovery::escalation::delivery
