// Turning srctl's flag text into the typed fields of a request: enum short names, instants,
// local due times and service names. Every error is INVALID_ARGUMENT naming the flag.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/timestamp.pb.h"

namespace recovery::srctl {

// The services srctl talks to, by the name of their folder (and of their <service>.addr file).
inline const std::vector<std::string>& ServiceNames() {
  static const std::vector<std::string> names = {"intake", "escalation", "action_plan", "follow_up", "audit"};
  return names;
}

// A fresh request_id (a UUIDv7, as the services generate).
std::string NewRequestId();

// The number of an enum value given by its short name, as the printer shows it and in any case:
// "P1" or "p1" -> SEVERITY_P1, "free-service" -> AMENDS_KIND_FREE_SERVICE; the full name works
// too. "" is the zero value (unset).
absl::StatusOr<int> ParseEnumFlag(const google::protobuf::EnumDescriptor& type, absl::string_view flag,
                                  absl::string_view value);

template <typename Enum>
absl::StatusOr<Enum> ParseEnum(absl::string_view flag, absl::string_view value) {
  absl::StatusOr<int> number = ParseEnumFlag(*google::protobuf::GetEnumDescriptor<Enum>(), flag, value);
  if (!number.ok()) return number.status();
  return static_cast<Enum>(*number);
}

// The whole file a flag names (binary-safe); INVALID_ARGUMENT "<flag>: cannot read '<path>'".
absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag, const std::string& path);
// Writes (replaces) the file a flag names; INVALID_ARGUMENT "<flag>: cannot write '<path>'".
absl::Status WriteFlagFile(absl::string_view flag, const std::string& path, const std::string& content);

// An RFC3339 instant ("2026-11-24T21:40:00Z", "2026-11-25T10:00:00+01:00").
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view flag, const std::string& text);

// The whole file a flag names (binary-safe); INVALID_ARGUMENT "<flag>: cannot read '<path>'".
absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag, const std::string& path);
// Writes (replaces) the file a flag names; INVALID_ARGUMENT "<flag>: cannot write '<path>'".
absl::Status WriteFlagFile(absl::string_view flag, const std::string& path, const std::string& content);

// An RFC3339 instant, or a local civil time "2026-11-25T10:00:00" in the IANA zone `tz`
// (named by --tz).
absl::StatusOr<google::protobuf::Timestamp> ParseInstant(absl::string_view flag, const std::string& text,
                                                         const std::string& tz);

// A service name for --service: one of ServiceNames(), with '-' accepted for '_'.
absl::StatusOr<std::string> ParseServiceName(absl::string_view flag, absl::string_view name);

}  // namespace recovery::srctl
