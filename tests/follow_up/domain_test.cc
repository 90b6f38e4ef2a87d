// Unit tests of the follow-up domain with a manual clock: SLA clocks, reminders, written
// follow-ups, satisfaction and reviews; calendars across a daylight-saving change.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/follow_up/domain/config.h"
#include "services/follow_up/domain/follow_up.h"
#include "tests/follow_up/domain_driver.h"
#include "yaml-cpp/yaml.h"

namespace recovery::follow_up {
namespace {

using recovery::v1::Event;
using testing::DomainDriver;
namespace v1 = recovery::v1;

absl::Time At(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

constexpr char kYaml[] = R"(
sla:
  P1: {acknowledge: 15m, resolve: 4h}
  P3: {acknowledge: 4h, resolve: business 8h}
  P4: {acknowledge: next_business_day, resolve: business 16h}
reminders: {lead: 1h, overdue_every: 4h, overdue_max: 3, manager_after: 1}
written_follow_up_after: 24h
satisfaction: {delay: 72h, low_threshold: 2}
managers: {alice: bob}
default_calendar: utc-office
calendars:
  - id: utc-office
    time_zone: UTC
    weekly: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
  - id: london
    time_zone: Europe/London
    weekly: {mon: ["09:00-17:30"], tue: ["09:00-17:30"], wed: ["09:00-17:30"], thu: ["09:00-17:30"], fri: ["09:00-17:30"]}
    holidays:
      - {date: 2026-12-28, name: Boxing Day (substitute)}
)";

FollowUpConfig TestConfig() {
  auto cfg = ParseConfig(YAML::Load(kYaml));
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return *cfg;
}

const absl::Time kT0 = At("2026-11-24T10:00:00Z");  // a Tuesday

Event Opened(DomainDriver& d, const std::string& case_id, v1::Severity sev, const std::string& calendar = "") {
  Event e = d.NewEvent(case_id);
  auto* b = e.mutable_case_opened();
  b->set_severity(sev);
  b->set_category("billing_error");
  b->mutable_client()->set_id("client-1");
  b->mutable_client()->set_calendar_id(calendar);
  return e;
}

Event Acknowledged(DomainDriver& d, const std::string& case_id, const std::string& owner = "alice") {
  Event e = d.NewEvent(case_id);
  e.mutable_case_acknowledged()->set_acknowledged_by(owner);
  e.mutable_case_acknowledged()->set_owner(owner);
  return e;
}

Event Resolved(DomainDriver& d, const std::string& case_id) {
  Event e = d.NewEvent(case_id);
  e.mutable_case_resolved()->set_resolution("fixed");
  return e;
}

v1::ActionItem Item(const std::string& id, const std::string& owner, absl::Time due) {
  v1::ActionItem item;
  item.set_id(id);
  item.set_what("Refund the duplicate charge");
  item.set_owner(owner);
  *item.mutable_due() = common::ToProto(due);
  item.set_status(v1::ITEM_STATUS_OPEN);
  return item;
}

std::vector<std::string> ReminderLog(DomainDriver& d) {
  std::vector<std::string> out;
  for (const auto& e : d.Published(Event::kReminderDue)) {
    out.push_back(absl::StrCat(absl::FormatTime("%H:%M", common::FromProto(e.occurred_at()), absl::UTCTimeZone()), " ",
                               e.reminder_due().kind(), " ", e.reminder_due().recipient(), " ",
                               e.reminder_due().repeat()));
  }
  return out;
}

// ---- SLA clocks ----

TEST(SlaTest, CaseOpenedArmsAcknowledgeAndResolveTimersPerSeverity) {
  DomainDriver d(TestConfig(), kT0);
  const Outcome out = d.Deliver(Opened(d, "c1", v1::SEVERITY_P1));
  ASSERT_EQ(out.timers.size(), 2u);
  EXPECT_EQ(out.timers[0], TimerOp::Arm(kSlaTimer, "c1/ack", kT0 + absl::Minutes(15)));
  EXPECT_EQ(out.timers[1], TimerOp::Arm(kSlaTimer, "c1/resolve", kT0 + absl::Hours(4)));
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(d.Case("c1").ack.state, SlaState::kRunning);
}

TEST(SlaTest, UnacknowledgedCaseBreachesExactlyOnce) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P1));
  d.Advance(absl::Minutes(14));
  EXPECT_TRUE(d.Published(Event::kSlaBreached).empty());
  d.Advance(absl::Minutes(2));
  auto breaches = d.Published(Event::kSlaBreached);
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].sla_breached().kind(), v1::SLA_KIND_ACKNOWLEDGE);
  EXPECT_EQ(breaches[0].sla_breached().severity(), v1::SEVERITY_P1);
  EXPECT_EQ(common::FromProto(breaches[0].sla_breached().due()), kT0 + absl::Minutes(15));
  EXPECT_EQ(breaches[0].source(), "follow-up");
  // A timer's effect is follow-up's own doing; the timer is its cause.
  EXPECT_EQ(breaches[0].actor(), "service:follow-up");
  EXPECT_EQ(breaches[0].causation_id().rfind("timer:", 0), 0u) << breaches[0].causation_id();
  // A late acknowledgement does not produce another breach, nor does more time.
  d.Deliver(Acknowledged(d, "c1"));
  d.Advance(absl::Hours(1));
  EXPECT_EQ(d.Published(Event::kSlaBreached).size(), 1u);
  EXPECT_EQ(d.Case("c1").breaches, 1);
}

