// YAML <-> google.protobuf.Value, canonical JSON and its hash (yaml_value.h).
#include "services/common/config_state/yaml_value.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"

namespace recovery::common {
namespace {

using Value = google::protobuf::Value;

bool IsNullText(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::string NumberText(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
    return absl::StrCat(static_cast<int64_t>(d));
  }
  return absl::StrFormat("%.17g", d);
}

// A number only when printing it back gives the very same text ("007", "1.50" and "1e3" stay
// strings), so that no configured value changes its spelling on the way through.
bool ReadsAsNumber(const std::string& s, double* out) {
  if (s.empty() || s.size() > 24) return false;
  double d = 0;
  if (!absl::SimpleAtod(s, &d) || !std::isfinite(d)) return false;
  if (NumberText(d) != s) return false;
  *out = d;
  return true;
}

// A string whose plain spelling would read as another type.
bool LooksSpecial(const std::string& s) {
  double d;
  return IsNullText(s) || s == "true" || s == "false" || ReadsAsNumber(s, &d);
}

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (const unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append(absl::StrFormat("\\u%04x", c));
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendCanonical(const Value& v, std::string* out) {
  switch (v.kind_case()) {
    case Value::kNullValue:
    case Value::KIND_NOT_SET:
      out->append("null");
      return;
    case Value::kBoolValue:
      out->append(v.bool_value() ? "true" : "false");
      return;
    case Value::kNumberValue:
      out->append(NumberText(v.number_value()));
      return;
    case Value::kStringValue:
      AppendJsonString(v.string_value(), out);
      return;
    case Value::kListValue: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.list_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(e, out);
      }
      out->push_back(']');
      return;
    }
    case Value::kStructValue: {
      std::vector<const std::string*> keys;
      for (const auto& [k, unused] : v.struct_value().fields()) keys.push_back(&k);
      std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
      out->push_back('{');
      bool first = true;
      for (const std::string* k : keys) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(*k, out);
        out->push_back(':');
        AppendCanonical(v.struct_value().fields().at(*k), out);
      }
      out->push_back('}');
      return;
    }
  }
}

bool AllScalars(const YAML::Node& node) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node v = node.IsMap() ? it->second : *it;
    if (!v.IsScalar() && !v.IsNull()) return false;
  }
  return true;
}

void EmitNode(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out << YAML::Null;
      return;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!" && LooksSpecial(s)) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      return;
    }
    case YAML::NodeType::Sequence:
      if (node.size() == 0 || AllScalars(node)) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const YAML::Node& e : node) EmitNode(out, e);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Map:
      // Small maps of scalars read best on one line: {channel: email, target: a@b.example}.
      if (node.size() == 0 || (AllScalars(node) && node.size() <= 4)) out << YAML::Flow;
      out << YAML::BeginMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        out << YAML::Key << it->first.Scalar() << YAML::Value;
        EmitNode(out, it->second);
      }
      out << YAML::EndMap;
      return;
  }
}

}  // namespace

Value YamlToValue(const YAML::Node& node) {
  Value v;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      v.set_null_value(google::protobuf::NULL_VALUE);
      break;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      double d = 0;
      if (node.Tag() == "!") {
        v.set_string_value(s);  // quoted: always a string
      } else if (IsNullText(s)) {
        v.set_null_value(google::protobuf::NULL_VALUE);
      } else if (s == "true" || s == "false") {
        v.set_bool_value(s == "true");
      } else if (ReadsAsNumber(s, &d)) {
        v.set_number_value(d);
      } else {
        v.set_string_value(s);
      }
      break;
    }
    case YAML::NodeType::Sequence: {
      auto* list = v.mutable_list_value();
      for (const YAML::Node& e : node) *list->add_values() = YamlToValue(e);
      break;
    }
    case YAML::NodeType::Map: {
      auto* fields = v.mutable_struct_value()->mutable_fields();
      for (auto it = node.begin(); it != node.end(); ++it) (*fields)[it->first.Scalar()] = YamlToValue(it->second);
      break;
    }
  }
  return v;
}

YAML::Node ValueToYaml(const Value& value) {
  switch (value.kind_case()) {
    case Value::kNullValue:
    case Value::KIND_NOT_SET:
      return YAML::Node(YAML::NodeType::Null);
    case Value::kBoolValue:
      return YAML::Node(value.bool_value() ? "true" : "false");
    case Value::kNumberValue:
      return YAML::Node(NumberText(value.number_value()));
    case Value::kStringValue: {
      YAML::Node n(value.string_value());
      if (LooksSpecial(value.string_value())) n.SetTag("!");  // stays a string on the way back
      return n;
    }
    case Value::kListValue: {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const Value& e : value.list_value().values()) n.push_back(ValueToYaml(e));
      return n;
    }
    case Value::kStructValue: {
      // Keys sorted, `id` and `name` first as people write them: the same value always gives
      // the same document.
      YAML::Node n(YAML::NodeType::Map);
      std::vector<std::string> keys;
      for (const auto& [k, unused] : value.struct_value().fields()) keys.push_back(k);
      auto rank = [](const std::string& k) { return k == "id" ? 0 : k == "name" ? 1 : 2; };
      std::sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
      });
      for (const std::string& k : keys) n[k] = ValueToYaml(value.struct_value().fields().at(k));
      return n;
    }
  }
  return YAML::Node();
}

std::string CanonicalJson(const Value& value) {
  std::string out;
  AppendCanonical(value, &out);
  return out;
}

absl::StatusOr<Value> ParseJsonValue(const std::string& json) {
  Value v;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &v);
  if (!status.ok()) return absl::InvalidArgumentError(absl::StrCat("not JSON: ", status.message().as_string()));
  return v;
}

std::string ContentHash(const Value& value) {
  const std::string text = CanonicalJson(value);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) absl::StrAppendFormat(&hex, "%02x", digest[i]);
  return hex;
}

std::string EmitYaml(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetIndent(2);
  EmitNode(out, node);
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  return text;
}

}  // namespace recovery::common
