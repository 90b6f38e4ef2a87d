// The follow-up service built through FollowUpModule on the in-process fixture (real runtime,
// SQLite, gRPC on port 0, manual clock): validation with field-named errors, request_id
// replay, RPC effects published, malformed consumed events parked, reload.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "recovery/v1/follow_up.grpc.pb.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/follow_up/module.h"
#include "services/follow_up/validation.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"
#include "yaml-cpp/yaml.h"

namespace recovery::follow_up {
namespace {

namespace v1 = recovery::v1;

const absl::Time kT0 = absl::FromUnixSeconds(1795514400);  // 2026-11-24T10:00:00Z

recovery::testing::FixtureOptions StartingAtT0() {
  recovery::testing::FixtureOptions options;
  options.start = kT0;
  return options;
}

class FollowUpServiceTest : public ::testing::Test {
 protected:
  FollowUpServiceTest() : fx_(module_, StartingAtT0()), stub_(v1::FollowUp::NewStub(fx_.channel())) {}
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  void Deliver(v1::Event e) {
    e.set_event_id(common::NewEvent(fx_.clock().Now(), "", "", "", "").event_id());
    ASSERT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
  }
  void Open(const std::string& case_id, v1::Severity sev = v1::SEVERITY_P1) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "t", "r");
    e.mutable_case_opened()->set_severity(sev);
    e.mutable_case_opened()->set_category("billing_error");
    e.mutable_case_opened()->mutable_client()->set_id("acme");
    Deliver(e);
  }
  void Resolve(const std::string& case_id) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "t", "r");
    e.mutable_case_resolved()->set_resolution("fixed");
    Deliver(e);
  }
  // Published events of a type, oldest first, after the barrier.
  std::vector<v1::Event> Outbox(const std::string& type) {
    fx_.Quiesce();
    return fx_.PublishedOfType(type);
  }
  std::vector<common::DeadLetter> DeadLetters() {
    std::vector<common::DeadLetter> out;
    EXPECT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(out, common::ListDeadLetters(tx, common::kDeadLetterConsumer, 100));
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  FollowUpModule module_;
  recovery::testing::ServiceFixture fx_;
  std::unique_ptr<v1::FollowUp::Stub> stub_;
};

#define EXPECT_FIELD_ERROR(status, code, field)                                          \
  do {                                                                                   \
    const grpc::Status _s = (status);                                                    \
    EXPECT_EQ(_s.error_code(), code) << _s.error_message();                              \
    EXPECT_TRUE(absl::StartsWith(_s.error_message(), field ": ")) << _s.error_message(); \
  } while (0)

TEST_F(FollowUpServiceTest, RecordSatisfactionValidatesAndFlagsLowScores) {
  v1::RecordSatisfactionRequest req;
  v1::RecordSatisfactionResponse resp;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->RecordSatisfaction(&ctx, req, &resp), grpc::INVALID_ARGUMENT, "request_id");
  }
  req.set_request_id("r1");
  req.set_case_id("c1");
  req.set_score(6);
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->RecordSatisfaction(&ctx, req, &resp), grpc::INVALID_ARGUMENT, "score");
  }
  req.set_score(2);
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->RecordSatisfaction(&ctx, req, &resp), grpc::NOT_FOUND, "case_id");
  }
  Open("c1");
  for (int i = 0; i < 2; ++i) {  // the retry replays the first answer
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->RecordSatisfaction(&ctx, req, &resp).ok());
    EXPECT_TRUE(resp.low());
  }
  auto recorded = Outbox("SatisfactionRecorded");
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_TRUE(recorded[0].satisfaction_recorded().low());
  EXPECT_EQ(recorded[0].satisfaction_recorded().client_id(), "acme");
  EXPECT_EQ(recorded[0].causation_id(), "r1");
  req.set_score(4);  // same request_id, different payload
  grpc::ClientContext ctx;
  EXPECT_EQ(stub_->RecordSatisfaction(&ctx, req, &resp).error_code(), grpc::ALREADY_EXISTS);
}