TEST(SlaTest, AcknowledgementCancelsTheAckTimerSoItNeverBreaches) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P1));
  d.Advance(absl::Minutes(5));
  const Outcome out = d.Deliver(Acknowledged(d, "c1"));
  ASSERT_EQ(out.timers.size(), 1u);
  EXPECT_EQ(out.timers[0].op, TimerOp::Op::kCancel);
  EXPECT_EQ(out.timers[0].key, "c1/ack");
  d.Advance(absl::Hours(3));
  EXPECT_TRUE(d.Published(Event::kSlaBreached).empty());
  EXPECT_EQ(d.Case("c1").ack.state, SlaState::kMet);
  EXPECT_EQ(*d.Case("c1").acked_at, kT0 + absl::Minutes(5));
}

TEST(SlaTest, ResolutionSlaCancelledOnResolveAndReArmedOnReopen) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P1));
  d.Deliver(Acknowledged(d, "c1"));
  d.Advance(absl::Hours(1));
  d.Deliver(Resolved(d, "c1"));
  d.Advance(absl::Hours(5));
  EXPECT_TRUE(d.Published(Event::kSlaBreached).empty());
  Event reopened = d.NewEvent("c1");
  reopened.mutable_case_reopened()->set_reason("came back");
  const Outcome out = d.Deliver(reopened);
  EXPECT_NE(
      std::find(out.timers.begin(), out.timers.end(), TimerOp::Arm(kSlaTimer, "c1/resolve", d.now() + absl::Hours(4))),
      out.timers.end());
  d.Advance(absl::Hours(4));
  auto breaches = d.Published(Event::kSlaBreached);
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].sla_breached().kind(), v1::SLA_KIND_RESOLVE);
}

TEST(SlaTest, PauseKeepsTheRemainingTimeAndResumeMovesTheDeadline) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P1));
  d.Advance(absl::Minutes(5));
  auto paused = PauseSla(d.Case("c1"), v1::SLA_KIND_ACKNOWLEDGE, "waiting on the client", d.now(), "api", "r1");
  ASSERT_TRUE(paused.ok()) << paused.status();
  d.Apply(*paused);
  ASSERT_EQ(paused->events.size(), 1u);
  EXPECT_EQ(paused->events[0].sla_paused().remaining().seconds(), 600);
  EXPECT_EQ(paused->events[0].actor(), "api");
  EXPECT_EQ(PauseSla(d.Case("c1"), v1::SLA_KIND_ACKNOWLEDGE, "x", d.now(), "api", "r2").status().code(),
            absl::StatusCode::kFailedPrecondition);
  d.Advance(absl::Hours(2));
  EXPECT_TRUE(d.Published(Event::kSlaBreached).empty());
  auto resumed = ResumeSla(d.Case("c1"), v1::SLA_KIND_ACKNOWLEDGE, d.now(), "api", "r3");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  d.Apply(*resumed);
  const absl::Time new_due = kT0 + absl::Minutes(5) + absl::Hours(2) + absl::Minutes(10);
  EXPECT_EQ(common::FromProto(resumed->events[0].sla_resumed().new_due()), new_due);
  d.AdvanceTo(new_due - absl::Seconds(1));
  EXPECT_TRUE(d.Published(Event::kSlaBreached).empty());
  d.AdvanceTo(new_due);
  EXPECT_EQ(d.Published(Event::kSlaBreached).size(), 1u);
  EXPECT_EQ(ResumeSla(d.Case("c1"), v1::SLA_KIND_ACKNOWLEDGE, d.now(), "api", "r4").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SlaTest, SeverityRaisedRecomputesTheRunningDeadlineFromOpening) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P3));
  Event updated = d.NewEvent("c1");
  updated.mutable_case_updated()->set_severity(v1::SEVERITY_P1);
  const Outcome out = d.Deliver(updated);
  EXPECT_EQ(out.timers[0], TimerOp::Arm(kSlaTimer, "c1/ack", kT0 + absl::Minutes(15)));
}

