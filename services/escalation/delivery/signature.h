// Webhook request signing: X-Recovery-Signature: sha256=<hex HMAC-SHA256 of the body>.
// Pure functions; thread-safe.
#pragma once

#include <string>

namespace recovery::escalation::delivery {

inline constexpr char kSignatureHeader[] = "X-Recovery-Signature";

// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
std::string HmacSha256Hex(const std::string& secret, const std::string& body);

// The header value: "sha256=" + HmacSha256Hex(secret, body).
std::string SignatureValue(const std::string& secret, const std::string& body);

// Constant-time check of a received header value against the body (receivers, tests).
bool VerifySignature(const std::string& secret, const std::string& body, const std::string& header_value);

}  // namespace recovery::escalation::delivery
