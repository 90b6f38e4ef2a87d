// yaml-cpp edge: exceptions become absl::Status naming source and key path.
#include "services/action_plan/domain/yaml_util.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace recovery::action_plan::internal {

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Index(absl::string_view path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

absl::Status Error(absl::string_view source, absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", path.empty() ? "(document)" : path, ": ", message));
}

absl::StatusOr<YAML::Node> LoadYaml(absl::string_view text, absl::string_view source) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": invalid YAML: ", e.msg));
  }
}

absl::Status CheckKeys(const YAML::Node& map, std::initializer_list<absl::string_view> allowed,
                       absl::string_view source, absl::string_view path) {
  if (!map.IsMap()) return Error(source, path, "expected a mapping");
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) return Error(source, path, "keys must be plain strings");
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Error(source, Join(path, key), absl::StrCat("unknown key (allowed: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> OptionalString(const YAML::Node& map, absl::string_view key,
                                                          absl::string_view source, absl::string_view path) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>();
  if (!node.IsScalar()) return Error(source, Join(path, key), "expected a string");
  return std::optional<std::string>(node.Scalar());
}

absl::StatusOr<std::string> RequiredString(const YAML::Node& map, absl::string_view key, absl::string_view source,
                                           absl::string_view path) {
  absl::StatusOr<std::optional<std::string>> value = OptionalString(map, key, source, path);
  if (!value.ok()) return value.status();
  if (!value->has_value() || (*value)->empty()) return Error(source, Join(path, key), "required and must not be empty");
  return **value;
}

absl::StatusOr<bool> BoolOr(const YAML::Node& map, absl::string_view key, bool fallback, absl::string_view source,
                            absl::string_view path) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return fallback;
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return Error(source, Join(path, key), "expected true or false");
}

}  // namespace recovery::action_plan::internal