TEST_F(FollowUpServiceTest, ReviewNeedsAResolvedCaseAndFeedsThemeTrends) {
  Open("c1");
  v1::SubmitReviewRequest req;
  req.set_request_id("rv1");
  req.set_case_id("c1");
  req.set_expected("a bill");
  req.set_happened("two bills");
  req.set_went_well("fast apology");
  req.set_to_improve("dedupe invoices");
  req.set_next_steps("add a check");
  req.add_themes("billing");
  req.add_themes("tooling");
  req.set_root_cause("system");
  req.add_follow_on_actions("ticket FIN-1");
  v1::Review review;
  {
    grpc::ClientContext ctx;
    auto bad = req;
    bad.set_went_well(" ");
    EXPECT_FIELD_ERROR(stub_->SubmitReview(&ctx, bad, &review), grpc::INVALID_ARGUMENT, "went_well");
  }
  {
    grpc::ClientContext ctx;
    auto bad = req;
    bad.add_themes("");
    EXPECT_FIELD_ERROR(stub_->SubmitReview(&ctx, bad, &review), grpc::INVALID_ARGUMENT, "themes[2]");
  }
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->SubmitReview(&ctx, req, &review), grpc::FAILED_PRECONDITION, "case_id");
  }
  fx_.Advance(absl::Hours(2));
  Resolve("c1");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->SubmitReview(&ctx, req, &review).ok());
  }
  v1::GetReviewRequest get;
  get.set_case_id("c1");
  v1::Review got;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetReview(&ctx, get, &got).ok());
  }
  EXPECT_EQ(got.review_id(), review.review_id());
  EXPECT_EQ(got.submitted_by(), recovery::testing::kTestPerson);  // the caller
  EXPECT_EQ(got.to_improve(), "dedupe invoices");
  EXPECT_EQ(Outbox("ReviewSubmitted").size(), 1u);
  {
    grpc::ClientContext ctx;
    req.set_request_id("rv2");
    EXPECT_FIELD_ERROR(stub_->SubmitReview(&ctx, req, &review), grpc::ALREADY_EXISTS, "case_id");
  }
  v1::GetTrendsRequest trends;
  *trends.mutable_from() = common::ToProto(kT0 - absl::Hours(1));
  *trends.mutable_to() = common::ToProto(kT0 + absl::Hours(1));
  v1::GetTrendsResponse tr;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->GetTrends(&ctx, trends, &tr), grpc::INVALID_ARGUMENT, "group_by");
  }
  trends.set_group_by(v1::TREND_GROUP_BY_THEME);
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetTrends(&ctx, trends, &tr).ok());
  ASSERT_EQ(tr.groups_size(), 2);
  EXPECT_EQ(tr.groups(0).key(), "billing");
  EXPECT_EQ(tr.groups(0).mean_time_to_resolve().seconds(), 7200);
  EXPECT_EQ(tr.total_cases(), 1);
}

TEST_F(FollowUpServiceTest, PausedSlaDoesNotBreachUntilResumedAndOverdue) {
  Open("c1");
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c1");
  pause.set_reason("waiting on the client");
  v1::SlaClock clock;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->PauseSla(&ctx, pause, &clock), grpc::INVALID_ARGUMENT, "kind");
  }
  pause.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  fx_.Advance(absl::Minutes(10));
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->PauseSla(&ctx, pause, &clock).ok());
  }
  EXPECT_EQ(clock.state(), v1::SLA_CLOCK_STATE_PAUSED);
  EXPECT_EQ(clock.remaining().seconds(), 300);
  fx_.Advance(absl::Hours(1));
  EXPECT_TRUE(Outbox("SlaBreached").empty());
  v1::ResumeSlaRequest resume;
  resume.set_request_id("p2");
  resume.set_case_id("c1");
  resume.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ResumeSla(&ctx, resume, &clock).ok());
  }
  EXPECT_EQ(common::FromProto(clock.due()), fx_.clock().Now() + absl::Minutes(5));
  fx_.Advance(absl::Minutes(5));
  EXPECT_EQ(Outbox("SlaBreached").size(), 1u);
  EXPECT_EQ(Outbox("SlaPaused").size(), 1u);
  EXPECT_EQ(Outbox("SlaResumed").size(), 1u);
  grpc::ClientContext ctx;
  resume.set_request_id("p3");
  EXPECT_FIELD_ERROR(stub_->ResumeSla(&ctx, resume, &clock), grpc::FAILED_PRECONDITION, "kind");
}

