// Short signed acknowledge links (a page's "ack_url"): <console-url>/ack/<token>, where
//   token = base64url(page_id) "." base64url(MAC), unpadded, and
//   MAC   = the first 16 bytes of HMAC-SHA256(key, "recovery-ack-link-v1\n" page_id "\n"
//           person_id "\n" escalation_id).
// The token names the page; the page row (delivery queue) names the person and escalation it
// went to, so a token verifies only for the page it was made for, as sent to that person in
// that escalation. The key (--ack-link-key-file) stays in the escalation service: the console
// only carries the token to InspectAckLink / AcknowledgeByLink. A token is never logged.
// Pure functions and an immutable value; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recovery::escalation {

inline constexpr size_t kMinAckLinkKeyBytes = 32;
inline constexpr size_t kAckLinkMacBytes = 16;
// The one answer to a token that is malformed, names no page or carries the wrong MAC: it
// never says which part failed.
inline constexpr char kInvalidAckLink[] = "token: not a valid acknowledge link";

// The token of a page (see the top of this file).
std::string AckLinkToken(absl::string_view key, const std::string& page_id, const std::string& person_id,
                         const std::string& escalation_id);

// The page id a well-formed token names: two non-empty parts in canonical unpadded base64url
// joined by one ".", the second decoding to exactly kAckLinkMacBytes. nullopt otherwise.
// Says nothing about the MAC (VerifyAckLinkToken does).
std::optional<std::string> AckLinkPageId(absl::string_view token);

// True when `token` is exactly AckLinkToken(key, page_id, person_id, escalation_id); the MAC
// is compared in constant time.
bool VerifyAckLinkToken(absl::string_view key, absl::string_view token, const std::string& page_id,
                        const std::string& person_id, const std::string& escalation_id);

// The configured links: the key and the console's base URL.
class AckLinks {
 public:
  // `key` at least kMinAckLinkKeyBytes, `console_url` as ParseConsoleUrl answers it.
  AckLinks(std::string key, std::string console_url) : key_(std::move(key)), console_url_(std::move(console_url)) {}

  // "<console-url>/ack/<token>".
  std::string Url(const std::string& page_id, const std::string& person_id, const std::string& escalation_id) const;
  bool Verify(absl::string_view token, const std::string& page_id, const std::string& person_id,
              const std::string& escalation_id) const {
    return VerifyAckLinkToken(key_, token, page_id, person_id, escalation_id);
  }

 private:
  std::string key_;
  std::string console_url_;
};

// --console-url: an http:// or https:// URL of a host (and port) only: no user information,
// path, query or fragment (one trailing "/" is dropped). INVALID_ARGUMENT naming the flag.
absl::StatusOr<std::string> ParseConsoleUrl(const std::string& url);

// --ack-link-key-file: the file's bytes are the key, at least kMinAckLinkKeyBytes of them
// (e.g. `head -c 32 /dev/urandom`). INVALID_ARGUMENT naming the flag when the file cannot be
// read or is shorter.
absl::StatusOr<std::string> ReadAckLinkKeyFile(const std::string& path);

// Both flags or neither: nullopt when neither is set (pages carry no link and the link RPCs
// answer FAILED_PRECONDITION); an error naming the flag for one without the other.
absl::StatusOr<std::optional<AckLinks>> AckLinksFromFlags(const std::string& key_file, const std::string& console_url);

}  // namespace recovery::escalation