// ---- calendars ----

TEST(CalendarSlaTest, P4OpenedFridayBeforeTheClocksGoBackIsDueNextBusinessDayAtNineLocal) {
  // Friday 23 Oct 2026 16:00 BST (15:00Z); the clocks go back on Sunday 25 Oct; Monday 09:00
  // local is then GMT, 09:00Z (not 08:00Z as a fixed BST offset would give).
  DomainDriver d(TestConfig(), At("2026-10-23T15:00:00Z"));
  const Outcome out = d.Deliver(Opened(d, "c4", v1::SEVERITY_P4, "london"));
  EXPECT_EQ(out.timers[0], TimerOp::Arm(kSlaTimer, "c4/ack", At("2026-10-26T09:00:00Z")));
  d.AdvanceTo(At("2026-10-26T08:59:59Z"));
  EXPECT_TRUE(d.Published(Event::kSlaBreached).empty());
  d.AdvanceTo(At("2026-10-26T09:00:00Z"));
  EXPECT_EQ(d.Published(Event::kSlaBreached).size(), 1u);
}

TEST(CalendarSlaTest, BusinessHoursCountOnlyOpenTimeAcrossTheWeekendAndDstChange) {
  // P3 resolve = 8 business hours: Fri 16:00-17:30 BST (1.5h) + Mon 09:00-15:30 GMT (6.5h).
  DomainDriver d(TestConfig(), At("2026-10-23T15:00:00Z"));
  const Outcome out = d.Deliver(Opened(d, "c3", v1::SEVERITY_P3, "london"));
  EXPECT_EQ(out.timers[1], TimerOp::Arm(kSlaTimer, "c3/resolve", At("2026-10-26T15:30:00Z")));
}

TEST(CalendarSlaTest, HolidaysOnTheClientCalendarAreSkipped) {
  // Friday 25 Dec 2026 18:00 GMT (after hours; no holiday listed that day on this calendar):
  // Mon 28 Dec is a holiday, so the P4 acknowledgement is due Tue 29 Dec 09:00.
  DomainDriver d(TestConfig(), At("2026-12-25T18:00:00Z"));
  const Outcome out = d.Deliver(Opened(d, "c5", v1::SEVERITY_P4, "london"));
  EXPECT_EQ(out.timers[0].due, At("2026-12-29T09:00:00Z"));
}

TEST(CalendarSlaTest, UnknownClientCalendarFallsBackToTheDefault) {
  DomainDriver d(TestConfig(), At("2026-11-27T20:00:00Z"));  // Friday evening UTC
  const Outcome out = d.Deliver(Opened(d, "c6", v1::SEVERITY_P4, "no-such-calendar"));
  EXPECT_EQ(out.timers[0].due, At("2026-11-30T09:00:00Z"));
}

// ---- action-item reminders ----

TEST(ReminderTest, ItemRemindersFireBeforeAtAndOverdueThenGoToTheManager) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P3));
  Event added = d.NewEvent("c1");
  *added.mutable_action_item_added()->mutable_item() = Item("i1", "alice", kT0 + absl::Hours(10));
  const Outcome out = d.Deliver(added);
  ASSERT_EQ(out.timers.size(), 1u);
  EXPECT_EQ(out.timers[0], TimerOp::Arm(kReminderTimer, "c1/item/i1", kT0 + absl::Hours(9)));
  d.Advance(absl::Hours(40));
  EXPECT_EQ(ReminderLog(d), (std::vector<std::string>{"19:00 item_before_due alice 0", "20:00 item_due alice 0",
                                                      "00:00 item_overdue alice 1", "04:00 item_overdue bob 2",
                                                      "08:00 item_overdue bob 3"}));
  EXPECT_TRUE(d.TracksOf("c1").empty());
  const auto first = d.Published(Event::kReminderDue)[0].reminder_due();
  EXPECT_EQ(first.subject_id(), "i1");
  EXPECT_EQ(first.reminder_id(), "c1/item/i1");
  EXPECT_NE(first.reason().find("Refund the duplicate charge"), std::string::npos);
}

