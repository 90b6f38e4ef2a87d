// Reflection-based printing and terminal escaping.
#include "tools/srctl/printer.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "tools/srctl/rpc_client.h"

namespace recovery::srctl {
namespace {
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kMaxCellChars = 60;

// The length (1..4) of the valid UTF-8 sequence at text[i], with its code point in *cp; 0 when
// the bytes there are not valid UTF-8 (a stray continuation byte, an overlong form, a
// surrogate, beyond U+10FFFF, or cut short).
int DecodeUtf8(absl::string_view text, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  }
  int length = 0;
  uint32_t value = 0;
  unsigned char second_min = 0x80, second_max = 0xBF;  // the ranges of RFC 3629's table
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (i + static_cast<size_t>(length) > text.size()) return 0;
  for (int k = 1; k < length; ++k) {
    const unsigned char next = byte(i + static_cast<size_t>(k));
    if (next < (k == 1 ? second_min : 0x80) || next > (k == 1 ? second_max : 0xBF)) return 0;
    value = (value << 6) | (next & 0x3F);
  }
  *cp = value;
  return length;
}

bool IsControl(uint32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

size_t CharCount(absl::string_view valid_utf8) {
  return static_cast<size_t>(std::count_if(valid_utf8.begin(), valid_utf8.end(),
                                           [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The first `chars` characters of valid UTF-8 text.
absl::string_view FirstChars(absl::string_view valid_utf8, size_t chars) {
  size_t i = 0;
  for (size_t seen = 0; i < valid_utf8.size(); ++i) {
    if ((static_cast<unsigned char>(valid_utf8[i]) & 0xC0) != 0x80 && seen++ == chars) break;
  }
  return valid_utf8.substr(0, i);
}

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
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "yes" : "no";
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumText(rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      bool handled;
      std::string s = WellKnown(sub, &handled);
      return handled ? s : "";
    }
  }
  return "";
}

// A scalar field's value ready to print on one line.
std::string ScalarDisplay(const Message& m, const FieldDescriptor* f, int index) {
  return EscapeForTerminal(ScalarText(m, f, index), TextLayout::kSingleLine);
}

void Indent(std::string* out, int indent) { out->append(static_cast<size_t>(indent) * 2, ' '); }
}  // namespace

std::string EscapeForTerminal(absl::string_view text, TextLayout layout) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const int length = DecodeUtf8(text, i, &cp);
    if (length == 0) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (cp == '\n' || cp == '\t') {
      if (layout == TextLayout::kMultiLine) {
        out.push_back(static_cast<char>(cp));
      } else {
        out += cp == '\n' ? "\\n" : "\\t";
      }
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02x", cp);
    } else if (cp >= 0x80 && cp <= 0x9F) {
      absl::StrAppendFormat(&out, "\\u%04x", cp);
    } else {
      absl::StrAppend(&out, text.substr(i, static_cast<size_t>(length)));
    }
    i += static_cast<size_t>(length);
  }
  return out;
}

std::string EscapeJsonForTerminal(absl::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (in_string && c == '\\' && i + 1 < json.size() && json[i + 1] >= 0x20 && json[i + 1] < 0x7F) {
      absl::StrAppend(&out, json.substr(i, 2));  // an escape the JSON already has: \" \\ \n \u00e9 ...
      i += 2;
      continue;
    }
    uint32_t cp = 0;
    const int length = DecodeUtf8(json, i, &cp);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (c == '"') in_string = !in_string;
    const bool json_whitespace = !in_string && (c == '\n' || c == '\t' || c == '\r');
    if (IsControl(cp) && !json_whitespace) {
      absl::StrAppendFormat(&out, "\\u%04x", cp);
    } else {
      absl::StrAppend(&out, json.substr(i, static_cast<size_t>(length)));
    }
    i += static_cast<size_t>(length);
  }
  return out;
}

std::string JsonLine(const Message& m) { return EscapeJsonForTerminal(ToJson(m, /*pretty=*/false)); }

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
        absl::StrAppend(&out, ScalarDisplay(entry, key, 0), ": ", ScalarDisplay(entry, value, 0), "\n");
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
      for (int i = 0; i < r->FieldSize(m, f); ++i) items.push_back(ScalarDisplay(m, f, i));
      std::string joined;
      for (size_t i = 0; i < items.size(); ++i) absl::StrAppend(&joined, i ? ", " : "", items[i]);
      absl::StrAppend(&out, f->name(), ": [", joined, "]\n");
    } else {
      const std::string v = ScalarText(m, f, 0);
      // Bytes are not text: every control in them is escaped, line breaks too.
      if (f->type() != FieldDescriptor::TYPE_BYTES && v.find('\n') != std::string::npos) {
        absl::StrAppend(&out, f->name(), ": |\n");
        for (absl::string_view line : absl::StrSplit(v, '\n')) {
          Indent(&out, indent + 1);
          absl::StrAppend(&out, EscapeForTerminal(line, TextLayout::kMultiLine), "\n");
        }
      } else {
        absl::StrAppend(&out, f->name(), ": ", EscapeForTerminal(v, TextLayout::kSingleLine), "\n");
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

std::string DisplayText(const Message& m, const std::string& path) {
  return EscapeForTerminal(FieldText(m, path), TextLayout::kSingleLine);
}

std::string Table(const std::vector<const Message*>& rows, const std::vector<std::string>& columns) {
  std::vector<std::string> headers;
  for (const auto& c : columns) {
    std::string h = c;
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return std::toupper(ch); });
    headers.push_back(std::move(h));
  }
  std::vector<std::vector<std::string>> cells;
  for (const Message* m : rows) {
    std::vector<std::string> row;
    for (const auto& c : columns) row.push_back(FieldText(*m, c));
    cells.push_back(std::move(row));
  }
  return TextTable(headers, cells);
}

std::string TextTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& h : headers) width.push_back(CharCount(h));
  std::vector<std::vector<std::string>> cells;
  for (const auto& raw : rows) {
    std::vector<std::string> row;
    for (size_t i = 0; i < headers.size(); ++i) {
      std::string v = i < raw.size() ? raw[i] : "";
      std::replace(v.begin(), v.end(), '\n', ' ');
      v = EscapeForTerminal(v, TextLayout::kSingleLine);
      if (CharCount(v) > kMaxCellChars) v = absl::StrCat(FirstChars(v, kMaxCellChars - 3), "...");
      width[i] = std::max(width[i], CharCount(v));
      row.push_back(std::move(v));
    }
    cells.push_back(std::move(row));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(width[i] - CharCount(row[i]) + 2, ' ');
    }
    out += "\n";
  };
  line(headers);
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
