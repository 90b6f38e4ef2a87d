// Token resolution and refresh, JWT display, TLS channel credentials.
#include "tools/srctl/credentials.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/status_macros.h"
#include "tools/srctl/oidc_client.h"

namespace recovery::srctl {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<BearerToken> ResolveToken(const TokenSources& sources, const common::Clock& clock,
                                         std::ostream& warnings) {
  if (!sources.flag.empty()) return BearerToken{sources.flag, TokenOrigin::kFlag};
  if (!sources.environment.empty()) return BearerToken{sources.environment, TokenOrigin::kEnvironment};
  if (sources.cache_path.empty()) return BearerToken{};
  absl::StatusOr<CachedToken> fresh = FreshCachedToken(sources.cache_path, sources.http, clock);
  if (fresh.ok()) return BearerToken{fresh->access_token, TokenOrigin::kCache};
  if (absl::IsNotFound(fresh.status())) return BearerToken{};
  // The refresh failed, or the cache is unreadable: which one decides what to do.
  ASSIGN_OR_RETURN(const CachedToken cached, LoadTokenCache(sources.cache_path));
  warnings << "warning: the cached token could not be refreshed (" << fresh.status().message()
           << "); sending it as it is (srctl login gets a new one)\n";
  return BearerToken{cached.access_token, TokenOrigin::kCache};
}

absl::StatusOr<CachedToken> FreshCachedToken(const std::string& path, const HttpOptions& http,
                                             const common::Clock& clock) {
  ASSIGN_OR_RETURN(CachedToken cached, LoadTokenCache(path));
  if (cached.expires_at - clock.Now() > kRefreshMargin || cached.refresh_token.empty()) return cached;
  if (cached.token_endpoint.empty()) {
    if (cached.issuer.empty()) return absl::FailedPreconditionError("the login cache names no issuer to refresh at");
    ASSIGN_OR_RETURN(const ProviderEndpoints provider, Discover(cached.issuer, http));
    cached.token_endpoint = provider.token_endpoint;
  }
  ASSIGN_OR_RETURN(const TokenSet tokens,
                   RefreshTokens(cached.token_endpoint, cached.client_id, cached.refresh_token, http, clock));
  cached.access_token = tokens.access_token;
  cached.refresh_token = tokens.refresh_token;
  cached.expires_at = tokens.expires_at;
  RETURN_IF_ERROR(SaveTokenCache(path, cached));
  return cached;
}

absl::StatusOr<google::protobuf::Struct> UnverifiedJwtClaims(const std::string& token) {
  const std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string payload;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload))
    return absl::InvalidArgumentError("not a JWT (an API token is opaque: the service knows whom it names)");
  return ParseJsonObject(payload, "the token's payload");
}

std::string StackCaFile(const std::string& stack_dir) {
  if (stack_dir.empty()) return "";
  const std::filesystem::path ca = std::filesystem::path(stack_dir) / ".." / "tls" / "ca.pem";
  std::error_code ec;
  return std::filesystem::is_regular_file(ca, ec) ? ca.lexically_normal().string() : "";
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(const TlsSettings& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  if (tls.cert_file.empty() != tls.key_file.empty())
    return absl::InvalidArgumentError("--tls-cert and --tls-key: give both (a client certificate and its key) or none");
  grpc::SslCredentialsOptions options;
  if (!tls.ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem("--tls-ca", tls.ca_file));
  }
  if (!tls.cert_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_cert_chain, ReadPem("--tls-cert", tls.cert_file));
    ASSIGN_OR_RETURN(options.pem_private_key, ReadPem("--tls-key", tls.key_file));
  }
  return grpc::SslCredentials(options);
}

}  // namespace recovery::srctl
