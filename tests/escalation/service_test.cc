// Unit tests for the service layer: request and consumed-event validation (field-named
// errors), configuration parsing with delivery settings, and the override-merged directory.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/escalation/app.h"
#include "services/escalation/domain/schedule.h"
#include "services/escalation/grpc_service.h"
#include "services/escalation/scopes.h"
#include "services/escalation/validation.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

constexpr char kYaml[] = R"(
webhook_secret: yaml-secret
smtp: smtp://127.0.0.1:2525
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

EscalationSettings Parse(const std::string& yaml = kYaml) {
  auto s = ParseSettings(YAML::Load(yaml));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : EscalationSettings{};
}

const std::string kPage = common::NewId(absl::UnixEpoch());
const std::string kEscalation = common::NewId(absl::UnixEpoch());

absl::Time At(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

void ExpectError(const absl::Status& s, absl::StatusCode code, const std::string& prefix) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(std::string(s.message()).rfind(prefix, 0), 0u) << s.message();
}

TEST(SettingsTest, ReadsDeliveryKeysBesideTheDomainConfig) {
  unsetenv("RECOVERY_WEBHOOK_SECRET");
  EscalationSettings s = Parse();
  EXPECT_EQ(s.delivery.webhook_secret, "yaml-secret");
  EXPECT_EQ(s.delivery.smtp_url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(s.directory.people.size(), 2u);
}

TEST(SettingsTest, EnvironmentSecretWinsOverYaml) {
  setenv("RECOVERY_WEBHOOK_SECRET", "env-secret", 1);
  EXPECT_EQ(Parse().delivery.webhook_secret, "env-secret");
  unsetenv("RECOVERY_WEBHOOK_SECRET");
}

TEST(SettingsTest, ErrorsNameTheKey) {
  auto bad_smtp = ParseSettings(YAML::Load(std::string(kYaml) + "smtp_from: x\n"));
  EXPECT_TRUE(bad_smtp.ok());
  auto bad_url = ParseSettings(YAML::Load("smtp: http://nope\n"));
  ExpectError(bad_url.status(), absl::StatusCode::kInvalidArgument, "smtp:");
  auto bad_team = ParseSettings(YAML::Load(std::string(kYaml) + "  - {id: x, team: nope}\n"));
  ExpectError(bad_team.status(), absl::StatusCode::kInvalidArgument, "routing_rules[1].team");
}

TEST(SettingsTest, WebhookTimeoutIsReadAndMustFitInTheLease) {
  EXPECT_EQ(Parse().delivery.webhook_timeout, absl::Seconds(5)) << "the default";
  auto slow = ParseSettings(YAML::Load(std::string(kYaml) + "webhook_timeout: 30s\n"));
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(slow->delivery.webhook_timeout, absl::Seconds(30));
  ExpectError(ParseSettings(YAML::Load(std::string(kYaml) + "webhook_timeout: 2m\n")).status(),
              absl::StatusCode::kInvalidArgument,
              "webhook_timeout: must be positive and shorter than the delivery lease");
  ExpectError(ParseSettings(YAML::Load(std::string(kYaml) + "webhook_timeout: 0s\n")).status(),
              absl::StatusCode::kInvalidArgument, "webhook_timeout:");
}

TEST(SettingsTest, SignatureVersionsAndPreviousSecretsAreRead) {
  const EscalationSettings plain = Parse();
  EXPECT_FALSE(plain.delivery.sign_v1) << "version 1 only when asked for";
  EXPECT_TRUE(plain.delivery.sign_v2) << "version 2 by default";
  EXPECT_TRUE(plain.delivery.webhook_previous_secrets.empty());
  auto both = ParseSettings(
      YAML::Load(std::string(kYaml) + "webhook_signatures: [v1, v2]\nwebhook_previous_secrets: [old-1, old-2]\n"));
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_TRUE(both->delivery.sign_v1);
  EXPECT_TRUE(both->delivery.sign_v2);
  EXPECT_EQ(both->delivery.webhook_previous_secrets, (std::vector<std::string>{"old-1", "old-2"}));
  auto v1 = ParseSettings(YAML::Load(std::string(kYaml) + "webhook_signatures: [v1]\n"));
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_TRUE(v1->delivery.sign_v1);
  EXPECT_FALSE(v1->delivery.sign_v2);
  ExpectError(ParseSettings(YAML::Load(std::string(kYaml) + "webhook_signatures: [v2, v3]\n")).status(),
              absl::StatusCode::kInvalidArgument, "webhook_signatures[1]: unknown signature version 'v3'");
  ExpectError(ParseSettings(YAML::Load(std::string(kYaml) + "webhook_signatures: []\n")).status(),
              absl::StatusCode::kInvalidArgument, "webhook_signatures: name at least one version");
}

TEST(SettingsTest, UnknownKeysAreRejected) {
  auto typo = ParseSettings(YAML::Load(std::string(kYaml) + "webhook_secrett: x\n"));
  ExpectError(typo.status(), absl::StatusCode::kInvalidArgument, "(root)");
  EXPECT_NE(typo.status().message().find("webhook_secrett"), std::string::npos) << typo.status();
}

TEST(MergeOverridesTest, StoredOverridesWinOverTheRotation) {
  const EscalationConfig dir = Parse().directory;
  const absl::Time t = At("2026-11-24T22:00:00Z");
  EXPECT_EQ(WhoIsOnCallAt(*dir.FindSchedule("oncall"), t), std::vector<std::string>{"alice"});
  const EscalationConfig merged =
      MergeOverrides(dir, {StoredOverride{"o1", "oncall", "bob", t - absl::Hours(1), t + absl::Hours(1), "swap", ""},
                           StoredOverride{"o2", "nope", "bob", t, t + absl::Hours(1), "unknown schedule", ""}});
  EXPECT_EQ(WhoIsOnCallAt(*merged.FindSchedule("oncall"), t), std::vector<std::string>{"bob"});
  EXPECT_EQ(WhoIsOnCallAt(*MergeOverrides(dir, {}).FindSchedule("oncall"), t), std::vector<std::string>{"alice"});
}

TEST(ScopesTest, OnlyAPersonAcknowledges) {
  const CallerScope integration{.actor = "integration:monitoring", .person_id = "", .acknowledge_any = true};
  ExpectError(MayAcknowledge(integration, kPage, "", {"alice"}), absl::StatusCode::kPermissionDenied,
              "AcknowledgePage: only a person can acknowledge a page");
  const CallerScope alice{.actor = "person:alice", .person_id = "alice"};
  EXPECT_TRUE(MayAcknowledge(alice, kPage, "", {"alice"}).ok());
  ExpectError(MayAcknowledge(alice, kPage, "", {"bob"}), absl::StatusCode::kPermissionDenied,
              "pages.acknowledge: page ");
  EXPECT_TRUE(MayAcknowledge(alice, "", kEscalation, {"bob", "alice"}).ok());
  ExpectError(MayAcknowledge(alice, "", kEscalation, {}), absl::StatusCode::kPermissionDenied,
              "pages.acknowledge: escalation ");
}

TEST(ScopesTest, HoldsThroughoutNeedsEveryInstantOfTheSpan) {
  const EscalationConfig dir = Parse().directory;  // oncall: alice, weekly from 2026-01-05 09:00
  const Schedule& oncall = *dir.FindSchedule("oncall");
  const absl::Time t = At("2026-11-24T22:00:00Z");
  EXPECT_TRUE(HoldsThroughout(oncall, "alice", t, t + absl::Hours(2)));
  EXPECT_FALSE(HoldsThroughout(oncall, "bob", t, t + absl::Hours(2)));
  const EscalationConfig merged = MergeOverrides(
      dir, {StoredOverride{"o1", "oncall", "bob", t + absl::Hours(1), t + absl::Hours(2), "swap", "person:alice"}});
  EXPECT_FALSE(HoldsThroughout(*merged.FindSchedule("oncall"), "alice", t, t + absl::Hours(2)));
  EXPECT_TRUE(HoldsThroughout(*merged.FindSchedule("oncall"), "alice", t, t + absl::Hours(1)));
  // Before the layer starts nobody is on call.
  EXPECT_FALSE(HoldsThroughout(oncall, "alice", At("2026-01-01T00:00:00Z"), At("2026-01-06T00:00:00Z")));
}

class ValidationTest : public ::testing::Test {
 protected:
  EscalationConfig dir_ = Parse().directory;
};

TEST_F(ValidationTest, AcknowledgePageNeedsRequestIdAndPageOrEscalation) {
  v1::AcknowledgePageRequest r;
  ExpectError(ValidateAcknowledgePage(r), absl::StatusCode::kInvalidArgument, "request_id: required");
  r.set_request_id("req-1");
  ExpectError(ValidateAcknowledgePage(r), absl::StatusCode::kInvalidArgument, "page_id:");
  r.set_page_id(kPage);
  EXPECT_TRUE(ValidateAcknowledgePage(r).ok());
  r.set_escalation_id(kEscalation);
  ExpectError(ValidateAcknowledgePage(r), absl::StatusCode::kInvalidArgument, "escalation_id:");
  r.clear_page_id();
  // The acknowledging person is the caller: escalation_id alone is enough.
  EXPECT_TRUE(ValidateAcknowledgePage(r).ok());
  r.set_request_id(std::string(200, 'x'));
  ExpectError(ValidateAcknowledgePage(r), absl::StatusCode::kInvalidArgument, "request_id:");
}

TEST_F(ValidationTest, ResolveEscalationChecksEveryField) {
  v1::ResolveEscalationRequest r;
  r.set_request_id("req");
  ExpectError(ValidateResolveEscalation(r), absl::StatusCode::kInvalidArgument, "escalation_id: required");
  r.set_escalation_id(kEscalation);
  r.set_reason(std::string(5000, 'r'));
  ExpectError(ValidateResolveEscalation(r), absl::StatusCode::kInvalidArgument, "reason:");
  r.set_reason("fixed");
  EXPECT_TRUE(ValidateResolveEscalation(r).ok());
}

TEST_F(ValidationTest, WhoIsOnCallNeedsExactlyOneOfScheduleAndTeam) {
  v1::WhoIsOnCallRequest r;
  ExpectError(ValidateWhoIsOnCall(r, dir_), absl::StatusCode::kInvalidArgument, "schedule_id:");
  r.set_schedule_id("oncall");
  r.set_team_id("ops");
  ExpectError(ValidateWhoIsOnCall(r, dir_), absl::StatusCode::kInvalidArgument, "schedule_id:");
  r.clear_schedule_id();
  EXPECT_TRUE(ValidateWhoIsOnCall(r, dir_).ok());
  r.set_team_id("nope");
  ExpectError(ValidateWhoIsOnCall(r, dir_), absl::StatusCode::kNotFound, "team_id: unknown team");
  r.clear_team_id();
  r.set_schedule_id("oncall");
  r.mutable_at()->set_seconds(INT64_MIN);
  ExpectError(ValidateWhoIsOnCall(r, dir_), absl::StatusCode::kInvalidArgument, "at:");
  r.mutable_at()->set_seconds(-5);  // 1969 is a valid instant: one lower bound, year 1
  EXPECT_TRUE(ValidateWhoIsOnCall(r, dir_).ok());
}

TEST_F(ValidationTest, RangesMustBeOrderedAndBounded) {
  v1::ListShiftsRequest r;
  r.set_schedule_id("oncall");
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "from: required");
  *r.mutable_from() = common::ToProto(At("2026-11-24T00:00:00Z"));
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "to: required");
  *r.mutable_to() = common::ToProto(At("2026-11-23T00:00:00Z"));
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "to: must be after from");
  *r.mutable_to() = common::ToProto(At("2027-11-23T00:00:00Z"));
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "to: at most 90 days");
  *r.mutable_to() = common::ToProto(At("2026-12-01T00:00:00Z"));
  EXPECT_TRUE(ValidateListShifts(r, dir_).ok());
  r.set_schedule_id("nope");
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kNotFound, "schedule_id: unknown schedule");

  v1::CheckCoverageRequest c;
  c.set_schedule_id("oncall");
  *c.mutable_from() = common::ToProto(At("2026-11-24T00:00:00Z"));
  ExpectError(ValidateCheckCoverage(c, dir_), absl::StatusCode::kInvalidArgument, "to: required");
}

