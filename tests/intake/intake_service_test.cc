// The intake service built through IntakeModule on the in-process ServiceFixture (real
// runtime, SQLite, gRPC on port 0, manual clock): lifecycle, idempotency, dedup window,
// signal rules and consumed events, checked through the RPC results and the events
// published (after the Quiesce() barrier).
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "grpcpp/grpcpp.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/intake/module.h"
#include "tests/intake/requests.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;

// The Intake API over the fixture's channel, with the server-side signatures the tests
// were written against (the first argument is ignored).
class IntakeCalls {
 public:
  explicit IntakeCalls(const std::shared_ptr<grpc::Channel>& channel) : stub_(v1::Intake::NewStub(channel)) {}
#define INTAKE_RPC(Name)                                                          \
  grpc::Status Name(void*, const v1::Name##Request* r, v1::Name##Response* out) { \
    grpc::ClientContext ctx;                                                      \
    return stub_->Name(&ctx, *r, out);                                            \
  }
  INTAKE_RPC(OpenCase)
  INTAKE_RPC(GetCase)
  INTAKE_RPC(ListCases)
  INTAKE_RPC(UpdateCase)
  INTAKE_RPC(RecordContact)
  INTAKE_RPC(AddNote)
  INTAKE_RPC(AcknowledgeCase)
  INTAKE_RPC(AssignOwner)
  INTAKE_RPC(ResolveCase)
  INTAKE_RPC(CloseCase)
  INTAKE_RPC(ReopenCase)
  INTAKE_RPC(RecordSignal)
#undef INTAKE_RPC

 private:
  std::unique_ptr<v1::Intake::Stub> stub_;
};

constexpr absl::Time kStart = absl::FromUnixSeconds(1'795'000'000);

recovery::testing::FixtureOptions AtStart() {
  recovery::testing::FixtureOptions o;
  o.start = kStart;
  return o;
}

class IntakeServiceTest : public ::testing::Test {
 protected:
  IntakeServiceTest() : fx_(module_, AtStart()), service_(fx_.channel()), clock_(fx_.clock()) {}

  // Every event appended so far, in order.
  std::vector<v1::Event> Events() {
    fx_.Quiesce();
    return fx_.published();
  }
  std::vector<v1::Event> EventsOfType(const std::string& type) {
    std::vector<v1::Event> out;
    for (auto& e : Events())
      if (recovery::common::EventTypeName(e) == type) out.push_back(e);
    return out;
  }

  static v1::OpenCaseRequest OpenRequest(const std::string& request_id, const std::string& client = "acme",
                                         const std::string& category = "missed_deadline") {
    return recovery::intake::testing::OpenRequest(request_id, client, category);
  }

  v1::Case Open(const std::string& request_id, const std::string& client = "acme",
                const std::string& category = "missed_deadline") {
    v1::OpenCaseResponse out;
    auto s = service_.OpenCase(nullptr, new_req(OpenRequest(request_id, client, category)), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.case_();
  }

  // Keeps request messages alive for the duration of the test (the API takes pointers).
  template <typename T>
  const T* new_req(T r) {
    auto holder = std::make_shared<T>(std::move(r));
    keep_.push_back(holder);
    return holder.get();
  }

  grpc::Status Acknowledge(const std::string& case_id, const std::string& request_id) {
    v1::AcknowledgeCaseRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id);
    r.set_message("We are on it and will call you by 5pm");
    r.set_emotional_state(v1::EMOTIONAL_STATE_CONCERNED);
    v1::AcknowledgeCaseResponse out;
    return service_.AcknowledgeCase(nullptr, &r, &out);
  }
  grpc::Status Resolve(const std::string& case_id, const std::string& request_id) {
    v1::ResolveCaseRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id);
    r.set_resolution("Report delivered");
    v1::ResolveCaseResponse out;
    return service_.ResolveCase(nullptr, &r, &out);
  }
  grpc::Status Close(const std::string& case_id, const std::string& request_id) {
    v1::CloseCaseRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id);
    v1::CloseCaseResponse out;
    return service_.CloseCase(nullptr, &r, &out);
  }
  grpc::Status Reopen(const std::string& case_id, const std::string& request_id) {
    v1::ReopenCaseRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id);
    r.set_reason("Client says figures are wrong");
    v1::ReopenCaseResponse out;
    return service_.ReopenCase(nullptr, &r, &out);
  }
  v1::Case Get(const std::string& case_id) {
    v1::GetCaseRequest r;
    r.set_case_id(case_id);
    v1::GetCaseResponse out;
    EXPECT_TRUE(service_.GetCase(nullptr, &r, &out).ok());
    return out.case_();
  }
  void Consume(const v1::Event& e) { ASSERT_TRUE(fx_.Deliver(e).ok()); }
  // What the consumer parked, newest first.
  std::vector<recovery::common::DeadLetter> DeadLetters() {
    std::vector<recovery::common::DeadLetter> letters;
    const absl::Status s = recovery::common::InTransaction(fx_.store(), [&](recovery::common::Tx& tx) -> absl::Status {
      auto listed = recovery::common::ListDeadLetters(tx, recovery::common::kDeadLetterConsumer, 100);
      if (!listed.ok()) return listed.status();
      letters = *std::move(listed);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return letters;
  }

  IntakeModule module_;
  recovery::testing::ServiceFixture fx_;
  IntakeCalls service_;
  recovery::common::ManualClock& clock_;
  std::vector<std::shared_ptr<void>> keep_;
};

TEST_F(IntakeServiceTest, OpenCaseStoresTheCaseAndPublishesCaseOpenedWithEverythingAConsumerNeeds) {
  v1::Case c = Open("open-1");
  EXPECT_EQ(c.status(), v1::CASE_STATUS_OPEN);
  EXPECT_EQ(c.emotional_history_size(), 1);
  ASSERT_EQ(c.transitions_size(), 1);
  EXPECT_EQ(c.transitions(0).to(), v1::CASE_STATUS_OPEN);
  auto opened = EventsOfType("CaseOpened");
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].case_id(), c.id());
  EXPECT_EQ(opened[0].source(), "intake");
  EXPECT_EQ(opened[0].actor(), "person:tester");  // the authenticated caller
  EXPECT_EQ(opened[0].causation_id(), "open-1");
  EXPECT_EQ(opened[0].case_opened().client().name(), "Acme Corp");
  EXPECT_EQ(opened[0].case_opened().contact().email(), "jo@acme.example");
  EXPECT_EQ(opened[0].case_opened().severity(), v1::SEVERITY_P2);
  EXPECT_EQ(opened[0].case_opened().emotional_state(), v1::EMOTIONAL_STATE_FRUSTRATED);
}

