// The one YAML helper set of every service: typed field readers over yaml-cpp nodes that
// turn every problem into an absl::Status whose message starts with the key path ("calendars[1].weekly.mon[0]: ...").
//
// yaml-cpp throws; these helpers never do (they check node types before converting), and the
// public Parse* entry points that use them still catch YAML::Exception as a last edge.
// Thread-safety: stateless free functions.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace recovery::yaml_fields {

// Loads a YAML file; a parse error names the file, line and column.
absl::StatusOr<YAML::Node> LoadFile(const std::string& path);

// "a.b" / "a[3]"; an empty parent yields just the key.
std::string Key(absl::string_view parent, absl::string_view key);
std::string Index(absl::string_view parent, std::size_t i);

// InvalidArgument("<path>: <message>").
absl::Status Error(absl::string_view path, absl::string_view message);

// The node at `path` must be a map whose keys all appear in `allowed` (typos are errors, not
// silently ignored settings).
absl::Status ExpectMap(const YAML::Node& node, absl::string_view path,
                       std::initializer_list<absl::string_view> allowed);
// The node must be a sequence (an absent node is accepted as empty when `optional`).
absl::Status ExpectSequence(const YAML::Node& node, absl::string_view path, bool optional);

// Scalar readers. `map[key]` is read; `path` is the path of the map.
absl::StatusOr<std::string> RequiredString(const YAML::Node& map, absl::string_view path, absl::string_view key);
absl::StatusOr<std::string> OptionalString(const YAML::Node& map, absl::string_view path, absl::string_view key,
                                           absl::string_view fallback = "");
absl::StatusOr<std::optional<long long>> OptionalInt(const YAML::Node& map, absl::string_view path,
                                                     absl::string_view key);
absl::StatusOr<bool> OptionalBool(const YAML::Node& map, absl::string_view path, absl::string_view key, bool fallback);
// A scalar or a sequence of scalars; absent -> empty.
absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& map, absl::string_view path,
                                                    absl::string_view key);
// absl duration syntax: "0s", "90s", "2m", "1h30m".
absl::StatusOr<absl::Duration> ParseDurationField(const YAML::Node& node, absl::string_view path);
// "2026-12-25".
absl::StatusOr<absl::CivilDay> ParseDateField(const YAML::Node& node, absl::string_view path);
// RFC 3339 with an explicit offset: "2026-03-29T01:00:00Z", "2026-03-29T02:00:00+01:00".
absl::StatusOr<absl::Time> ParseInstantField(const YAML::Node& node, absl::string_view path);

}  // namespace recovery::yaml_fields