TEST_F(ValidationTest, AddOverrideChecksScheduleEtPersonAndInterval) {
  const absl::Time now = At("2026-11-23T00:00:00Z");
  v1::AddOverrideRequest r;
  r.set_request_id("req");
  r.set_schedule_id("oncall");
  r.set_person_id("carol");
  ExpectError(ValidateAddOverride(r, dir_, now), absl::StatusCode::kNotFound, "person_id: unknown person");
  r.set_person_id("bob");
  ExpectError(ValidateAddOverride(r, dir_, now), absl::StatusCode::kInvalidArgument, "start: required");
  *r.mutable_start() = common::ToProto(At("2026-11-24T00:00:00Z"));
  *r.mutable_end() = common::ToProto(At("2026-11-24T00:00:00Z"));
  ExpectError(ValidateAddOverride(r, dir_, now), absl::StatusCode::kInvalidArgument, "end: must be after start");
  *r.mutable_end() = common::ToProto(At("2026-11-25T00:00:00Z"));
  EXPECT_TRUE(ValidateAddOverride(r, dir_, now).ok());

  v1::RemoveOverrideRequest rm;
  rm.set_request_id("req");
  ExpectError(ValidateRemoveOverride(rm), absl::StatusCode::kInvalidArgument, "override_id: required");
}

