// recovery.v1.Audit built through AuditModule on the in-process fixture: request validation,
// timelines, summaries, export lines, stats and VerifyChain, and which consumed events are
// chained and which parked.
#include <gtest/gtest.h>

#include "grpcpp/grpcpp.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/domain/errors.h"
#include "services/audit/domain/summary.h"
#include "services/audit/module.h"
#include "services/audit/validation.h"
#include "services/common/dead_letters.h"
#include "services/common/grpc_util.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "tests/audit/test_util.h"
#include "tests/support/service_fixture.h"

namespace recovery::audit {
namespace {

using recovery::v1::ExportEventsRequest;
using recovery::v1::GetTimelineRequest;
using testing::OpenedEvent;

google::protobuf::Timestamp At(int minutes) { return common::ToProto(testing::kBase + absl::Minutes(minutes)); }

TEST(AuditValidationTest, TimelineNeedsCaseId) {
  GetTimelineRequest req;
  auto s = ValidateGetTimeline(req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()), "case_id: required");
  req.set_case_id(std::string(201, 'x'));
  EXPECT_EQ(ValidateGetTimeline(req).code(), absl::StatusCode::kInvalidArgument);
  req.set_case_id("case-1");
  EXPECT_TRUE(ValidateGetTimeline(req).ok());
}

TEST(AuditValidationTest, ExportRangeMustNotEndBeforeItStarts) {
  ExportEventsRequest req;
  EXPECT_TRUE(ValidateExportEvents(req).ok());
  *req.mutable_occurred_from() = At(10);
  *req.mutable_occurred_to() = At(5);
  auto s = ValidateExportEvents(req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()).rfind("occurred_to:", 0), 0u) << s;
  *req.mutable_occurred_to() = At(10);
  EXPECT_TRUE(ValidateExportEvents(req).ok());
}

TEST(AuditValidationTest, ExportRejectsInvalidTimestamps) {
  ExportEventsRequest req;
  req.mutable_occurred_from()->set_nanos(-1);
  auto s = ValidateExportEvents(req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()).rfind("occurred_from:", 0), 0u) << s;
}

TEST(EventSummaryTest, SummariesNameWhatHappened) {
  auto opened = OpenedEvent("c1", 1);
  opened.mutable_case_opened()->mutable_client()->set_name("Acme");
  opened.mutable_case_opened()->set_channel(recovery::v1::CHANNEL_PHONE);
  opened.mutable_case_opened()->set_category("billing");
  EXPECT_EQ(SummarizeEvent(opened), "Case opened (P2, billing) for Acme via phone: event 1");

  auto tier = common::NewEvent(testing::kBase, "c1", "escalation", "system", "");
  tier.mutable_tier_advanced()->set_from_tier(1);
  tier.mutable_tier_advanced()->set_to_tier(2);
  tier.mutable_tier_advanced()->set_reason("ack timeout");
  EXPECT_EQ(SummarizeEvent(tier), "Escalated from tier 1 to tier 2 (ack timeout)");

  auto sat = common::NewEvent(testing::kBase, "c1", "follow-up", "client", "");
  sat.mutable_satisfaction_recorded()->set_score(2);
  sat.mutable_satisfaction_recorded()->set_low(true);
  EXPECT_EQ(SummarizeEvent(sat), "Satisfaction 2/5 (low)");

  auto breach = common::NewEvent(testing::kBase, "c1", "follow-up", "system", "");
  breach.mutable_sla_breached()->set_kind(recovery::v1::SLA_KIND_ACKNOWLEDGE);
  EXPECT_EQ(SummarizeEvent(breach), "SLA breached: acknowledge");

  // One reminder reaches a person on each of their channels: the summary says which.
  auto reminded = common::NewEvent(testing::kBase, "c1", "escalation", "system", "");
  reminded.mutable_reminder_delivered()->set_recipient("lee");
  reminded.mutable_reminder_delivered()->set_channel(recovery::v1::PAGE_CHANNEL_WEBHOOK);
  const std::string via_webhook = SummarizeEvent(reminded);
  reminded.mutable_reminder_delivered()->set_channel(recovery::v1::PAGE_CHANNEL_LOG);
  EXPECT_NE(SummarizeEvent(reminded), via_webhook);
  EXPECT_EQ(via_webhook.rfind("Reminder delivered to lee via ", 0), 0u) << via_webhook;

  EXPECT_EQ(SummarizeEvent(recovery::v1::Event()), "Event without body");
}

