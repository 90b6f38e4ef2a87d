// JwtVerifier: checks OIDC access tokens (JWS compact, RS256 or ES256) against the identity
// provider's keys. Parsing and signature checks are cjose's (OpenSSL underneath); claims are
// read with jansson. Keys come from the issuer's discovery document and JWKS (or a static
// JWKS file), are cached, re-fetched when a token names an unknown `kid` and every `refresh`,
// never more often than `min_refetch`, and kept while the provider is unreachable until
// `max_key_age` after the last successful fetch.
//
// Thread-safe. Verify() may block on a key fetch (bounded by the HTTP timeout); fetches are
// serialised, so a burst of tokens with a new kid makes one request.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/auth/access_config.h"
#include "services/common/clock.h"

namespace recovery::common {

// GET url -> body of a 200 answer; any other outcome is an error.
using HttpGet = std::function<absl::StatusOr<std::string>(const std::string& url)>;
// libcurl, https with `ca_file` (empty: the system bundle), http and https only.
HttpGet CurlHttpGet(std::string ca_file, absl::Duration timeout = absl::Seconds(3));

struct TokenClaims {
  std::string subject;  // the configured subject claim (sub or email)
  std::string sub;
  std::string client_id;            // set for client-credentials tokens (and most others)
  std::vector<std::string> groups;  // the configured roles claim
  absl::Time expires;
};

class JwtVerifier {
 public:
  // `clock` is the credential clock (real time in a service, a manual clock in tests).
  JwtVerifier(OidcSettings settings, Clock& clock, HttpGet get);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // UNAUTHENTICATED saying what is wrong with the token; UNAVAILABLE when no usable keys
  // could be had from the provider.
  absl::StatusOr<TokenClaims> Verify(const std::string& token);
  // Fetches the keys now (at start-up, so the first call does not wait). Errors are for the
  // caller to log; the verifier tries again when a token needs it.
  absl::Status Refresh();
  // How many key fetches were attempted (tests, metrics).
  int fetches() const;

 private:
  struct KeySet;
  absl::Status FetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);
  std::shared_ptr<const KeySet> Current() const;
  // Fetches when the keys are due for a refresh or `kid` is unknown, within min_refetch.
  std::shared_ptr<const KeySet> KeysFor(const std::string& kid);

  const OidcSettings settings_;
  Clock& clock_;
  const HttpGet get_;
  std::mutex fetch_mu_;
  absl::Time last_attempt_ ABSL_GUARDED_BY(fetch_mu_) = absl::InfinitePast();
  std::string jwks_uri_ ABSL_GUARDED_BY(fetch_mu_);
  mutable std::mutex keys_mu_;
  std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(keys_mu_);
  int fetches_ ABSL_GUARDED_BY(keys_mu_) = 0;
};

}  // namespace recovery::common
