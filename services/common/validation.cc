// Field-named request checks shared by every service.
#include "services/common/validation.h"

#include <array>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "services/common/ids.h"

namespace recovery::common {
namespace {

constexpr int64_t kMinTimestampSeconds = -62135596800LL;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799LL;  // 9999-12-31T23:59:59Z
constexpr int64_t kMaxDurationSeconds = 315576000000LL;   // 10000 years, as duration.proto says

// Decodes one code point at text[i]; returns its length, or 0 for an invalid sequence.
size_t DecodeUtf8(absl::string_view text, size_t i, char32_t* out) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    *out = c;
    return 1;
  }
  size_t len;
  char32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  static constexpr std::array<char32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *out = cp;
  return len;
}

bool IsWhiteSpace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsZeroWidth(char32_t c) {
  return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || c == 0xAD || c == 0x180E;
}

bool IsControl(char32_t c) { return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F); }

}  // namespace

absl::Status InvalidField(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

std::string QuoteForMessage(absl::string_view value, size_t max_chars) {
  std::string out = "'";
  size_t chars = 0;
  for (size_t i = 0; i < value.size();) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    char32_t cp = 0;
    const size_t len = DecodeUtf8(value, i, &cp);
    if (len == 0 || IsControl(cp)) {
      const size_t n = len == 0 ? 1 : len;
      for (size_t k = 0; k < n; ++k) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(value[i + k]));
        out += buf;
      }
      i += n;
    } else {
      out.append(value.data() + i, len);
      i += len;
    }
    ++chars;
  }
  return out + "'";
}

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    const size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

size_t CharCount(absl::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    char32_t cp;
    const size_t len = DecodeUtf8(text, i, &cp);
    i += len == 0 ? 1 : len;
  }
  return n;
}

bool IsBlank(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    const size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) return false;
    if (!IsWhiteSpace(cp) && !IsZeroWidth(cp)) return false;
    i += len;
  }
  return true;
}

absl::Status CheckText(absl::string_view field, absl::string_view value, TextRule rule) {
  size_t chars = 0;
  for (size_t i = 0; i < value.size(); ++chars) {
    char32_t cp;
    const size_t len = DecodeUtf8(value, i, &cp);
    if (len == 0) return InvalidField(field, "not valid UTF-8");
    if (IsControl(cp) && !(rule.multiline && (cp == '\n' || cp == '\t'))) {
      return InvalidField(field, rule.multiline ? "control characters other than newline and tab are not allowed"
                                                : "control characters are not allowed");
    }
    i += len;
  }
  if (rule.required && IsBlank(value)) return InvalidField(field, "required");
  if (chars > rule.max_chars)
    return InvalidField(field, absl::StrCat("at most ", rule.max_chars, " characters (got ", chars, ")"));
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) return required ? InvalidField(field, "required") : absl::OkStatus();
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F)
      return InvalidField(field,
                          absl::StrCat("not an identifier (printable ASCII without spaces): ", QuoteForMessage(value)));
  }
  if (value.size() > kMaxIdChars)
    return InvalidField(field, absl::StrCat("at most ", kMaxIdChars, " characters (got ", value.size(), ")"));
  return absl::OkStatus();
}

absl::Status CheckUuid(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) return required ? InvalidField(field, "required") : absl::OkStatus();
  if (!IsUuid(std::string(value))) return InvalidField(field, absl::StrCat("not an id: ", QuoteForMessage(value)));
  return absl::OkStatus();
}

absl::Status CheckRequestId(absl::string_view value) {
  if (value.empty()) return InvalidField("request_id", "required (a unique id per write, reused on retry)");
  return CheckId("request_id", value, true);
}

absl::Status CheckTimestamp(absl::string_view field, const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinTimestampSeconds || ts.seconds() > kMaxTimestampSeconds)
    return InvalidField(field, "outside 0001-01-01 .. 9999-12-31");
  if (ts.nanos() < 0 || ts.nanos() > 999999999) return InvalidField(field, "nanos must be in [0, 999999999]");
  return absl::OkStatus();
}

absl::Status CheckTimeRange(absl::string_view from_field, const google::protobuf::Timestamp* from,
                            absl::string_view to_field, const google::protobuf::Timestamp* to) {
  if (from != nullptr) {
    if (auto s = CheckTimestamp(from_field, *from); !s.ok()) return s;
  }
  if (to != nullptr) {
    if (auto s = CheckTimestamp(to_field, *to); !s.ok()) return s;
  }
  if (from != nullptr && to != nullptr &&
      (from->seconds() > to->seconds() || (from->seconds() == to->seconds() && from->nanos() > to->nanos()))) {
    return InvalidField(to_field, absl::StrCat("must not be before ", from_field));
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(absl::string_view field, const google::protobuf::Duration& d, absl::Duration min,
                           absl::Duration max) {
  if (d.seconds() < -kMaxDurationSeconds || d.seconds() > kMaxDurationSeconds || d.nanos() <= -1000000000 ||
      d.nanos() >= 1000000000 || (d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0)) {
    return InvalidField(field, "not a valid duration");
  }
  const absl::Duration v = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  if (v < min) return InvalidField(field, absl::StrCat("must be at least ", absl::FormatDuration(min)));
  if (v > max) return InvalidField(field, absl::StrCat("must be at most ", absl::FormatDuration(max)));
  return absl::OkStatus();
}

bool IsIanaTimeZone(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (name == "localtime" || name == "posixrules" || name == "Factory") return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(name[0]))) return false;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+') return false;
    }
  }
  absl::TimeZone tz;
  return absl::LoadTimeZone(std::string(name), &tz);
}

absl::Status CheckTimeZone(absl::string_view field, absl::string_view name, bool required) {
  if (name.empty()) return required ? InvalidField(field, "required") : absl::OkStatus();
  if (!IsIanaTimeZone(name))
    return InvalidField(
        field, absl::StrCat("unknown IANA time zone ", QuoteForMessage(name), " (use a name such as Europe/London)"));
  return absl::OkStatus();
}

absl::Status CheckRange(absl::string_view field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) return InvalidField(field, absl::StrCat("must be between ", lo, " and ", hi));
  return absl::OkStatus();
}

absl::Status CheckEnumValue(absl::string_view field, int value, const google::protobuf::EnumDescriptor* descriptor,
                            bool required) {
  if (value == 0) return required ? InvalidField(field, "required") : absl::OkStatus();
  if (descriptor->FindValueByNumber(value) == nullptr)
    return InvalidField(field, absl::StrCat("unknown value ", value));
  return absl::OkStatus();
}

}  // namespace recovery::common
