// Flag text to request fields.
#include "tools/srctl/flag_parsing.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"

namespace recovery::srctl {
namespace {

// The UPPER_SNAKE prefix of an enum type's values: EmotionalState -> EMOTIONAL_STATE_.
std::string ValuePrefix(const google::protobuf::EnumDescriptor& type) {
  std::string prefix;
  const std::string& name = type.name();
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (i > 0 && std::isupper(c)) prefix.push_back('_');
    prefix.push_back(static_cast<char>(std::toupper(c)));
  }
  return prefix + "_";
}

}  // namespace

std::string NewRequestId() { return common::NewId(absl::Now()); }

absl::StatusOr<int> ParseEnumFlag(const google::protobuf::EnumDescriptor& type, absl::string_view flag,
                                  absl::string_view value) {
  if (value.empty()) return 0;
  std::string upper;
  for (char c : value) upper.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  const std::string prefix = ValuePrefix(type);
  const std::string full = absl::StartsWith(upper, prefix) ? upper : prefix + upper;
  if (const auto* v = type.FindValueByName(full)) return v->number();
  std::vector<std::string> known;
  for (int i = 0; i < type.value_count(); ++i) {
    const std::string& name = type.value(i)->name();
    if (type.value(i)->number() != 0) known.push_back(name.substr(std::min(prefix.size(), name.size())));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": unknown value \"", value, "\"; expected one of ", absl::StrJoin(known, ", ")));
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view flag, const std::string& text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err))
    return absl::InvalidArgumentError(absl::StrCat(flag, ": not an RFC3339 instant (e.g. 2026-11-24T21:40:00Z)"));
  return common::ToProto(t);
}

absl::StatusOr<google::protobuf::Timestamp> ParseInstant(absl::string_view flag, const std::string& text,
                                                         const std::string& tz) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return common::ToProto(t);
  if (tz.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": not RFC3339; give --tz for a local time"));
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(tz, &zone)) return absl::InvalidArgumentError("--tz: unknown IANA time zone");
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%S", text, zone, &t, &err))
    return absl::InvalidArgumentError(absl::StrCat(flag, ": expected YYYY-MM-DDTHH:MM:SS"));
  return common::ToProto(t);
}

absl::StatusOr<std::string> ParseServiceName(absl::string_view flag, absl::string_view name) {
  std::string key(name);
  std::replace(key.begin(), key.end(), '-', '_');
  const auto& names = ServiceNames();
  if (std::find(names.begin(), names.end(), key) != names.end()) return key;
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": unknown service \"", name, "\"; expected one of ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read '", path, "'"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status WriteFlagFile(absl::string_view flag, const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!(out << content)) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot write '", path, "'"));
  return absl::OkStatus();
}

}  // namespace recovery::srctl
