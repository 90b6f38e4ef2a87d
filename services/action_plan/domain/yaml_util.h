// Internal helpers that turn yaml-cpp nodes into values with errors naming the
// source and key path (e.g. "playbooks/billing_error.yaml: items[2].due: ...").
// yaml-cpp throws; these helpers keep its exceptions inside this boundary.
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_YAML_UTIL_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_YAML_UTIL_H_

#include <initializer_list>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "yaml-cpp/yaml.h"

namespace recovery::action_plan::internal {

// Parses a whole document; syntax errors carry line and column.
absl::StatusOr<YAML::Node> LoadYaml(absl::string_view text, absl::string_view source);

absl::Status Error(absl::string_view source, absl::string_view path, absl::string_view message);

// Rejects keys outside `allowed` so that typos in data are caught, not ignored.
absl::Status CheckKeys(const YAML::Node& map, std::initializer_list<absl::string_view> allowed,
                       absl::string_view source, absl::string_view path);

absl::StatusOr<std::string> RequiredString(const YAML::Node& map, absl::string_view key, absl::string_view source,
                                           absl::string_view path);
absl::StatusOr<std::optional<std::string>> OptionalString(const YAML::Node& map, absl::string_view key,
                                                          absl::string_view source, absl::string_view path);
absl::StatusOr<bool> BoolOr(const YAML::Node& map, absl::string_view key, bool fallback, absl::string_view source,
                            absl::string_view path);

std::string Join(absl::string_view path, absl::string_view key);
std::string Index(absl::string_view path, size_t i);

}  // namespace recovery::action_plan::internal

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_YAML_UTIL_H_