TEST_F(FollowUpServiceTest, BatchGetCaseFollowUpsAnswersTheClocksFollowUpRuns) {
  Open("c1");
  Open("c2");
  fx_.Advance(absl::Minutes(10));
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c2");
  pause.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  pause.set_reason("waiting on the client");
  v1::SlaClock paused;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->PauseSla(&ctx, pause, &paused).ok());
  }
  fx_.Advance(absl::Minutes(6));  // c1's acknowledge target (15 min) has passed
  ASSERT_EQ(Outbox("SlaBreached").size(), 1u);
  Resolve("c1");
  v1::RecordSatisfactionRequest score;
  score.set_request_id("s1");
  score.set_case_id("c1");
  score.set_score(4);
  score.set_comment("quick once it started");
  v1::RecordSatisfactionResponse scored;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->RecordSatisfaction(&ctx, score, &scored).ok());
  }

  v1::BatchGetCaseFollowUpsRequest req;
  for (const char* id : {"c1", "c2", "never-seen"}) req.add_case_ids(id);
  v1::BatchGetCaseFollowUpsResponse resp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->BatchGetCaseFollowUps(&ctx, req, &resp).ok());
  }
  ASSERT_EQ(resp.case_follow_ups_size(), 3);
  const v1::CaseFollowUp& c1 = resp.case_follow_ups(0);
  EXPECT_EQ(c1.case_id(), "c1");
  EXPECT_TRUE(c1.known());
  EXPECT_EQ(c1.acknowledge().state(), v1::SLA_CLOCK_STATE_BREACHED);
  EXPECT_EQ(common::FromProto(c1.acknowledge().due()), kT0 + absl::Minutes(15));
  EXPECT_EQ(c1.resolve().state(), v1::SLA_CLOCK_STATE_MET);
  EXPECT_EQ(c1.breaches(), 1);
  EXPECT_EQ(c1.satisfaction_score(), 4);
  EXPECT_EQ(c1.satisfaction_comment(), "quick once it started");
  const v1::CaseFollowUp& c2 = resp.case_follow_ups(1);
  EXPECT_EQ(c2.case_id(), "c2");
  EXPECT_EQ(c2.acknowledge().state(), v1::SLA_CLOCK_STATE_PAUSED);
  EXPECT_EQ(c2.acknowledge().remaining().seconds(), 300);
  EXPECT_EQ(c2.resolve().state(), v1::SLA_CLOCK_STATE_RUNNING);
  EXPECT_GT(common::FromProto(c2.resolve().due()), fx_.clock().Now());
  EXPECT_EQ(c2.breaches(), 0);
  EXPECT_EQ(c2.satisfaction_score(), 0);
  const v1::CaseFollowUp& unknown = resp.case_follow_ups(2);
  EXPECT_EQ(unknown.case_id(), "never-seen");
  EXPECT_FALSE(unknown.known());
  EXPECT_FALSE(unknown.has_acknowledge());

  v1::BatchGetCaseFollowUpsRequest bad;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->BatchGetCaseFollowUps(&ctx, bad, &resp), grpc::INVALID_ARGUMENT, "case_ids");
  }
  bad.add_case_ids("c1");
  bad.add_case_ids("c1");
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->BatchGetCaseFollowUps(&ctx, bad, &resp), grpc::INVALID_ARGUMENT, "case_ids[1]");
  }
  bad.clear_case_ids();
  for (int i = 0; i < 501; ++i) bad.add_case_ids(absl::StrCat("c", i));
  grpc::ClientContext ctx;
  EXPECT_FIELD_ERROR(stub_->BatchGetCaseFollowUps(&ctx, bad, &resp), grpc::INVALID_ARGUMENT, "case_ids");
}

