// The console's side of OpenID Connect sign-in (a relying party): the authorisation code
// flow with PKCE (S256) against the identity provider the services trust (the --auth-config's
// oidc.issuer), the code exchange and refresh at its token endpoint with the console's client
// secret (client_secret_basic). The provider's discovery document is read on first use and
// kept. https only, verified against oidc.ca_file (or the system's roots without one).
//
// The tokens are checked here only as far as the console needs to trust them: the ID token's
// nonce, issuer and audience (it came straight from the token endpoint over TLS, which OpenID
// Connect Core 3.1.3.7 allows in place of its signature); the access token is the services'
// credential and is verified like theirs, by the caller, with common::AccessControl.
//
// Thread-safety: every method may be called from many threads at once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace recovery::console {

struct OidcOptions {
  std::string issuer;     // https://idp.example.com (no trailing slash needed)
  std::string ca_file;    // PEM bundle for https to the issuer; empty: system roots
  std::string client_id;  // "console"
  std::string client_secret;
  std::string redirect_uri;  // <console URL>/auth/callback, registered at the provider
  std::string scope = "openid email profile";
  absl::Duration timeout = absl::Seconds(5);
};

struct TokenSet {
  std::string access_token;
  std::string refresh_token;  // "" when the provider issued none
  std::string id_token;
  absl::Time access_expires;
  // From the ID token (when there was one): its claims the console shows.
  std::string name;
  std::string email;
};

// A sign-in about to leave for the provider: what the console keeps until the callback.
struct PendingLogin {
  std::string state;     // also bound to the browser by a cookie
  std::string verifier;  // PKCE code_verifier
  std::string nonce;
  std::string url;  // the provider's authorisation URL to send the browser to
};

class OidcRelyingParty {
 public:
  explicit OidcRelyingParty(OidcOptions options);

  // A fresh state, verifier and nonce (32 random bytes each, base64url) and the URL.
  absl::StatusOr<PendingLogin> Begin();
  // The code of the callback for its tokens. `nonce`: the pending login's; `now`: for expiry.
  absl::StatusOr<TokenSet> Exchange(const std::string& code, const std::string& verifier, const std::string& nonce,
                                    absl::Time now);
  // New tokens for a refresh token (UNAUTHENTICATED when the provider refuses it).
  absl::StatusOr<TokenSet> Refresh(const std::string& refresh_token, absl::Time now);
  // The provider's end_session_endpoint, "" when it has none.
  absl::StatusOr<std::string> EndSessionEndpoint();

  const OidcOptions& options() const { return options_; }

  // base64url of n random bytes (OpenSSL's RAND_bytes), no padding.
  static std::string RandomToken(size_t bytes = 32);
  // BASE64URL(SHA-256(verifier)), RFC 7636's S256 challenge.
  static std::string Challenge(const std::string& verifier);

 private:
  struct Endpoints {
    std::string authorization;
    std::string token;
    std::string end_session;
  };
  absl::StatusOr<Endpoints> Discover();
  absl::StatusOr<TokenSet> TokenRequest(const std::map<std::string, std::string>& form, const std::string& nonce,
                                        absl::Time now);

  const OidcOptions options_;
  std::mutex mu_;
  std::optional<Endpoints> endpoints_ ABSL_GUARDED_BY(mu_);
};

// "https://host:port/a/b?x" -> {"https://host:port", "/a/b?x"}; INVALID_ARGUMENT naming `what`
// for anything but an http(s) URL.
absl::Status SplitUrl(const std::string& url, const std::string& what, std::string* origin, std::string* path);

}  // namespace recovery::console
