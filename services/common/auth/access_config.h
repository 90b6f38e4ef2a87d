// AccessConfig: the --auth-config file every service reads the same way: the identity
// provider to trust, who its subjects are in the directory, the API tokens (hashes only),
// client certificates that name services, per-principal limits and the policy.
//
//   oidc:
//     issuer: https://idp.example.com        # the `iss` tokens must carry
//     audience: urn:recovery:api             # one of the token's `aud`
//     jwks_uri: ...                          # optional; default: the issuer's discovery document
//     jwks_file: ...                         # optional instead: static keys (air-gapped, tests)
//     ca_file: ...                           # CA bundle for https to the issuer
//     subject_claim: sub                     # or email: which claim names the person
//     roles_claim: groups                    # a list (or string) claim mapped by group_roles
//     unlisted_subjects: refuse              # or person: roles from groups alone
//     group_roles: {responders: [responder]}
//     clients: {monitoring: {integration: monitoring, roles: [integration]}}  # client credentials
//     leeway: 30s, refresh: 10m, max_key_age: 24h, min_refetch: 10s
//   people:                                  # the directory: subject -> person id (+ roles)
//     - {subject: lee, person: lee, roles: []}
//   api_tokens:
//     - {name: monitoring, sha256: <hex>, roles: [integration], expires: 2027-01-01T00:00:00Z, revoked: false}
//   certificates:                            # mTLS client certificates without a bearer token
//     - {common_name: recovery-console, service: console, roles: [viewer]}
//   limits:
//     default: {rate: 50, burst: 100, in_flight: 16}
//     principals: {"integration:monitoring": {rate: 5, burst: 10, in_flight: 4}}
//   policy_file: ...                         # optional; default: the shipped policy
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/auth/policy.h"
#include "yaml-cpp/yaml.h"

namespace recovery::common {

struct OidcClient {
  std::string integration;  // the principal is integration:<integration>
  std::set<std::string> roles;
};

struct OidcSettings {
  std::string issuer;  // empty: no identity provider (API tokens and certificates only)
  std::string audience;
  std::string jwks_uri;
  std::string jwks_file;
  std::string ca_file;
  std::string subject_claim = "sub";
  std::string roles_claim = "groups";
  // A subject that `people` does not list: refused (the default), or a person of that id
  // with roles from the groups claim alone (`person`: the provider is the directory).
  bool unlisted_subjects_are_people = false;
  std::map<std::string, std::set<std::string>> group_roles;
  std::map<std::string, OidcClient> clients;
  absl::Duration leeway = absl::Seconds(30);
  absl::Duration refresh = absl::Minutes(10);
  absl::Duration max_key_age = absl::Hours(24);
  absl::Duration min_refetch = absl::Seconds(10);
};

struct DirectoryEntry {
  std::string person;
  std::set<std::string> roles;
};

struct ApiTokenEntry {
  std::string name;
  std::string sha256;  // lower-case hex of SHA-256 over the whole token string
  std::set<std::string> roles;
  absl::Time expires = absl::InfiniteFuture();
  bool revoked = false;
};

struct CertificateEntry {
  std::string service;
  std::set<std::string> roles;
};

struct Limit {
  double rate = 50;    // calls per second, refilled continuously
  double burst = 100;  // bucket size
  int in_flight = 16;  // calls at once
};

struct AccessConfig {
  OidcSettings oidc;
  std::map<std::string, DirectoryEntry> people;  // by subject (the subject_claim's value)
  std::vector<ApiTokenEntry> api_tokens;
  std::map<std::string, CertificateEntry> certificates;  // by certificate common name
  Limit default_limit;
  std::map<std::string, Limit> limits;  // by actor (person:lee, integration:monitoring)
  std::shared_ptr<const Policy> policy;

  // Parses and checks the file: unknown keys, roles the policy does not know, malformed
  // hashes and durations are errors naming the key path. Relative paths resolve against the
  // file's directory.
  static absl::StatusOr<AccessConfig> Load(const std::string& path);
  static absl::StatusOr<AccessConfig> Parse(const YAML::Node& yaml, const std::string& source,
                                            const std::string& base_dir);
};

}  // namespace recovery::common
