// Policy: parsing and decisions.
#include "services/common/auth/policy.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/yaml_fields.h"

namespace recovery::common {

extern const char kDefaultPolicyYaml[];  // default_policy.cc, generated from default_policy.yaml

absl::StatusOr<Policy> Policy::Parse(const YAML::Node& yaml, const std::string& source) {
  Policy p;
  if (!yaml.IsMap()) return absl::InvalidArgumentError(absl::StrCat(source, ": expected a map with roles and methods"));
  const YAML::Node roles = yaml["roles"];
  if (!roles || !roles.IsMap()) return absl::InvalidArgumentError(absl::StrCat(source, ".roles: required map"));
  for (const auto& r : roles) {
    const std::string role = r.first.as<std::string>();
    const std::string path = absl::StrCat(source, ".roles.", role);
    if (!r.second.IsSequence())
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected a list of permissions"));
    auto& perms = p.roles_[role];
    for (const auto& perm : r.second) {
      if (!perm.IsScalar() || perm.as<std::string>().empty())
        return absl::InvalidArgumentError(absl::StrCat(path, ": a permission must be a non-empty string"));
      if (perm.as<std::string>() == kOpen)
        return absl::InvalidArgumentError(absl::StrCat(path, ": 'open' is not a permission a role can hold"));
      perms.insert(perm.as<std::string>());
    }
  }
  const YAML::Node methods = yaml["methods"];
  if (!methods || !methods.IsMap()) return absl::InvalidArgumentError(absl::StrCat(source, ".methods: required map"));
  for (const auto& m : methods) {
    const std::string method = m.first.as<std::string>();
    const std::string path = absl::StrCat(source, ".methods.", method);
    if (method.find('/') == std::string::npos || method.front() == '/')
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected package.Service/Method"));
    if (!m.second.IsScalar() || m.second.as<std::string>().empty())
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected a permission"));
    const std::string perm = m.second.as<std::string>();
    if (perm != kOpen) {
      bool held = false;
      for (const auto& [role, perms] : p.roles_) held = held || perms.count(perm) > 0;
      if (!held) return absl::InvalidArgumentError(absl::StrCat(path, ": no role holds permission ", perm));
    }
    p.methods_[method] = perm;
  }
  // Reads of case data recorded by who made them (access_log.h): every admitted call of a
  // method that needs one of these permissions.
  if (const YAML::Node audited = yaml["access_audit"]; audited) {
    const std::string path = absl::StrCat(source, ".access_audit");
    if (!audited.IsSequence())
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected a list of permissions"));
    for (const auto& perm : audited) {
      const std::string name = perm.IsScalar() ? perm.as<std::string>() : "";
      bool held = false;
      for (const auto& [role, perms] : p.roles_) held = held || perms.count(name) > 0;
      if (!held) return absl::InvalidArgumentError(absl::StrCat(path, ": no role holds permission '", name, "'"));
      p.access_audited_.insert(name);
    }
  }
  return p;
}

bool Policy::AuditsAccessTo(std::string_view method) const {
  auto permission = PermissionFor(method);
  return permission.ok() && access_audited_.count(*permission) > 0;
}

std::string_view Policy::DefaultYaml() { return kDefaultPolicyYaml; }

std::shared_ptr<const Policy> Policy::DefaultShared() {
  static const auto* policy = [] {
    auto parsed = Parse(YAML::Load(kDefaultPolicyYaml), "default_policy.yaml");
    if (!parsed.ok()) {
      // The shipped file is tested; a broken one is a build defect, not a runtime condition.
      fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str());
      abort();
    }
    return new std::shared_ptr<const Policy>(std::make_shared<const Policy>(*std::move(parsed)));
  }();
  return *policy;
}

absl::StatusOr<std::string> Policy::PermissionFor(std::string_view method) const {
  if (!method.empty() && method.front() == '/') method.remove_prefix(1);
  auto it = methods_.find(method);
  if (it == methods_.end())
    return absl::NotFoundError(absl::StrCat("method ", std::string(method), " has no entry in the access policy"));
  return it->second;
}

bool Policy::RoleGrants(const std::string& role, std::string_view permission) const {
  auto it = roles_.find(role);
  return it != roles_.end() && it->second.count(permission) > 0;
}

bool Policy::Grants(const Principal& principal, std::string_view permission) const {
  if (permission == kOpen) return true;
  for (const auto& role : principal.roles)
    if (RoleGrants(role, permission)) return true;
  return false;
}

absl::Status Policy::Authorize(const Principal& principal, std::string_view method) const {
  auto perm = PermissionFor(method);
  if (!perm.ok()) return absl::PermissionDeniedError(perm.status().message());
  if (Grants(principal, *perm)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("permission ", *perm, " is needed for ", std::string(method), "; ",
                                                  principal.Actor(), " has roles [",
                                                  absl::StrJoin(principal.roles, ", "), "]"));
}

}  // namespace recovery::common
