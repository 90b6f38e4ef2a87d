// The common core: validation (field-named, code points, blanks, control characters, time
// zones, timestamps), status macros, time conversion, severity names, backoff.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recovery/v1/common.pb.h"
#include "services/common/backoff.h"
#include "services/common/proto_time.h"
#include "services/common/severity.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace recovery::common {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

MATCHER_P(InvalidNaming, field, "") {
  return arg.code() == absl::StatusCode::kInvalidArgument &&
         absl::string_view(arg.message()).substr(0, std::string(field).size() + 1) == std::string(field) + ":";
}

TEST(Validation, LengthsCountCharactersNotBytes) {
  const std::string five_kanji = "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD\xE5\xBA\x81\xE5\x89\x8D";  // 5 chars, 15 bytes
  EXPECT_EQ(CharCount(five_kanji), 5u);
  EXPECT_TRUE(RequireText("summary", five_kanji, 5).ok());
  const absl::Status too_long = RequireText("summary", five_kanji, 4);
  EXPECT_THAT(too_long, InvalidNaming("summary"));
  EXPECT_THAT(std::string(too_long.message()), HasSubstr("at most 4 characters (got 5)"));
}

TEST(Validation, WhitespaceAndZeroWidthOnlyIsEmpty) {
  EXPECT_THAT(RequireText("summary", "", 10), InvalidNaming("summary"));
  EXPECT_THAT(RequireText("summary", "  \t ", 10), InvalidNaming("summary"));
  EXPECT_THAT(RequireText("summary", "\xE2\x80\x8B\xE2\x80\x8B", 10), InvalidNaming("summary"));  // U+200B x2
  EXPECT_THAT(RequireText("summary", "\xEF\xBB\xBF \xC2\xA0", 10), InvalidNaming("summary"));     // BOM, NBSP
  EXPECT_THAT(RequireText("summary", "\xE3\x80\x80", 10), InvalidNaming("summary"));              // ideographic space
  EXPECT_TRUE(RequireText("summary", " a ", 10).ok());
  EXPECT_TRUE(OptionalText("summary", "", 10).ok());
}

TEST(Validation, ControlCharactersRefusedExceptNewlineAndTabInLongText) {
  EXPECT_THAT(RequireText("name", "Lee\x1b[31m", 50), InvalidNaming("name"));
  EXPECT_THAT(RequireText("name", "two\nlines", 50), InvalidNaming("name"));
  EXPECT_THAT(RequireText("name", "del\x7f", 50), InvalidNaming("name"));
  EXPECT_THAT(RequireText("name", "c1\xC2\x9B", 50), InvalidNaming("name"));  // U+009B CSI
  EXPECT_TRUE(LongText("description", "line one\n\tline two", 50, true).ok());
  EXPECT_THAT(LongText("description", "bell\a", 50, true), InvalidNaming("description"));
  EXPECT_THAT(LongText("description", "cr\r\n", 50, true), InvalidNaming("description"));
}

TEST(Validation, InvalidUtf8Refused) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE6\x9D"));          // truncated
  EXPECT_THAT(RequireText("summary", "ok\xFF", 50), InvalidNaming("summary"));
}

TEST(Validation, QuoteForMessageEscapesControlsAndTruncates) {
  EXPECT_EQ(QuoteForMessage("a\x1b[2Jb"), "'a\\x1B[2Jb'");
  EXPECT_EQ(QuoteForMessage("abcdef", 3), "'abc...'");
  EXPECT_EQ(QuoteForMessage("\xFF"), "'\\xFF'");
}

TEST(Validation, TimeZonesMustBeIanaNames) {
  for (const char* ok : {"Europe/London", "UTC", "Asia/Tokyo", "America/Argentina/Buenos_Aires", "Etc/GMT+5"}) {
    EXPECT_TRUE(CheckTimeZone("client.time_zone", ok, true).ok()) << ok;
  }
  for (const char* bad : {"/usr/share/zoneinfo/Asia/Tokyo", "Europe/../Asia/Tokyo", "localtime", "posixrules",
                          "Europe//London", "Mars/Olympus", "Asia/Tokyo/", "./UTC", "Europe/London\n"}) {
    EXPECT_THAT(CheckTimeZone("client.time_zone", bad, true), InvalidNaming("client.time_zone")) << bad;
  }
  EXPECT_TRUE(CheckTimeZone("client.time_zone", "", false).ok());
  EXPECT_THAT(CheckTimeZone("client.time_zone", "", true), InvalidNaming("client.time_zone"));
}

TEST(Validation, TimestampsWithinProtobufRange) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(-62135596800LL);  // 0001-01-01
  EXPECT_TRUE(CheckTimestamp("since", ts).ok());
  ts.set_seconds(INT64_MIN);
  EXPECT_THAT(CheckTimestamp("since", ts), InvalidNaming("since"));
  ts.set_seconds(253402300800LL);  // 10000-01-01
  EXPECT_THAT(CheckTimestamp("since", ts), InvalidNaming("since"));
  ts.set_seconds(0);
  ts.set_nanos(-5);
  EXPECT_THAT(CheckTimestamp("since", ts), InvalidNaming("since"));
  ts.set_nanos(2000000000);
  EXPECT_THAT(CheckTimestamp("since", ts), InvalidNaming("since"));
}