TEST_F(IntakeServiceTest, OpenCaseReturnsExactlyTheCaseAReadReturns) {
  clock_.Advance(absl::Nanoseconds(1234567));  // finer than the store keeps: the response must not show it
  const v1::Case opened = Open("open-1");
  const v1::Case read = Get(opened.id());
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(opened, read)) << diff;
  EXPECT_EQ(absl::ToUnixNanos(recovery::common::FromProto(opened.opened_at())) % 1000, 0);
}

TEST_F(IntakeServiceTest, RetryWithSameRequestIdReturnsFirstResultAndPublishesNothingNew) {
  v1::Case first = Open("open-1");
  v1::Case again = Open("open-1");
  EXPECT_EQ(first.id(), again.id());
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(IntakeServiceTest, SameRequestIdWithDifferentPayloadIsAlreadyExists) {
  Open("open-1");
  v1::OpenCaseRequest other = OpenRequest("open-1");
  other.set_summary("something else");
  v1::OpenCaseResponse out;
  auto s = service_.OpenCase(nullptr, &other, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(s.error_message().rfind("request_id: ", 0), 0u) << s.error_message();
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(IntakeServiceTest, InvalidRequestIsRejectedAndNothingIsStoredOrPublished) {
  v1::OpenCaseRequest bad = OpenRequest("open-bad");
  bad.mutable_contact()->set_email("nope");
  v1::OpenCaseResponse out;
  auto s = service_.OpenCase(nullptr, &bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("contact.email: ", 0), 0u);
  EXPECT_TRUE(Events().empty());
  v1::ListCasesRequest l;
  v1::ListCasesResponse listed;
  ASSERT_TRUE(service_.ListCases(nullptr, &l, &listed).ok());
  EXPECT_EQ(listed.cases_size(), 0);
}

TEST_F(IntakeServiceTest, FullLifecyclePublishesEachTransitionAndRecordsItsTime) {
  v1::Case c = Open("open-1");
  clock_.Advance(absl::Minutes(12));
  ASSERT_TRUE(Acknowledge(c.id(), "ack-1").ok());
  auto acks = EventsOfType("CaseAcknowledged");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].case_acknowledged().time_to_acknowledge().seconds(), 12 * 60);
  EXPECT_EQ(acks[0].case_acknowledged().client_id(), "acme");
  EXPECT_EQ(acks[0].case_acknowledged().category(), "missed_deadline");
  EXPECT_EQ(acks[0].case_acknowledged().severity(), v1::SEVERITY_P2);

  v1::Event shared = recovery::common::NewEvent(clock_.Now(), c.id(), "action-plan", "planner", "x");
  shared.mutable_plan_shared()->set_version(2);
  Consume(shared);
  EXPECT_EQ(Get(c.id()).status(), v1::CASE_STATUS_PLANNED);
  ASSERT_EQ(EventsOfType("CasePlanned").size(), 1u);
  EXPECT_EQ(EventsOfType("CasePlanned")[0].case_planned().plan_version(), "2");
  // Intake planned the case because the plan was shared: its actor, not the planner.
  EXPECT_EQ(EventsOfType("CasePlanned")[0].actor(), "service:intake");
  EXPECT_EQ(EventsOfType("CasePlanned")[0].causation_id(), shared.event_id());

  ASSERT_TRUE(Resolve(c.id(), "res-1").ok());
  ASSERT_TRUE(Close(c.id(), "close-1").ok());
  ASSERT_TRUE(Reopen(c.id(), "reopen-1").ok());
  auto reopened = EventsOfType("CaseReopened");
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].case_reopened().previous_status(), v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(reopened[0].case_reopened().client().id(), "acme");
  ASSERT_TRUE(Acknowledge(c.id(), "ack-2").ok());
  ASSERT_TRUE(Resolve(c.id(), "res-2").ok());

  v1::Case got = Get(c.id());
  EXPECT_EQ(got.status(), v1::CASE_STATUS_RESOLVED);
  EXPECT_EQ(got.transitions_size(), 8);  // open, ack, plan, resolve, close, reopen, ack, resolve
  EXPECT_TRUE(got.has_acknowledged_at());
  EXPECT_TRUE(got.has_planned_at());
  EXPECT_TRUE(got.has_closed_at());
  EXPECT_TRUE(got.has_reopened_at());
  EXPECT_EQ(got.emotional_history_size(), 3);  // open + two acknowledgements
}