TEST_F(ValidationTest, AddOverrideEntirelyInThePastIsInvalidArgument) {
  v1::AddOverrideRequest r;
  r.set_request_id("req");
  r.set_schedule_id("oncall");
  r.set_person_id("bob");
  *r.mutable_start() = common::ToProto(At("2026-11-20T00:00:00Z"));
  *r.mutable_end() = common::ToProto(At("2026-11-21T00:00:00Z"));
  const absl::Time now = At("2026-11-24T22:00:00Z");
  ExpectError(ValidateAddOverride(r, dir_, now), absl::StatusCode::kInvalidArgument,
              "end: the override is entirely in the past");
  *r.mutable_end() = common::ToProto(now + absl::Hours(1));  // started in the past, still running: fine
  EXPECT_TRUE(ValidateAddOverride(r, dir_, now).ok());
}

TEST_F(ValidationTest, TextsCountCharactersRefuseControlCharactersAndBlankRequiredText) {
  const absl::Time now = At("2026-11-24T22:00:00Z");
  v1::AddOverrideRequest r;
  r.set_request_id("req");
  r.set_schedule_id("oncall");
  r.set_person_id("bob");
  *r.mutable_start() = common::ToProto(now);
  *r.mutable_end() = common::ToProto(now + absl::Hours(1));
  std::string reason;
  for (int i = 0; i < 2000; ++i) reason += "\xC3\xA9";  // 2000 characters, 4000 bytes
  r.set_reason(reason);
  EXPECT_TRUE(ValidateAddOverride(r, dir_, now).ok());
  r.set_reason(reason + "x");
  ExpectError(ValidateAddOverride(r, dir_, now), absl::StatusCode::kInvalidArgument, "reason:");
  r.set_reason("swap\x1b[31m");
  ExpectError(ValidateAddOverride(r, dir_, now), absl::StatusCode::kInvalidArgument, "reason:");

  v1::Event opened = common::NewEvent(now, "case-1", "intake", "tester", "r");
  opened.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
  opened.mutable_case_opened()->set_category(" \u200b ");  // blank: whitespace and a zero-width space
  ExpectError(ValidateConsumedEvent(opened), absl::StatusCode::kInvalidArgument, "case_opened.category:");
}

