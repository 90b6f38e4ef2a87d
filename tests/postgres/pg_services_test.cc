// Service SQL on PostgreSQL: intake's OpenCase and RecordContact (history rows numbered inside
// their INSERT), the audit chain's append (a repeated event inserts nothing and leaves the
// transaction usable; PostgreSQL ends a transaction on any failed statement), escalation's
// listing across cases, and its cover requests and calendar feeds (their migrations, filters,
// paging and guarded updates).
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "grpcpp/server_context.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/audit/app.h"
#include "services/audit/store.h"
#include "services/common/auth/access_control.h"
#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/common/outbox.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/timers.h"
#include "services/escalation/module.h"
#include "services/escalation/store.h"
#include "services/intake/app.h"
#include "services/intake/grpc_service.h"
#include "services/intake/store.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/service_fixture.h"

namespace recovery {
namespace {

namespace v1 = recovery::v1;

TEST(PostgresServicesTest, IntakeOpensACaseAndNumbersItsHistoryRows) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = common::OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(common::Outbox::Migrate(**store).ok());
  ASSERT_TRUE(common::MigrateIdempotency(**store).ok());
  ASSERT_TRUE(intake::MigrateIntakeTables(**store).ok());
  common::ManualClock clock(absl::FromUnixSeconds(1795557600) + absl::Nanoseconds(1234567));
  common::Outbox outbox(**store);
  common::TimerService timers(**store, clock);
  intake::IntakeApp app(timers, outbox, intake::DefaultIntakeConfig());
  intake::IntakeService service(**store, clock, app);
  // The handler object is called directly, as an admitted person would reach it.
  grpc::ServerContext call;
  common::Caller caller;
  caller.principal.id = "lee";
  caller.principal.roles = {"case-manager"};
  caller.policy = common::Policy::DefaultShared();
  const common::InProcessCall admitted(&call, caller);

  v1::OpenCaseRequest open;
  open.set_request_id("open-1");
  open.mutable_client()->set_id("acme");
  open.mutable_client()->set_name("Acme Corp");
  open.mutable_contact()->set_name("Jo");
  open.set_channel(v1::CHANNEL_PHONE);
  open.set_category("missed_deadline");
  open.set_severity(v1::SEVERITY_P2);
  open.set_summary("Quarterly report is late");
  open.set_emotional_state(v1::EMOTIONAL_STATE_FRUSTRATED);
  v1::OpenCaseResponse opened;
  auto s = service.OpenCase(&call, &open, &opened);
  ASSERT_TRUE(s.ok()) << s.error_message();

  for (int i = 1; i <= 2; ++i) {
    v1::RecordContactRequest contact;
    contact.set_request_id("contact-" + std::to_string(i));
    contact.set_case_id(opened.case_().id());
    contact.set_channel(v1::CHANNEL_EMAIL);
    contact.set_summary("Called back " + std::to_string(i));
    contact.set_emotional_state(v1::EMOTIONAL_STATE_CONCERNED);
    v1::RecordContactResponse recorded;
    s = service.RecordContact(&call, &contact, &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::GetCaseRequest get;
  get.set_case_id(opened.case_().id());
  v1::GetCaseResponse read;
  ASSERT_TRUE(service.GetCase(&call, &get, &read).ok());
  ASSERT_EQ(read.case_().contacts_size(), 2);
  EXPECT_EQ(read.case_().contacts(0).summary(), "Called back 1");
  EXPECT_EQ(read.case_().contacts(1).summary(), "Called back 2");
  EXPECT_EQ(read.case_().emotional_history_size(), 3);
  auto rows = common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
    auto r = tx.Query("SELECT seq FROM emotional_states WHERE case_id = ? ORDER BY seq", {opened.case_().id()});
    if (!r.ok()) return r.status();
    EXPECT_EQ(r->size(), 3u);
    for (size_t i = 0; i < r->size(); ++i) EXPECT_EQ((*r)[i].Int(0), static_cast<int64_t>(i + 1));
    return absl::OkStatus();
  });
  EXPECT_TRUE(rows.ok()) << rows;
  // Without its later contacts, the opened case is what a read returned before them.
  v1::Case first = read.case_();
  first.clear_contacts();
  first.mutable_emotional_history()->DeleteSubrange(1, 2);
  first.set_emotional_state(opened.case_().emotional_state());
  *first.mutable_updated_at() = opened.case_().updated_at();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, opened.case_()))
      << first.DebugString() << "\nvs\n"
      << opened.case_().DebugString();
}

