// TestIdentity: a signing key, its JWKS, an access configuration and minted JWTs (cjose).
#include "tests/support/test_identity.h"

#include <cjose/cjose.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/common/auth/access_control.h"
#include "services/common/grpc_util.h"

namespace recovery::testing {

struct SigningKey::Handle {
  cjose_jwk_t* jwk = nullptr;
  ~Handle() { cjose_jwk_release(jwk); }
};

namespace {
SigningKey::Handle* NewHandle(cjose_jwk_t* jwk, const std::string& kid) {
  cjose_err err;
  cjose_jwk_set_kid(jwk, kid.data(), kid.size(), &err);
  auto* h = new SigningKey::Handle();
  h->jwk = jwk;
  return h;
}
}  // namespace

SigningKey SigningKey::Ec(std::string kid) {
  cjose_err err;
  SigningKey k;
  k.key_.reset(NewHandle(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err), kid));
  k.kid_ = std::move(kid);
  return k;
}

SigningKey SigningKey::Rsa(std::string kid) {
  cjose_err err;
  static const uint8_t kExponent[] = {0x01, 0x00, 0x01};
  SigningKey k;
  k.key_.reset(NewHandle(cjose_jwk_create_RSA_random(2048, kExponent, sizeof(kExponent), &err), kid));
  k.kid_ = std::move(kid);
  return k;
}

SigningKey SigningKey::Hmac(const std::string& secret, std::string kid) {
  cjose_err err;
  SigningKey k;
  k.key_.reset(
      NewHandle(cjose_jwk_create_oct_spec(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), &err), kid));
  k.kid_ = std::move(kid);
  return k;
}

std::string SigningKey::PublicJwk() const {
  cjose_err err;
  char* pub = cjose_jwk_to_json(key_->jwk, false, &err);
  std::string out = pub ? pub : "";
  free(pub);
  return out;
}

std::string JwksOf(const std::vector<std::string>& public_jwks) {
  std::string out = "{\"keys\": [";
  for (size_t i = 0; i < public_jwks.size(); ++i) absl::StrAppend(&out, i ? ", " : "", public_jwks[i]);
  return out + "]}";
}

namespace {

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// Groups of the demo's accounts (tools/idp/accounts.json) and of the tests' own people.
const std::map<std::string, std::vector<std::string>>& Groups() {
  static const auto* groups = new std::map<std::string, std::vector<std::string>>{
      {"tester", {"admins"}},
      {"sam", {"responders"}},
      {"priya", {"responders"}},
      {"lee", {"responders", "case-managers"}},
      {"jordan", {"responders", "schedulers"}},
      {"mia", {"case-managers", "schedulers", "admins"}},
      {"reception", {"case-managers"}},
      {"audrey", {"auditors"}},
      {"vic", {"viewers"}},
  };
  return *groups;
}

}  // namespace

std::vector<std::string> TestIdentity::GroupsOf(const std::string& person) {
  auto it = Groups().find(person);
  return it == Groups().end() ? std::vector<std::string>{"responders"} : it->second;
}

TestIdentity& TestIdentity::Shared() {
  static TestIdentity* identity = new TestIdentity();
  return *identity;
}

TestIdentity::TestIdentity() : key_(SigningKey::Ec("test-es256-1")) {
  char tmpl[] = "/tmp/recovery-identity-XXXXXX";
  dir_ = mkdtemp(tmpl);
  static std::string dir_to_remove;
  dir_to_remove = dir_;
  atexit([] { std::filesystem::remove_all(dir_to_remove); });

  jwks_ = dir_ + "/jwks.json";
  Write(jwks_, JwksOf({key_.PublicJwk()}) + "\n");

  std::string people;
  for (const auto& [person, groups] : Groups()) absl::StrAppend(&people, "  - {subject: ", person, "}\n");
  auth_config_ = dir_ + "/access.yaml";
  Write(auth_config_, absl::StrCat(R"(# Written by tests/support/test_identity.cc.
oidc:
  issuer: )",
                                   kTestIssuer, R"(
  audience: )",
                                   kTestAudience, R"(
  jwks_file: jwks.json
  unlisted_subjects: person
  group_roles:
    responders: [responder]
    case-managers: [case-manager]
    schedulers: [scheduler]
    admins: [admin]
    auditors: [auditor]
    viewers: [viewer]
  clients:
    monitoring: {integration: monitoring, roles: [integration]}
people:
)",
                                   people, R"(api_tokens:
  - {name: monitoring, sha256: )",
                                   common::ApiTokenHash(kIntegrationToken), R"(, roles: [integration]}
limits:
  default: {rate: 100000, burst: 100000, in_flight: 1000}
)"));
}

std::string TestIdentity::Mint(const TokenSpec& spec) const { return key_.Sign(spec); }

std::string SigningKey::Sign(const TokenSpec& spec) const {
  json_t* claims = json_object();
  json_object_set_new(claims, "iss", json_string(spec.issuer.c_str()));
  json_object_set_new(claims, "aud", json_string(spec.audience.c_str()));
  if (!spec.sub.empty()) json_object_set_new(claims, "sub", json_string(spec.sub.c_str()));
  if (!spec.email.empty()) json_object_set_new(claims, "email", json_string(spec.email.c_str()));
  if (!spec.client_id.empty()) json_object_set_new(claims, "client_id", json_string(spec.client_id.c_str()));
  json_object_set_new(claims, "iat", json_integer(absl::ToUnixSeconds(spec.now)));
  json_object_set_new(claims, "exp", json_integer(absl::ToUnixSeconds(spec.now + spec.lifetime)));
  if (spec.not_before) json_object_set_new(claims, "nbf", json_integer(absl::ToUnixSeconds(*spec.not_before)));
  json_t* groups = json_array();
  for (const auto& g : spec.groups) json_array_append_new(groups, json_string(g.c_str()));
  json_object_set_new(claims, "groups", groups);
  char* payload = json_dumps(claims, JSON_COMPACT);
  json_decref(claims);

  cjose_err err;
  cjose_header_t* header = cjose_header_new(&err);
  cjose_header_set(header, CJOSE_HDR_ALG, spec.alg.c_str(), &err);
  const std::string kid = spec.kid.empty() ? kid_ : spec.kid;
  cjose_header_set(header, CJOSE_HDR_KID, kid.c_str(), &err);
  cjose_header_set(header, "typ", "at+jwt", &err);
  cjose_jws_t* jws =
      cjose_jws_sign(key_->jwk, header, reinterpret_cast<const uint8_t*>(payload), strlen(payload), &err);
  free(payload);
  cjose_header_release(header);
  std::string out;
  const char* compact = nullptr;
  if (jws != nullptr && cjose_jws_export(jws, &compact, &err)) out = compact;
  cjose_jws_release(jws);
  return out;
}

std::string TestIdentity::PersonToken(const std::string& person) const {
  TokenSpec spec;
  spec.sub = person;
  spec.groups = GroupsOf(person);
  spec.client_id = "srctl";
  return Mint(spec);
}

std::shared_ptr<grpc::Channel> TestIdentity::ChannelWithToken(const std::string& address, const std::string& token) {
  common::ChannelCredentialsSpec spec;
  spec.bearer_token = token;
  return common::MakeChannel(address, spec);
}

std::shared_ptr<grpc::Channel> TestIdentity::ChannelAs(const std::string& address, const std::string& person) const {
  return ChannelWithToken(address, PersonToken(person));
}

}  // namespace recovery::testing
