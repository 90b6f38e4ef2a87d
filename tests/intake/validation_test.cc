// Request validation: one row per field rule; each error is INVALID_ARGUMENT and starts
// with the field's name.
#include "services/intake/validation.h"

#include <gtest/gtest.h>

#include <functional>

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
constexpr char kCaseId[] = "01890a5d-ac96-774b-bcce-b302099a8057";

v1::OpenCaseRequest ValidOpen() {
  v1::OpenCaseRequest r;
  r.set_request_id("req-1");
  r.mutable_client()->set_id("acme");
  r.mutable_client()->set_name("Acme Corp");
  r.mutable_client()->set_time_zone("Europe/Berlin");
  r.mutable_contact()->set_name("Jo");
  r.mutable_contact()->set_email("jo@acme.example");
  r.mutable_contact()->set_phone("+49 30 1234567");
  r.mutable_contact()->set_time_zone("America/New_York");
  r.set_channel(v1::CHANNEL_PHONE);
  r.set_category("missed_deadline");
  r.set_severity(v1::SEVERITY_P2);
  r.set_summary("Report was late");
  r.set_emotional_state(v1::EMOTIONAL_STATE_FRUSTRATED);
  return r;
}

struct OpenRow {
  std::string name;
  std::function<void(v1::OpenCaseRequest&)> mutate;
  std::string field_prefix;
};

class OpenCaseValidation : public ::testing::TestWithParam<OpenRow> {};

TEST_P(OpenCaseValidation, RejectsWithTheFieldNamed) {
  v1::OpenCaseRequest r = ValidOpen();
  GetParam().mutate(r);
  absl::Status s = ValidateOpenCase(r, DefaultIntakeConfig());
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(std::string(s.message()).rfind(GetParam().field_prefix + ": ", 0), 0u) << s;
}

const std::string kLong201(201, 'x');

INSTANTIATE_TEST_SUITE_P(
    FieldRules, OpenCaseValidation,
    ::testing::Values(
        OpenRow{"RequestIdRequired", [](auto& r) { r.clear_request_id(); }, "request_id"},
        OpenRow{"RequestIdTooLong", [](auto& r) { r.set_request_id(std::string(129, 'r')); }, "request_id"},
        OpenRow{"ClientIdRequired", [](auto& r) { r.mutable_client()->clear_id(); }, "client.id"},
        OpenRow{"ClientIdTooLong", [](auto& r) { r.mutable_client()->set_id(kLong201); }, "client.id"},
        OpenRow{"ClientNameRequired", [](auto& r) { r.mutable_client()->set_name("  "); }, "client.name"},
        OpenRow{"ClientNameTooLong", [](auto& r) { r.mutable_client()->set_name(kLong201); }, "client.name"},
        OpenRow{"ClientTierTooLong", [](auto& r) { r.mutable_client()->set_tier(std::string(65, 't')); },
                "client.tier"},
        OpenRow{"ClientTimeZoneUnknown", [](auto& r) { r.mutable_client()->set_time_zone("Mars/Olympus"); },
                "client.time_zone"},
        OpenRow{"ClientCalendarTooLong", [](auto& r) { r.mutable_client()->set_calendar_id(kLong201); },
                "client.calendar_id"},
        OpenRow{"ContactNameTooLong", [](auto& r) { r.mutable_contact()->set_name(kLong201); }, "contact.name"},
        OpenRow{"ContactEmailNoAt", [](auto& r) { r.mutable_contact()->set_email("jo.acme.example"); },
                "contact.email"},
        OpenRow{"ContactEmailNoDomainDot", [](auto& r) { r.mutable_contact()->set_email("jo@acme"); }, "contact.email"},
        OpenRow{"ContactEmailSpace", [](auto& r) { r.mutable_contact()->set_email("j o@acme.example"); },
                "contact.email"},
        OpenRow{"ContactPhoneLetters", [](auto& r) { r.mutable_contact()->set_phone("call me"); }, "contact.phone"},
        OpenRow{"ContactTimeZoneUnknown", [](auto& r) { r.mutable_contact()->set_time_zone("Nowhere"); },
                "contact.time_zone"},
        OpenRow{"ChannelRequired", [](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); }, "channel"},
        OpenRow{"ChannelOutOfRange", [](auto& r) { r.set_channel(static_cast<v1::Channel>(42)); }, "channel"},
        OpenRow{"CategoryRequired", [](auto& r) { r.clear_category(); }, "category"},
        OpenRow{"CategoryUnknown", [](auto& r) { r.set_category("weather"); }, "category"},
        OpenRow{"SeverityRequired", [](auto& r) { r.set_severity(v1::SEVERITY_UNSPECIFIED); }, "severity"},
        OpenRow{"SeverityOutOfRange", [](auto& r) { r.set_severity(static_cast<v1::Severity>(9)); }, "severity"},
        OpenRow{"SummaryRequired", [](auto& r) { r.clear_summary(); }, "summary"},
        OpenRow{"SummaryTooLong", [](auto& r) { r.set_summary(kLong201); }, "summary"},
        OpenRow{"DescriptionTooLong", [](auto& r) { r.set_description(std::string(10001, 'd')); }, "description"},
        OpenRow{"ClientViewTooLong", [](auto& r) { r.set_client_view(std::string(10001, 'c')); }, "client_view"},
        OpenRow{"FirmViewTooLong", [](auto& r) { r.set_firm_view(std::string(10001, 'f')); }, "firm_view"},
        OpenRow{"EmotionalStateOutOfRange", [](auto& r) { r.set_emotional_state(static_cast<v1::EmotionalState>(17)); },
                "emotional_state"}),
    [](const auto& info) { return info.param.name; });

