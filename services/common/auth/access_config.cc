// AccessConfig: parsing of the --auth-config file.
#include "services/common/auth/access_config.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/yaml_fields.h"

namespace recovery::common {
namespace {

namespace yf = recovery::yaml_fields;

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

absl::StatusOr<std::set<std::string>> Roles(const YAML::Node& map, const std::string& path, const Policy& policy) {
  ASSIGN_OR_RETURN(std::vector<std::string> list, yf::StringList(map, path, "roles"));
  std::set<std::string> roles;
  for (const auto& r : list) {
    if (!policy.KnowsRole(r)) return yf::Error(yf::Key(path, "roles"), absl::StrCat("unknown role ", r));
    roles.insert(r);
  }
  return roles;
}

absl::StatusOr<absl::Duration> OptionalDuration(const YAML::Node& map, const std::string& path, const std::string& key,
                                                absl::Duration fallback) {
  if (!map[key]) return fallback;
  ASSIGN_OR_RETURN(absl::Duration d, yf::ParseDurationField(map[key], yf::Key(path, key)));
  if (d < absl::ZeroDuration()) return yf::Error(yf::Key(path, key), "must not be negative");
  return d;
}

absl::StatusOr<OidcSettings> ParseOidc(const YAML::Node& node, const std::string& path, const Policy& policy,
                                       const std::string& base_dir) {
  OidcSettings o;
  if (!node) return o;
  RETURN_IF_ERROR(yf::ExpectMap(
      node, path,
      {"issuer", "audience", "jwks_uri", "jwks_file", "ca_file", "subject_claim", "roles_claim", "unlisted_subjects",
       "group_roles", "clients", "leeway", "refresh", "max_key_age", "min_refetch"}));
  ASSIGN_OR_RETURN(o.issuer, yf::RequiredString(node, path, "issuer"));
  ASSIGN_OR_RETURN(o.audience, yf::RequiredString(node, path, "audience"));
  ASSIGN_OR_RETURN(o.jwks_uri, yf::OptionalString(node, path, "jwks_uri"));
  ASSIGN_OR_RETURN(o.jwks_file, yf::OptionalString(node, path, "jwks_file"));
  ASSIGN_OR_RETURN(o.ca_file, yf::OptionalString(node, path, "ca_file"));
  o.jwks_file = Resolve(base_dir, o.jwks_file);
  o.ca_file = Resolve(base_dir, o.ca_file);
  ASSIGN_OR_RETURN(o.subject_claim, yf::OptionalString(node, path, "subject_claim", "sub"));
  ASSIGN_OR_RETURN(o.roles_claim, yf::OptionalString(node, path, "roles_claim", "groups"));
  ASSIGN_OR_RETURN(std::string unlisted, yf::OptionalString(node, path, "unlisted_subjects", "refuse"));
  if (unlisted != "refuse" && unlisted != "person")
    return yf::Error(yf::Key(path, "unlisted_subjects"), "expected refuse or person");
  o.unlisted_subjects_are_people = unlisted == "person";
  if (!absl::StartsWith(o.issuer, "https://") && !absl::StartsWith(o.issuer, "http://"))
    return yf::Error(yf::Key(path, "issuer"), "expected an https:// URL");
  if (const YAML::Node g = node["group_roles"]) {
    const std::string gp = yf::Key(path, "group_roles");
    if (!g.IsMap()) return yf::Error(gp, "expected a map from group to roles");
    for (const auto& kv : g) {
      YAML::Node wrapper;
      wrapper["roles"] = kv.second;
      ASSIGN_OR_RETURN(o.group_roles[kv.first.as<std::string>()],
                       Roles(wrapper, yf::Key(gp, kv.first.as<std::string>()), policy));
    }
  }
  if (const YAML::Node c = node["clients"]) {
    const std::string cp = yf::Key(path, "clients");
    if (!c.IsMap()) return yf::Error(cp, "expected a map from client id to {integration, roles}");
    for (const auto& kv : c) {
      const std::string p = yf::Key(cp, kv.first.as<std::string>());
      RETURN_IF_ERROR(yf::ExpectMap(kv.second, p, {"integration", "roles"}));
      OidcClient client;
      ASSIGN_OR_RETURN(client.integration, yf::RequiredString(kv.second, p, "integration"));
      ASSIGN_OR_RETURN(client.roles, Roles(kv.second, p, policy));
      o.clients[kv.first.as<std::string>()] = std::move(client);
    }
  }
  ASSIGN_OR_RETURN(o.leeway, OptionalDuration(node, path, "leeway", o.leeway));
  ASSIGN_OR_RETURN(o.refresh, OptionalDuration(node, path, "refresh", o.refresh));
  ASSIGN_OR_RETURN(o.max_key_age, OptionalDuration(node, path, "max_key_age", o.max_key_age));
  ASSIGN_OR_RETURN(o.min_refetch, OptionalDuration(node, path, "min_refetch", o.min_refetch));
  if (o.leeway > absl::Minutes(5)) return yf::Error(yf::Key(path, "leeway"), "at most 5m");
  return o;
}

absl::StatusOr<Limit> ParseLimit(const YAML::Node& node, const std::string& path) {
  RETURN_IF_ERROR(yf::ExpectMap(node, path, {"rate", "burst", "in_flight"}));
  Limit l;
  try {
    if (node["rate"]) l.rate = node["rate"].as<double>();
    if (node["burst"]) l.burst = node["burst"].as<double>();
    if (node["in_flight"]) l.in_flight = node["in_flight"].as<int>();
  } catch (const YAML::Exception&) {
    return yf::Error(path, "rate and burst must be numbers, in_flight an integer");
  }
  if (l.rate <= 0 || l.burst < 1 || l.in_flight < 1)
    return yf::Error(path, "rate must be > 0, burst >= 1, in_flight >= 1");
  return l;
}

bool IsLowerHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  return true;
}

}  // namespace

