// OpenID Connect sign-in for the console: code flow with PKCE (oidc.h).
#include "services/console/oidc.h"

#include <httplib.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace recovery::console {
namespace {

namespace pb = google::protobuf;

std::string Encode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

absl::StatusOr<pb::Struct> ParseJson(const std::string& body, const std::string& what) {
  pb::Struct parsed;
  if (!pb::util::JsonStringToMessage(body, &parsed).ok()) {
    return absl::UnavailableError(absl::StrCat(what, ": the identity provider's answer is not a JSON object"));
  }
  return parsed;
}

std::string StringField(const pb::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it != s.fields().end() && it->second.has_string_value() ? it->second.string_value() : std::string();
}

bool HasAudience(const pb::Struct& claims, const std::string& client_id) {
  auto it = claims.fields().find("aud");
  if (it == claims.fields().end()) return false;
  if (it->second.has_string_value()) return it->second.string_value() == client_id;
  if (!it->second.has_list_value()) return false;
  for (const pb::Value& v : it->second.list_value().values()) {
    if (v.has_string_value() && v.string_value() == client_id) return true;
  }
  return false;
}

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

absl::Status SplitUrl(const std::string& url, const std::string& what, std::string* origin, std::string* path) {
  size_t scheme_end = std::string::npos;
  if (absl::StartsWith(url, "https://")) scheme_end = 8;
  if (absl::StartsWith(url, "http://")) scheme_end = 7;
  if (scheme_end == std::string::npos || url.size() == scheme_end) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": expected an http(s) URL, got '", url, "'"));
  }
  const size_t slash = url.find('/', scheme_end);
  *origin = url.substr(0, slash);
  *path = slash == std::string::npos ? "/" : url.substr(slash);
  return absl::OkStatus();
}

OidcRelyingParty::OidcRelyingParty(OidcOptions options) : options_(std::move(options)) {}

std::string OidcRelyingParty::RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
    // The process cannot make secrets: nothing safe is left to do.
    std::abort();
  }
  return absl::WebSafeBase64Escape(raw);
}