TEST_F(IntakeServiceTest, IllegalTransitionIsFailedPreconditionNamingTheStatusAndPublishesNothing) {
  v1::Case c = Open("open-1");
  const size_t before = Events().size();
  auto s = Resolve(c.id(), "res-1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "status: case is OPEN; ResolveCase needs ACKNOWLEDGED, PLANNED or REOPENED");
  EXPECT_EQ(Events().size(), before);
  // The failed request_id is not burnt: once legal, the same id works.
  ASSERT_TRUE(Acknowledge(c.id(), "ack-1").ok());
  EXPECT_TRUE(Resolve(c.id(), "res-1").ok());
}

TEST_F(IntakeServiceTest, UnknownCaseIsNotFound) {
  auto s = Acknowledge("01890a5d-ac96-774b-bcce-b302099a8057", "ack-x");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message().rfind("case_id: ", 0), 0u);
}

TEST_F(IntakeServiceTest, RepeatReportInsideTheWindowLinksToTheOpenCase) {
  v1::Case c = Open("open-1");
  clock_.Advance(absl::Hours(23));
  v1::OpenCaseResponse out;
  ASSERT_TRUE(service_.OpenCase(nullptr, new_req(OpenRequest("open-2")), &out).ok());
  EXPECT_TRUE(out.linked_to_existing());
  EXPECT_EQ(out.case_().id(), c.id());
  EXPECT_EQ(out.case_().repeat_reports(), 1);
  ASSERT_EQ(out.case_().contacts_size(), 1);
  EXPECT_TRUE(out.case_().contacts(0).repeat_report());
  EXPECT_EQ(EventsOfType("CaseOpened").size(), 1u);
  ASSERT_EQ(EventsOfType("ContactRecorded").size(), 1u);
  EXPECT_EQ(EventsOfType("ContactRecorded")[0].case_id(), c.id());
}

TEST_F(IntakeServiceTest, ReportAfterTheWindowOrForAnotherCategoryOpensANewCase) {
  v1::Case c = Open("open-1");
  v1::Case other_category = Open("open-2", "acme", "billing_error");
  EXPECT_NE(other_category.id(), c.id());
  clock_.Advance(absl::Hours(24) + absl::Seconds(1));
  v1::OpenCaseResponse out;
  ASSERT_TRUE(service_.OpenCase(nullptr, new_req(OpenRequest("open-3")), &out).ok());
  EXPECT_FALSE(out.linked_to_existing());
  EXPECT_NE(out.case_().id(), c.id());
  EXPECT_EQ(EventsOfType("CaseOpened").size(), 3u);
}

TEST_F(IntakeServiceTest, ResolvedCaseIsNotLinkedByARepeatReport) {
  v1::Case c = Open("open-1");
  ASSERT_TRUE(Acknowledge(c.id(), "ack-1").ok());
  ASSERT_TRUE(Resolve(c.id(), "res-1").ok());
  v1::OpenCaseResponse out;
  ASSERT_TRUE(service_.OpenCase(nullptr, new_req(OpenRequest("open-2")), &out).ok());
  EXPECT_FALSE(out.linked_to_existing());
}

TEST_F(IntakeServiceTest, UpdateCasePublishesPreviousAndNewSeverity) {
  v1::Case c = Open("open-1");
  v1::UpdateCaseRequest u;
  u.set_request_id("upd-1");
  u.set_case_id(c.id());
  u.mutable_update_mask()->add_paths("severity");
  u.mutable_update_mask()->add_paths("firm_view");
  u.set_severity(v1::SEVERITY_P1);
  u.set_firm_view("Data feed failed");
  u.set_summary("ignored: not in the mask");
  v1::UpdateCaseResponse out;
  ASSERT_TRUE(service_.UpdateCase(nullptr, &u, &out).ok());
  EXPECT_EQ(out.case_().severity(), v1::SEVERITY_P1);
  EXPECT_EQ(out.case_().summary(), "Quarterly report is late");
  auto updated = EventsOfType("CaseUpdated");
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].case_updated().previous_severity(), v1::SEVERITY_P2);
  EXPECT_EQ(updated[0].case_updated().severity(), v1::SEVERITY_P1);
  EXPECT_EQ(updated[0].case_updated().changed_fields_size(), 2);
}