TEST(EventSummaryTest, CalendarFeedSummariesSayWhoseShiftsWhoAndWhy) {
  auto created = common::NewEvent(testing::kBase, "person:sam", "escalation", "person:mia", "req-1");
  auto* feed = created.mutable_calendar_feed_created()->mutable_feed();
  feed->set_feed_id("f-1");
  feed->set_person_id("sam");
  feed->set_created_by("person:mia");
  EXPECT_EQ(SummarizeEvent(created), "Calendar feed f-1 of sam's shifts created by person:mia");

  auto revoked = common::NewEvent(testing::kBase, "person:sam", "escalation", "person:sam", "req-2");
  *revoked.mutable_calendar_feed_revoked()->mutable_feed() = *feed;
  revoked.mutable_calendar_feed_revoked()->set_revoked_by("person:sam");
  revoked.mutable_calendar_feed_revoked()->set_reason("lost my phone");
  EXPECT_EQ(SummarizeEvent(revoked), "Calendar feed f-1 of sam's shifts revoked by person:sam: lost my phone");

  auto schedule = common::NewEvent(testing::kBase, "schedule:oncall", "escalation", "person:alice", "req-3");
  auto* of_schedule = schedule.mutable_calendar_feed_revoked()->mutable_feed();
  of_schedule->set_feed_id("f-2");
  of_schedule->set_schedule_id("oncall");
  schedule.mutable_calendar_feed_revoked()->set_revoked_by("person:alice");
  EXPECT_EQ(SummarizeEvent(schedule), "Calendar feed f-2 of schedule oncall revoked by person:alice");
}

TEST(EventSummaryTest, OverrideSummariesSayWhoIsOnCallWhenAndWhoMovedTheRota) {
  const absl::Time start = absl::FromCivil(absl::CivilMinute(2026, 11, 26, 18, 0), absl::UTCTimeZone());
  auto added = common::NewEvent(testing::kBase, "schedule:client-services-oncall", "escalation", "person:lee", "r-1");
  auto* o = added.mutable_override_added()->mutable_override();
  o->set_override_id("o-1");
  o->set_schedule_id("client-services-oncall");
  o->set_person_id("sam");
  *o->mutable_start() = common::ToProto(start);
  *o->mutable_end() = common::ToProto(start + absl::Hours(15));
  o->set_reason("alice travelling");
  o->set_created_by("person:lee");
  EXPECT_EQ(SummarizeEvent(added),
            "Override on client-services-oncall: sam from 2026-11-26 18:00 UTC to 2026-11-27 09:00 UTC, added by "
            "person:lee: alice travelling");

  auto removed = common::NewEvent(testing::kBase, "schedule:client-services-oncall", "escalation", "person:mia", "r-2");
  *removed.mutable_override_removed()->mutable_override() = *o;
  removed.mutable_override_removed()->mutable_override()->set_cover_request_id("c-1");
  removed.mutable_override_removed()->set_removed_by("person:mia");
  EXPECT_EQ(SummarizeEvent(removed),
            "Override on client-services-oncall: sam from 2026-11-26 18:00 UTC to 2026-11-27 09:00 UTC (cover request "
            "c-1), removed by person:mia");
}

recovery::testing::FixtureOptions StartingAtBase() {
  recovery::testing::FixtureOptions options;
  options.start = testing::kBase;
  return options;
}

// The audit service built through AuditModule on the in-process fixture.
class AuditServiceTest : public ::testing::Test {
 protected:
  AuditServiceTest() : fx_(module_, StartingAtBase()), stub_(recovery::v1::Audit::NewStub(fx_.channel())) {}
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  void Record(const recovery::v1::Event& e) { ASSERT_TRUE(fx_.Deliver(e).ok()); }
  std::vector<common::DeadLetter> Parked() {
    std::vector<common::DeadLetter> out;
    EXPECT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(out, common::ListDeadLetters(tx, common::kDeadLetterConsumer, 100));
                  return absl::OkStatus();
                }).ok());
    return out;
  }
  recovery::v1::GetStatsResponse Stats() {
    recovery::v1::GetStatsResponse stats;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub_->GetStats(ctx.get(), recovery::v1::GetStatsRequest(), &stats).ok());
    return stats;
  }

  AuditModule module_;
  recovery::testing::ServiceFixture fx_;
  std::unique_ptr<recovery::v1::Audit::Stub> stub_;
};

TEST_F(AuditServiceTest, TimelineWithoutCaseIdIsInvalidArgument) {
  recovery::v1::GetTimelineResponse resp;
  auto ctx = common::ContextWithDeadline();
  auto s = stub_->GetTimeline(ctx.get(), GetTimelineRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "case_id: required");
}

