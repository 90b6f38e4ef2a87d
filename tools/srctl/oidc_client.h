// The OAuth 2.0 client side of srctl login: the issuer's discovery document, the device
// authorisation grant (RFC 8628) and the refresh-token grant. Responses are parsed with
// protobuf's JSON parser into google.protobuf.Struct. Blocking; single-threaded.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "services/common/clock.h"
#include "tools/srctl/http_client.h"

namespace recovery::srctl {

// What the API's tokens are for (RFC 8707 resource indicator; the services check `aud`).
inline constexpr char kApiResource[] = "urn:recovery:api";

// A JSON object (INVALID_ARGUMENT naming `what` when it is not one).
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(const std::string& json, const std::string& what);
// A string member ("" when absent or not a string).
std::string StringMember(const google::protobuf::Struct& object, const std::string& name);

struct ProviderEndpoints {
  std::string issuer{};
  std::string device_authorization_endpoint{};
  std::string token_endpoint{};
};

// GETs <issuer>/.well-known/openid-configuration.
absl::StatusOr<ProviderEndpoints> Discover(const std::string& issuer, const HttpOptions& http);

struct DeviceAuthorization {
  std::string device_code{};
  std::string user_code{};
  std::string verification_uri{};
  std::string verification_uri_complete{};  // the URI with the user code in it, when given
  absl::Duration interval{};                // between polls (RFC 8628: 5 s when not given)
  absl::Time expires_at{};
};

struct DeviceRequest {
  std::string client_id{};
  std::string scope{};
  std::string resource = kApiResource;
  std::string login_hint{};  // the account to sign in as, prefilled by the provider ("" = ask)
};

// POSTs the device authorisation request.
absl::StatusOr<DeviceAuthorization> StartDeviceAuthorization(const ProviderEndpoints& provider,
                                                             const DeviceRequest& request, const HttpOptions& http,
                                                             const common::Clock& clock);

struct TokenSet {
  std::string access_token{};
  std::string refresh_token{};  // "" when the provider issued none
  absl::Time expires_at = absl::InfiniteFuture();
};

// Polls the token endpoint until the person approves (or denies, or the code expires), waiting
// `interval` between polls and 5 s more after each slow_down. Errors: PERMISSION_DENIED
// (access_denied), DEADLINE_EXCEEDED (expired_token), UNAUTHENTICATED (any other OAuth error).
absl::StatusOr<TokenSet> PollDeviceToken(
    const ProviderEndpoints& provider, const DeviceRequest& request, const DeviceAuthorization& authorization,
    const HttpOptions& http, const common::Clock& clock,
    const std::function<void(absl::Duration)>& sleep = [](absl::Duration d) { absl::SleepFor(d); });

// The refresh-token grant. A response without a refresh_token keeps `refresh_token`.
absl::StatusOr<TokenSet> RefreshTokens(const std::string& token_endpoint, const std::string& client_id,
                                       const std::string& refresh_token, const HttpOptions& http,
                                       const common::Clock& clock);

}  // namespace recovery::srctl