TEST_F(IntakeServiceTest, ContactsAndNotesAreKeptWithEmotionalHistory) {
  v1::Case c = Open("open-1");
  v1::RecordContactRequest rc;
  rc.set_request_id("contact-1");
  rc.set_case_id(c.id());
  rc.set_channel(v1::CHANNEL_EMAIL);
  rc.set_summary("Client wrote again, angrier");
  rc.set_emotional_state(v1::EMOTIONAL_STATE_ANGRY);
  v1::RecordContactResponse rc_out;
  ASSERT_TRUE(service_.RecordContact(nullptr, &rc, &rc_out).ok());
  v1::AddNoteRequest n;
  n.set_request_id("note-1");
  n.set_case_id(c.id());
  n.set_text("Internal: feed vendor at fault");
  v1::AddNoteResponse n_out;
  ASSERT_TRUE(service_.AddNote(nullptr, &n, &n_out).ok());
  v1::Case got = Get(c.id());
  EXPECT_EQ(got.emotional_state(), v1::EMOTIONAL_STATE_ANGRY);
  ASSERT_EQ(got.emotional_history_size(), 2);
  EXPECT_EQ(got.emotional_history(1).source(), "contact");
  ASSERT_EQ(got.notes_size(), 1);
  EXPECT_FALSE(got.notes(0).shareable());
  EXPECT_EQ(EventsOfType("NoteAdded").size(), 1u);
  EXPECT_EQ(EventsOfType("ContactRecorded").size(), 1u);
}

TEST_F(IntakeServiceTest, AssignOwnerPublishesOnlyOnChange) {
  v1::Case c = Open("open-1");
  v1::AssignOwnerRequest a;
  a.set_request_id("own-1");
  a.set_case_id(c.id());
  a.set_owner("p-1");
  v1::AssignOwnerResponse out;
  ASSERT_TRUE(service_.AssignOwner(nullptr, &a, &out).ok());
  a.set_request_id("own-2");
  ASSERT_TRUE(service_.AssignOwner(nullptr, &a, &out).ok());
  auto assigned = EventsOfType("OwnerAssigned");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].owner_assigned().reason(), "manual");
}

TEST_F(IntakeServiceTest, ListCasesFiltersAndPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Open("open-" + std::to_string(i), "client-" + std::to_string(i)).id());
    clock_.Advance(absl::Minutes(1));
  }
  ASSERT_TRUE(Acknowledge(ids[1], "ack-1").ok());
  v1::ListCasesRequest l;
  l.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    v1::ListCasesResponse out;
    ASSERT_TRUE(service_.ListCases(nullptr, &l, &out).ok());
    for (const auto& c : out.cases()) seen.push_back(c.id());
    if (out.next_page_token().empty()) break;
    l.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, ids);
  v1::ListCasesRequest by_status;
  by_status.add_statuses(v1::CASE_STATUS_ACKNOWLEDGED);
  v1::ListCasesResponse out;
  ASSERT_TRUE(service_.ListCases(nullptr, &by_status, &out).ok());
  ASSERT_EQ(out.cases_size(), 1);
  EXPECT_EQ(out.cases(0).id(), ids[1]);
  v1::ListCasesRequest by_client;
  by_client.set_client_id("client-3");
  ASSERT_TRUE(service_.ListCases(nullptr, &by_client, &out).ok());
  ASSERT_EQ(out.cases_size(), 1);
  EXPECT_EQ(out.cases(0).id(), ids[3]);
  v1::ListCasesRequest by_time;
  *by_time.mutable_opened_from() = recovery::common::ToProto(kStart + absl::Minutes(2));
  *by_time.mutable_opened_to() = recovery::common::ToProto(kStart + absl::Minutes(4));
  ASSERT_TRUE(service_.ListCases(nullptr, &by_time, &out).ok());
  ASSERT_EQ(out.cases_size(), 2);
  EXPECT_EQ(out.cases(0).id(), ids[2]);
}

TEST_F(IntakeServiceTest, LowSurveyScoreOpensAP3CommunicationCase) {
  v1::RecordSignalRequest r;
  r.set_request_id("sig-1");
  r.set_kind(v1::SIGNAL_KIND_SURVEY_SCORE);
  r.mutable_client()->set_id("quiet-client");
  r.set_score(2);
  v1::RecordSignalResponse out;
  ASSERT_TRUE(service_.RecordSignal(nullptr, &r, &out).ok());
  EXPECT_TRUE(out.opened_case());
  EXPECT_EQ(out.case_().severity(), v1::SEVERITY_P3);
  EXPECT_EQ(out.case_().category(), "communication");
  EXPECT_EQ(out.case_().opened_from_signal_id(), out.signal().signal_id());
  auto opened = EventsOfType("CaseOpened");
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].case_opened().opened_from_signal_id(), out.signal().signal_id());
  auto signals = EventsOfType("SignalRecorded");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_TRUE(signals[0].signal_recorded().opened_case());
  EXPECT_EQ(signals[0].case_id(), out.case_().id());
}

TEST_F(IntakeServiceTest, MissedDeadlineSignalOpensAP2Case) {
  v1::RecordSignalRequest r;
  r.set_request_id("sig-1");
  r.set_kind(v1::SIGNAL_KIND_MISSED_DEADLINE);
  r.mutable_client()->set_id("acme");
  r.mutable_client()->set_name("Acme Corp");
  r.set_detail("Monthly report due 1 Nov");
  v1::RecordSignalResponse out;
  ASSERT_TRUE(service_.RecordSignal(nullptr, &r, &out).ok());
  EXPECT_TRUE(out.opened_case());
  EXPECT_EQ(out.case_().severity(), v1::SEVERITY_P2);
  EXPECT_EQ(out.case_().category(), "missed_deadline");
}

