// Webhook, SMTP and log delivery channels.
#include "services/escalation/delivery/senders.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/logging.h"
#include "services/escalation/delivery/signature.h"

namespace recovery::escalation::delivery {
namespace {

void GlobalCurlInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buf, size_t size, size_t n, void* userp) {
  auto* u = static_cast<Upload*>(userp);
  const size_t left = u->data->size() - u->offset;
  const size_t len = std::min(left, size * n);
  std::memcpy(buf, u->data->data() + u->offset, len);
  u->offset += len;
  return len;
}

// A mail header value from text that may come from a client (a case summary in the subject):
// CR, LF and other control characters become spaces, so nothing can add a header line; the
// text is cut (at a UTF-8 character boundary) to keep the line well under SMTP's 998 bytes;
// non-ASCII text is sent as an RFC 2047 encoded word.
std::string HeaderValue(std::string_view text, size_t max_bytes = 300) {
  std::string out(text.substr(0, max_bytes));
  if (out.size() < text.size())
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();  // a cut lead byte
  bool ascii = true;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
    if (u >= 0x80) ascii = false;
  }
  return ascii ? out : absl::StrCat("=?UTF-8?B?", absl::Base64Escape(out), "?=");
}

// An address for MAIL FROM / RCPT TO / From / To: angle brackets, CR and LF removed.
std::string Address(std::string_view addr) {
  std::string out;
  for (char c : addr)
    if (c != '<' && c != '>' && c != '\r' && c != '\n') out += c;
  return absl::StrCat("<", out, ">");
}

// What the webhook's socket may connect to: the addresses checked before the request.
struct PinnedAddresses {
  std::vector<common::IpAddress> allowed;
  std::string blocked;  // an address curl tried to open a socket to that was not checked
};