TEST(ReminderTest, PlanDraftedItemsAreTrackedAndChangingTheDueMovesTheReminder) {
  DomainDriver d(TestConfig(), kT0);
  Event drafted = d.NewEvent("c1");
  *drafted.mutable_plan_drafted()->add_items() = Item("i1", "alice", kT0 + absl::Hours(3));
  *drafted.mutable_plan_drafted()->add_items() = Item("i2", "bob", kT0 + absl::Hours(5));
  EXPECT_EQ(d.Deliver(drafted).timers.size(), 2u);
  Event updated = d.NewEvent("c1");
  *updated.mutable_action_item_updated()->mutable_item() = Item("i1", "alice", kT0 + absl::Hours(30));
  const Outcome out = d.Deliver(updated);
  EXPECT_EQ(out.timers[0], TimerOp::Arm(kReminderTimer, "c1/item/i1", kT0 + absl::Hours(29)));
  d.Advance(absl::Hours(4));
  for (const auto& e : d.Published(Event::kReminderDue)) EXPECT_EQ(e.reminder_due().subject_id(), "i2");
  EXPECT_EQ(d.Published(Event::kReminderDue).size(), 1u);  // i2 before due only
}

TEST(ReminderTest, CompletedOrCancelledItemsStopReminding) {
  DomainDriver d(TestConfig(), kT0);
  Event drafted = d.NewEvent("c1");
  *drafted.mutable_plan_drafted()->add_items() = Item("i1", "alice", kT0 + absl::Hours(3));
  *drafted.mutable_plan_drafted()->add_items() = Item("i2", "bob", kT0 + absl::Hours(3));
  d.Deliver(drafted);
  Event completed = d.NewEvent("c1");
  *completed.mutable_action_item_completed()->mutable_item() = Item("i1", "alice", kT0 + absl::Hours(3));
  Outcome out = d.Deliver(completed);
  EXPECT_EQ(out.timers[0], TimerOp::Cancel(kReminderTimer, "c1/item/i1"));
  Event cancelled = d.NewEvent("c1");
  auto item = Item("i2", "bob", kT0 + absl::Hours(3));
  item.set_status(v1::ITEM_STATUS_CANCELLED);
  *cancelled.mutable_action_item_updated()->mutable_item() = item;
  out = d.Deliver(cancelled);
  EXPECT_EQ(out.timers[0].op, TimerOp::Op::kCancel);
  d.Advance(absl::Hours(48));
  EXPECT_TRUE(d.Published(Event::kReminderDue).empty());
  EXPECT_TRUE(d.timers().empty());
}

TEST(ReminderTest, SnoozeMovesTheNextFiring) {
  DomainDriver d(TestConfig(), kT0);
  Event added = d.NewEvent("c1");
  *added.mutable_action_item_added()->mutable_item() = Item("i1", "alice", kT0 + absl::Hours(10));
  d.Deliver(added);
  auto track = d.TracksOf("c1").at(0);
  EXPECT_EQ(SnoozeReminder(track, kT0, kT0, "person:lee", "r").status().code(), absl::StatusCode::kInvalidArgument);
  auto snoozed = SnoozeReminder(track, kT0 + absl::Hours(9) + absl::Minutes(30), kT0, "person:lee", "r");
  ASSERT_TRUE(snoozed.ok());
  d.Apply(*snoozed);
  EXPECT_EQ(snoozed->events[0].reminder_snoozed().reminder_id(), "c1/item/i1");
  d.AdvanceTo(kT0 + absl::Hours(9) + absl::Minutes(29));
  EXPECT_TRUE(d.Published(Event::kReminderDue).empty());
  d.AdvanceTo(kT0 + absl::Hours(9) + absl::Minutes(30));
  EXPECT_EQ(d.Published(Event::kReminderDue).size(), 1u);
}

// ---- commitments ----

