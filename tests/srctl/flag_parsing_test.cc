// srctl's flag text to typed request fields: enum short names, instants, local due times and
// service names; errors are INVALID_ARGUMENT naming the flag.
#include "tools/srctl/flag_parsing.h"

#include <gtest/gtest.h>

#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/common.pb.h"
#include "recovery/v1/follow_up.pb.h"
#include "services/common/proto_time.h"

namespace recovery::srctl {
namespace {

TEST(FlagParsingTest, EnumsTakeShortNamesInAnyCase) {
  EXPECT_EQ(*ParseEnum<recovery::v1::Severity>("--severity", "P1"), recovery::v1::SEVERITY_P1);
  EXPECT_EQ(*ParseEnum<recovery::v1::Severity>("--severity", "p2"), recovery::v1::SEVERITY_P2);
  EXPECT_EQ(*ParseEnum<recovery::v1::Channel>("--channel", "phone"), recovery::v1::CHANNEL_PHONE);
  EXPECT_EQ(*ParseEnum<recovery::v1::EmotionalState>("--emotion", "distressed"),
            recovery::v1::EMOTIONAL_STATE_DISTRESSED);
  EXPECT_EQ(*ParseEnum<recovery::v1::AmendsKind>("--kind", "free-service"), recovery::v1::AMENDS_KIND_FREE_SERVICE);
  EXPECT_EQ(*ParseEnum<recovery::v1::TrendGroupBy>("--by", "root_cause"), recovery::v1::TREND_GROUP_BY_ROOT_CAUSE);
  EXPECT_EQ(*ParseEnum<recovery::v1::CaseStatus>("--status", "CASE_STATUS_OPEN"), recovery::v1::CASE_STATUS_OPEN);
  EXPECT_EQ(*ParseEnum<recovery::v1::EmotionalState>("--emotion", ""), recovery::v1::EMOTIONAL_STATE_UNSPECIFIED);
}

TEST(FlagParsingTest, UnknownEnumValueNamesTheFlagAndTheChoices) {
  const auto bad = ParseEnum<recovery::v1::Severity>("--severity", "P9");
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "--severity: unknown value \"P9\"; expected one of P1, P2, P3, P4");
}

TEST(FlagParsingTest, TimestampsAreRfc3339) {
  const auto t = ParseTimestamp("--at", "2026-11-24T21:40:00Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(common::FromProto(*t), absl::FromUnixSeconds(1795556400));
  const auto bad = ParseTimestamp("--at", "tomorrow");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--at:"), absl::string_view::npos);
}

TEST(FlagParsingTest, LocalDueIsReadInTheGivenZone) {
  // 10:00 in London on 25 November 2026 is 10:00 UTC (no summer time).
  const auto due = ParseInstant("--due", "2026-11-25T10:00:00", "Europe/London");
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(common::FromProto(*due), absl::FromUnixSeconds(1795600800));
  const auto tokyo = ParseInstant("--due", "2026-11-25T10:00:00", "Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(common::FromProto(*tokyo), absl::FromUnixSeconds(1795600800) - absl::Hours(9));
  EXPECT_EQ(ParseInstant("--due", "2026-11-25T10:00:00", "").status().message(),
            "--due: not RFC3339; give --tz for a local time");
  EXPECT_EQ(ParseInstant("--due", "2026-11-25T10:00:00", "Mars/Olympus").status().message(),
            "--tz: unknown IANA time zone");
}

TEST(FlagParsingTest, ServiceNamesAreTheFolderNames) {
  EXPECT_EQ(*ParseServiceName("--service", "follow_up"), "follow_up");
  EXPECT_EQ(*ParseServiceName("--service", "action-plan"), "action_plan");
  const auto bad = ParseServiceName("--service", "billing");
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      bad.status().message(),
      "--service: unknown service \"billing\"; expected one of intake, escalation, action_plan, follow_up, audit");
}

}  // namespace
}  // namespace recovery::srctl