TEST(ValidationTest, ValidOpenCasePassesAndLimitsAreInclusive) {
  v1::OpenCaseRequest r = ValidOpen();
  EXPECT_TRUE(ValidateOpenCase(r, DefaultIntakeConfig()).ok());
  r.set_summary(std::string(200, 's'));
  r.set_description(std::string(10000, 'd'));
  r.clear_contact();
  r.mutable_client()->clear_time_zone();
  r.clear_emotional_state();
  EXPECT_TRUE(ValidateOpenCase(r, DefaultIntakeConfig()).ok());
}

TEST(ValidationTest, ConfiguredCategoriesReplaceTheDefaults) {
  IntakeConfig c = DefaultIntakeConfig();
  c.categories = {"late"};
  v1::OpenCaseRequest r = ValidOpen();
  EXPECT_EQ(ValidateOpenCase(r, c).code(), absl::StatusCode::kInvalidArgument);
  r.set_category("late");
  EXPECT_TRUE(ValidateOpenCase(r, c).ok());
}

TEST(ValidationTest, EmailSyntax) {
  for (const char* ok : {"a@b.co", "first.last+tag@sub.example.org"}) EXPECT_TRUE(IsValidEmail(ok)) << ok;
  for (const char* bad :
       {"", "@b.co", "a@", "a@b", "a@@b.co", "a@b..co", "a@.b.co", "a b@c.de", ".a@b.co", "a.@b.co", "a@b_c.de"})
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
}

void ExpectField(const absl::Status& s, const std::string& field);

TEST(ValidationTest, TimeZonesAreIanaNamesOnly) {
  for (const char* bad : {"/usr/share/zoneinfo/Asia/Tokyo", "Europe/../Asia/Tokyo", "localtime", "Asia/Atlantis"}) {
    v1::OpenCaseRequest r = ValidOpen();
    r.mutable_client()->set_time_zone(bad);
    ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "client.time_zone");
    r = ValidOpen();
    r.mutable_contact()->set_time_zone(bad);
    ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "contact.time_zone");
  }
}

TEST(ValidationTest, LengthsCountCharactersNotBytes) {
  v1::OpenCaseRequest r = ValidOpen();
  std::string summary;
  for (int i = 0; i < 200; ++i) summary += "\xc3\xa9";  // 200 x U+00E9: 400 bytes
  r.set_summary(summary);
  EXPECT_TRUE(ValidateOpenCase(r, DefaultIntakeConfig()).ok());
  r.set_summary(summary + "e");
  ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "summary");
}