TEST(PostgresServicesTest, AuditAppendsOnceAndARepeatLeavesTheTransactionUsable) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = common::OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Migrate("audit", audit::AuditStore::Migrations()).ok());
  auto event = common::NewEvent(absl::FromUnixSeconds(1795557600), "case-a", "intake", "tester", "req-1");
  event.mutable_case_opened()->set_summary("late report");
  bool first = false, again = true;
  ASSERT_TRUE(common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
                auto r = audit::RecordEvent(tx, event, absl::FromUnixSeconds(1795557601));
                if (!r.ok()) return r.status();
                first = *r;
                return absl::OkStatus();
              }).ok());
  ASSERT_TRUE(common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
                auto r = audit::RecordEvent(tx, event, absl::FromUnixSeconds(1795557602));
                if (!r.ok()) return r.status();
                again = *r;
                return tx.Exec("SELECT 1");  // still usable after the refused repeat
              }).ok());
  EXPECT_TRUE(first);
  EXPECT_FALSE(again);
  audit::AuditStore audit(**store);
  auto stats = audit.Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->events_total, 1);
  EXPECT_EQ(stats->cases, 1);
  auto verified = audit.Verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->first_break.has_value());
  EXPECT_EQ(verified->checked, 1);
}

// escalation's list columns on PostgreSQL: the migration steps, SaveEscalation writing status
// and team, the backfill of a row stored before them, FindEscalations' filters and cursor in
// both orders.
TEST(PostgresServicesTest, EscalationsAreFoundAcrossCasesByTeamAndStatusInPages) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = common::OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Migrate("escalation", escalation::EscalationMigrations()).ok());
  ASSERT_TRUE((*store)->Migrate(escalation::kStateMigrationComponent, escalation::EscalationStateMigrations()).ok());
  using escalation::EscalationStatus;
  const auto state = [](const std::string& id, const std::string& case_id, const std::string& team,
                        EscalationStatus status) {
    escalation::EscalationState s = escalation::NewEscalation(id, case_id, {});
    s.team_id = team;
    s.status = status;
    return s;
  };
  ASSERT_TRUE(
      common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
        RETURN_IF_ERROR(escalation::SaveEscalation(tx, state("e1", "c1", "ops", EscalationStatus::kPaging), {}));
        RETURN_IF_ERROR(escalation::SaveEscalation(tx, state("e2", "c2", "billing", EscalationStatus::kHeld), {}));
        RETURN_IF_ERROR(escalation::SaveEscalation(tx, state("e3", "c1", "ops", EscalationStatus::kAcknowledged), {}));
        RETURN_IF_ERROR(escalation::SaveEscalation(tx, state("e4", "c3", "ops", EscalationStatus::kPaging), {}));
        // e3 moves on: the update writes the columns too.
        RETURN_IF_ERROR(escalation::SaveEscalation(tx, state("e3", "c1", "ops", EscalationStatus::kResolved), 1));
        // As stored before the columns: found by no status until backfilled.
        return tx.Exec("UPDATE escalations SET status = 0, team_id = '' WHERE escalation_id = 'e4'");
      }).ok());
  const auto find = [&](const escalation::EscalationFilter& f, const std::string& after, int limit) {
    std::vector<std::string> ids;
    EXPECT_TRUE(common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(auto rows, escalation::FindEscalations(tx, f, after, limit));
                  ids.clear();
                  for (const auto& r : rows) ids.push_back(r.state.escalation_id);
                  return absl::OkStatus();
                }).ok());
    return ids;
  };
  using Ids = std::vector<std::string>;
  const escalation::EscalationFilter active{"", "", {EscalationStatus::kHeld, EscalationStatus::kPaging}};
  EXPECT_EQ(find(active, "", 10), (Ids{"e2", "e1"}));
  int filled = 0;
  ASSERT_TRUE(common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
                ASSIGN_OR_RETURN(filled, escalation::BackfillListColumns(tx, 10));
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(filled, 1);
  EXPECT_EQ(find(active, "", 10), (Ids{"e4", "e2", "e1"}));
  EXPECT_EQ(find(active, "", 2), (Ids{"e4", "e2"}));
  EXPECT_EQ(find(active, "e2", 2), (Ids{"e1"}));
  EXPECT_EQ(find({"", "ops", {}}, "", 10), (Ids{"e4", "e3", "e1"}));
  EXPECT_EQ(find({"", "ops", {EscalationStatus::kResolved}}, "", 10), (Ids{"e3"}));
  EXPECT_EQ(find({"c1", "", {}}, "", 10), (Ids{"e1", "e3"}));  // one case: oldest first
  EXPECT_EQ(find({"c1", "", {}}, "e1", 10), (Ids{"e3"}));
}

