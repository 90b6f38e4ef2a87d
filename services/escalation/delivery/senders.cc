// Webhook, SMTP and log delivery channels.
#include "services/escalation/delivery/senders.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>

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

}  // namespace

WebhookSender::WebhookSender(SettingsProvider settings) : settings_(std::move(settings)) { GlobalCurlInit(); }

SendResult WebhookSender::Send(const Delivery& d) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return {false, "curl_easy_init failed"};
  const DeliverySettings settings = settings_();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, absl::StrCat("Idempotency-Key: ", d.idempotency_key).c_str());
  if (!settings.webhook_secret.empty()) {
    headers = curl_slist_append(
        headers, absl::StrCat(kSignatureHeader, ": ", SignatureValue(settings.webhook_secret, d.payload)).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, d.target.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d.payload.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(d.payload.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(settings.webhook_timeout)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return {false, curl_easy_strerror(rc)};
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
