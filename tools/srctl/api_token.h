// API tokens for integrations and service accounts: srctl makes them (random, shown once) and
// prints the entry of the access configuration, which keeps only the token's SHA-256.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace recovery::srctl {

inline constexpr char kApiTokenPrefix[] = "srk_";

// "srk_" + base64url (no padding) of 32 bytes from OpenSSL's CSPRNG.
absl::StatusOr<std::string> NewApiToken();

// Lower-case hex of the SHA-256 of `text` (the whole token string, prefix included).
std::string Sha256Hex(const std::string& text);

// What the access configuration lists for a token:
//   - {name: NAME, sha256: HEX, roles: [a, b], expires: 2027-01-01T00:00:00Z}
// (no expires key when it never expires). Name and roles are checked to be plain words
// (letters, digits, '.', '_', '-'), so the line is YAML without quoting.
absl::StatusOr<std::string> ApiTokenEntry(const std::string& name, const std::string& sha256_hex,
                                          const std::vector<std::string>& roles, std::optional<absl::Time> expires);

}  // namespace recovery::srctl
