// Policy: the one table that says which permission every RPC needs and which permissions each
// role holds (default_policy.yaml is shipped inside the binary; a deployment may replace it).
// Immutable after parsing; thread-safe to share.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/auth/principal.h"
#include "yaml-cpp/yaml.h"

namespace recovery::common {

class Policy {
 public:
  // The permission of methods that need no credential (health probes).
  static constexpr std::string_view kOpen = "open";

  // Parses `roles:` (role -> permissions) and `methods:` (full method name -> permission).
  // Every permission a method names must be held by some role or be `open`; errors name the
  // key path under `source`.
  static absl::StatusOr<Policy> Parse(const YAML::Node& yaml, const std::string& source);
  // The shipped default_policy.yaml.
  static const Policy& Default() { return *DefaultShared(); }
  // The same, shared (a Caller or an AccessConfig holds its policy this way).
  static std::shared_ptr<const Policy> DefaultShared();
  static std::string_view DefaultYaml();

  // The permission `method` needs ("recovery.v1.Intake/OpenCase", with or without the leading
  // slash gRPC gives), or NOT_FOUND: a method with no entry is denied.
  absl::StatusOr<std::string> PermissionFor(std::string_view method) const;
  bool RoleGrants(const std::string& role, std::string_view permission) const;
  bool Grants(const Principal& principal, std::string_view permission) const;
  bool KnowsRole(const std::string& role) const { return roles_.count(role) > 0; }
  // OK, or PERMISSION_DENIED naming the method and the missing permission.
  absl::Status Authorize(const Principal& principal, std::string_view method) const;

  const std::map<std::string, std::string, std::less<>>& methods() const { return methods_; }
  // Whether admitted calls of `method` are reads of case data to record (`access_audit:`,
  // permissions whose methods read case data).
  bool AuditsAccessTo(std::string_view method) const;

 private:
  std::map<std::string, std::set<std::string, std::less<>>> roles_;
  std::map<std::string, std::string, std::less<>> methods_;
  std::set<std::string, std::less<>> access_audited_;
};

}  // namespace recovery::common