TEST(CommitmentTest, UnkeptCommitmentIsBrokenAndEscalatedAtItsDueTime) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  Event made = d.NewEvent("c1");
  auto* cm = made.mutable_commitment_made()->mutable_commitment();
  cm->set_id("k1");
  cm->set_text("Call back by 2pm");
  cm->set_owner("alice");
  *cm->mutable_due() = common::ToProto(kT0 + absl::Hours(4));
  d.Deliver(made);
  d.Advance(absl::Hours(4));
  EXPECT_EQ(ReminderLog(d),
            (std::vector<std::string>{"13:00 commitment_before_due alice 0", "14:00 commitment_due alice 0"}));
  auto broken = d.Published(Event::kCommitmentBroken);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].commitment_broken().commitment().id(), "k1");
  EXPECT_EQ(broken[0].source(), "follow-up");
  EXPECT_EQ(broken[0].actor(), "service:follow-up");
  std::vector<Event> breaches;  // the P2 acknowledgement SLA breached too (nobody acknowledged)
  for (const auto& e : d.Published(Event::kSlaBreached))
    if (e.sla_breached().kind() == v1::SLA_KIND_COMMITMENT) breaches.push_back(e);
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].sla_breached().subject_id(), "k1");
  EXPECT_EQ(breaches[0].sla_breached().owner(), "alice");
  EXPECT_EQ(d.Case("c1").breaches, 2);
}

TEST(CommitmentTest, KeptCommitmentIsNeverBroken) {
  DomainDriver d(TestConfig(), kT0);
  Event made = d.NewEvent("c1");
  auto* cm = made.mutable_commitment_made()->mutable_commitment();
  cm->set_id("k1");
  cm->set_owner("alice");
  *cm->mutable_due() = common::ToProto(kT0 + absl::Hours(4));
  d.Deliver(made);
  d.Advance(absl::Minutes(30));
  Event kept = d.NewEvent("c1");
  *kept.mutable_commitment_kept()->mutable_commitment() = *cm;
  d.Deliver(kept);
  d.Advance(absl::Hours(24));
  EXPECT_TRUE(d.Published(Event::kCommitmentBroken).empty());
  EXPECT_TRUE(d.Published(Event::kReminderDue).empty());
}

// ---- written follow-up ----

TEST(WrittenFollowUpTest, ContactWithoutWrittenRecapRemindsTheOwnerAfterADay) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  d.Deliver(Acknowledged(d, "c1", "alice"));
  Event contact = d.NewEvent("c1");
  contact.mutable_contact_recorded()->set_summary("called the client");
  contact.mutable_contact_recorded()->set_recorded_by("zed");
  d.Deliver(contact);
  d.Advance(absl::Hours(12));
  Event again = d.NewEvent("c1");  // a second contact moves the deadline
  again.mutable_contact_recorded()->set_summary("second call");
  d.Deliver(again);
  d.Advance(absl::Hours(23));
  EXPECT_TRUE(d.Published(Event::kReminderDue).empty());
  d.Advance(absl::Hours(1));
  auto due = d.Published(Event::kReminderDue);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].reminder_due().kind(), "written_follow_up");
  EXPECT_EQ(due[0].reminder_due().recipient(), "alice");
  d.Advance(absl::Hours(100));
  EXPECT_EQ(d.Published(Event::kReminderDue).size(), 1u);
}

TEST(WrittenFollowUpTest, RecordedFollowUpCancelsTheReminder) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  Event shared = d.NewEvent("c1");
  shared.mutable_plan_shared()->set_version(1);
  d.Deliver(shared);
  v1::FollowUpSent sent;
  sent.set_sent_by("alice");
  const Outcome out = RecordFollowUpSent(d.Case("c1"), d.TracksOf("c1"), sent, d.now(), "person:alice", "req").value();
  EXPECT_EQ(out.rows.delete_reminders.size(), 1u);
  d.Apply(out);
  d.Advance(absl::Hours(48));
  EXPECT_TRUE(d.Published(Event::kReminderDue).empty());
  ASSERT_EQ(d.Published(Event::kFollowUpSent).size(), 1u);
  EXPECT_EQ(d.Published(Event::kFollowUpSent)[0].actor(), "person:alice");
}

// ---- satisfaction and review ----

TEST(SatisfactionTest, ResolvedCaseGetsASatisfactionCheckAfterTheDelay) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  d.Deliver(Resolved(d, "c1"));
  d.Advance(absl::Hours(71));
  EXPECT_TRUE(d.Published(Event::kSatisfactionCheckDue).empty());
  d.Advance(absl::Hours(1));
  auto due = d.Published(Event::kSatisfactionCheckDue);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].satisfaction_check_due().client_id(), "client-1");
}

TEST(SatisfactionTest, ReopeningCancelsTheSatisfactionCheck) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  d.Deliver(Resolved(d, "c1"));
  Event reopened = d.NewEvent("c1");
  reopened.mutable_case_reopened()->set_reason("not fixed");
  d.Deliver(reopened);
  d.Advance(absl::Hours(100));
  EXPECT_TRUE(d.Published(Event::kSatisfactionCheckDue).empty());
}

