// The real recovery-intake binary against the dev broker and a SQLite file: events on the
// topic (TopicReader and kcat), idempotent retries, validation, crash safety of the outbox
// (SIGKILL before the relay published) and a consumed EscalationAcknowledged. "Nothing else
// was published" is asserted after a barrier (the outbox empty, the topic read to its end),
// never after a quiet period.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/store.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"
#include "tests/support/topic_reader.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::ContextWithDeadline;
using recovery::testing::DevBroker;
using recovery::testing::kCaseEventsTopic;
using recovery::testing::TempDir;
using recovery::testing::TopicReader;

using Intake = recovery::testing::ServiceUnderTest<v1::Intake>;

// One run of the service binary on `db`; its port file and log are intake-<tag>.*.
Intake StartIntake(const TempDir& dir, const std::string& db, const std::string& brokers, const std::string& tag) {
  return Intake(
      "services/intake/recovery-intake", dir, "intake-" + tag,
      {.db = db, .brokers = brokers, .topic = kCaseEventsTopic, .manual_clock = recovery::testing::kManualClockStart});
}

v1::OpenCaseRequest OpenRequest(const std::string& request_id, const std::string& client) {
  v1::OpenCaseRequest r;
  r.set_request_id(request_id);
  r.mutable_client()->set_id(client);
  r.mutable_client()->set_name("Acme Corp");
  r.mutable_client()->set_time_zone("Europe/London");
  r.mutable_contact()->set_name("Jo");
  r.mutable_contact()->set_email("jo@acme.example");
  r.set_channel(v1::CHANNEL_PHONE);
  r.set_category("missed_deadline");
  r.set_severity(v1::SEVERITY_P1);
  r.set_summary("Board pack not delivered");
  r.set_emotional_state(v1::EMOTIONAL_STATE_ANGRY);
  return r;
}

// The barrier for "nothing else was published": the service's outbox is empty (the broker
// acknowledged every event it committed) and `reader` has read all the topic holds.
::testing::AssertionResult EverythingPublishedIsRead(const std::string& db, TopicReader& reader) {
  if (!recovery::testing::PollUntil([&] { return recovery::testing::SqliteOutboxRows(db) == 0; }, absl::Seconds(30)))
    return ::testing::AssertionFailure() << "the outbox of " << db
                                         << " did not drain: " << recovery::testing::SqliteOutboxRows(db) << " rows";
  if (!reader.ReadToEnd()) return ::testing::AssertionFailure() << "the reader did not reach the end of the topic";
  return ::testing::AssertionSuccess();
}

grpc::Status Open(v1::Intake::Stub& stub, const v1::OpenCaseRequest& req, v1::OpenCaseResponse* out) {
  auto ctx = ContextWithDeadline();
  return stub.OpenCase(ctx.get(), req, out);
}

TEST(IntakeIntegrationTest, OpenCasePublishesCaseOpenedKeyedByCaseIdAndRetriesPublishNothingNew) {
  DevBroker broker;
  TempDir dir;
  const std::string db = dir.File("intake.db");
  Intake intake = StartIntake(dir, db, broker.bootstrap(), "a");

  v1::OpenCaseResponse first;
  const v1::OpenCaseRequest req = OpenRequest("open-1", "acme");
  ASSERT_TRUE(Open(intake.api(), req, &first).ok());
  const std::string case_id = first.case_().id();
  ASSERT_FALSE(case_id.empty());
  EXPECT_FALSE(first.linked_to_existing());

  TopicReader reader(broker.bootstrap(), kCaseEventsTopic);
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "CaseOpened") >= 1; }, absl::Seconds(30)));
  const auto msgs = reader.OfCase(case_id);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].key, case_id);
  EXPECT_EQ(msgs[0].event.source(), "intake");
  EXPECT_EQ(msgs[0].event.causation_id(), "open-1");
  EXPECT_EQ(msgs[0].event.actor(),
            "person:" + std::string(recovery::testing::kTestPerson));  // ServiceProcess acts as tester
  EXPECT_EQ(msgs[0].event.case_opened().client().time_zone(), "Europe/London");
  EXPECT_EQ(msgs[0].event.case_opened().severity(), v1::SEVERITY_P1);

  if (recovery::testing::HaveCommand("kcat")) {
    int st = 0;
    const std::string keys = recovery::testing::RunCommand(
        "kcat -C -b " + broker.bootstrap() + " -t " + kCaseEventsTopic + " -e -q -f '%k\\n'", &st);
    ASSERT_EQ(st, 0);
    EXPECT_NE(keys.find(case_id + "\n"), std::string::npos) << keys;
  }

  // A retry returns the first result and publishes nothing.
  v1::OpenCaseResponse again;
  ASSERT_TRUE(Open(intake.api(), req, &again).ok());
  EXPECT_EQ(again.case_().id(), case_id);
  // The same id with another payload is refused.
  v1::OpenCaseRequest changed = req;
  changed.set_summary("different");
  v1::OpenCaseResponse refused;
  EXPECT_EQ(Open(intake.api(), changed, &refused).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Invalid requests name the field and publish nothing.
  v1::OpenCaseRequest bad = OpenRequest("open-bad-1", "globex");
  bad.mutable_client()->clear_id();
  v1::OpenCaseResponse bad_out;
  auto s = Open(intake.api(), bad, &bad_out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("client.id: ", 0), 0u) << s.error_message();
  bad = OpenRequest("open-bad-2", "globex");
  bad.mutable_contact()->set_time_zone("Europe/Atlantis");
  s = Open(intake.api(), bad, &bad_out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("contact.time_zone: ", 0), 0u) << s.error_message();

  // A later write, then the barrier: once the outbox is empty and the topic read to its end,
  // anything the retry or the invalid calls had published would be in the reader.
  v1::AddNoteRequest note;
  note.set_request_id("note-1");
  note.set_case_id(case_id);
  note.set_text("marker");
  v1::AddNoteResponse note_out;
  auto ctx = ContextWithDeadline();
  ASSERT_TRUE(intake.api().AddNote(ctx.get(), note, &note_out).ok());
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "NoteAdded") >= 1; }, absl::Seconds(30)));
  ASSERT_TRUE(EverythingPublishedIsRead(db, reader));
  EXPECT_EQ(reader.CountOf(case_id, "CaseOpened"), 1u);
  // CaseOpened + NoteAdded: nothing from the retry or the invalid ones. The rest is the
  // first start's import of the default configuration (ConfigChanged, key config:intake).
  EXPECT_EQ(reader.OfCase(case_id).size(), 2u);
  for (const auto& m : reader.all()) EXPECT_TRUE(m.key == case_id || m.key == "config:intake") << m.key;
}

