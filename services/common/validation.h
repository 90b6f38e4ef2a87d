// The one request-validation library. Every check names the field it refuses, as
// INVALID_ARGUMENT "<field>: <why>", so a client learns which field to fix. Lengths count
// characters (Unicode code points), not bytes. Services compose these in their own
// validation.{h,cc}; consumed events are checked with the same functions.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/timestamp.pb.h"

namespace recovery::common {

// INVALID_ARGUMENT "<field>: <why>".
absl::Status InvalidField(absl::string_view field, absl::string_view why);

// A stored or received value quoted for an error message or a terminal: at most
// `max_chars` characters, control characters and invalid UTF-8 shown as \xNN escapes.
std::string QuoteForMessage(absl::string_view value, size_t max_chars = 64);

// UTF-8 helpers.
bool IsValidUtf8(absl::string_view text);
// Code points in valid UTF-8 (invalid bytes count one each).
size_t CharCount(absl::string_view text);
// True when the text has nothing but whitespace (Unicode White_Space) and invisible
// zero-width characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD, U+180E).
bool IsBlank(absl::string_view text);

struct TextRule {
  size_t max_chars = 200;
  bool required = false;
  // Long texts may hold newlines and tabs; every other control character is refused.
  bool multiline = false;
};
// Valid UTF-8, no control characters (C0, DEL, C1; newline and tab only when multiline),
// at most max_chars characters, not blank when required.
absl::Status CheckText(absl::string_view field, absl::string_view value, TextRule rule);
inline absl::Status RequireText(absl::string_view field, absl::string_view value, size_t max_chars) {
  return CheckText(field, value, {max_chars, true, false});
}
inline absl::Status OptionalText(absl::string_view field, absl::string_view value, size_t max_chars) {
  return CheckText(field, value, {max_chars, false, false});
}
inline absl::Status LongText(absl::string_view field, absl::string_view value, size_t max_chars, bool required) {
  return CheckText(field, value, {max_chars, required, true});
}

inline constexpr size_t kMaxIdChars = 128;
// An identifier (person, team, client, plan, item, request id): printable ASCII without
// spaces, at most kMaxIdChars.
absl::Status CheckId(absl::string_view field, absl::string_view value, bool required);
// A UUID as the services mint them (case ids, event ids).
absl::Status CheckUuid(absl::string_view field, absl::string_view value, bool required);
// request_id of a write: required, an identifier.
absl::Status CheckRequestId(absl::string_view value);

// google.protobuf.Timestamp's own range, 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z,
// and nanos in [0, 1e9).
absl::Status CheckTimestamp(absl::string_view field, const google::protobuf::Timestamp& ts);
// Both set timestamps valid, and `from` not after `to` (an unset one is open).
absl::Status CheckTimeRange(absl::string_view from_field, const google::protobuf::Timestamp* from,
                            absl::string_view to_field, const google::protobuf::Timestamp* to);
// google.protobuf.Duration's own shape (|seconds| <= 315576000000, nanos sign matching
// seconds) and min <= d <= max.
absl::Status CheckDuration(absl::string_view field, const google::protobuf::Duration& d, absl::Duration min,
                           absl::Duration max);

// An IANA time zone name ("Europe/London", "UTC", "America/Argentina/Buenos_Aires") that
// loads: no paths, no "..", no "localtime"/"posixrules".
bool IsIanaTimeZone(absl::string_view name);
absl::Status CheckTimeZone(absl::string_view field, absl::string_view name, bool required);

absl::Status CheckRange(absl::string_view field, int64_t value, int64_t lo, int64_t hi);

// A protobuf enum field: a known value; UNSPECIFIED (0) only when not required.
absl::Status CheckEnumValue(absl::string_view field, int value, const google::protobuf::EnumDescriptor* descriptor,
                            bool required);
template <typename E>
absl::Status CheckEnum(absl::string_view field, int value, bool required) {
  return CheckEnumValue(field, value, google::protobuf::GetEnumDescriptor<E>(), required);
}

}  // namespace recovery::common