TEST_F(AuditServiceTest, TimelineOfUnknownCaseIsNotFound) {
  GetTimelineRequest req;
  req.set_case_id("nobody");
  recovery::v1::GetTimelineResponse resp;
  auto ctx = common::ContextWithDeadline();
  auto s = stub_->GetTimeline(ctx.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message().rfind("case_id:", 0), 0u);
}

TEST_F(AuditServiceTest, TimelineListsTheCaseInOrderWithSummaryAndJson) {
  for (int i = 1; i <= 4; ++i) Record(OpenedEvent(i % 2 ? "c1" : "c2", i));
  GetTimelineRequest req;
  req.set_case_id("c1");
  recovery::v1::GetTimelineResponse resp;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->GetTimeline(ctx.get(), req, &resp).ok());
  ASSERT_EQ(resp.entries_size(), 2);
  EXPECT_EQ(resp.entries(0).case_seq(), 1);
  EXPECT_EQ(resp.entries(1).case_seq(), 2);
  EXPECT_EQ(resp.entries(1).seq(), 3);
  EXPECT_EQ(resp.entries(0).type(), "CaseOpened");
  EXPECT_EQ(resp.entries(0).source(), "intake");
  EXPECT_EQ(resp.entries(0).actor(), "tester");
  EXPECT_EQ(common::FromProto(resp.entries(0).occurred_at()), testing::kBase + absl::Minutes(1));
  EXPECT_NE(resp.entries(0).summary().find("event 1"), std::string::npos);
  EXPECT_NE(resp.entries(1).event_json().find("\"summary\":\"event 3\""), std::string::npos)
      << resp.entries(1).event_json();
}

TEST_F(AuditServiceTest, ExportStreamsJsonLinesAndRejectsBackwardRange) {
  for (int i = 1; i <= 4; ++i) Record(OpenedEvent("c1", i));
  ExportEventsRequest req;
  *req.mutable_occurred_from() = At(2);
  std::vector<std::string> lines;
  {
    auto ctx = common::ContextWithDeadline();
    auto reader = stub_->ExportEvents(ctx.get(), req);
    recovery::v1::ExportEventsResponse line;
    while (reader->Read(&line)) lines.push_back(line.json_line());
    ASSERT_TRUE(reader->Finish().ok());
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("{\"seq\":2,\"case_seq\":2,\"record_hash\":\"", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("\"event\":{"), std::string::npos);

  *req.mutable_occurred_to() = At(1);
  auto ctx = common::ContextWithDeadline();
  auto reader = stub_->ExportEvents(ctx.get(), req);
  recovery::v1::ExportEventsResponse line;
  EXPECT_FALSE(reader->Read(&line));
  auto s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "occurred_to: must not be before occurred_from");
}

TEST_F(AuditServiceTest, StatsAndVerifyChainReportTheHead) {
  for (int i = 1; i <= 3; ++i) Record(OpenedEvent("c" + std::to_string(i), i, i == 3 ? "escalation" : "intake"));
  recovery::v1::GetStatsResponse stats;
  {
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(stub_->GetStats(ctx.get(), recovery::v1::GetStatsRequest(), &stats).ok());
  }
  EXPECT_EQ(stats.events_total(), 3);
  EXPECT_EQ(stats.cases(), 3);
  EXPECT_EQ(stats.last_seq(), 3);
  EXPECT_EQ(stats.events_by_source().at("intake"), 2);
  EXPECT_EQ(stats.events_by_source().at("escalation"), 1);
  recovery::v1::VerifyChainResponse verify;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->VerifyChain(ctx.get(), recovery::v1::VerifyChainRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok());
  EXPECT_EQ(verify.records_checked(), 3);
  EXPECT_EQ(verify.head_hash(), stats.head_hash());
  EXPECT_FALSE(verify.has_first_break());
}

TEST(AuditErrorTest, NoEventsForACaseIsNotFound) {
  EXPECT_EQ(StatusCodeOf(AuditError::kNoEventsForCase), absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(AuditError::kNoEventsForCase, "case_id: x").message(), "case_id: x");
}