TEST_F(IntakeServiceTest, SignalBelowTheRuleIsOnlyStored) {
  v1::RecordSignalRequest r;
  r.set_request_id("sig-1");
  r.set_kind(v1::SIGNAL_KIND_SURVEY_SCORE);
  r.mutable_client()->set_id("happy");
  r.set_score(4);
  v1::RecordSignalResponse out;
  ASSERT_TRUE(service_.RecordSignal(nullptr, &r, &out).ok());
  EXPECT_FALSE(out.opened_case());
  EXPECT_FALSE(out.has_case_());
  EXPECT_TRUE(EventsOfType("CaseOpened").empty());
  EXPECT_EQ(EventsOfType("SignalRecorded").size(), 1u);
}

TEST_F(IntakeServiceTest, EscalationAcknowledgedSetsTheOwnerExactlyOnceEvenWhenDeliveredTwice) {
  v1::Case c = Open("open-1");
  v1::Event acked = recovery::common::NewEvent(clock_.Now(), c.id(), "escalation", "person:p-42", "page-1");
  acked.mutable_escalation_acknowledged()->set_acknowledged_by("p-42");
  Consume(acked);
  Consume(acked);  // redelivery: the runtime skips the duplicate
  EXPECT_EQ(Get(c.id()).owner(), "p-42");
  auto assigned = EventsOfType("OwnerAssigned");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].owner_assigned().reason(), "page acknowledged");
  EXPECT_EQ(assigned[0].causation_id(), acked.event_id());
  // The acknowledger (the event's data) owns the case; intake assigned it.
  EXPECT_EQ(assigned[0].actor(), "service:intake");
}

TEST_F(IntakeServiceTest, MalformedConsumedEventsAreParkedCountedAndChangeNothingAndLaterEventsStillWork) {
  v1::Case c = Open("open-1");
  const size_t published_before = Events().size();
  auto ack = [&](const std::string& case_id) {
    v1::Event e = recovery::common::NewEvent(clock_.Now(), case_id, "escalation", "p-42", "page-1");
    e.mutable_escalation_acknowledged()->set_escalation_id("esc-1");
    e.mutable_escalation_acknowledged()->set_acknowledged_by("p-42");
    return e;
  };
  // No case id, one that is not an id, and a well-formed id of a case intake never opened;
  // and a PlanShared about that case too.
  const std::string never_opened = recovery::common::NewId(clock_.Now());
  v1::Event shared = recovery::common::NewEvent(clock_.Now(), never_opened, "action-plan", "planner", "x");
  shared.mutable_plan_shared()->set_version(1);
  const std::vector<v1::Event> bad = {ack(""), ack("not-a-case-id"), ack(never_opened), shared};
  for (const v1::Event& e : bad) {
    const absl::Status s = fx_.Deliver(e);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_TRUE(absl::StartsWith(s.message(), "case_id: ")) << s;
  }
  // A redelivery of a parked event is a duplicate: parked once.
  EXPECT_TRUE(fx_.Deliver(bad[2]).ok());

  fx_.Quiesce();
  EXPECT_EQ(fx_.published().size(), published_before) << "nothing published";
  const v1::Case after = Get(c.id());
  EXPECT_EQ(after.owner(), "");
  EXPECT_EQ(after.status(), v1::CASE_STATUS_OPEN);
  v1::ListCasesRequest list;
  v1::ListCasesResponse listed;
  ASSERT_TRUE(service_.ListCases(nullptr, &list, &listed).ok());
  EXPECT_EQ(listed.cases_size(), 1) << "nothing stored";
  const std::vector<recovery::common::DeadLetter> letters = DeadLetters();
  ASSERT_EQ(letters.size(), bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    const recovery::common::DeadLetter& letter = letters[bad.size() - 1 - i];  // newest first
    EXPECT_EQ(letter.event_id, bad[i].event_id());
    EXPECT_EQ(letter.case_id, bad[i].case_id());
    EXPECT_EQ(letter.type, recovery::common::EventTypeName(bad[i]));
    EXPECT_TRUE(absl::StrContains(letter.reason, "malformed: case_id: ")) << letter.reason;
    v1::Event parked;
    EXPECT_TRUE(parked.ParseFromString(letter.payload));
    EXPECT_EQ(parked.event_id(), bad[i].event_id());
  }
  EXPECT_TRUE(absl::StrContains(letters[1].reason, "no case '" + never_opened + "'")) << letters[1].reason;
  const std::string metrics = fx_.runtime().metrics().Render();
  // Counted by the consumer, as in every service.
  EXPECT_TRUE(
      absl::StrContains(metrics, "recovery_events_consumed_total{service=\"intake\",outcome=\"malformed\"} 4\n"))
      << metrics;
  EXPECT_TRUE(
      absl::StrContains(metrics, "recovery_consumer_dead_letters_total{service=\"intake\",reason=\"invalid\"} 4\n"))
      << metrics;

  // The consumer moved on: a valid event about the open case still takes effect.
  Consume(ack(c.id()));
  EXPECT_EQ(Get(c.id()).owner(), "p-42");
  const auto assigned = EventsOfType("OwnerAssigned");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].case_id(), c.id());
}

