// What srctl presents to a service: the bearer token (from --token, RECOVERY_TOKEN or the login
// cache, refreshed before it expires) and the TLS channel credentials (a CA bundle, optionally
// a client certificate for mTLS). The services decide who the caller is from the token alone.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "grpcpp/security/credentials.h"
#include "services/common/clock.h"
#include "tools/srctl/http_client.h"
#include "tools/srctl/token_cache.h"

namespace recovery::srctl {

// A cached access token this close to its expiry is refreshed before a call.
inline constexpr absl::Duration kRefreshMargin = absl::Seconds(30);

enum class TokenOrigin { kNone, kFlag, kEnvironment, kCache };

struct BearerToken {
  std::string value{};  // "" = none: calls go without a credential
  TokenOrigin origin = TokenOrigin::kNone;
};

struct TokenSources {
  std::string flag{};         // --token
  std::string environment{};  // RECOVERY_TOKEN
  std::string cache_path{};   // the login cache
  HttpOptions http{};         // to reach the issuer for a refresh
};

// --token, else RECOVERY_TOKEN, else the login cache (FreshCachedToken), else none. A cache that
// cannot be read is an error naming the file; a failed refresh only warns (on `warnings`) and
// sends the cached token as it is: the service then says whether it still holds.
absl::StatusOr<BearerToken> ResolveToken(const TokenSources& sources, const common::Clock& clock,
                                         std::ostream& warnings);

// The cached tokens, refreshed first (grant_type=refresh_token; the cache rewritten) when the
// access token expires within kRefreshMargin and there is a refresh token. NOT_FOUND without a
// cache; the refresh's error when it fails.
absl::StatusOr<CachedToken> FreshCachedToken(const std::string& path, const HttpOptions& http,
                                             const common::Clock& clock);

// The claims of a JWT's payload, decoded WITHOUT checking the signature: for display only
// (srctl whoami). INVALID_ARGUMENT when the token is not a JWT (an API token, say).
absl::StatusOr<google::protobuf::Struct> UnverifiedJwtClaims(const std::string& token);

struct TlsSettings {
  std::string ca_file{};      // --tls-ca: PEM roots; with none of these the channel is plaintext
  std::string cert_file{};    // --tls-cert: client certificate chain (mTLS), with key_file
  std::string key_file{};     // --tls-key
  std::string server_name{};  // --tls-server-name: the name checked in the server's certificate
  bool enabled() const { return !ca_file.empty() || !cert_file.empty(); }
};

// <stack_dir>/../tls/ca.pem when it exists (the local stack writes it), else "".
std::string StackCaFile(const std::string& stack_dir);

// TLS credentials from the settings' files (system roots when there is no CA file), or
// insecure ones when TLS is off. INVALID_ARGUMENT naming the flag when a file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(const TlsSettings& tls);

}  // namespace recovery::srctl
