// The action-plan's YAML documents (playbooks, wording rules) on services/common/yaml_fields.h:
// parse the text, read fields by key path, and prefix every error with the file it came
// from ("playbooks/billing_error.yaml: items[2].due: ...").
// Thread-safety: stateless inline functions.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/yaml_fields.h"
#include "yaml-cpp/yaml.h"

namespace recovery::action_plan {

// The whole document; a syntax error carries the source, line and column.
inline absl::StatusOr<YAML::Node> ParseYamlText(absl::string_view text, absl::string_view source) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": invalid YAML: ", e.msg));
  }
}

// `status` with "<source>: " in front of its message (OK stays OK).
inline absl::Status WithSource(absl::string_view source, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(source, ": ", status.message()));
}

// A whole document read by `from`: syntax errors carry line and column, the others the
// source and key path.
template <typename T>
absl::StatusOr<T> ParseDocument(absl::string_view text, absl::string_view source,
                                absl::StatusOr<T> (*from)(const YAML::Node&)) {
  absl::StatusOr<YAML::Node> root = ParseYamlText(text, source);
  if (!root.ok()) return root.status();
  absl::StatusOr<T> value = from(*root);
  if (!value.ok()) return WithSource(source, value.status());
  return value;
}

// map[key] as a string when present (nullopt when absent or null), so "given or not" stays
// visible; errors name path.key.
inline absl::StatusOr<std::optional<std::string>> OptionalScalar(const YAML::Node& map, absl::string_view path,
                                                                 absl::string_view key) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>();
  absl::StatusOr<std::string> value = yaml_fields::OptionalString(map, path, key);
  if (!value.ok()) return value.status();
  return std::optional<std::string>(*std::move(value));
}

}  // namespace recovery::action_plan
