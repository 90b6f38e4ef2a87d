// Unit tests for loading and validating the escalation configuration from YAML.
#include "services/escalation/domain/config.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/escalation/domain/routing.h"
#include "tests/escalation/test_util.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

using ::testing::HasSubstr;
using testing_util::Utc;

constexpr const char* kMinimal = R"(
people:
  - id: alice
    time_zone: Europe/London
    contact_methods: [{channel: webhook, target: "https://h/alice"}]
calendars:
  - {id: cal, time_zone: Europe/London, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: s
    time_zone: Europe/London
    layers: [{participants: [alice], rotation: 1d, start_date: 2026-01-05, handoff_time: "09:00"}]
policies:
  - id: p
    tiers: [{targets: [{schedule: s}], ack_timeout: 5m}]
teams:
  - {id: t, calendar: cal, schedule: s, policy: p}
routing_rules:
  - {id: r, team: t}
)";

// Replaces the first occurrence of `from` in the minimal document and parses it.
absl::Status ParseWith(const std::string& from, const std::string& to) {
  std::string doc = kMinimal;
  const std::size_t at = doc.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) doc.replace(at, from.size(), to);
  return ParseEscalationConfig(YAML::Load(doc)).status();
}

TEST(ConfigTest, ExampleYamlLoadsAndRoutes) {
  const YAML::Node root = YAML::LoadFile(std::string(RECOVERY_SOURCE_DIR) + "/services/escalation/domain/example.yaml");
  absl::StatusOr<EscalationConfig> config = ParseEscalationConfig(root);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->people.size(), 5u);
  EXPECT_EQ(config->teams.size(), 2u);
  EXPECT_EQ(config->calendars.size(), 2u);
  ASSERT_NE(config->FindPolicy("oncall-then-lead"), nullptr);
  EXPECT_EQ(config->FindPolicy("oncall-then-lead")->tiers.size(), 2u);
  EXPECT_EQ(config->FindPerson("alice")->notification_rules[1].delay, absl::Minutes(2));
  const Schedule* s = config->FindSchedule("platform-oncall");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(WhoIsOnCallAt(*s, Utc(2026, 3, 29, 12)), ::testing::ElementsAre("bob"));  // override
  // Christmas Day: a low-severity billing case is held until the New York office reopens.
  CaseFacts facts{"c", "billing", recovery::v1::SEVERITY_P4, "", "", "", ""};
  absl::StatusOr<RoutingDecision> d =
      Route(config->routing_rules, config->teams, config->calendars, facts, nullptr, Utc(2026, 12, 25, 15));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->team_id, "accounts");
  EXPECT_EQ(d->mode, PageMode::kHold);
  EXPECT_EQ(*d->hold_until, Utc(2026, 12, 28, 13));  // Monday 08:00 EST
}

TEST(ConfigTest, MinimalConfigParses) {
  absl::StatusOr<EscalationConfig> config = ParseEscalationConfig(YAML::Load(kMinimal));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->routing_rules[0].team_id, "t");
  EXPECT_EQ(config->teams[0].owner_ack_timeout, absl::Minutes(15));
}

TEST(ConfigTest, RuleNamingUnknownTeamIsRejectedWithPath) {
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: r, team: ghost}").message(),
              HasSubstr("routing_rules[0].team: unknown team 'ghost'"));
}

TEST(ConfigTest, BadTimeZoneIsRejectedWithPath) {
  EXPECT_THAT(ParseWith("time_zone: Europe/London\n    contact", "time_zone: Europe/Londn\n    contact").message(),
              HasSubstr("people[0].time_zone: unknown time zone 'Europe/Londn'"));
  EXPECT_THAT(ParseWith("  - id: s\n    time_zone: Europe/London", "  - id: s\n    time_zone: Nowhere").message(),
              HasSubstr("schedules[0].time_zone: unknown time zone"));
}