TEST(ValidationTest, WhitespaceOrZeroWidthOnlyRequiredTextIsEmpty) {
  for (const char* blank : {"   ", "\t\n", "\xe2\x80\x8b", " \xef\xbb\xbf\xe2\x80\x8d "}) {
    v1::OpenCaseRequest r = ValidOpen();
    r.set_summary(blank);
    ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "summary");
    v1::AddNoteRequest n;
    n.set_request_id("n-1");
    n.set_case_id(kCaseId);
    n.set_text(blank);
    ExpectField(ValidateAddNote(n), "text");
  }
}

TEST(ValidationTest, ControlCharactersAreRefusedExceptNewlineAndTabInLongTexts) {
  v1::OpenCaseRequest r = ValidOpen();
  r.set_summary("late\x1b[31m report");
  ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "summary");
  r = ValidOpen();
  r.set_summary("two\nlines");
  ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "summary");
  r = ValidOpen();
  r.set_description("line one\n\tline two");
  EXPECT_TRUE(ValidateOpenCase(r, DefaultIntakeConfig()).ok());
  r.set_description("bell\x07");
  ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "description");
  r = ValidOpen();
  r.mutable_client()->set_name("Acme\x7f");
  ExpectField(ValidateOpenCase(r, DefaultIntakeConfig()), "client.name");
}

TEST(ValidationTest, ListCasesTimestampsOutOfRangeAreInvalid) {
  v1::ListCasesRequest l;
  l.mutable_opened_from()->set_seconds(INT64_MIN);
  ExpectField(ValidateListCases(l), "opened_from");
  l.Clear();
  l.mutable_opened_to()->set_nanos(-5);
  ExpectField(ValidateListCases(l), "opened_to");
  l.Clear();
  l.mutable_opened_from()->set_nanos(2'000'000'000);
  ExpectField(ValidateListCases(l), "opened_from");
  l.Clear();
  l.mutable_opened_from()->set_seconds(1'800'000'000);
  l.mutable_opened_to()->set_seconds(1'700'000'000);
  ExpectField(ValidateListCases(l), "opened_to");
}

TEST(ValidationTest, MalformedConsumedEventsNameTheField) {
  v1::Event acked;
  acked.set_event_id("e-1");
  acked.set_case_id(kCaseId);
  acked.mutable_escalation_acknowledged();
  ExpectField(ValidateConsumedEvent(acked), "escalation_acknowledged.acknowledged_by");
  acked.mutable_escalation_acknowledged()->set_acknowledged_by("p-1");
  EXPECT_TRUE(ValidateConsumedEvent(acked).ok());
  acked.set_case_id("not a case");
  ExpectField(ValidateConsumedEvent(acked), "case_id");
  v1::Event shared;
  shared.set_case_id(kCaseId);
  shared.mutable_plan_shared();
  ExpectField(ValidateConsumedEvent(shared), "plan_shared.version");
  v1::Event sat;
  sat.mutable_satisfaction_recorded()->set_low(true);
  ExpectField(ValidateConsumedEvent(sat), "satisfaction_recorded.client_id");
}

void ExpectField(const absl::Status& s, const std::string& field) {
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(std::string(s.message()).rfind(field + ": ", 0), 0u) << s;
}

TEST(ValidationTest, CaseIdMustBeAUuid) {
  v1::GetCaseRequest g;
  ExpectField(ValidateGetCase(g), "case_id");
  g.set_case_id("not-a-uuid");
  ExpectField(ValidateGetCase(g), "case_id");
  g.set_case_id(kCaseId);
  EXPECT_TRUE(ValidateGetCase(g).ok());
}

TEST(ValidationTest, UpdateCaseMaskRules) {
  v1::UpdateCaseRequest u;
  u.set_request_id("r");
  u.set_case_id(kCaseId);
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "update_mask");
  u.mutable_update_mask()->add_paths("status");
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "update_mask");
  u.mutable_update_mask()->Clear();
  u.mutable_update_mask()->add_paths("severity");
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "severity");
  u.set_severity(v1::SEVERITY_P1);
  EXPECT_TRUE(ValidateUpdateCase(u, DefaultIntakeConfig()).ok());
  u.mutable_update_mask()->add_paths("summary");
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "summary");
  u.set_summary("better summary");
  u.mutable_update_mask()->add_paths("contact");
  u.mutable_contact()->set_email("broken");
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "contact.email");
  u.mutable_contact()->set_email("ok@example.com");
  u.mutable_update_mask()->add_paths("category");
  u.set_category("unknown");
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "category");
  u.set_category("other");
  EXPECT_TRUE(ValidateUpdateCase(u, DefaultIntakeConfig()).ok());
  u.mutable_update_mask()->add_paths("category");
  ExpectField(ValidateUpdateCase(u, DefaultIntakeConfig()), "update_mask");
}