TEST_F(FollowUpServiceTest, ListSnoozeAndRecordFollowUpSent) {
  Open("c1");
  v1::Event contact = common::NewEvent(fx_.clock().Now(), "c1", "intake", "t", "r");
  contact.mutable_contact_recorded()->set_summary("call");
  contact.mutable_contact_recorded()->set_recorded_by("alice");
  Deliver(contact);
  v1::ListRemindersRequest list;
  list.set_recipient("alice");
  v1::ListRemindersResponse listed;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListReminders(&ctx, list, &listed).ok());
  }
  ASSERT_EQ(listed.reminders_size(), 1);
  const v1::Reminder r = listed.reminders(0);
  EXPECT_EQ(r.kind(), v1::REMINDER_KIND_WRITTEN_FOLLOW_UP);
  EXPECT_EQ(common::FromProto(r.next_due()), kT0 + absl::Hours(24));
  list.set_recipient("");
  list.set_case_id("c1");
  *list.mutable_due_to() = common::ToProto(kT0 + absl::Hours(24));  // exclusive
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListReminders(&ctx, list, &listed).ok());
    EXPECT_EQ(listed.reminders_size(), 0);
  }
  list.clear_due_to();
  list.set_case_id("other");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListReminders(&ctx, list, &listed).ok());
    EXPECT_EQ(listed.reminders_size(), 0);
  }
  list.set_case_id("");
  list.set_recipient("bob");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListReminders(&ctx, list, &listed).ok());
    EXPECT_EQ(listed.reminders_size(), 0);
  }
  v1::SnoozeReminderRequest snooze;
  snooze.set_request_id("s1");
  snooze.set_reminder_id(r.reminder_id());
  *snooze.mutable_until() = common::ToProto(kT0 - absl::Hours(1));
  v1::Reminder snoozed;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->SnoozeReminder(&ctx, snooze, &snoozed), grpc::INVALID_ARGUMENT, "until");
  }
  snooze.set_request_id("s2");
  *snooze.mutable_until() = common::ToProto(kT0 + absl::Hours(30));
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->SnoozeReminder(&ctx, snooze, &snoozed).ok());
    EXPECT_EQ(common::FromProto(snoozed.next_due()), kT0 + absl::Hours(30));
  }
  v1::RecordFollowUpSentRequest sent;
  sent.set_request_id("f1");
  sent.set_case_id("c1");
  sent.set_summary("recap mailed");
  v1::RecordFollowUpSentResponse sent_resp;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->RecordFollowUpSent(&ctx, sent, &sent_resp), grpc::INVALID_ARGUMENT, "channel");
  }
  sent.set_channel(v1::CHANNEL_EMAIL);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->RecordFollowUpSent(&ctx, sent, &sent_resp).ok());
    EXPECT_TRUE(sent_resp.reminder_cancelled());
  }
  fx_.Advance(absl::Hours(48));
  EXPECT_TRUE(Outbox("ReminderDue").empty());
  EXPECT_EQ(Outbox("FollowUpSent").size(), 1u);
  EXPECT_EQ(Outbox("SlaBreached").size(), 2u);  // ack and resolve: nobody acknowledged
}

TEST(ValidationTest, ListRemindersAndTrendsNameTheField) {
  v1::ListRemindersRequest list;
  list.set_limit(5000);
  EXPECT_TRUE(absl::StartsWith(ValidateListReminders(list).message(), "limit: "));
  list.set_limit(0);
  *list.mutable_due_from() = common::ToProto(kT0);
  *list.mutable_due_to() = common::ToProto(kT0 - absl::Seconds(1));
  EXPECT_TRUE(absl::StartsWith(ValidateListReminders(list).message(), "due_to: "));
  v1::GetTrendsRequest trends;
  EXPECT_TRUE(absl::StartsWith(ValidateGetTrends(trends).message(), "from: "));
  v1::GetReviewRequest get;
  EXPECT_TRUE(absl::StartsWith(ValidateGetReview(get).message(), "case_id: "));
  v1::PauseSlaRequest pause;
  pause.set_request_id("x");
  pause.set_case_id("c");
  pause.set_kind(v1::SLA_KIND_RESOLVE);
  EXPECT_TRUE(absl::StartsWith(ValidatePauseSla(pause).message(), "reason: "));
}

