// Reflection-based printing.
#include "tools/srctl/printer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"

namespace recovery::srctl {
namespace {
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string EnumText(const google::protobuf::EnumValueDescriptor* v) {
  std::string name = v->name();
  // Strip the enum type's UPPER_SNAKE prefix: SEVERITY_P1 -> P1, CASE_STATUS_OPEN -> OPEN.
  std::string type = v->type()->name();
  std::string prefix;
  for (size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    if (i > 0 && std::isupper(static_cast<unsigned char>(c))) prefix.push_back('_');
    prefix.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  prefix.push_back('_');
  if (name.rfind(prefix, 0) == 0) return name.substr(prefix.size());
  return name;
}

std::string WellKnown(const Message& m, bool* handled) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  *handled = true;
  if (d->full_name() == "google.protobuf.Timestamp") {
    const absl::Time t = absl::FromUnixSeconds(r->GetInt64(m, d->FindFieldByName("seconds"))) +
                         absl::Nanoseconds(r->GetInt32(m, d->FindFieldByName("nanos")));
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  }
  if (d->full_name() == "google.protobuf.Duration") {
    return absl::FormatDuration(absl::Seconds(r->GetInt64(m, d->FindFieldByName("seconds"))) +
                                absl::Nanoseconds(r->GetInt32(m, d->FindFieldByName("nanos"))));
  }
  *handled = false;
  return "";
}

std::string ScalarText(const Message& m, const FieldDescriptor* f, int index) {
  const auto* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: return std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64: return std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE: return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT: return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL: return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "yes" : "no";
    case FieldDescriptor::CPPTYPE_ENUM: return EnumText(rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_STRING: return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      bool handled;
      std::string s = WellKnown(sub, &handled);
      return handled ? s : "";
    }
  }
  return "";
}

void Indent(std::string* out, int indent) { out->append(static_cast<size_t>(indent) * 2, ' '); }
}  // namespace

std::string Pretty(const Message& m, int indent) {
  std::string out;
  const auto* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->is_map()) {
      // Maps print as "name:" and one "key: value" line per entry.
      Indent(&out, indent);
      absl::StrAppend(&out, f->name(), ":\n");
      const auto* key = f->message_type()->map_key();
      const auto* value = f->message_type()->map_value();
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const Message& entry = r->GetRepeatedMessage(m, f, i);
        Indent(&out, indent + 1);
        absl::StrAppend(&out, ScalarText(entry, key, 0), ": ", ScalarText(entry, value, 0), "\n");
      }
      continue;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
      for (int i = 0; i < n; ++i) {
        const Message& sub = f->is_repeated() ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f);
        bool handled;
        const std::string wk = WellKnown(sub, &handled);
        Indent(&out, indent);
        if (handled) {
          absl::StrAppend(&out, f->name(), f->is_repeated() ? absl::StrCat("[", i, "]") : "", ": ", wk, "\n");
        } else {
          absl::StrAppend(&out, f->name(), f->is_repeated() ? absl::StrCat("[", i, "]") : "", ":\n",
                          Pretty(sub, indent + 1));
        }
      }
      continue;
    }
    Indent(&out, indent);
    if (f->is_repeated()) {
      std::vector<std::string> items;
      for (int i = 0; i < r->FieldSize(m, f); ++i) items.push_back(ScalarText(m, f, i));
      std::string joined;
      for (size_t i = 0; i < items.size(); ++i) absl::StrAppend(&joined, i ? ", " : "", items[i]);
      absl::StrAppend(&out, f->name(), ": [", joined, "]\n");
    } else {
      std::string v = ScalarText(m, f, 0);
      if (v.find('\n') != std::string::npos) {
        absl::StrAppend(&out, f->name(), ": |\n");
        for (absl::string_view line : absl::StrSplit(v, '\n')) {
          Indent(&out, indent + 1);
          absl::StrAppend(&out, line, "\n");
        }
      } else {
        absl::StrAppend(&out, f->name(), ": ", v, "\n");
      }
    }
  }
  return out;
}

std::string FieldText(const Message& m, const std::string& path) {
  const Message* cur = &m;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto* f = cur->GetDescriptor()->FindFieldByName(parts[i]);
    if (!f) return "";
    const auto* r = cur->GetReflection();
    if (f->is_repeated()) return std::to_string(r->FieldSize(*cur, f));
    if (i + 1 == parts.size()) return ScalarText(*cur, f, 0);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return "";
    cur = &r->GetMessage(*cur, f);
  }
  return "";
}

std::string Table(const std::vector<const Message*>& rows, const std::vector<std::string>& columns) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (const auto& c : columns) width.push_back(c.size());
  for (const Message* m : rows) {
    std::vector<std::string> row;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string v = FieldText(*m, columns[i]);
      std::replace(v.begin(), v.end(), '\n', ' ');
      if (v.size() > 60) v = v.substr(0, 57) + "...";
      width[i] = std::max(width[i], v.size());
      row.push_back(std::move(v));
    }
    cells.push_back(std::move(row));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(width[i] - row[i].size() + 2, ' ');
    }
    out += "\n";
  };
  std::vector<std::string> header;
  for (const auto& c : columns) {
    std::string h = c;
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return std::toupper(ch); });
    header.push_back(h);
  }
  line(header);
  for (const auto& row : cells) line(row);
  return out;
}

std::vector<const Message*> RepeatedMessages(const Message& m, const std::string& field) {
  std::vector<const Message*> out;
  const auto* f = m.GetDescriptor()->FindFieldByName(field);
  if (!f || !f->is_repeated() || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return out;
  const auto* r = m.GetReflection();
  for (int i = 0; i < r->FieldSize(m, f); ++i) out.push_back(&r->GetRepeatedMessage(m, f, i));
  return out;
}

}  // namespace recovery::srctl