TEST_F(IntakeServiceTest, PlanSharedOnAnOpenCaseChangesNothing) {
  v1::Case c = Open("open-1");
  v1::Event shared = recovery::common::NewEvent(clock_.Now(), c.id(), "action-plan", "planner", "x");
  shared.mutable_plan_shared()->set_version(1);
  Consume(shared);
  EXPECT_EQ(Get(c.id()).status(), v1::CASE_STATUS_OPEN);
  EXPECT_TRUE(EventsOfType("CasePlanned").empty());
}

TEST_F(IntakeServiceTest, LowSatisfactionStoresASignalAndOpensACaseForTheClient) {
  v1::Case c = Open("open-1");
  ASSERT_TRUE(Acknowledge(c.id(), "ack-1").ok());
  ASSERT_TRUE(Resolve(c.id(), "res-1").ok());
  v1::Event sat = recovery::common::NewEvent(clock_.Now(), c.id(), "follow-up", "system", "check-1");
  sat.mutable_satisfaction_recorded()->set_score(1);
  sat.mutable_satisfaction_recorded()->set_low(true);
  sat.mutable_satisfaction_recorded()->set_client_id("acme");
  Consume(sat);
  auto signals = EventsOfType("SignalRecorded");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].signal_recorded().kind(), v1::SIGNAL_KIND_LOW_SATISFACTION);
  EXPECT_TRUE(signals[0].signal_recorded().opened_case());
  EXPECT_EQ(signals[0].actor(), "service:intake");
  EXPECT_EQ(signals[0].causation_id(), sat.event_id());
  auto opened = EventsOfType("CaseOpened");
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[1].actor(), "service:intake");
  EXPECT_EQ(opened[1].case_opened().client().name(), "Acme Corp");  // taken from the surveyed case
  EXPECT_EQ(opened[1].case_opened().category(), "communication");
}

TEST_F(IntakeServiceTest, LowSatisfactionAboutAnUnknownCaseWithoutAClientIsParked) {
  // Nothing names the client: not the event, not a case intake knows.
  v1::Event sat =
      recovery::common::NewEvent(clock_.Now(), recovery::common::NewId(clock_.Now()), "follow-up", "system", "check-1");
  sat.mutable_satisfaction_recorded()->set_score(1);
  sat.mutable_satisfaction_recorded()->set_low(true);
  const absl::Status s = fx_.Deliver(sat);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "satisfaction_recorded.client_id: ")) << s;
  EXPECT_TRUE(Events().empty());
  const std::vector<recovery::common::DeadLetter> letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].event_id, sat.event_id());
}

TEST_F(IntakeServiceTest, SatisfactionThatIsNotLowIsIgnored) {
  v1::Case c = Open("open-1");
  const size_t before = Events().size();
  v1::Event sat = recovery::common::NewEvent(clock_.Now(), c.id(), "follow-up", "system", "check-1");
  sat.mutable_satisfaction_recorded()->set_score(5);
  sat.mutable_satisfaction_recorded()->set_client_id("acme");
  Consume(sat);
  EXPECT_EQ(Events().size(), before);
}

// ---- who acts ----

// Every RPC, called with no credential: UNAUTHENTICATED, and nothing is stored or published.
TEST_F(IntakeServiceTest, EveryRpcWithoutACredentialIsUnauthenticatedAndChangesNothing) {
  const v1::Case c = Open("open-1");
  const size_t published_before = Events().size();
  IntakeCalls anonymous(fx_.ChannelWithToken(""));
  std::vector<std::pair<std::string, grpc::Status>> calls;
#define ANONYMOUS(Name, fill)                                     \
  {                                                               \
    v1::Name##Request r;                                          \
    fill;                                                         \
    v1::Name##Response out;                                       \
    calls.emplace_back(#Name, anonymous.Name(nullptr, &r, &out)); \
  }
  ANONYMOUS(OpenCase, r = OpenRequest("anon-open", "globex"))
  ANONYMOUS(GetCase, r.set_case_id(c.id()))
  ANONYMOUS(ListCases, r.clear_page_size())
  ANONYMOUS(UpdateCase, (r.set_case_id(c.id()), r.set_summary("x"), r.mutable_update_mask()->add_paths("summary")))
  ANONYMOUS(RecordContact, (r.set_case_id(c.id()), r.set_channel(v1::CHANNEL_EMAIL), r.set_summary("x")))
  ANONYMOUS(AddNote, (r.set_case_id(c.id()), r.set_text("x")))
  ANONYMOUS(AcknowledgeCase, (r.set_case_id(c.id()), r.set_message("x")))
  ANONYMOUS(AssignOwner, (r.set_case_id(c.id()), r.set_owner("sam")))
  ANONYMOUS(ResolveCase, (r.set_case_id(c.id()), r.set_resolution("x")))
  ANONYMOUS(CloseCase, r.set_case_id(c.id()))
  ANONYMOUS(ReopenCase, (r.set_case_id(c.id()), r.set_reason("x")))
  ANONYMOUS(RecordSignal, (r.set_kind(v1::SIGNAL_KIND_SURVEY_SCORE), r.mutable_client()->set_id("acme")))
#undef ANONYMOUS
  EXPECT_EQ(calls.size(), 12u);  // every RPC of recovery.v1.Intake
  for (const auto& [rpc, status] : calls) EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED) << rpc;
  EXPECT_EQ(Events().size(), published_before) << "nothing published";
  const v1::Case after = Get(c.id());
  EXPECT_EQ(after.status(), v1::CASE_STATUS_OPEN);
  EXPECT_EQ(after.summary(), c.summary());
  EXPECT_EQ(after.owner(), "");
  EXPECT_EQ(after.notes_size(), 0);
  EXPECT_EQ(after.contacts_size(), c.contacts_size());
  v1::ListCasesRequest list;
  v1::ListCasesResponse listed;
  ASSERT_TRUE(service_.ListCases(nullptr, &list, &listed).ok());
  EXPECT_EQ(listed.cases_size(), 1) << "nothing opened";
}