TEST(SatisfactionTest, AnEarlyAnswerCancelsTheSatisfactionCheck) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  d.Deliver(Resolved(d, "c1"));
  const Outcome out = RecordSatisfaction(d.cfg(), d.Case("c1"), 5, "great", d.now(), "person:lee", "r").value();
  EXPECT_EQ(out.timers.at(0), TimerOp::Cancel(kSatisfactionTimer, "c1"));
  d.Apply(out);
  d.Advance(absl::Hours(100));
  EXPECT_TRUE(d.Published(Event::kSatisfactionCheckDue).empty());
  EXPECT_FALSE(d.Published(Event::kSatisfactionRecorded)[0].satisfaction_recorded().low());
}

TEST(SatisfactionTest, ScoreAtOrBelowTheThresholdIsLow) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  for (int score = 1; score <= 5; ++score) {
    const Outcome out = RecordSatisfaction(d.cfg(), d.Case("c1"), score, "meh", d.now(), "person:lee", "r").value();
    ASSERT_EQ(out.events.size(), 1u);
    EXPECT_EQ(out.events[0].satisfaction_recorded().low(), score <= 2) << score;
    EXPECT_EQ(out.events[0].satisfaction_recorded().client_id(), "client-1");
    EXPECT_EQ(*out.rows.case_state->satisfaction, score);
  }
}

TEST(ReviewTest, ClosedCaseMakesTheReviewDueToItsOwner) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  d.Deliver(Acknowledged(d, "c1", "alice"));
  Event closed = d.NewEvent("c1");
  closed.mutable_case_closed()->set_reason("done");
  d.Deliver(closed);
  auto due = d.Published(Event::kReviewDue);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].review_due().owner(), "alice");
  EXPECT_EQ(due[0].causation_id(), closed.event_id());
}

TEST(SatisfactionTest, ASecondAnswerForTheCaseIsAlreadyExists) {
  DomainDriver d(TestConfig(), kT0);
  d.Deliver(Opened(d, "c1", v1::SEVERITY_P2));
  d.Apply(RecordSatisfaction(d.cfg(), d.Case("c1"), 4, "ok", d.now(), "person:lee", "r1").value());
  auto again = RecordSatisfaction(d.cfg(), d.Case("c1"), 1, "changed my mind", d.now(), "person:lee", "r2");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StartsWith(again.status().message(), "case_id: ")) << again.status();
  EXPECT_EQ(*d.Case("c1").satisfaction, 4) << "the first answer stays";
}

TEST(RefusalTest, DecisionsOnACaseFollowUpNeverSawAreNotFound) {
  DomainDriver d(TestConfig(), kT0);
  const CaseState unknown = d.Case("nobody");
  EXPECT_EQ(RecordSatisfaction(d.cfg(), unknown, 3, "", d.now(), "person:lee", "r").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(PauseSla(unknown, v1::SLA_KIND_RESOLVE, "wait", d.now(), "a", "r").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(RecordFollowUpSent(unknown, {}, v1::FollowUpSent(), d.now(), "person:alice", "r").status().code(),
            absl::StatusCode::kNotFound);
}

// ---- configuration ----

TEST(ConfigTest, ExampleYamlParses) {
  auto yaml = YAML::LoadFile(std::string(RECOVERY_SOURCE_DIR) + "/services/follow_up/example.yaml");
  auto cfg = ParseConfig(yaml);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->default_calendar, "london-office");
  EXPECT_EQ(cfg->sla.at(v1::SEVERITY_P4).acknowledge.mode, SlaTarget::Mode::kNextBusinessDay);
  EXPECT_EQ(cfg->managers.at("alice"), "carol");
}

TEST(ConfigTest, ErrorsNameTheKeyPath) {
  auto bad = ParseConfig(YAML::Load("sla: {P2: {acknowledge: soon}}"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "sla.P2.acknowledge:")) << bad.status();
  bad = ParseConfig(YAML::Load("reminders: {overdue_every: 0s}"));
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "reminders.overdue_every:")) << bad.status();
  bad = ParseConfig(YAML::Load("satisfaction: {low_threshold: 9}"));
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "satisfaction.low_threshold:")) << bad.status();
  bad = ParseConfig(YAML::Load("default_calendar: mars"));
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "default_calendar:")) << bad.status();
  bad = ParseConfig(YAML::Load("slas: {}"));
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace recovery::follow_up