TEST_F(ValidationTest, MalformedIdsAreInvalidArgumentNamingTheField) {
  v1::GetEscalationRequest get;
  get.set_escalation_id("not an id");
  ExpectError(ValidateGetEscalation(get), absl::StatusCode::kInvalidArgument, "escalation_id:");
  v1::ListEscalationsRequest list;
  list.set_case_id("case\n1");
  ExpectError(ValidateListEscalations(list), absl::StatusCode::kInvalidArgument, "case_id:");
  v1::ListPagesRequest pages;
  pages.set_escalation_id(std::string(300, 'x'));
  ExpectError(ValidateListPages(pages), absl::StatusCode::kInvalidArgument, "escalation_id:");
  v1::AcknowledgePageRequest ack;
  ack.set_request_id("req");
  ack.set_page_id("../etc");
  ExpectError(ValidateAcknowledgePage(ack), absl::StatusCode::kInvalidArgument, "page_id:");
  v1::RemoveOverrideRequest rm;
  rm.set_request_id("req");
  rm.set_override_id("o 1");
  ExpectError(ValidateRemoveOverride(rm), absl::StatusCode::kInvalidArgument, "override_id:");
  v1::WhoIsOnCallRequest who;
  who.set_team_id("te am");
  ExpectError(ValidateWhoIsOnCall(who, dir_), absl::StatusCode::kInvalidArgument, "team_id:");
}