std::string OidcRelyingParty::Challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return absl::WebSafeBase64Escape(std::string(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

namespace {

std::unique_ptr<httplib::Client> ClientFor(const std::string& origin, const OidcOptions& options) {
  auto client = std::make_unique<httplib::Client>(origin);
  if (!options.ca_file.empty()) client->set_ca_cert_path(options.ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(absl::ToChronoMicroseconds(options.timeout));
  client->set_read_timeout(absl::ToChronoMicroseconds(options.timeout));
  client->set_write_timeout(absl::ToChronoMicroseconds(options.timeout));
  return client;
}

}  // namespace

absl::StatusOr<OidcRelyingParty::Endpoints> OidcRelyingParty::Discover() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (endpoints_) return *endpoints_;
  }
  const std::string url = WithoutTrailingSlash(options_.issuer) + "/.well-known/openid-configuration";
  std::string origin;
  std::string path;
  if (absl::Status s = SplitUrl(url, "oidc.issuer", &origin, &path); !s.ok()) return s;
  auto client = ClientFor(origin, options_);
  httplib::Result res = client->Get(path.c_str());
  if (!res) {
    return absl::UnavailableError(absl::StrCat("sign-in: the identity provider ", url, " cannot be reached (",
                                               httplib::to_string(res.error()), ")"));
  }
  if (res->status != 200) {
    return absl::UnavailableError(absl::StrCat("sign-in: ", url, " answered HTTP ", res->status));
  }
  absl::StatusOr<pb::Struct> doc = ParseJson(res->body, "sign-in");
  if (!doc.ok()) return doc.status();
  if (WithoutTrailingSlash(StringField(*doc, "issuer")) != WithoutTrailingSlash(options_.issuer)) {
    return absl::UnavailableError(absl::StrCat("sign-in: the discovery document at ", url, " names issuer '",
                                               StringField(*doc, "issuer"), "', not ", options_.issuer));
  }
  Endpoints e{StringField(*doc, "authorization_endpoint"), StringField(*doc, "token_endpoint"),
              StringField(*doc, "end_session_endpoint")};
  if (e.authorization.empty() || e.token.empty()) {
    return absl::UnavailableError(
        absl::StrCat("sign-in: the discovery document at ", url, " has no authorization or token endpoint"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  endpoints_ = e;
  return e;
}

absl::StatusOr<PendingLogin> OidcRelyingParty::Begin() {
  absl::StatusOr<Endpoints> endpoints = Discover();
  if (!endpoints.ok()) return endpoints.status();
  PendingLogin login{RandomToken(), RandomToken(), RandomToken(), ""};
  login.url = absl::StrCat(endpoints->authorization, absl::StrContains(endpoints->authorization, "?") ? "&" : "?",
                           "response_type=code&client_id=", Encode(options_.client_id),
                           "&redirect_uri=", Encode(options_.redirect_uri), "&scope=", Encode(options_.scope),
                           "&state=", login.state, "&nonce=", login.nonce,
                           "&code_challenge=", Challenge(login.verifier), "&code_challenge_method=S256");
  return login;
}

absl::StatusOr<TokenSet> OidcRelyingParty::Exchange(const std::string& code, const std::string& verifier,
                                                    const std::string& nonce, absl::Time now) {
  return TokenRequest({{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", options_.redirect_uri},
                       {"code_verifier", verifier}},
                      nonce, now);
}

absl::StatusOr<TokenSet> OidcRelyingParty::Refresh(const std::string& refresh_token, absl::Time now) {
  return TokenRequest({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}}, "", now);
}

absl::StatusOr<std::string> OidcRelyingParty::EndSessionEndpoint() {
  absl::StatusOr<Endpoints> endpoints = Discover();
  if (!endpoints.ok()) return endpoints.status();
  return endpoints->end_session;
}

absl::StatusOr<TokenSet> OidcRelyingParty::TokenRequest(const std::map<std::string, std::string>& form,
                                                        const std::string& nonce, absl::Time now) {
  absl::StatusOr<Endpoints> endpoints = Discover();
  if (!endpoints.ok()) return endpoints.status();
  std::string origin;
  std::string path;
  if (absl::Status s = SplitUrl(endpoints->token, "token_endpoint", &origin, &path); !s.ok()) return s;
  auto client = ClientFor(origin, options_);
  client->set_basic_auth(options_.client_id.c_str(), options_.client_secret.c_str());
  httplib::Params params;
  for (const auto& [k, v] : form) params.emplace(k, v);
  httplib::Result res = client->Post(path.c_str(), httplib::Headers{{"Accept", "application/json"}}, params);
  if (!res) {
    return absl::UnavailableError(
        absl::StrCat("sign-in: the token endpoint cannot be reached (", httplib::to_string(res.error()), ")"));
  }
  absl::StatusOr<pb::Struct> body = ParseJson(res->body, "sign-in");
  if (!body.ok()) return body.status();
  if (res->status != 200) {
    const std::string error = StringField(*body, "error");
    const std::string description = StringField(*body, "error_description");
    const std::string why =
        absl::StrCat(error.empty() ? "refused" : error, description.empty() ? "" : ": ", description);
    // invalid_grant: the code or refresh token is spent, expired or revoked: sign in again.
    if (res->status == 400 || res->status == 401) return absl::UnauthenticatedError(absl::StrCat("sign-in: ", why));
    return absl::UnavailableError(absl::StrCat("sign-in: the token endpoint answered HTTP ", res->status, ": ", why));
  }
  TokenSet tokens;
  tokens.access_token = StringField(*body, "access_token");
  tokens.refresh_token = StringField(*body, "refresh_token");
  tokens.id_token = StringField(*body, "id_token");
  if (tokens.access_token.empty()) return absl::UnavailableError("sign-in: the token endpoint issued no access_token");
  double expires_in = 300;
  if (auto it = body->fields().find("expires_in"); it != body->fields().end() && it->second.has_number_value()) {
    expires_in = it->second.number_value();
  }
  tokens.access_expires = now + absl::Seconds(static_cast<int64_t>(expires_in));
  if (!tokens.id_token.empty()) {
    const std::vector<std::string> parts = absl::StrSplit(tokens.id_token, '.');
    std::string payload;
    if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload)) {
      return absl::UnavailableError("sign-in: the ID token is not a JWT");
    }
    absl::StatusOr<pb::Struct> claims = ParseJson(payload, "sign-in: ID token");
    if (!claims.ok()) return claims.status();
    if (WithoutTrailingSlash(StringField(*claims, "iss")) != WithoutTrailingSlash(options_.issuer) ||
        !HasAudience(*claims, options_.client_id)) {
      return absl::UnauthenticatedError("sign-in: the ID token is for another issuer or client");
    }
    // A code exchange must return the nonce the sign-in sent (a replayed response would not).
    if (!nonce.empty() && StringField(*claims, "nonce") != nonce) {
      return absl::UnauthenticatedError("sign-in: the ID token's nonce does not match this sign-in");
    }
    tokens.name = StringField(*claims, "name");
    tokens.email = StringField(*claims, "email");
  } else if (!nonce.empty()) {
    return absl::UnauthenticatedError("sign-in: the token endpoint issued no ID token (scope openid?)");
  }
  return tokens;
}

}  // namespace recovery::console
