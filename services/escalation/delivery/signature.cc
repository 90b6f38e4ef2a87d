// HMAC-SHA256 webhook signatures with OpenSSL.
#include "services/escalation/delivery/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

namespace {

std::string SignedV2(int64_t t, absl::string_view body) { return absl::StrCat(t, ".", body); }

}  // namespace

std::string SignatureV2Value(const std::vector<std::string>& secrets, absl::Time at, absl::string_view body) {
  const int64_t t = absl::ToUnixSeconds(at);
  const std::string signed_text = SignedV2(t, body);
  std::string out;
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    absl::StrAppend(&out, out.empty() ? absl::StrCat("t=", t) : "", ",v2=", HmacSha256Hex(secret, signed_text));
  }
  return out;
}

absl::Status VerifySignatureV2(const std::vector<std::string>& secrets, absl::string_view body,
                               absl::string_view header_value, absl::Time now, absl::Duration window) {
  std::optional<int64_t> t;
  std::vector<absl::string_view> macs;
  for (absl::string_view part : absl::StrSplit(header_value, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, "t=")) {
      int64_t value = 0;
      if (t || !absl::SimpleAtoi(part, &value)) {
        return absl::UnauthenticatedError("malformed: t= must be one whole number of seconds");
      }
      t = value;
    } else if (absl::ConsumePrefix(&part, "v2=")) {
      macs.push_back(part);
    }  // other schemes (a later version beside v2) are skipped
  }
  if (!t) return absl::UnauthenticatedError("malformed: no t= timestamp");
  if (macs.empty()) return absl::UnauthenticatedError("malformed: no v2= signature");
  const absl::Time at = absl::FromUnixSeconds(*t);
  if (at < now - window || at > now + window) {
    return absl::UnauthenticatedError(absl::StrCat("timestamp ", *t, " is outside the replay window (",
                                                   absl::FormatDuration(window), " of ", absl::ToUnixSeconds(now),
                                                   "): too old, replayed, or a clock far off"));
  }
  const std::string signed_text = SignedV2(*t, body);
  bool match = false;
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    const std::string expected = HmacSha256Hex(secret, signed_text);
    for (absl::string_view mac : macs) match |= ConstantTimeEquals(expected, mac);  // no early exit
  }
  if (!match) return absl::UnauthenticatedError("no v2 signature matches a secret");
  return absl::OkStatus();
}

}  // namespace recovery::escalation::delivery