TEST(Validation, TimeRangeOrdered) {
  google::protobuf::Timestamp from, to;
  from.set_seconds(100);
  to.set_seconds(50);
  EXPECT_THAT(CheckTimeRange("from", &from, "to", &to), InvalidNaming("to"));
  to.set_seconds(100);
  EXPECT_TRUE(CheckTimeRange("from", &from, "to", &to).ok());
  EXPECT_TRUE(CheckTimeRange("from", &from, "to", nullptr).ok());
}

TEST(Validation, DurationShapeAndBounds) {
  google::protobuf::Duration d;
  d.set_seconds(60);
  EXPECT_TRUE(CheckDuration("ack_timeout", d, absl::Seconds(1), absl::Hours(24)).ok());
  EXPECT_THAT(CheckDuration("ack_timeout", d, absl::Minutes(5), absl::Hours(24)), InvalidNaming("ack_timeout"));
  d.set_nanos(-1);  // sign differs from seconds
  EXPECT_THAT(CheckDuration("ack_timeout", d, absl::ZeroDuration(), absl::Hours(24)), InvalidNaming("ack_timeout"));
}

TEST(Validation, IdsArePrintableAsciiWithoutSpaces) {
  EXPECT_TRUE(CheckId("person_id", "lee.smith@acme", true).ok());
  EXPECT_THAT(CheckId("person_id", "", true), InvalidNaming("person_id"));
  EXPECT_TRUE(CheckId("person_id", "", false).ok());
  EXPECT_THAT(CheckId("person_id", "lee smith", true), InvalidNaming("person_id"));
  EXPECT_THAT(CheckId("person_id", "l\xC3\xA9", true), InvalidNaming("person_id"));
  EXPECT_THAT(CheckId("person_id", std::string(129, 'a'), true), InvalidNaming("person_id"));
  EXPECT_THAT(CheckUuid("case_id", "not-a-uuid", true), InvalidNaming("case_id"));
  EXPECT_THAT(CheckRequestId(""), InvalidNaming("request_id"));
}

TEST(Validation, EnumsKnownAndRequired) {
  EXPECT_TRUE(CheckEnum<recovery::v1::Severity>("severity", 1, true).ok());
  EXPECT_THAT(CheckEnum<recovery::v1::Severity>("severity", 0, true), InvalidNaming("severity"));
  EXPECT_TRUE(CheckEnum<recovery::v1::Severity>("severity", 0, false).ok());
  EXPECT_THAT(CheckEnum<recovery::v1::Severity>("severity", 5, false), InvalidNaming("severity"));
  EXPECT_THAT(CheckRange("limit", 1001, 0, 1000), InvalidNaming("limit"));
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("x: odd");
  return x / 2;
}

absl::Status Quarter(int x, int* out) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(*out, Half(half));
  RETURN_IF_ERROR(absl::OkStatus());
  RETURN_IF_ERROR(Half(*out));
  return absl::OkStatus();
}

TEST(StatusMacros, ReturnFirstErrorAndAssignValues) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_THAT(Quarter(6, &out), InvalidNaming("x"));  // 6 -> 3 is odd
  EXPECT_THAT(Quarter(4, &out), InvalidNaming("x"));  // 1 fails the RETURN_IF_ERROR on a StatusOr
}

TEST(ProtoTime, RoundTripsMicrosAndDurations) {
  const absl::Time t = absl::FromUnixMicros(-1500001);  // before 1970: nanos stay positive
  const auto ts = ToProto(t);
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 499999000);
  EXPECT_EQ(FromProto(ts), t);
  const absl::Duration d = -absl::Milliseconds(1500);
  const auto pd = ToProtoDuration(d);
  EXPECT_EQ(pd.seconds(), -1);
  EXPECT_EQ(pd.nanos(), -500000000);
  EXPECT_EQ(FromProtoDuration(pd), d);
}

TEST(Severity, NamesAndOrder) {
  EXPECT_EQ(ParseSeverity("p1"), recovery::v1::SEVERITY_P1);
  EXPECT_EQ(ParseSeverity("SEVERITY_P4"), recovery::v1::SEVERITY_P4);
  EXPECT_EQ(ParseSeverity("P5"), std::nullopt);
  EXPECT_EQ(ParseSeverity("P0"), std::nullopt);
  EXPECT_EQ(ParseSeverity("UNSPECIFIED"), std::nullopt);
  EXPECT_EQ(SeverityName(recovery::v1::SEVERITY_P2), "P2");
  EXPECT_TRUE(MoreUrgent(recovery::v1::SEVERITY_P1, recovery::v1::SEVERITY_P3));
  EXPECT_FALSE(MoreUrgent(recovery::v1::SEVERITY_P3, recovery::v1::SEVERITY_P3));
  EXPECT_TRUE(MoreUrgent(recovery::v1::SEVERITY_P4, recovery::v1::SEVERITY_UNSPECIFIED));
}

TEST(Backoff, ExponentialCappedWithJitter) {
  const BackoffPolicy p{absl::Milliseconds(100), absl::Seconds(1), 2.0, 0.5};
  EXPECT_EQ(p.Delay(1), absl::Milliseconds(100));
  EXPECT_EQ(p.Delay(3), absl::Milliseconds(400));
  EXPECT_EQ(p.Delay(10), absl::Seconds(1));
  EXPECT_EQ(p.Delay(1000), absl::Seconds(1));
  EXPECT_EQ(p.Delay(1, 1.0), absl::Milliseconds(50));
  EXPECT_EQ(p.Delay(0), absl::Milliseconds(100));
}

}  // namespace
}  // namespace recovery::common
