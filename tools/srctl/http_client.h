// The HTTP srctl needs to log in: GET a discovery document, POST a form to an OAuth endpoint,
// with libcurl, over https with the stack's CA bundle (or the system's).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace recovery::srctl {

struct HttpOptions {
  std::string ca_file{};  // PEM roots for https (CURLOPT_CAINFO); "" = the system's
  absl::Duration timeout = absl::Seconds(15);
};

struct HttpResponse {
  long status = 0;  // NOLINT(runtime/int): curl's type
  std::string body{};
};

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Any HTTP status comes back as a response; only transport failures are errors (UNAVAILABLE).
// Blocking, one request at a time; only http and https URLs.
absl::StatusOr<HttpResponse> HttpGet(const std::string& url, const HttpOptions& options);
absl::StatusOr<HttpResponse> HttpPostForm(const std::string& url, const FormFields& form, const HttpOptions& options);

}  // namespace recovery::srctl