curl_socket_t OpenCheckedSocket(void* clientp, curlsocktype, struct curl_sockaddr* address) {
  auto* pinned = static_cast<PinnedAddresses*>(clientp);
  const std::optional<common::IpAddress> a = common::IpAddressFromSockaddr(&address->addr);
  const bool ok = a && std::any_of(pinned->allowed.begin(), pinned->allowed.end(),
                                   [&](const common::IpAddress& x) { return x.Unmapped() == a->Unmapped(); });
  if (!ok) {
    pinned->blocked = a ? a->ToString() : "an address of another family";
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

struct CurlUrl {
  CURLU* handle = curl_url();
  ~CurlUrl() { curl_url_cleanup(handle); }
  // A part of the URL as curl reads it; "" when absent.
  std::string Get(CURLUPart part, unsigned int flags = 0) const {
    char* text = nullptr;
    if (curl_url_get(handle, part, &text, flags) != CURLUE_OK || text == nullptr) return "";
    std::string out(text);
    curl_free(text);
    return out;
  }
};

SendResult Refused(absl::string_view why) { return {false, absl::StrCat("refused: ", why), /*permanent=*/true}; }

}  // namespace

WebhookSender::WebhookSender(SettingsProvider settings, common::HostResolver resolve, const common::Clock& clock)
    : settings_(std::move(settings)), resolve_(std::move(resolve)), clock_(clock) {
  GlobalCurlInit();
}

SendResult WebhookSender::Send(const Delivery& d) {
  const DeliverySettings settings = settings_();
  const WebhookTargetPolicy& policy = settings.webhook_targets;
  // The same checks as the configuration's, on the URL as it is now...
  absl::StatusOr<WebhookUrl> url = ParseWebhookUrl(d.target, policy);
  if (!url.ok()) return Refused(url.status().message());
  // ... and the URL as curl reads it: the request uses this very parse (CURLOPT_CURLU), so the
  // host checked is the host connected to.
  CurlUrl parsed;
  if (parsed.handle == nullptr) return {false, "curl_url failed"};
  if (curl_url_set(parsed.handle, CURLUPART_URL, d.target.c_str(), 0) != CURLUE_OK) {
    return Refused("curl cannot parse the URL");
  }
  std::string curl_host = absl::AsciiStrToLower(parsed.Get(CURLUPART_HOST));
  if (curl_host.size() >= 2 && curl_host.front() == '[' && curl_host.back() == ']') {
    curl_host = curl_host.substr(1, curl_host.size() - 2);
  }
  const std::optional<common::IpAddress> curl_literal = common::ParseIpAddress(curl_host);
  const bool same_host = url->host_is_literal ? curl_literal && *curl_literal == *common::ParseIpAddress(url->host)
                                              : !curl_literal && curl_host == url->host;
  if (!same_host || parsed.Get(CURLUPART_PORT, CURLU_DEFAULT_PORT) != absl::StrCat(url->port)) {
    return Refused(absl::StrCat("the URL's host is ambiguous ('", url->host, "' or '", curl_host, "')"));
  }
  // Resolve here, check every address, and connect only to those.
  PinnedAddresses pinned;
  if (url->host_is_literal) {
    pinned.allowed.push_back(*common::ParseIpAddress(url->host));
  } else {
    absl::StatusOr<std::vector<common::IpAddress>> addresses = resolve_(url->host);
    if (!addresses.ok()) return {false, std::string(addresses.status().message())};
    if (addresses->empty()) return {false, absl::StrCat("cannot resolve ", url->host, ": no addresses")};
    pinned.allowed = std::move(*addresses);
  }
  for (const common::IpAddress& a : pinned.allowed) {
    if (absl::Status s = CheckWebhookAddress(a, policy, url->host); !s.ok()) return Refused(s.message());
  }
  curl_slist* resolve_pin = nullptr;
  if (!url->host_is_literal) {
    std::string entry = absl::StrCat(url->host, ":", url->port, ":");
    for (size_t i = 0; i < pinned.allowed.size(); ++i) {
      const common::IpAddress& a = pinned.allowed[i];
      absl::StrAppend(&entry, i == 0 ? "" : ",", a.is_v4() ? a.ToString() : absl::StrCat("[", a.ToString(), "]"));
    }
    resolve_pin = curl_slist_append(nullptr, entry.c_str());
  }

  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    curl_slist_free_all(resolve_pin);
    return {false, "curl_easy_init failed"};
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, absl::StrCat("Idempotency-Key: ", d.idempotency_key).c_str());
  if (!settings.webhook_secret.empty()) {
    if (settings.sign_v1) {
      headers = curl_slist_append(
          headers, absl::StrCat(kSignatureHeader, ": ", SignatureValue(settings.webhook_secret, d.payload)).c_str());
    }
    if (settings.sign_v2) {
      std::vector<std::string> secrets{settings.webhook_secret};
      secrets.insert(secrets.end(), settings.webhook_previous_secrets.begin(), settings.webhook_previous_secrets.end());
      headers = curl_slist_append(
          headers, absl::StrCat(kSignatureV2Header, ": ", SignatureV2Value(secrets, clock_.Now(), d.payload)).c_str());
    }
  }
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_CURLU, parsed.handle);
  if (resolve_pin != nullptr) curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve_pin);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &pinned);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never an environment proxy: it would connect elsewhere
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d.payload.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(d.payload.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(settings.webhook_timeout)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, policy.allow_http ? "http,https" : "https");
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_slist_free_all(resolve_pin);
  curl_easy_cleanup(curl);
  if (!pinned.blocked.empty()) {
    return Refused(
        absl::StrCat("curl tried to connect to ", pinned.blocked, ", not an address checked for ", url->host));
  }
  if (rc != CURLE_OK) return {false, curl_easy_strerror(rc)};
  if (code >= 300 && code < 400) {
    return {false, absl::StrCat("HTTP ", code, ": redirects are not followed (configure the final URL)"), true};
  }
  if (code < 200 || code >= 300) return {false, absl::StrCat("HTTP ", code)};
  return {true, ""};
}

SmtpSender::SmtpSender(SettingsProvider settings, absl::Duration timeout)
    : settings_(std::move(settings)), timeout_(timeout) {
  GlobalCurlInit();
}

SendResult SmtpSender::Send(const Delivery& d) {
  const DeliverySettings settings = settings_();
  if (settings.smtp_url.empty()) return {false, "smtp: not configured", true};
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return {false, "curl_easy_init failed"};
  // Message-ID carries the idempotency key, the same on every retry, so a receiving system
  // can drop the copy a retry after a lost reply would send. Date is when the page was made.
  const std::string from = Address(settings.smtp_from), to = Address(d.target);
  const std::string message =
      absl::StrCat("From: ", from, "\r\nTo: ", to, "\r\nSubject: ", HeaderValue(d.subject),
                   "\r\nDate: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", d.created_at, absl::UTCTimeZone()),
                   "\r\nMessage-ID: <", HeaderValue(d.idempotency_key),
                   "@recovery>\r\nMIME-Version: 1.0\r\nContent-Type: application/json; charset=utf-8", "\r\n\r\n",
                   d.payload, "\r\n");
  Upload upload{&message};
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, settings.smtp_url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return {false, curl_easy_strerror(rc)};
  return {true, ""};
}

SendResult LogSender::Send(const Delivery& d) {
  common::LogInfo(d.kind == kKindReminder ? "REMINDER" : "PAGE", {{"target", d.target},
                                                                  {"person_id", d.person_id},
                                                                  {"idempotency_key", d.idempotency_key},
                                                                  {"payload", d.payload}});
  return {true, ""};
}

}  // namespace recovery::escalation::delivery
