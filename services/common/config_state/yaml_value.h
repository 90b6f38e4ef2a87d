// Conversions between a YAML node (how configuration files are written and how every service
// parses its configuration) and google.protobuf.Value (how the Configuration API, the
// ConfigChanged event and the console carry it), and the canonical JSON text of a Value that
// configuration versions are stored as and hashed over.
//
// A plain YAML scalar becomes a bool (true/false), a number (when it reads as one) or null
// (~, null, empty); a quoted one always a string. The way back writes scalars so that the
// services' parsers read the same text: numbers without a trailing ".0", strings quoted
// when they would otherwise read as something else.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "yaml-cpp/yaml.h"

namespace recovery::common {

google::protobuf::Value YamlToValue(const YAML::Node& node);
YAML::Node ValueToYaml(const google::protobuf::Value& value);

// JSON with object keys sorted and no spaces: equal values give equal text.
std::string CanonicalJson(const google::protobuf::Value& value);
// The inverse of CanonicalJson (also reads any JSON protobuf's parser reads).
absl::StatusOr<google::protobuf::Value> ParseJsonValue(const std::string& json);

// Lower-case hex SHA-256 of CanonicalJson(value).
std::string ContentHash(const google::protobuf::Value& value);

// YAML text of a document, block style, keys in the node's order.
std::string EmitYaml(const YAML::Node& node);

}  // namespace recovery::common
