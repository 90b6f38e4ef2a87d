// Acknowledge link tokens: made and checked with the delivery HMAC (delivery/signature.h).
#include "services/escalation/ack_link.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/escalation/delivery/signature.h"
#include "services/escalation/domain/target_policy.h"

namespace recovery::escalation {
namespace {

constexpr char kDomain[] = "recovery-ack-link-v1\n";
constexpr char kKeyFlag[] = "--ack-link-key-file";
constexpr char kUrlFlag[] = "--console-url";

std::string Mac(absl::string_view key, const std::string& page_id, const std::string& person_id,
                const std::string& escalation_id) {
  return delivery::HmacSha256(key, absl::StrCat(kDomain, page_id, "\n", person_id, "\n", escalation_id))
      .substr(0, kAckLinkMacBytes);
}

std::string Encode(absl::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // unpadded
  return out;
}

// Only the canonical encoding: what Encode gives back exactly. A decoder that ignores the
// unused low bits of the last character would otherwise take several spellings of one token.
std::optional<std::string> Decode(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string out;
  if (!absl::WebSafeBase64Unescape(text, &out) || Encode(out) != text) return std::nullopt;
  return out;
}

absl::Status FlagError(const char* flag, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", why));
}

}  // namespace

std::string AckLinkToken(absl::string_view key, const std::string& page_id, const std::string& person_id,
                         const std::string& escalation_id) {
  return absl::StrCat(Encode(page_id), ".", Encode(Mac(key, page_id, person_id, escalation_id)));
}

std::optional<std::string> AckLinkPageId(absl::string_view token) {
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos || token.find('.', dot + 1) != absl::string_view::npos) return std::nullopt;
  std::optional<std::string> page_id = Decode(token.substr(0, dot));
  const std::optional<std::string> mac = Decode(token.substr(dot + 1));
  if (!page_id || !mac || mac->size() != kAckLinkMacBytes) return std::nullopt;
  return page_id;
}

bool VerifyAckLinkToken(absl::string_view key, absl::string_view token, const std::string& page_id,
                        const std::string& person_id, const std::string& escalation_id) {
  return delivery::ConstantTimeEquals(token, AckLinkToken(key, page_id, person_id, escalation_id));
}

std::string AckLinks::Url(const std::string& page_id, const std::string& person_id,
                          const std::string& escalation_id) const {
  return absl::StrCat(console_url_, "/ack/", AckLinkToken(key_, page_id, person_id, escalation_id));
}

absl::StatusOr<std::string> ParseConsoleUrl(const std::string& url) {
  std::string base = url;
  if (absl::EndsWith(base, "/")) base.pop_back();
  // The webhook URL parser checks the scheme, host and port; the console's URL has nothing after them.
  WebhookTargetPolicy http_too;
  http_too.allow_http = true;
  absl::StatusOr<WebhookUrl> parsed = ParseWebhookUrl(base, http_too);
  if (!parsed.ok()) return FlagError(kUrlFlag, parsed.status().message());
  const absl::string_view authority = absl::string_view(base).substr(base.find("://") + 3);
  if (authority.find_first_of("/?#") != absl::string_view::npos) {
    return FlagError(kUrlFlag, "must be the console's base URL (scheme://host[:port]) without path, query or fragment");
  }
  return base;
}

absl::StatusOr<std::string> ReadAckLinkKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FlagError(kKeyFlag, absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return FlagError(kKeyFlag, absl::StrCat("cannot read ", path));
  if (key.size() < kMinAckLinkKeyBytes) {
    return FlagError(kKeyFlag, absl::StrCat(path, " holds ", key.size(), " bytes; the key must be at least ",
                                            kMinAckLinkKeyBytes, " random bytes (head -c 32 /dev/urandom)"));
  }
  return key;
}

absl::StatusOr<std::optional<AckLinks>> AckLinksFromFlags(const std::string& key_file, const std::string& console_url) {
  if (key_file.empty() && console_url.empty()) return std::nullopt;
  if (key_file.empty()) return FlagError(kKeyFlag, "required with --console-url (the key that signs the links)");
  if (console_url.empty()) return FlagError(kUrlFlag, "required with --ack-link-key-file (where the links point)");
  absl::StatusOr<std::string> key = ReadAckLinkKeyFile(key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> url = ParseConsoleUrl(console_url);
  if (!url.ok()) return url.status();
  return AckLinks(*std::move(key), *std::move(url));
}

}  // namespace recovery::escalation
