// JwtVerifier: key fetching and token checks with cjose and jansson.
#include "services/common/auth/jwt_verifier.h"

#include <cjose/cjose.h>
#include <curl/curl.h>
#include <jansson.h>

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/status_macros.h"

namespace recovery::common {
namespace {

constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;

struct JsonDeleter {
  void operator()(json_t* j) const { json_decref(j); }
};
using Json = std::unique_ptr<json_t, JsonDeleter>;

struct JwkDeleter {
  void operator()(cjose_jwk_t* k) const { cjose_jwk_release(k); }
};
struct JwsDeleter {
  void operator()(cjose_jws_t* j) const { cjose_jws_release(j); }
};

absl::Status Unauthenticated(const std::string& why) {
  return absl::UnauthenticatedError(absl::StrCat("token: ", why));
}

absl::StatusOr<Json> ParseJson(const std::string& text, const std::string& what) {
  json_error_t err;
  Json j(json_loadb(text.data(), text.size(), 0, &err));
  if (!j || !json_is_object(j.get())) return absl::InvalidArgumentError(absl::StrCat(what, ": not a JSON object"));
  return j;
}

std::string StringMember(const json_t* obj, const char* key) {
  const json_t* v = json_object_get(obj, key);
  return json_is_string(v) ? std::string(json_string_value(v), json_string_length(v)) : std::string();
}

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > kMaxDocumentBytes) return 0;
  body->append(data, size * n);
  return size * n;
}

}  // namespace

HttpGet CurlHttpGet(std::string ca_file, absl::Duration timeout) {
  return [ca_file = std::move(ca_file), timeout](const std::string& url) -> absl::StatusOr<std::string> {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
    std::string body;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout)));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    const CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return absl::UnavailableError(absl::StrCat("GET ", url, ": ", curl_easy_strerror(rc)));
    if (code != 200) return absl::UnavailableError(absl::StrCat("GET ", url, ": HTTP ", code));
    return body;
  };
}

struct JwtVerifier::KeySet {
  std::map<std::string, std::unique_ptr<cjose_jwk_t, JwkDeleter>> by_kid;
  absl::Time fetched_at = absl::InfinitePast();
};

JwtVerifier::JwtVerifier(OidcSettings settings, Clock& clock, HttpGet get)
    : settings_(std::move(settings)), clock_(clock), get_(std::move(get)), jwks_uri_(settings_.jwks_uri) {}

JwtVerifier::~JwtVerifier() = default;

int JwtVerifier::fetches() const {
  std::lock_guard lock(keys_mu_);
  return fetches_;
}

std::shared_ptr<const JwtVerifier::KeySet> JwtVerifier::Current() const {
  std::lock_guard lock(keys_mu_);
  return keys_;
}

absl::Status JwtVerifier::Refresh() {
  std::lock_guard lock(fetch_mu_);
  return FetchLocked();
}

absl::Status JwtVerifier::FetchLocked() {
  last_attempt_ = clock_.Now();
  {
    std::lock_guard lock(keys_mu_);
    ++fetches_;
  }
  std::string jwks;
  if (!settings_.jwks_file.empty()) {
    std::ifstream in(settings_.jwks_file);
    if (!in) return absl::UnavailableError(absl::StrCat("jwks_file: cannot read ", settings_.jwks_file));
    std::stringstream ss;
    ss << in.rdbuf();
    jwks = ss.str();
  } else {
    if (jwks_uri_.empty()) {
      std::string issuer = settings_.issuer;
      if (absl::EndsWith(issuer, "/")) issuer.pop_back();
      ASSIGN_OR_RETURN(std::string doc, get_(absl::StrCat(issuer, "/.well-known/openid-configuration")));
      ASSIGN_OR_RETURN(Json d, ParseJson(doc, "discovery document"));
      if (StringMember(d.get(), "issuer") != settings_.issuer)
        return absl::FailedPreconditionError(absl::StrCat("discovery document names issuer '",
                                                          StringMember(d.get(), "issuer"), "', configured '",
                                                          settings_.issuer, "'"));
      jwks_uri_ = StringMember(d.get(), "jwks_uri");
      if (jwks_uri_.empty()) return absl::FailedPreconditionError("discovery document has no jwks_uri");
    }
    ASSIGN_OR_RETURN(jwks, get_(jwks_uri_));
  }
  ASSIGN_OR_RETURN(Json set, ParseJson(jwks, "JWKS"));
  const json_t* keys = json_object_get(set.get(), "keys");
  if (!json_is_array(keys)) return absl::InvalidArgumentError("JWKS: no keys array");
  auto next = std::make_shared<KeySet>();
  size_t i;
  json_t* key;
  json_array_foreach(keys, i, key) {
    const std::string kty = StringMember(key, "kty");
    const std::string use = StringMember(key, "use");
    const std::string kid = StringMember(key, "kid");
    if ((kty != "RSA" && kty != "EC") || (!use.empty() && use != "sig") || kid.empty()) continue;
    if (json_object_get(key, "d") != nullptr) continue;  // never trust a private key someone published
    cjose_err err;
    std::unique_ptr<cjose_jwk_t, JwkDeleter> jwk(cjose_jwk_import_json(reinterpret_cast<cjose_header_t*>(key), &err));
    if (!jwk) continue;
    next->by_kid.emplace(kid, std::move(jwk));
  }
  if (next->by_kid.empty()) return absl::InvalidArgumentError("JWKS: no RSA or EC signing key with a kid");
  next->fetched_at = clock_.Now();
  std::lock_guard lock(keys_mu_);
  keys_ = std::move(next);
  return absl::OkStatus();
}