TEST_F(FollowUpServiceTest, ASecondSatisfactionForTheCaseIsAlreadyExistsUnlessItIsAReplay) {
  Open("c1");
  v1::RecordSatisfactionRequest req;
  req.set_request_id("s1");
  req.set_case_id("c1");
  req.set_score(4);
  v1::RecordSatisfactionResponse resp;
  for (int i = 0; i < 2; ++i) {  // the same request_id replays the first answer
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->RecordSatisfaction(&ctx, req, &resp).ok());
  }
  req.set_request_id("s2");
  req.set_score(1);
  grpc::ClientContext ctx;
  EXPECT_FIELD_ERROR(stub_->RecordSatisfaction(&ctx, req, &resp), grpc::ALREADY_EXISTS, "case_id");
  EXPECT_EQ(Outbox("SatisfactionRecorded").size(), 1u);
}

TEST_F(FollowUpServiceTest, BadTextsIdsAndTimestampsAreInvalidArgumentNamingTheField) {
  Open("c1");
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c1");
  pause.set_kind(v1::SLA_KIND_RESOLVE);
  v1::SlaClock clock;
  const std::pair<std::string, std::string> bad_reasons[] = {
      {"blank", " \t"}, {"zero-width only", "\u200b\u200b"}, {"escape sequence", "ok \x1b[31mred"}};
  for (const auto& [what, reason] : bad_reasons) {
    pause.set_reason(reason);
    SCOPED_TRACE(what);
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->PauseSla(&ctx, pause, &clock), grpc::INVALID_ARGUMENT, "reason");
  }
  pause.set_reason("waiting");
  for (const std::string& bad_id : {std::string("c 1"), std::string("c\x01"), std::string(129, 'x')}) {
    pause.set_case_id(bad_id);
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->PauseSla(&ctx, pause, &clock), grpc::INVALID_ARGUMENT, "case_id");
  }
  // Lengths count characters: 10000 two-byte characters fit a 10000-character comment.
  v1::RecordSatisfactionRequest sat;
  sat.set_request_id("s1");
  sat.set_case_id("c1");
  sat.set_score(3);
  std::string comment;
  for (int i = 0; i < 10000; ++i) comment += "\u00e9";
  sat.set_comment(comment + "\u00e9");
  v1::RecordSatisfactionResponse sat_resp;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->RecordSatisfaction(&ctx, sat, &sat_resp), grpc::INVALID_ARGUMENT, "comment");
  }
  sat.set_comment(comment);
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->RecordSatisfaction(&ctx, sat, &sat_resp).ok());
  }
  v1::ListRemindersRequest list;
  list.mutable_due_from()->set_seconds(INT64_MIN);
  v1::ListRemindersResponse listed;
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->ListReminders(&ctx, list, &listed), grpc::INVALID_ARGUMENT, "due_from");
  }
  list.clear_due_from();
  list.mutable_due_to()->set_nanos(-5);
  {
    grpc::ClientContext ctx;
    EXPECT_FIELD_ERROR(stub_->ListReminders(&ctx, list, &listed), grpc::INVALID_ARGUMENT, "due_to");
  }
  v1::GetTrendsRequest trends;
  *trends.mutable_from() = common::ToProto(kT0);
  trends.mutable_to()->set_seconds(absl::ToUnixSeconds(kT0) + 10);
  trends.mutable_to()->set_nanos(2000000000);
  trends.set_group_by(v1::TREND_GROUP_BY_CLIENT);
  v1::GetTrendsResponse tr;
  grpc::ClientContext ctx;
  EXPECT_FIELD_ERROR(stub_->GetTrends(&ctx, trends, &tr), grpc::INVALID_ARGUMENT, "to");
}

TEST_F(FollowUpServiceTest, AMalformedConsumedEventIsParkedAndChangesNothing) {
  // A CaseOpened with an empty body for a case no one opened (as kcat would publish it).
  v1::Event empty = common::NewEvent(fx_.clock().Now(), "c-ghost", "intake", "t", "r");
  empty.mutable_case_opened();
  ASSERT_EQ(fx_.Deliver(empty).code(), absl::StatusCode::kInvalidArgument)
      << "refused as malformed; parked, not retried";
  fx_.Advance(absl::Hours(30));
  EXPECT_TRUE(fx_.published().empty()) << "no SLA clock was started";
  const auto parked = DeadLetters();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].event_id, empty.event_id());
  EXPECT_EQ(parked[0].type, "CaseOpened");
  EXPECT_TRUE(absl::StartsWith(parked[0].reason, "malformed: case_opened.severity: ")) << parked[0].reason;
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c-ghost");
  pause.set_kind(v1::SLA_KIND_RESOLVE);
  pause.set_reason("x");
  v1::SlaClock clock;
  grpc::ClientContext ctx;
  EXPECT_FIELD_ERROR(stub_->PauseSla(&ctx, pause, &clock), grpc::NOT_FOUND, "case_id");
}

