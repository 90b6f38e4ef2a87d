// Typed, path-reporting field readers over yaml-cpp nodes.
#include "services/common/yaml_fields.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace recovery::yaml_fields {

absl::StatusOr<YAML::Node> LoadFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(absl::StrCat("config: cannot read file ", path));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", path, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
}

namespace {

std::string Describe(const YAML::Node& node) {
  if (!node.IsDefined()) return "missing";
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
      return "missing";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a map";
  }
  return "unknown";
}

absl::StatusOr<std::string> Scalar(const YAML::Node& node, absl::string_view path) {
  if (!node.IsDefined() || !node.IsScalar())
    return Error(path, absl::StrCat("expected a scalar, found ", Describe(node)));
  return node.Scalar();
}

}  // namespace

std::string Key(absl::string_view parent, absl::string_view key) {
  if (parent.empty()) return std::string(key);
  return absl::StrCat(parent, ".", key);
}

std::string Index(absl::string_view parent, std::size_t i) { return absl::StrCat(parent, "[", i, "]"); }

absl::Status Error(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::Status ExpectMap(const YAML::Node& node, absl::string_view path,
                       std::initializer_list<absl::string_view> allowed) {
  if (!node.IsDefined() || !node.IsMap()) return Error(path, absl::StrCat("expected a map, found ", Describe(node)));
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) return Error(path, "map keys must be scalars");
    const std::string& k = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Error(Key(path, k), "unknown key");
    }
  }
  return absl::OkStatus();
}

absl::Status ExpectSequence(const YAML::Node& node, absl::string_view path, bool optional) {
  if (optional && (!node.IsDefined() || node.IsNull())) return absl::OkStatus();
  if (!node.IsDefined() || !node.IsSequence())
    return Error(path, absl::StrCat("expected a sequence, found ", Describe(node)));
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequiredString(const YAML::Node& map, absl::string_view path, absl::string_view key) {
  const std::string p = Key(path, key);
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return Error(p, "required");
  absl::StatusOr<std::string> s = Scalar(node, p);
  if (!s.ok()) return s.status();
  if (s->empty()) return Error(p, "must not be empty");
  return s;
}

absl::StatusOr<std::string> OptionalString(const YAML::Node& map, absl::string_view path, absl::string_view key,
                                           absl::string_view fallback) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return std::string(fallback);
  return Scalar(node, Key(path, key));
}

absl::StatusOr<std::optional<long long>> OptionalInt(const YAML::Node& map, absl::string_view path,
                                                     absl::string_view key) {
  const std::string p = Key(path, key);
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return std::optional<long long>();
  absl::StatusOr<std::string> s = Scalar(node, p);
  if (!s.ok()) return s.status();
  long long v = 0;
  if (!absl::SimpleAtoi(*s, &v)) return Error(p, absl::StrCat("expected an integer, found '", *s, "'"));
  return std::optional<long long>(v);
}

absl::StatusOr<bool> OptionalBool(const YAML::Node& map, absl::string_view path, absl::string_view key, bool fallback) {
  const std::string p = Key(path, key);
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return fallback;
  absl::StatusOr<std::string> s = Scalar(node, p);
  if (!s.ok()) return s.status();
  bool v = false;
  if (!absl::SimpleAtob(*s, &v)) return Error(p, absl::StrCat("expected true or false, found '", *s, "'"));
  return v;
}

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& map, absl::string_view path,
                                                    absl::string_view key) {
  const std::string p = Key(path, key);
  const YAML::Node node = map[std::string(key)];
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return Error(p, absl::StrCat("expected a list, found ", Describe(node)));
  for (std::size_t i = 0; i < node.size(); ++i) {
    absl::StatusOr<std::string> s = Scalar(node[i], Index(p, i));
    if (!s.ok()) return s.status();
    if (s->empty()) return Error(Index(p, i), "must not be empty");
    out.push_back(*std::move(s));
  }
  return out;
}

absl::StatusOr<absl::Duration> ParseDurationField(const YAML::Node& node, absl::string_view path) {
  absl::StatusOr<std::string> s = Scalar(node, path);
  if (!s.ok()) return s.status();
  absl::Duration d;
  if (!absl::ParseDuration(*s, &d)) {
    return Error(path, absl::StrCat("invalid duration '", *s, "' (use e.g. 30s, 2m, 1h30m)"));
  }
  return d;
}

absl::StatusOr<absl::CivilDay> ParseDateField(const YAML::Node& node, absl::string_view path) {
  absl::StatusOr<std::string> s = Scalar(node, path);
  if (!s.ok()) return s.status();
  absl::CivilDay day;
  if (!absl::ParseCivilTime(*s, &day)) return Error(path, absl::StrCat("invalid date '", *s, "' (use YYYY-MM-DD)"));
  return day;
}

absl::StatusOr<absl::Time> ParseInstantField(const YAML::Node& node, absl::string_view path) {
  absl::StatusOr<std::string> s = Scalar(node, path);
  if (!s.ok()) return s.status();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, *s, &t, &err)) {
    return Error(path, absl::StrCat("invalid RFC 3339 instant '", *s, "': ", err));
  }
  return t;
}

}  // namespace recovery::yaml_fields