TEST_F(ValidationTest, ListShiftsAndCheckCoverageUseTheOneTimestampCheck) {
  v1::ListShiftsRequest r;
  r.set_schedule_id("oncall");
  *r.mutable_from() = common::ToProto(At("2026-11-24T00:00:00Z"));
  *r.mutable_to() = common::ToProto(At("2026-11-25T00:00:00Z"));
  EXPECT_TRUE(ValidateListShifts(r, dir_).ok());
  r.mutable_from()->set_nanos(-5);
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "from:");
  r.mutable_from()->set_nanos(2000000000);
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "from:");
  r.mutable_from()->set_nanos(0);
  r.mutable_to()->set_seconds(INT64_MIN);
  ExpectError(ValidateListShifts(r, dir_), absl::StatusCode::kInvalidArgument, "to:");
  v1::CheckCoverageRequest c;
  c.set_schedule_id("oncall");
  *c.mutable_from() = common::ToProto(At("2026-11-24T00:00:00Z"));
  *c.mutable_to() = common::ToProto(At("2026-11-25T00:00:00Z"));
  c.mutable_to()->set_seconds(INT64_MAX);
  ExpectError(ValidateCheckCoverage(c, dir_), absl::StatusCode::kInvalidArgument, "to:");
}

TEST_F(ValidationTest, ConsumedEventsAreValidatedLikeRequests) {
  const absl::Time now = At("2026-11-24T22:00:00Z");
  // A CaseOpened with an empty body, as kcat would publish it for a case intake never opened.
  v1::Event empty = common::NewEvent(now, "case-x", "intake", "kcat", "");
  empty.mutable_case_opened();
  ExpectError(ValidateConsumedEvent(empty), absl::StatusCode::kInvalidArgument, "case_opened.severity:");
  v1::Event opened = empty;
  opened.mutable_case_opened()->set_severity(v1::SEVERITY_P2);
  ExpectError(ValidateConsumedEvent(opened), absl::StatusCode::kInvalidArgument, "case_opened.category:");
  opened.mutable_case_opened()->set_category("outage");
  EXPECT_TRUE(ValidateConsumedEvent(opened).ok());
  opened.mutable_case_opened()->set_severity(static_cast<v1::Severity>(5));  // there is no P5
  ExpectError(ValidateConsumedEvent(opened), absl::StatusCode::kInvalidArgument, "case_opened.severity:");
  opened.mutable_case_opened()->set_severity(v1::SEVERITY_P2);
  opened.set_case_id("");
  ExpectError(ValidateConsumedEvent(opened), absl::StatusCode::kInvalidArgument, "case_id:");

  v1::Event reminder = common::NewEvent(now, "case-x", "follow-up", "follow-up", "");
  reminder.mutable_reminder_due()->set_recipient("alice");
  ExpectError(ValidateConsumedEvent(reminder), absl::StatusCode::kInvalidArgument, "reminder_due.reminder_id:");
  reminder.mutable_reminder_due()->set_reminder_id("rem-1");
  EXPECT_TRUE(ValidateConsumedEvent(reminder).ok());
}

