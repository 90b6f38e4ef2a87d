// A test identity provider: one EC P-256 signing key per test process (cjose), its JWKS in
// a file, an access configuration that trusts it (with the demo's groups mapped to roles and
// an API token for an integration), JWTs minted for any subject, and channels that send them.
// The services verify these tokens on the same path as the real provider's (only the keys
// come from a file instead of the issuer's JWKS endpoint). Thread-safe after Shared().
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace recovery::testing {

inline constexpr char kTestIssuer[] = "https://idp.test";
inline constexpr char kTestAudience[] = "urn:recovery:api";
// The API token of integration "monitoring" (roles [integration]) in the shared configuration.
inline constexpr char kIntegrationToken[] = "srk_test_integration_monitoring_token_0001";

struct TokenSpec {
  std::string sub;
  std::vector<std::string> groups;
  std::string email;
  std::string client_id;
  std::string issuer = kTestIssuer;
  std::string audience = kTestAudience;
  absl::Duration lifetime = absl::Hours(1);  // exp = now + lifetime
  absl::Time now = absl::Now();
  std::optional<absl::Time> not_before;
  std::string kid;  // empty: the key's kid
  std::string alg = "ES256";
};

// A key that signs test tokens (cjose): EC P-256 (ES256), RSA 2048 (RS256), or an HMAC key
// made from given bytes (HS256: to forge a token "signed" with a public key).
class SigningKey {
 public:
  static SigningKey Ec(std::string kid);
  static SigningKey Rsa(std::string kid);
  static SigningKey Hmac(const std::string& secret, std::string kid);
  // The public JWK (JSON), with its kid.
  std::string PublicJwk() const;
  // A compact JWS over the claims of `spec`, with spec.alg and kid (spec.kid overrides).
  std::string Sign(const TokenSpec& spec) const;
  const std::string& kid() const { return kid_; }
  struct Handle;

 private:
  std::shared_ptr<Handle> key_;
  std::string kid_;
};

// {"keys": [...]} of the given public JWKs.
std::string JwksOf(const std::vector<std::string>& public_jwks);

class TestIdentity {
 public:
  // The process-wide provider; its files live in a temp directory removed at exit.
  static TestIdentity& Shared();

  // The --auth-config file: issuer kTestIssuer, jwks_file, the demo people and groups, any
  // other subject a person of that id (unlisted_subjects: person) with roles from groups.
  const std::string& auth_config_path() const { return auth_config_; }
  const std::string& jwks_path() const { return jwks_; }
  const std::string& dir() const { return dir_; }

  std::string Mint(const TokenSpec& spec) const;
  // A person's token with the groups the demo gives them (tester: admins; unknown ids:
  // responders).
  std::string PersonToken(const std::string& person) const;
  static std::vector<std::string> GroupsOf(const std::string& person);

  // A channel (plaintext, loopback) whose every call sends `authorization: Bearer <token>`.
  static std::shared_ptr<grpc::Channel> ChannelWithToken(const std::string& address, const std::string& token);
  // ChannelWithToken(address, PersonToken(person)).
  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& address, const std::string& person) const;

 private:
  TestIdentity();
  SigningKey key_;
  std::string dir_;
  std::string auth_config_;
  std::string jwks_;
};

// The person every test channel acts as unless it says otherwise: an admin.
inline constexpr char kTestPerson[] = "tester";

}  // namespace recovery::testing