// The actor of every write's events is the authenticated caller, whatever the deprecated
// request fields say; acknowledged_by is the caller's person id.
TEST_F(IntakeServiceTest, WritesActAsTheCallerWhateverTheRequestSays) {
  IntakeCalls lee(fx_.ChannelAs("lee"));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  v1::OpenCaseRequest open = OpenRequest("open-1");
  open.set_opened_by("mallory");
  v1::OpenCaseResponse opened;
  ASSERT_TRUE(lee.OpenCase(nullptr, &open, &opened).ok());
  const std::string id = opened.case_().id();
  EXPECT_EQ(opened.case_().opened_by(), "person:lee");

  v1::UpdateCaseRequest update;
  update.set_request_id("update-1");
  update.set_case_id(id);
  update.set_summary("Quarterly report is very late");
  update.mutable_update_mask()->add_paths("summary");
  update.set_actor("mallory");
  v1::UpdateCaseResponse updated;
  ASSERT_TRUE(lee.UpdateCase(nullptr, &update, &updated).ok());

  v1::RecordContactRequest contact;
  contact.set_request_id("contact-1");
  contact.set_case_id(id);
  contact.set_channel(v1::CHANNEL_EMAIL);
  contact.set_summary("Client wrote again");
  contact.set_recorded_by("mallory");
  v1::RecordContactResponse contacted;
  ASSERT_TRUE(lee.RecordContact(nullptr, &contact, &contacted).ok());

  v1::AddNoteRequest note;
  note.set_request_id("note-1");
  note.set_case_id(id);
  note.set_text("Vendor at fault");
  note.set_author("mallory");
  v1::AddNoteResponse noted;
  ASSERT_TRUE(lee.AddNote(nullptr, &note, &noted).ok());

  v1::AcknowledgeCaseRequest ack;
  ack.set_request_id("ack-1");
  ack.set_case_id(id);
  ack.set_message("We are on it");
  ack.set_acknowledged_by("mallory");
  v1::AcknowledgeCaseResponse acked;
  ASSERT_TRUE(lee.AcknowledgeCase(nullptr, &ack, &acked).ok());

  v1::AssignOwnerRequest assign;
  assign.set_request_id("assign-1");
  assign.set_case_id(id);
  assign.set_owner("sam");
  assign.set_actor("mallory");
  v1::AssignOwnerResponse assigned;
  ASSERT_TRUE(lee.AssignOwner(nullptr, &assign, &assigned).ok());

  v1::ResolveCaseRequest resolve;
  resolve.set_request_id("resolve-1");
  resolve.set_case_id(id);
  resolve.set_resolution("Delivered");
  resolve.set_actor("mallory");
  v1::ResolveCaseResponse resolved;
  ASSERT_TRUE(lee.ResolveCase(nullptr, &resolve, &resolved).ok());

  v1::CloseCaseRequest close;
  close.set_request_id("close-1");
  close.set_case_id(id);
  close.set_actor("mallory");
  v1::CloseCaseResponse closed;
  ASSERT_TRUE(lee.CloseCase(nullptr, &close, &closed).ok());

  v1::ReopenCaseRequest reopen;
  reopen.set_request_id("reopen-1");
  reopen.set_case_id(id);
  reopen.set_reason("Figures are wrong");
  reopen.set_actor("mallory");
  v1::ReopenCaseResponse reopened;
  ASSERT_TRUE(lee.ReopenCase(nullptr, &reopen, &reopened).ok());

  v1::RecordSignalRequest signal;
  signal.set_request_id("signal-1");
  signal.set_kind(v1::SIGNAL_KIND_SURVEY_SCORE);
  signal.set_score(9);
  signal.mutable_client()->set_id("acme");
  signal.set_actor("mallory");
  v1::RecordSignalResponse signalled;
  ASSERT_TRUE(lee.RecordSignal(nullptr, &signal, &signalled).ok());
#pragma GCC diagnostic pop

  const std::vector<v1::Event> events = Events();
  std::set<std::string> types;
  for (const v1::Event& e : events) {
    types.insert(recovery::common::EventTypeName(e));
    EXPECT_EQ(e.actor(), "person:lee") << recovery::common::EventTypeName(e);
  }
  for (const char* type : {"CaseOpened", "CaseUpdated", "ContactRecorded", "NoteAdded", "CaseAcknowledged",
                           "OwnerAssigned", "CaseResolved", "CaseClosed", "CaseReopened", "SignalRecorded"})
    EXPECT_TRUE(types.count(type)) << type;
  EXPECT_EQ(EventsOfType("CaseAcknowledged")[0].case_acknowledged().acknowledged_by(), "lee");
  const v1::Case c = Get(id);
  EXPECT_EQ(c.opened_by(), "person:lee");
  ASSERT_EQ(c.notes_size(), 1);
  EXPECT_EQ(c.notes(0).author(), "person:lee");
  for (const auto& t : c.transitions()) EXPECT_EQ(t.actor(), "person:lee");
}