TEST(PostgresServicesTest, EscalationCoverRequestsAndCalendarFeedsRunOnPostgres) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  escalation::EscalationModule module(escalation::EscalationModule::Options{.start_delivery_worker = false});
  testing::FixtureOptions options;
  options.db = url;
  options.config_yaml = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - {id: oncall, name: On call, time_zone: UTC, layers: [{name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}]}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";
  testing::ServiceFixture fx(module, options);
  ASSERT_TRUE(fx.ok());
  auto alice = v1::Escalation::NewStub(fx.ChannelAs("alice"));
  auto bob = v1::Escalation::NewStub(fx.ChannelAs("bob"));
  const absl::Time now = fx.clock().Now();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    v1::RequestCoverRequest ask;
    ask.set_request_id("ask-" + std::to_string(i));
    ask.set_schedule_id("oncall");
    ask.set_person_id("bob");
    *ask.mutable_start() = common::ToProto(now + absl::Hours(1 + 2 * i));
    *ask.mutable_end() = common::ToProto(now + absl::Hours(2 + 2 * i));
    v1::CoverRequestInfo out;
    auto ctx = common::ContextWithDeadline();
    const grpc::Status st = alice->RequestCover(ctx.get(), ask, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ids.push_back(out.cover_request_id());
  }
  v1::AcceptCoverRequest accept;
  accept.set_request_id("acc-1");
  accept.set_cover_request_id(ids[0]);
  v1::CoverRequestInfo accepted;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(bob->AcceptCover(ctx.get(), accept, &accepted).ok());
  accept.set_request_id("acc-2");  // a second answer finds it no longer pending
  ctx = common::ContextWithDeadline();
  EXPECT_EQ(bob->AcceptCover(ctx.get(), accept, &accepted).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::WhoIsOnCallRequest who;
  who.set_schedule_id("oncall");
  *who.mutable_at() = common::ToProto(now + absl::Minutes(90));
  v1::WhoIsOnCallResponse on_call;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(alice->WhoIsOnCall(ctx.get(), who, &on_call).ok());
  EXPECT_EQ(on_call.person_ids(0), "bob");

  fx.Advance(absl::Hours(3));  // ids[1] expires at its start (now + 3h)
  EXPECT_EQ(fx.PublishedOfType("CoverExpired").size(), 1u);
  v1::ListCoverRequestsRequest list;
  list.set_addressed_to_me(true);
  list.set_status(v1::COVER_REQUEST_STATUS_PENDING);
  v1::ListCoverRequestsResponse pending;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(bob->ListCoverRequests(ctx.get(), list, &pending).ok());
  ASSERT_EQ(pending.cover_requests_size(), 1);
  EXPECT_EQ(pending.cover_requests(0).cover_request_id(), ids[2]);
  v1::ListCoverRequestsRequest paged;
  paged.set_page_size(2);
  v1::ListCoverRequestsResponse page;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(alice->ListCoverRequests(ctx.get(), paged, &page).ok());
  EXPECT_EQ(page.cover_requests_size(), 2);
  EXPECT_FALSE(page.next_page_token().empty());

  v1::CreateCalendarFeedRequest create;
  create.set_request_id("feed-1");
  create.set_person_id("alice");
  v1::CalendarFeedInfo feed;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(alice->CreateCalendarFeed(ctx.get(), create, &feed).ok());
  const std::string token = feed.url_path().substr(10, 43);
  auto text = module.app().RenderCalendarFeed(token);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_TRUE(text->has_value());
  v1::RevokeCalendarFeedRequest revoke;
  revoke.set_request_id("revoke-1");
  revoke.set_feed_id(feed.feed_id());
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(alice->RevokeCalendarFeed(ctx.get(), revoke, &feed).ok());
  text = module.app().RenderCalendarFeed(token);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_FALSE(text->has_value());
}

}  // namespace
}  // namespace recovery