TEST_F(ValidationTest, IsBusinessHoursNeedsAKnownCalendar) {
  v1::IsBusinessHoursRequest r;
  ExpectError(ValidateIsBusinessHours(r, dir_), absl::StatusCode::kInvalidArgument, "calendar_id: required");
  r.set_calendar_id("mars");
  ExpectError(ValidateIsBusinessHours(r, dir_), absl::StatusCode::kNotFound, "calendar_id: unknown calendar");
  r.set_calendar_id("office");
  EXPECT_TRUE(ValidateIsBusinessHours(r, dir_).ok());
}

TEST_F(ValidationTest, ListAndGetNeedTheirIds) {
  EXPECT_TRUE(ValidateListEscalations({}).ok()) << "without a case: every case's escalations";
  ExpectError(ValidateGetEscalation({}), absl::StatusCode::kInvalidArgument, "escalation_id: required");
  ExpectError(ValidateListPages({}), absl::StatusCode::kInvalidArgument, "escalation_id: required");
}

TEST_F(ValidationTest, ListEscalationsPageTokensCarryTheCursorAndAreBoundToTheFilters) {
  v1::ListEscalationsRequest r;
  r.set_team_id("ops");
  r.add_statuses(v1::ESCALATION_STATUS_PAGING);
  r.add_statuses(v1::ESCALATION_STATUS_HELD);
  const std::string token = ListEscalationsPageToken(r, "01a2-last");
  r.set_page_token(token);
  EXPECT_TRUE(ValidateListEscalations(r).ok());
  EXPECT_EQ(*ListEscalationsCursor(r), "01a2-last");
  // The same filters in another order are the same filters.
  v1::ListEscalationsRequest reordered;
  reordered.set_team_id("ops");
  reordered.add_statuses(v1::ESCALATION_STATUS_HELD);
  reordered.add_statuses(v1::ESCALATION_STATUS_PAGING);
  reordered.set_page_token(token);
  EXPECT_EQ(*ListEscalationsCursor(reordered), "01a2-last");
  reordered.set_active_only(true);
  ExpectError(ValidateListEscalations(reordered), absl::StatusCode::kInvalidArgument,
              "page_token: issued for other filters");
  v1::ListEscalationsRequest empty;
  EXPECT_EQ(*ListEscalationsCursor(empty), "");
  for (const std::string& bad : {std::string("%%%"), std::string("ZXNjMS4"), std::string(500, 'A')}) {
    empty.set_page_token(bad);
    ExpectError(ValidateListEscalations(empty), absl::StatusCode::kInvalidArgument,
                "page_token: not a token returned by ListEscalations");
  }
}

TEST_F(ValidationTest, DirectoryListsEveryConfiguredEntity) {
  v1::Directory d;
  DirectoryToProto(dir_, &d);
  EXPECT_EQ(d.people_size(), 2);
  EXPECT_EQ(d.teams_size(), 1);
  EXPECT_EQ(d.calendars_size(), 1);
  EXPECT_EQ(d.schedules_size(), 1);
  EXPECT_EQ(d.policies_size(), 1);
  EXPECT_EQ(d.routing_rules_size(), 1);
  EXPECT_EQ(d.schedules(0).layers(0), "primary");
}

}  // namespace
}  // namespace recovery::escalation