// An integration (an API token) may open a case and record a signal; the case says so. It
// acknowledges nothing: that needs a person.
TEST_F(IntakeServiceTest, AnIntegrationOpensCasesAndRecordsSignalsButDoesNotAcknowledge) {
  IntakeCalls monitoring(fx_.ChannelWithToken(recovery::testing::kIntegrationToken));
  v1::OpenCaseResponse opened;
  ASSERT_TRUE(monitoring.OpenCase(nullptr, new_req(OpenRequest("open-1")), &opened).ok());
  EXPECT_EQ(opened.case_().opened_by(), "integration:monitoring");
  v1::RecordSignalRequest signal;
  signal.set_request_id("signal-1");
  signal.set_kind(v1::SIGNAL_KIND_SURVEY_SCORE);
  signal.set_score(9);
  signal.mutable_client()->set_id("acme");
  v1::RecordSignalResponse signalled;
  ASSERT_TRUE(monitoring.RecordSignal(nullptr, &signal, &signalled).ok());
  v1::AcknowledgeCaseRequest ack;
  ack.set_request_id("ack-1");
  ack.set_case_id(opened.case_().id());
  ack.set_message("We are on it");
  v1::AcknowledgeCaseResponse acked;
  EXPECT_EQ(monitoring.AcknowledgeCase(nullptr, &ack, &acked).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Get(opened.case_().id()).status(), v1::CASE_STATUS_OPEN);
  for (const v1::Event& e : Events()) EXPECT_EQ(e.actor(), "integration:monitoring");
  EXPECT_EQ(EventsOfType("CaseOpened").size(), 1u);
  EXPECT_EQ(EventsOfType("SignalRecorded").size(), 1u);
}

// Access audit: each admitted read of a case is recorded with its reader, aggregated per
// (reader, method, case) until the window's write; refused and failed reads are not.
TEST_F(IntakeServiceTest, ReadsOfACaseAreRecordedWithTheReaderAggregatedPerWindow) {
  const v1::Case c = Open("open-access");
  auto as = [&](const std::string& person) { return v1::Intake::NewStub(fx_.ChannelAs(person)); };
  v1::GetCaseRequest get;
  get.set_case_id(c.id());
  for (const char* person : {"lee", "lee", "vic"}) {
    grpc::ClientContext ctx;
    v1::GetCaseResponse out;
    ASSERT_TRUE(as(person)->GetCase(&ctx, get, &out).ok());
  }
  {
    grpc::ClientContext ctx;
    v1::GetCaseResponse out;
    v1::GetCaseRequest missing;
    missing.set_case_id(recovery::common::NewId(absl::Now()));
    EXPECT_EQ(as("lee")->GetCase(&ctx, missing, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::GetCaseResponse out;
    EXPECT_EQ(v1::Intake::NewStub(fx_.ChannelWithToken(""))->GetCase(&ctx, get, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    v1::ListCasesResponse out;
    ASSERT_TRUE(as("vic")->ListCases(&ctx, v1::ListCasesRequest(), &out).ok());
  }
  EXPECT_TRUE(EventsOfType("CaseDataRead").empty()) << "nothing is written before the window ends";
  ASSERT_TRUE(fx_.runtime().access_log().Flush().ok());
  std::map<std::string, v1::Event> by_reader_and_case;
  for (const v1::Event& e : EventsOfType("CaseDataRead")) {
    EXPECT_EQ(e.source(), "intake");
    EXPECT_EQ(e.case_id(), "access:" + (e.case_data_read().case_id().empty() ? "*" : e.case_data_read().case_id()));
    by_reader_and_case[e.actor() + " " + e.case_data_read().method() + " " + e.case_data_read().case_id()] = e;
  }
  ASSERT_EQ(by_reader_and_case.size(), 3u) << ::testing::PrintToString(EventsOfType("CaseDataRead"));
  const auto& lee = by_reader_and_case["person:lee recovery.v1.Intake/GetCase " + c.id()];
  EXPECT_EQ(lee.case_data_read().reads(), 2);
  EXPECT_EQ(by_reader_and_case["person:vic recovery.v1.Intake/GetCase " + c.id()].case_data_read().reads(), 1);
  EXPECT_EQ(by_reader_and_case["person:vic recovery.v1.Intake/ListCases "].case_data_read().reads(), 1);
  // Writes are not reads: opening the case recorded nothing.
  EXPECT_EQ(fx_.runtime().access_log().pending(), 0u);
}

}  // namespace
}  // namespace recovery::intake
