// Discovery, device authorisation and refresh against the issuer.
#include "tools/srctl/oidc_client.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/status_macros.h"

namespace recovery::srctl {
namespace {

constexpr absl::Duration kDefaultInterval = absl::Seconds(5);  // RFC 8628 section 3.2
constexpr absl::Duration kSlowDownStep = absl::Seconds(5);     // RFC 8628 section 3.5

double NumberMember(const google::protobuf::Struct& object, const std::string& name, double fallback) {
  auto it = object.fields().find(name);
  if (it == object.fields().end() || it->second.kind_case() != google::protobuf::Value::kNumberValue) return fallback;
  return it->second.number_value();
}

// An OAuth error response ({"error": ..., "error_description": ...}) as one line.
std::string OAuthError(const google::protobuf::Struct& body) {
  const std::string description = StringMember(body, "error_description");
  return description.empty() ? StringMember(body, "error")
                             : absl::StrCat(StringMember(body, "error"), ": ", description);
}

// A token response: 200 with an access_token, else the OAuth error.
absl::StatusOr<TokenSet> ParseTokenResponse(const HttpResponse& response, const std::string& endpoint,
                                            const common::Clock& clock) {
  ASSIGN_OR_RETURN(const google::protobuf::Struct body, ParseJsonObject(response.body, endpoint));
  if (response.status != 200)
    return absl::UnauthenticatedError(absl::StrCat(endpoint, ": HTTP ", response.status, ": ", OAuthError(body)));
  TokenSet tokens;
  tokens.access_token = StringMember(body, "access_token");
  if (tokens.access_token.empty())
    return absl::InternalError(absl::StrCat(endpoint, ": no access_token in the answer"));
  tokens.refresh_token = StringMember(body, "refresh_token");
  const double expires_in = NumberMember(body, "expires_in", -1);
  if (expires_in >= 0) tokens.expires_at = clock.Now() + absl::Seconds(expires_in);
  return tokens;
}

}  // namespace

absl::StatusOr<google::protobuf::Struct> ParseJsonObject(const std::string& json, const std::string& what) {
  google::protobuf::Struct object;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &object, options);
  if (!status.ok())
    return absl::InvalidArgumentError(absl::StrCat(what, ": not a JSON object: ", status.message().as_string()));
  return object;
}

std::string StringMember(const google::protobuf::Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  if (it == object.fields().end() || it->second.kind_case() != google::protobuf::Value::kStringValue) return "";
  return it->second.string_value();
}

absl::StatusOr<ProviderEndpoints> Discover(const std::string& issuer, const HttpOptions& http) {
  const std::string url = absl::StrCat(absl::StripSuffix(issuer, "/"), "/.well-known/openid-configuration");
  ASSIGN_OR_RETURN(const HttpResponse response, HttpGet(url, http));
  if (response.status != 200) return absl::UnavailableError(absl::StrCat(url, ": HTTP ", response.status));
  ASSIGN_OR_RETURN(const google::protobuf::Struct body, ParseJsonObject(response.body, url));
  ProviderEndpoints provider{StringMember(body, "issuer"), StringMember(body, "device_authorization_endpoint"),
                             StringMember(body, "token_endpoint")};
  if (provider.token_endpoint.empty()) return absl::FailedPreconditionError(absl::StrCat(url, ": no token_endpoint"));
  return provider;
}

absl::StatusOr<DeviceAuthorization> StartDeviceAuthorization(const ProviderEndpoints& provider,
                                                             const DeviceRequest& request, const HttpOptions& http,
                                                             const common::Clock& clock) {
  if (provider.device_authorization_endpoint.empty())
    return absl::FailedPreconditionError(absl::StrCat(
        "the issuer ", provider.issuer, " offers no device authorisation (device_authorization_endpoint)"));
  FormFields form = {{"client_id", request.client_id}, {"scope", request.scope}};
  if (!request.resource.empty()) form.emplace_back("resource", request.resource);
  if (!request.login_hint.empty()) form.emplace_back("login_hint", request.login_hint);
  ASSIGN_OR_RETURN(const HttpResponse response, HttpPostForm(provider.device_authorization_endpoint, form, http));
  ASSIGN_OR_RETURN(const google::protobuf::Struct body,
                   ParseJsonObject(response.body, provider.device_authorization_endpoint));
  if (response.status != 200)
    return absl::UnauthenticatedError(
        absl::StrCat(provider.device_authorization_endpoint, ": HTTP ", response.status, ": ", OAuthError(body)));
  DeviceAuthorization authorization;
  authorization.device_code = StringMember(body, "device_code");
  authorization.user_code = StringMember(body, "user_code");
  authorization.verification_uri = StringMember(body, "verification_uri");
  authorization.verification_uri_complete = StringMember(body, "verification_uri_complete");
  if (authorization.device_code.empty() || authorization.verification_uri.empty())
    return absl::InternalError(
        absl::StrCat(provider.device_authorization_endpoint, ": no device_code or verification_uri in the answer"));
  authorization.interval = absl::Seconds(NumberMember(body, "interval", absl::ToDoubleSeconds(kDefaultInterval)));
  authorization.expires_at = clock.Now() + absl::Seconds(NumberMember(body, "expires_in", 600));
  return authorization;
}

absl::StatusOr<TokenSet> PollDeviceToken(const ProviderEndpoints& provider, const DeviceRequest& request,
                                         const DeviceAuthorization& authorization, const HttpOptions& http,
                                         const common::Clock& clock, const std::function<void(absl::Duration)>& sleep) {
  FormFields form = {{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                     {"device_code", authorization.device_code},
                     {"client_id", request.client_id}};
  if (!request.resource.empty()) form.emplace_back("resource", request.resource);
  absl::Duration interval = authorization.interval;
  while (true) {
    if (clock.Now() >= authorization.expires_at)
      return absl::DeadlineExceededError("the device code expired before it was approved: run srctl login again");
    sleep(interval);
    ASSIGN_OR_RETURN(const HttpResponse response, HttpPostForm(provider.token_endpoint, form, http));
    if (response.status == 200) return ParseTokenResponse(response, provider.token_endpoint, clock);
    ASSIGN_OR_RETURN(const google::protobuf::Struct body, ParseJsonObject(response.body, provider.token_endpoint));
    const std::string error = StringMember(body, "error");
    if (error == "authorization_pending") continue;
    if (error == "slow_down") {
      interval += kSlowDownStep;
      continue;
    }
    if (error == "access_denied") return absl::PermissionDeniedError("the login was denied at the identity provider");
    if (error == "expired_token")
      return absl::DeadlineExceededError("the device code expired before it was approved: run srctl login again");
    return absl::UnauthenticatedError(
        absl::StrCat(provider.token_endpoint, ": HTTP ", response.status, ": ", OAuthError(body)));
  }
}

absl::StatusOr<TokenSet> RefreshTokens(const std::string& token_endpoint, const std::string& client_id,
                                       const std::string& refresh_token, const HttpOptions& http,
                                       const common::Clock& clock) {
  const FormFields form = {{"grant_type", "refresh_token"},
                           {"refresh_token", refresh_token},
                           {"client_id", client_id},
                           {"resource", kApiResource}};
  ASSIGN_OR_RETURN(const HttpResponse response, HttpPostForm(token_endpoint, form, http));
  ASSIGN_OR_RETURN(TokenSet tokens, ParseTokenResponse(response, token_endpoint, clock));
  if (tokens.refresh_token.empty()) tokens.refresh_token = refresh_token;
  return tokens;
}

}  // namespace recovery::srctl