TEST(AuditValidationTest, MalformedIdsAndTimestampFiltersNameTheField) {
  GetTimelineRequest timeline;
  for (const std::string& bad : {std::string("case 1"), std::string("c\x1b[2J"), std::string(129, 'x')}) {
    timeline.set_case_id(bad);
    auto s = ValidateGetTimeline(timeline);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(s.message()).rfind("case_id: ", 0), 0u) << s;
  }
  ExportEventsRequest req;
  req.mutable_occurred_from()->set_seconds(INT64_MIN);
  EXPECT_EQ(std::string(ValidateExportEvents(req).message()).rfind("occurred_from: ", 0), 0u);
  req.clear_occurred_from();
  req.mutable_occurred_to()->set_nanos(2000000000);
  EXPECT_EQ(std::string(ValidateExportEvents(req).message()).rfind("occurred_to: ", 0), 0u);
  req.clear_occurred_to();
  req.set_case_id("c 1");
  EXPECT_EQ(std::string(ValidateExportEvents(req).message()).rfind("case_id: ", 0), 0u);
}

TEST_F(AuditServiceTest, AnEventWithoutCaseIdOrBodyIsParkedNotChained) {
  Record(OpenedEvent("c1", 1));
  auto no_case = OpenedEvent("", 2);
  ASSERT_EQ(fx_.Deliver(no_case).code(), absl::StatusCode::kInvalidArgument) << "refused; the consumer parks it";
  auto no_body = common::NewEvent(testing::kBase, "c1", "intake", "tester", "req-3");
  Record(no_body);  // parked as malformed by the consumer already, before audit sees it
  fx_.Quiesce();
  const auto stats = Stats();
  EXPECT_EQ(stats.events_total(), 1) << "only the well-formed event is in the chain";
  const auto parked = Parked();  // newest first
  ASSERT_EQ(parked.size(), 2u);
  EXPECT_EQ(parked[0].event_id, no_body.event_id());
  EXPECT_EQ(parked[0].reason, "malformed: the envelope has no body");
  EXPECT_EQ(parked[1].event_id, no_case.event_id());
  EXPECT_EQ(parked[1].type, "CaseOpened");
  EXPECT_EQ(parked[1].reason, "malformed: case_id: required");
  // Stamped with the service's clock (the fixture's manual clock), by the consumer and by audit.
  EXPECT_EQ(parked[0].parked_at, fx_.clock().Now());
  EXPECT_EQ(parked[1].parked_at, fx_.clock().Now());
  recovery::v1::VerifyChainResponse verify;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->VerifyChain(ctx.get(), recovery::v1::VerifyChainRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok());
}

TEST_F(AuditServiceTest, AnEventClaimingSourceAuditIsStillRecorded) {
  Record(OpenedEvent("c1", 1, "audit"));
  EXPECT_EQ(Stats().events_by_source().at("audit"), 1);
}

// Every RPC, called with no credential: UNAUTHENTICATED; a viewer sees timelines but not the
// chain; what is recorded keeps the recorded event's actor, whoever reads it.
TEST_F(AuditServiceTest, EveryRpcNeedsItsPermissionAndTheRecordKeepsTheEventsActor) {
  Record(OpenedEvent("c1", 1));
  auto anonymous = recovery::v1::Audit::NewStub(fx_.ChannelWithToken(""));
  auto vic = recovery::v1::Audit::NewStub(fx_.ChannelAs("vic"));
  GetTimelineRequest timeline;
  timeline.set_case_id("c1");
  for (auto* stub : {anonymous.get(), vic.get()}) {
    const grpc::StatusCode expected = stub == anonymous.get() ? grpc::UNAUTHENTICATED : grpc::PERMISSION_DENIED;
    if (stub == anonymous.get()) {
      recovery::v1::GetTimelineResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->GetTimeline(ctx.get(), timeline, &resp).error_code(), expected);
    }
    {
      recovery::v1::VerifyChainResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->VerifyChain(ctx.get(), recovery::v1::VerifyChainRequest(), &resp).error_code(), expected);
    }
    {
      recovery::v1::GetStatsResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->GetStats(ctx.get(), recovery::v1::GetStatsRequest(), &resp).error_code(), expected);
    }
    {
      auto ctx = common::ContextWithDeadline();
      auto reader = stub->ExportEvents(ctx.get(), ExportEventsRequest());
      recovery::v1::ExportEventsResponse line;
      EXPECT_FALSE(reader->Read(&line));
      EXPECT_EQ(reader->Finish().error_code(), expected);
    }
  }
  recovery::v1::GetTimelineResponse resp;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(vic->GetTimeline(ctx.get(), timeline, &resp).ok());
  ASSERT_EQ(resp.entries_size(), 1);
  EXPECT_EQ(resp.entries(0).actor(), "tester");  // the event's actor, not the reader
}

}  // namespace
}  // namespace recovery::audit