TEST(ValidationTest, WriteRequestsRequireTheirFields) {
  v1::RecordContactRequest rc;
  rc.set_request_id("r");
  rc.set_case_id(kCaseId);
  ExpectField(ValidateRecordContact(rc), "channel");
  rc.set_channel(v1::CHANNEL_EMAIL);
  ExpectField(ValidateRecordContact(rc), "summary");
  rc.set_summary("called back");
  rc.set_emotional_state(static_cast<v1::EmotionalState>(99));
  ExpectField(ValidateRecordContact(rc), "emotional_state");

  v1::AddNoteRequest n;
  n.set_request_id("r");
  n.set_case_id(kCaseId);
  ExpectField(ValidateAddNote(n), "text");

  v1::AcknowledgeCaseRequest a;
  a.set_request_id("r");
  a.set_case_id(kCaseId);
  ExpectField(ValidateAcknowledgeCase(a), "message");
  a.set_message("We are on it");
  // acknowledged_by is no longer asked for: the acknowledger is the authenticated caller.
  EXPECT_TRUE(ValidateAcknowledgeCase(a).ok());

  v1::AssignOwnerRequest o;
  o.set_request_id("r");
  o.set_case_id(kCaseId);
  ExpectField(ValidateAssignOwner(o), "owner");

  v1::ResolveCaseRequest res;
  res.set_request_id("r");
  res.set_case_id(kCaseId);
  ExpectField(ValidateResolveCase(res), "resolution");

  v1::CloseCaseRequest cl;
  cl.set_request_id("r");
  ExpectField(ValidateCloseCase(cl), "case_id");
  cl.set_case_id(kCaseId);
  EXPECT_TRUE(ValidateCloseCase(cl).ok());

  v1::ReopenCaseRequest re;
  re.set_request_id("r");
  re.set_case_id(kCaseId);
  ExpectField(ValidateReopenCase(re), "reason");
}

TEST(ValidationTest, RecordSignalRules) {
  v1::RecordSignalRequest s;
  s.set_request_id("r");
  ExpectField(ValidateRecordSignal(s), "kind");
  s.set_kind(static_cast<v1::SignalKind>(50));
  ExpectField(ValidateRecordSignal(s), "kind");
  s.set_kind(v1::SIGNAL_KIND_SURVEY_SCORE);
  ExpectField(ValidateRecordSignal(s), "client.id");
  s.mutable_client()->set_id("acme");
  s.set_score(11);
  ExpectField(ValidateRecordSignal(s), "score");
  s.set_score(-1);
  ExpectField(ValidateRecordSignal(s), "score");
  s.set_score(2);
  s.set_detail(std::string(2001, 'x'));
  ExpectField(ValidateRecordSignal(s), "detail");
  s.clear_detail();
  EXPECT_TRUE(ValidateRecordSignal(s).ok());
}

TEST(ValidationTest, ListCasesRules) {
  v1::ListCasesRequest l;
  EXPECT_TRUE(ValidateListCases(l).ok());
  l.set_page_size(501);
  ExpectField(ValidateListCases(l), "page_size");
  l.set_page_size(-1);
  ExpectField(ValidateListCases(l), "page_size");
  l.set_page_size(10);
  l.add_statuses(v1::CASE_STATUS_UNSPECIFIED);
  ExpectField(ValidateListCases(l), "statuses[0]");
  l.clear_statuses();
  l.add_severities(static_cast<v1::Severity>(7));
  ExpectField(ValidateListCases(l), "severities[0]");
  l.clear_severities();
  l.mutable_opened_from()->set_seconds(100);
  l.mutable_opened_to()->set_seconds(50);
  ExpectField(ValidateListCases(l), "opened_to");
  l.clear_opened_to();
  l.set_page_token("garbage");
  ExpectField(ValidateListCases(l), "page_token");
}

}  // namespace
}  // namespace recovery::intake