TEST(ConfigTest, TimeZonesAreIanaNamesOnlyNotPaths) {
  for (const char* zone : {"/usr/share/zoneinfo/Asia/Tokyo", "Europe/../Asia/Tokyo", "localtime"}) {
    EXPECT_THAT(
        ParseWith("time_zone: Europe/London\n    contact", absl::StrCat("time_zone: \"", zone, "\"\n    contact"))
            .message(),
        HasSubstr("people[0].time_zone: unknown time zone"))
        << zone;
  }
  EXPECT_TRUE(ParseEscalationConfig(YAML::Load(kMinimal)).ok());
}

TEST(ConfigTest, TierWithoutTargetsIsRejected) {
  EXPECT_THAT(ParseWith("targets: [{schedule: s}]", "targets: []").message(),
              HasSubstr("policies[0].tiers[0].targets: a tier needs at least one target"));
}

TEST(ConfigTest, NegativeOrZeroTimeoutIsRejected) {
  EXPECT_THAT(ParseWith("ack_timeout: 5m", "ack_timeout: -5m").message(),
              HasSubstr("policies[0].tiers[0].ack_timeout: must be positive"));
  EXPECT_THAT(ParseWith("ack_timeout: 5m", "ack_timeout: soon").message(),
              HasSubstr("policies[0].tiers[0].ack_timeout: invalid duration"));
}

TEST(ConfigTest, UnknownReferencesAreRejectedWithPath) {
  EXPECT_THAT(ParseWith("targets: [{schedule: s}]", "targets: [{person: zed}]").message(),
              HasSubstr("policies[0].tiers[0].targets[0].person: unknown person 'zed'"));
  EXPECT_THAT(ParseWith("participants: [alice]", "participants: [alice, zed]").message(),
              HasSubstr("schedules[0].layers[0].participants[1]: unknown person 'zed'"));
  EXPECT_THAT(ParseWith("calendar: cal", "calendar: nope").message(), HasSubstr("teams[0].calendar: unknown calendar"));
  EXPECT_THAT(ParseWith("policy: p}", "policy: q}").message(), HasSubstr("teams[0].policy: unknown policy 'q'"));
}

TEST(ConfigTest, MalformedValuesAreRejectedWithPath) {
  EXPECT_THAT(ParseWith("rotation: 1d", "rotation: daily").message(),
              HasSubstr("schedules[0].layers[0].rotation: invalid rotation 'daily'"));
  EXPECT_THAT(ParseWith("channel: webhook", "channel: pager").message(),
              HasSubstr("people[0].contact_methods[0].channel: unknown channel 'pager'"));
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: r, team: t, severities: [P9]}").message(),
              HasSubstr("routing_rules[0].severities[0]: unknown severity 'P9'"));
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: r, team: t, colour: red}").message(),
              HasSubstr("routing_rules[0].colour: unknown key"));
  EXPECT_THAT(ParseWith("weekly: {mon: [\"09:00-17:00\"]}", "weekly: {mon: [\"17:00-09:00\"]}").message(),
              HasSubstr("calendars[0].weekly.mon[0]: end before start"));
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: t, team: t}\n  - {id: t, team: t}").message(),
              HasSubstr("routing_rules[1].id: duplicate routing rule id 't'"));
}

TEST(ConfigTest, NotificationRuleNeedsMatchingContactMethod) {
  EXPECT_THAT(ParseWith("contact_methods: [{channel: webhook, target: \"https://h/alice\"}]",
                        "contact_methods: [{channel: webhook, target: \"https://h/alice\"}]\n"
                        "    notification_rules: [{channel: email, delay: 1m}]")
                  .message(),
              HasSubstr("people[0].notification_rules[0].channel: no contact method for channel 'email'"));
}

TEST(ConfigTest, NonMapDocumentIsAnErrorNotAnException) {
  EXPECT_EQ(ParseEscalationConfig(YAML::Load("- just\n- a list\n")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEscalationConfig(YAML::Node()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace recovery::escalation