TEST_F(FollowUpServiceTest, ItsOwnEventsAreNotHandledAgain) {
  v1::Event own = common::NewEvent(fx_.clock().Now(), "c1", "follow-up", "t", "r");
  own.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
  ASSERT_TRUE(fx_.Deliver(own).ok());
  fx_.Advance(absl::Hours(5));
  EXPECT_TRUE(fx_.published().empty()) << "the runtime filtered it: no SLA clock";
}

TEST_F(FollowUpServiceTest, ReloadAppliesANewTargetToCasesOpenedAfterAndRefusesUnknownKeys) {
  EXPECT_FALSE(module_.Reload(YAML::Load("sla: {P1: {acknowledge: 30m}}\nsurprise: 1")).ok());
  ASSERT_TRUE(module_.Reload(YAML::Load("sla: {P1: {acknowledge: 30m, resolve: 4h}}")).ok());
  Open("c1");
  fx_.Advance(absl::Minutes(29));
  EXPECT_TRUE(Outbox("SlaBreached").empty());
  fx_.Advance(absl::Minutes(1));
  const auto breached = Outbox("SlaBreached");
  ASSERT_EQ(breached.size(), 1u);
  EXPECT_EQ(common::FromProto(breached[0].sla_breached().due()), kT0 + absl::Minutes(30));
}

// ---- who acts ----

// Every RPC, called with no credential: UNAUTHENTICATED, and nothing happens.
TEST_F(FollowUpServiceTest, EveryRpcWithoutACredentialIsUnauthenticatedAndChangesNothing) {
  Open("c1");
  fx_.ClearPublished();
  auto anonymous = v1::FollowUp::NewStub(fx_.ChannelWithToken(""));
  std::vector<std::pair<std::string, grpc::Status>> calls;
  auto call = [&](const std::string& rpc, auto method, auto req, auto resp) {
    grpc::ClientContext ctx;
    calls.emplace_back(rpc, ((*anonymous).*method)(&ctx, req, &resp));
  };
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c1");
  pause.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  pause.set_reason("waiting");
  v1::RecordSatisfactionRequest sat;
  sat.set_request_id("s1");
  sat.set_case_id("c1");
  sat.set_score(1);
  call("ListReminders", &v1::FollowUp::Stub::ListReminders, v1::ListRemindersRequest(), v1::ListRemindersResponse());
  call("SnoozeReminder", &v1::FollowUp::Stub::SnoozeReminder, v1::SnoozeReminderRequest(), v1::Reminder());
  call("RecordFollowUpSent", &v1::FollowUp::Stub::RecordFollowUpSent, v1::RecordFollowUpSentRequest(),
       v1::RecordFollowUpSentResponse());
  call("RecordSatisfaction", &v1::FollowUp::Stub::RecordSatisfaction, sat, v1::RecordSatisfactionResponse());
  call("SubmitReview", &v1::FollowUp::Stub::SubmitReview, v1::SubmitReviewRequest(), v1::Review());
  call("GetReview", &v1::FollowUp::Stub::GetReview, v1::GetReviewRequest(), v1::Review());
  call("GetTrends", &v1::FollowUp::Stub::GetTrends, v1::GetTrendsRequest(), v1::GetTrendsResponse());
  call("PauseSla", &v1::FollowUp::Stub::PauseSla, pause, v1::SlaClock());
  v1::ResumeSlaRequest resume;
  resume.set_request_id("r1");
  resume.set_case_id("c1");
  resume.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  call("ResumeSla", &v1::FollowUp::Stub::ResumeSla, resume, v1::SlaClock());
  EXPECT_EQ(calls.size(), 9u);  // every RPC of recovery.v1.FollowUp
  for (const auto& [rpc, status] : calls) EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED) << rpc;
  fx_.Quiesce();
  EXPECT_TRUE(fx_.PublishedOfType("SlaPaused").empty());
  EXPECT_TRUE(fx_.PublishedOfType("SatisfactionRecorded").empty());
  // The acknowledgement clock still runs: the anonymous PauseSla did not pause it.
  fx_.Advance(absl::Minutes(15));
  EXPECT_EQ(Outbox("SlaBreached").size(), 1u);
}

