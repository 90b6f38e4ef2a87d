// HMAC-SHA256 with OpenSSL: webhook request signing (X-Recovery-Signature: sha256=<hex
// HMAC-SHA256 of the body>) and the raw MAC the acknowledge links (ack_link.h) are made of.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace recovery::escalation::delivery {

inline constexpr char kSignatureHeader[] = "X-Recovery-Signature";

// The 32 raw bytes of HMAC-SHA256(key, data).
std::string HmacSha256(absl::string_view key, absl::string_view data);

// Whether a and b are equal, in time that depends only on their length (CRYPTO_memcmp): for
// comparing a MAC someone sent with the one expected.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
std::string HmacSha256Hex(const std::string& secret, const std::string& body);

// The header value: "sha256=" + HmacSha256Hex(secret, body).
std::string SignatureValue(const std::string& secret, const std::string& body);

// Constant-time check of a received header value against the body (receivers, tests).
bool VerifySignature(const std::string& secret, const std::string& body, const std::string& header_value);

}  // namespace recovery::escalation::delivery
