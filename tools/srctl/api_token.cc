// API token generation and its configuration entry.
#include "tools/srctl/api_token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace recovery::srctl {
namespace {

// Plain words stay plain YAML scalars: no quoting, no way to smuggle a second key in.
bool IsPlainWord(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

}  // namespace

absl::StatusOr<std::string> NewApiToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return absl::InternalError("RAND_bytes failed: no token made");
  // absl's web-safe alphabet is base64url, and it writes no padding.
  return absl::StrCat(kApiTokenPrefix,
                      absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes)));
}

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length));
}

absl::StatusOr<std::string> ApiTokenEntry(const std::string& name, const std::string& sha256_hex,
                                          const std::vector<std::string>& roles, std::optional<absl::Time> expires) {
  if (!IsPlainWord(name)) return absl::InvalidArgumentError("--name: letters, digits, '.', '_' and '-' only");
  if (roles.empty()) return absl::InvalidArgumentError("--roles: at least one role (e.g. integration)");
  for (const std::string& role : roles)
    if (!IsPlainWord(role))
      return absl::InvalidArgumentError(absl::StrCat("--roles: \"", role, "\" is not a role name"));
  std::string entry =
      absl::StrCat("- {name: ", name, ", sha256: ", sha256_hex, ", roles: [", absl::StrJoin(roles, ", "), "]");
  if (expires)
    absl::StrAppend(&entry, ", expires: ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *expires, absl::UTCTimeZone()));
  return entry + "}";
}

}  // namespace recovery::srctl