// The actor of a write's events is the authenticated caller, whatever the deprecated request
// fields say; sent_by and submitted_by are the caller's person id. Timers act as the service.
TEST_F(FollowUpServiceTest, WritesActAsTheCallerWhateverTheRequestSays) {
  Open("c1");
  auto lee = v1::FollowUp::NewStub(fx_.ChannelAs("lee"));
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c1");
  pause.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  pause.set_reason("waiting on the client");
  v1::SlaClock clock;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(lee->PauseSla(&ctx, pause, &clock).ok());
  }
  v1::ResumeSlaRequest resume;
  resume.set_request_id("p2");
  resume.set_case_id("c1");
  resume.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(lee->ResumeSla(&ctx, resume, &clock).ok());
  }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  v1::RecordFollowUpSentRequest sent;
  sent.set_request_id("f1");
  sent.set_case_id("c1");
  sent.set_channel(v1::CHANNEL_EMAIL);
  sent.set_summary("recap mailed");
  sent.set_sent_by("mallory");
  v1::SubmitReviewRequest review;
  review.set_request_id("rv1");
  review.set_case_id("c1");
  review.set_expected("a bill");
  review.set_happened("two bills");
  review.set_went_well("fast apology");
  review.set_to_improve("dedupe invoices");
  review.set_next_steps("add a check");
  review.set_submitted_by("mallory");
#pragma GCC diagnostic pop
  {
    grpc::ClientContext ctx;
    v1::RecordFollowUpSentResponse resp;
    ASSERT_TRUE(lee->RecordFollowUpSent(&ctx, sent, &resp).ok());
  }
  fx_.Advance(absl::Hours(1));  // the acknowledgement SLA breaches: a timer's doing
  Resolve("c1");
  v1::Review stored;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(lee->SubmitReview(&ctx, review, &stored).ok());
  }
  EXPECT_EQ(stored.submitted_by(), "lee");
  v1::RecordSatisfactionRequest sat;
  sat.set_request_id("s1");
  sat.set_case_id("c1");
  sat.set_score(4);
  {
    grpc::ClientContext ctx;
    v1::RecordSatisfactionResponse resp;
    ASSERT_TRUE(lee->RecordSatisfaction(&ctx, sat, &resp).ok());
  }
  for (const char* type : {"SlaPaused", "SlaResumed", "FollowUpSent", "ReviewSubmitted", "SatisfactionRecorded"}) {
    const auto events = Outbox(type);
    ASSERT_EQ(events.size(), 1u) << type;
    EXPECT_EQ(events[0].actor(), "person:lee") << type;
  }
  EXPECT_EQ(Outbox("FollowUpSent")[0].follow_up_sent().sent_by(), "lee");
  const auto breached = Outbox("SlaBreached");
  ASSERT_FALSE(breached.empty());
  for (const auto& e : breached) EXPECT_EQ(e.actor(), "service:follow-up");
}

// A read needs only its permission: a viewer lists reminders but may not pause a clock.
TEST_F(FollowUpServiceTest, AViewerReadsButDoesNotWrite) {
  Open("c1");
  auto vic = v1::FollowUp::NewStub(fx_.ChannelAs("vic"));
  {
    grpc::ClientContext ctx;
    v1::ListRemindersResponse listed;
    EXPECT_TRUE(vic->ListReminders(&ctx, v1::ListRemindersRequest(), &listed).ok());
  }
  v1::PauseSlaRequest pause;
  pause.set_request_id("p1");
  pause.set_case_id("c1");
  pause.set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  pause.set_reason("waiting");
  grpc::ClientContext ctx;
  v1::SlaClock clock;
  EXPECT_EQ(vic->PauseSla(&ctx, pause, &clock).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(Outbox("SlaPaused").empty());
}

}  // namespace
}  // namespace recovery::follow_up
