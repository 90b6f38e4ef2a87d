// HMAC-SHA256 with OpenSSL: webhook request signing and the raw MAC the acknowledge links
// (ack_link.h) are made of. Pure functions; thread-safe.
//
// Version 1 (kept for existing receivers): X-Recovery-Signature: sha256=<hex HMAC-SHA256 of
// the body>. Nothing in it ties the request to a time, so a captured request replays forever.
//
// Version 2: X-Recovery-Signature-V2: t=<unix seconds>,v2=<hex>[,v2=<hex>...], where each hex
// is HMAC-SHA256(secret, "<t>." + body), one per secret in use: the current one first, then
// those being rotated out, so a receiver holding either secret verifies during a rotation. A
// receiver recomputes the MAC over its own copy of t and the raw body, accepts when any v2
// matches one of its secrets, and refuses a t outside its replay window (5 minutes either way
// by default: clocks drift). The same construction as Stripe's and PagerDuty's v3 signatures.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace recovery::escalation::delivery {

inline constexpr char kSignatureHeader[] = "X-Recovery-Signature";
inline constexpr char kSignatureV2Header[] = "X-Recovery-Signature-V2";
inline constexpr absl::Duration kDefaultReplayWindow = absl::Minutes(5);

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

// The version 2 header value at time `at` (whole seconds), one v2= per secret, in order.
// Empty secrets are skipped; no secret at all gives "".
std::string SignatureV2Value(const std::vector<std::string>& secrets, absl::Time at, absl::string_view body);

// A receiver's check of a version 2 header: OK when t is within `window` of `now` and a v2 of
// the header is the MAC under one of `secrets`. Otherwise UNAUTHENTICATED saying what is wrong
// ("malformed: ...", "timestamp ... is outside the replay window ...", "no v2 signature
// matches"), which a receiver logs and counts.
absl::Status VerifySignatureV2(const std::vector<std::string>& secrets, absl::string_view body,
                               absl::string_view header_value, absl::Time now,
                               absl::Duration window = kDefaultReplayWindow);

}  // namespace recovery::escalation::delivery
