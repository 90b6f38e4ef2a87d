// libcurl requests for srctl login.
#include "tools/srctl/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace recovery::srctl {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

// The form body, each name and value percent-encoded.
std::string EncodeForm(CURL* curl, const FormFields& form) {
  std::string body;
  for (const auto& [name, value] : form) {
    if (!body.empty()) body.push_back('&');
    char* n = curl_easy_escape(curl, name.c_str(), static_cast<int>(name.size()));
    char* v = curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size()));
    absl::StrAppend(&body, n, "=", v);
    curl_free(n);
    curl_free(v);
  }
  return body;
}

absl::StatusOr<HttpResponse> Perform(const std::string& url, const FormFields* form, const HttpOptions& options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) return absl::InternalError("curl_easy_init failed");
  HttpResponse response;
  std::string body;
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  if (!options.ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, options.ca_file.c_str());
  if (form) {
    body = EncodeForm(curl.get(), *form);
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return absl::UnavailableError(absl::StrCat(url, ": ", curl_easy_strerror(rc)));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace

absl::StatusOr<HttpResponse> HttpGet(const std::string& url, const HttpOptions& options) {
  return Perform(url, nullptr, options);
}

absl::StatusOr<HttpResponse> HttpPostForm(const std::string& url, const FormFields& form, const HttpOptions& options) {
  return Perform(url, &form, options);
}

}  // namespace recovery::srctl