TEST(IntakeIntegrationTest, SigkillBeforeTheRelayPublishedLosesNothingAndDuplicatesNothing) {
  DevBroker broker;
  TempDir dir;
  const std::string db = dir.File("intake.db");
  std::string case_id;
  {
    // Nothing listens on port 1: the case commits and its event waits in the outbox.
    Intake down = StartIntake(dir, db, "127.0.0.1:1", "down");
    v1::OpenCaseResponse out;
    ASSERT_TRUE(Open(down.api(), OpenRequest("open-crash", "initech"), &out).ok());
    case_id = out.case_().id();
    down.process().Kill(SIGKILL);
    down.process().Wait();
  }
  // The event is committed in the outbox, not yet published (with the first start's
  // ConfigChanged events of the default configuration).
  const int64_t unpublished = recovery::testing::SqliteOutboxRows(db);
  EXPECT_GE(unpublished, 1);
  Intake up = StartIntake(dir, db, broker.bootstrap(), "up");
  TopicReader reader(broker.bootstrap(), kCaseEventsTopic);
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "CaseOpened") >= 1; }, absl::Seconds(30)));
  ASSERT_TRUE(EverythingPublishedIsRead(db, reader));
  EXPECT_EQ(reader.CountOf(case_id, "CaseOpened"), 1u);
  EXPECT_EQ(reader.all().size(), static_cast<size_t>(unpublished));  // each row once
  // The committed case survived the crash too.
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  v1::GetCaseResponse got;
  auto ctx = ContextWithDeadline();
  ASSERT_TRUE(up.api().GetCase(ctx.get(), get, &got).ok());
  EXPECT_EQ(got.case_().client().id(), "initech");
}

TEST(IntakeIntegrationTest, ConsumedEscalationAcknowledgedMakesThePagedPersonTheOwner) {
  DevBroker broker;
  TempDir dir;
  Intake intake = StartIntake(dir, dir.File("intake.db"), broker.bootstrap(), "a");
  v1::OpenCaseResponse opened;
  ASSERT_TRUE(Open(intake.api(), OpenRequest("open-1", "umbrella"), &opened).ok());
  const std::string case_id = opened.case_().id();

  // Play escalation: publish EscalationAcknowledged as it would.
  v1::Event ack = recovery::common::NewEvent(absl::Now(), case_id, "escalation", "person:p-42", "page-1");
  ack.mutable_escalation_acknowledged()->set_escalation_id("esc-1");
  ack.mutable_escalation_acknowledged()->set_acknowledged_by("p-42");
  recovery::testing::EventPublisher publisher(dir.File("escalation.db"), broker.bootstrap(), kCaseEventsTopic);
  ASSERT_NO_FATAL_FAILURE(publisher.Publish(ack));

  // The consumer's first group join takes a few seconds: poll.
  std::string owner;
  recovery::testing::PollUntil(
      [&] {
        v1::GetCaseRequest get;
        get.set_case_id(case_id);
        v1::GetCaseResponse got;
        auto ctx = ContextWithDeadline();
        const grpc::Status st = intake.api().GetCase(ctx.get(), get, &got);
        EXPECT_TRUE(st.ok()) << st.error_message();
        owner = got.case_().owner();
        return !st.ok() || owner == "p-42";
      },
      absl::Seconds(45), absl::Milliseconds(200));
  EXPECT_EQ(owner, "p-42");

  TopicReader reader(broker.bootstrap(), kCaseEventsTopic);
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "OwnerAssigned") >= 1; }, absl::Seconds(30)));
  for (const auto& m : reader.OfCase(case_id)) {
    if (m.type_header != "OwnerAssigned") continue;
    EXPECT_EQ(m.event.owner_assigned().owner(), "p-42");
    EXPECT_EQ(m.event.owner_assigned().reason(), "page acknowledged");
    EXPECT_EQ(m.event.source(), "intake");
    EXPECT_EQ(m.event.actor(), "service:intake");  // intake assigned the acknowledger
    EXPECT_EQ(m.event.causation_id(), ack.event_id());
  }
}

}  // namespace
}  // namespace recovery::intake