std::shared_ptr<const JwtVerifier::KeySet> JwtVerifier::KeysFor(const std::string& kid) {
  auto keys = Current();
  const absl::Time now = clock_.Now();
  const bool due = keys == nullptr || now - keys->fetched_at >= settings_.refresh;
  const bool unknown = keys == nullptr || keys->by_kid.count(kid) == 0;
  if (!due && !unknown) return keys;
  std::lock_guard lock(fetch_mu_);
  keys = Current();  // another thread may have fetched while this one waited
  const bool still_due = keys == nullptr || now - keys->fetched_at >= settings_.refresh;
  const bool still_unknown = keys == nullptr || keys->by_kid.count(kid) == 0;
  if ((still_due || still_unknown) && clock_.Now() - last_attempt_ >= settings_.min_refetch) {
    (void)FetchLocked();  // a failure keeps the keys we have; their age decides below
    keys = Current();
  }
  return keys;
}

absl::StatusOr<TokenClaims> JwtVerifier::Verify(const std::string& token) {
  if (token.size() > kMaxTokenBytes) return Unauthenticated("longer than 16 KiB");
  const std::vector<std::string> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("not a signed JWT (expected three dot-separated parts)");
  cjose_err err;
  std::unique_ptr<cjose_jws_t, JwsDeleter> jws(cjose_jws_import(token.data(), token.size(), &err));
  if (!jws) return Unauthenticated(absl::StrCat("not a valid JWS: ", err.message ? err.message : "parse error"));
  cjose_header_t* header = cjose_jws_get_protected(jws.get());
  const char* alg_c = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : nullptr;
  const std::string alg = alg_c ? alg_c : "";
  // Only asymmetric algorithms: `none` and HMAC (which an attacker could "sign" with the
  // public key) are refused before any key is looked at.
  if (alg != CJOSE_HDR_ALG_RS256 && alg != CJOSE_HDR_ALG_ES256)
    return Unauthenticated(absl::StrCat("algorithm '", alg, "' is not accepted (RS256, ES256)"));
  const char* kid_c = cjose_header_get(header, CJOSE_HDR_KID, &err);
  const std::string kid = kid_c ? kid_c : "";
  if (kid.empty()) return Unauthenticated("no kid in the header");

  auto keys = KeysFor(kid);
  if (keys == nullptr) return absl::UnavailableError("token: the identity provider's keys could not be fetched");
  if (clock_.Now() - keys->fetched_at > settings_.max_key_age)
    return absl::UnavailableError(absl::StrCat("token: the identity provider's keys are older than ",
                                               absl::FormatDuration(settings_.max_key_age),
                                               " and could not be fetched again"));
  auto it = keys->by_kid.find(kid);
  if (it == keys->by_kid.end()) return Unauthenticated(absl::StrCat("unknown signing key kid '", kid, "'"));
  const cjose_jwk_kty_t kty = cjose_jwk_get_kty(it->second.get(), &err);
  const bool kty_ok =
      alg == CJOSE_HDR_ALG_RS256
          ? kty == CJOSE_JWK_KTY_RSA
          : kty == CJOSE_JWK_KTY_EC && cjose_jwk_EC_get_curve(it->second.get(), &err) == CJOSE_JWK_EC_P_256;
  if (!kty_ok) return Unauthenticated(absl::StrCat("key '", kid, "' does not match algorithm ", alg));
  if (!cjose_jws_verify(jws.get(), it->second.get(), &err)) return Unauthenticated("signature does not verify");

  uint8_t* plain = nullptr;
  size_t plain_len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_len, &err)) return Unauthenticated("no payload");
  auto claims = ParseJson(std::string(reinterpret_cast<const char*>(plain), plain_len), "claims");
  if (!claims.ok()) return Unauthenticated("the payload is not a JSON object");
  const json_t* c = claims->get();

  if (StringMember(c, "iss") != settings_.issuer)
    return Unauthenticated(absl::StrCat("issuer '", StringMember(c, "iss"), "' is not the configured issuer"));
  bool aud_ok = false;
  const json_t* aud = json_object_get(c, "aud");
  if (json_is_string(aud)) aud_ok = json_string_value(aud) == settings_.audience;
  if (json_is_array(aud)) {
    size_t j;
    json_t* a;
    json_array_foreach(aud, j, a) aud_ok = aud_ok || (json_is_string(a) && json_string_value(a) == settings_.audience);
  }
  if (!aud_ok) return Unauthenticated(absl::StrCat("audience does not include ", settings_.audience));
  const absl::Time now = clock_.Now();
  const json_t* exp = json_object_get(c, "exp");
  if (!json_is_number(exp)) return Unauthenticated("no exp claim");
  const absl::Time expires = absl::FromUnixSeconds(static_cast<int64_t>(json_number_value(exp)));
  if (expires + settings_.leeway <= now) return Unauthenticated("expired");
  const json_t* nbf = json_object_get(c, "nbf");
  if (nbf != nullptr) {
    if (!json_is_number(nbf)) return Unauthenticated("nbf is not a number");
    if (absl::FromUnixSeconds(static_cast<int64_t>(json_number_value(nbf))) - settings_.leeway > now)
      return Unauthenticated("not valid yet (nbf)");
  }

  TokenClaims out;
  out.sub = StringMember(c, "sub");
  out.client_id = StringMember(c, "client_id");
  out.subject = StringMember(c, settings_.subject_claim.c_str());
  out.expires = expires;
  const json_t* groups = json_object_get(c, settings_.roles_claim.c_str());
  if (json_is_string(groups)) out.groups.emplace_back(json_string_value(groups));
  if (json_is_array(groups)) {
    size_t j;
    json_t* g;
    json_array_foreach(groups, j, g) if (json_is_string(g)) out.groups.emplace_back(json_string_value(g));
  }
  return out;
}

}  // namespace recovery::common