absl::StatusOr<AccessConfig> AccessConfig::Load(const std::string& path) {
  ASSIGN_OR_RETURN(YAML::Node yaml, yf::LoadFile(path));
  return Parse(yaml, "auth-config", std::filesystem::path(path).parent_path().string());
}

absl::StatusOr<AccessConfig> AccessConfig::Parse(const YAML::Node& yaml, const std::string& source,
                                                 const std::string& base_dir) {
  AccessConfig c;
  RETURN_IF_ERROR(
      yf::ExpectMap(yaml, source, {"oidc", "people", "api_tokens", "certificates", "limits", "policy_file"}));
  ASSIGN_OR_RETURN(std::string policy_file, yf::OptionalString(yaml, source, "policy_file"));
  if (policy_file.empty()) {
    c.policy = Policy::DefaultShared();
  } else {
    policy_file = Resolve(base_dir, policy_file);
    ASSIGN_OR_RETURN(YAML::Node p, yf::LoadFile(policy_file));
    ASSIGN_OR_RETURN(Policy parsed, Policy::Parse(p, policy_file));
    c.policy = std::make_shared<const Policy>(std::move(parsed));
  }
  const Policy& policy = *c.policy;
  ASSIGN_OR_RETURN(c.oidc, ParseOidc(yaml["oidc"], yf::Key(source, "oidc"), policy, base_dir));

  const std::string people_path = yf::Key(source, "people");
  RETURN_IF_ERROR(yf::ExpectSequence(yaml["people"], people_path, true));
  const YAML::Node people_list = yaml["people"];
  for (std::size_t i = 0; people_list && i < people_list.size(); ++i) {
    const YAML::Node n = people_list[i];
    const std::string p = yf::Index(people_path, i);
    RETURN_IF_ERROR(yf::ExpectMap(n, p, {"subject", "person", "roles"}));
    ASSIGN_OR_RETURN(std::string subject, yf::RequiredString(n, p, "subject"));
    DirectoryEntry e;
    ASSIGN_OR_RETURN(e.person, yf::OptionalString(n, p, "person", subject));
    ASSIGN_OR_RETURN(e.roles, Roles(n, p, policy));
    if (!c.people.emplace(subject, std::move(e)).second)
      return yf::Error(yf::Key(p, "subject"), absl::StrCat("duplicate subject ", subject));
  }

  const std::string tokens_path = yf::Key(source, "api_tokens");
  RETURN_IF_ERROR(yf::ExpectSequence(yaml["api_tokens"], tokens_path, true));
  std::set<std::string> hashes;
  const YAML::Node api_tokens_list = yaml["api_tokens"];
  for (std::size_t i = 0; api_tokens_list && i < api_tokens_list.size(); ++i) {
    const YAML::Node n = api_tokens_list[i];
    const std::string p = yf::Index(tokens_path, i);
    RETURN_IF_ERROR(yf::ExpectMap(n, p, {"name", "sha256", "roles", "expires", "revoked"}));
    ApiTokenEntry t;
    ASSIGN_OR_RETURN(t.name, yf::RequiredString(n, p, "name"));
    ASSIGN_OR_RETURN(t.sha256, yf::RequiredString(n, p, "sha256"));
    if (!IsLowerHex64(t.sha256))
      return yf::Error(yf::Key(p, "sha256"), "expected 64 lower-case hex digits (SHA-256 of the token)");
    if (!hashes.insert(t.sha256).second) return yf::Error(yf::Key(p, "sha256"), "the same token is listed twice");
    ASSIGN_OR_RETURN(t.roles, Roles(n, p, policy));
    if (n["expires"]) {
      ASSIGN_OR_RETURN(t.expires, yf::ParseInstantField(n["expires"], yf::Key(p, "expires")));
    }
    ASSIGN_OR_RETURN(t.revoked, yf::OptionalBool(n, p, "revoked", false));
    c.api_tokens.push_back(std::move(t));
  }

  const std::string certs_path = yf::Key(source, "certificates");
  RETURN_IF_ERROR(yf::ExpectSequence(yaml["certificates"], certs_path, true));
  const YAML::Node certificates_list = yaml["certificates"];
  for (std::size_t i = 0; certificates_list && i < certificates_list.size(); ++i) {
    const YAML::Node n = certificates_list[i];
    const std::string p = yf::Index(certs_path, i);
    RETURN_IF_ERROR(yf::ExpectMap(n, p, {"common_name", "service", "roles"}));
    ASSIGN_OR_RETURN(std::string cn, yf::RequiredString(n, p, "common_name"));
    CertificateEntry e;
    ASSIGN_OR_RETURN(e.service, yf::RequiredString(n, p, "service"));
    ASSIGN_OR_RETURN(e.roles, Roles(n, p, policy));
    c.certificates[cn] = std::move(e);
  }

  if (const YAML::Node l = yaml["limits"]) {
    const std::string lp = yf::Key(source, "limits");
    RETURN_IF_ERROR(yf::ExpectMap(l, lp, {"default", "principals"}));
    if (l["default"]) {
      ASSIGN_OR_RETURN(c.default_limit, ParseLimit(l["default"], yf::Key(lp, "default")));
    }
    if (const YAML::Node ps = l["principals"]) {
      if (!ps.IsMap()) return yf::Error(yf::Key(lp, "principals"), "expected a map from actor to limit");
      for (const auto& kv : ps) {
        ASSIGN_OR_RETURN(c.limits[kv.first.as<std::string>()],
                         ParseLimit(kv.second, yf::Key(yf::Key(lp, "principals"), kv.first.as<std::string>())));
      }
    }
  }
  if (c.oidc.issuer.empty() && c.api_tokens.empty() && c.certificates.empty())
    return yf::Error(source, "no credential is accepted: configure oidc, api_tokens or certificates");
  return c;
}

}  // namespace recovery::common
