// Signed events on the real binaries and the dev broker: intake and audit started as the local
// stack starts them (each signs what it publishes, verifies what it consumes, unsigned events
// rejected). Forged EscalationAcknowledged events published with kcat (unsigned; signed by a
// key nobody listed under escalation's id; signed by intake's real key for escalation's
// source) make nobody the case's owner: intake parks each as rejected and audit records each as
// a rejected event, never in the chain. The genuine acknowledgement, signed by escalation's key
// and carrying the same event id as the first forgery, is then applied once.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "recovery/v1/operations.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/event_signing.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "tests/intake/requests.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"
#include "tests/support/topic_reader.h"

namespace recovery::common {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::PollUntil;
using recovery::testing::TempDir;

// Writes `<name>.pem` (private) in dir and returns the key.
Ed25519SigningKey KeyFile(const TempDir& dir, const std::string& name) {
  auto key = Ed25519SigningKey::Generate();
  EXPECT_TRUE(key.ok()) << key.status();
  std::ofstream(dir.File(name + ".pem")) << key->PrivatePem();
  return *std::move(key);
}

v1::Event Acknowledged(const std::string& case_id, const std::string& event_id, const std::string& by) {
  v1::Event e = NewEvent(absl::Now(), case_id, "escalation", "person:" + by, "page-1");
  e.set_event_id(event_id);
  e.mutable_escalation_acknowledged()->set_escalation_id("esc-1");
  e.mutable_escalation_acknowledged()->set_acknowledged_by(by);
  e.mutable_escalation_acknowledged()->set_page_id("page-1");
  return e;
}

class SignedEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!recovery::testing::HaveCommand("kcat")) GTEST_SKIP() << "kcat not installed";
    intake_key_ = KeyFile(dir_, "intake");
    escalation_key_ = KeyFile(dir_, "escalation");
    audit_key_ = KeyFile(dir_, "audit");
    mallory_key_ = KeyFile(dir_, "mallory");
    // escalation's public key inline, the others by file: both spellings of the key file.
    std::ofstream(dir_.File("intake.pub.pem")) << intake_key_.public_key().Pem();
    std::ofstream(dir_.File("audit.pub.pem")) << audit_key_.public_key().Pem();
    std::string inline_pem;
    for (const char c : escalation_key_.public_key().Pem())
      inline_pem += c == '\n' ? std::string("\n      ") : std::string(1, c);
    std::ofstream(dir_.File("verify.yaml")) << "require: true\nkeys:\n"
                                            << "  - id: intake\n    public_key_file: intake.pub.pem\n"
                                            << "  - id: escalation\n    public_key: |\n      " << inline_pem << "\n"
                                            << "  - id: audit\n    public_key_file: audit.pub.pem\n";
  }

  std::vector<std::string> SigningFlags(const std::string& producer) const {
    return {"--event-signing-key", dir_.File(producer + ".pem"), "--event-verify-keys", dir_.File("verify.yaml")};
  }

  // Publishes `event` with kcat as an outsider would, with these extra headers.
  void PublishWithKcat(const v1::Event& event, const std::vector<std::string>& headers) {
    const std::string file = dir_.File("forged-" + std::to_string(++forged_));
    std::ofstream(file, std::ios::binary) << event.SerializeAsString();
    std::string cmd = "kcat -P -b " + broker_.bootstrap() + " -t " + recovery::testing::kCaseEventsTopic + " -k " +
                      event.case_id() + " -H type=" + EventTypeName(event) + " -H event_id=" + event.event_id();
    for (const std::string& h : headers) cmd += " -H '" + h + "'";
    int status = -1;
    const std::string out = recovery::testing::RunCommand(cmd + " " + file + " 2>&1", &status);
    ASSERT_EQ(status, 0) << cmd << ": " << out;
  }

  std::string Owner(recovery::testing::ServiceUnderTest<v1::Intake>& intake, const std::string& case_id) {
    v1::GetCaseRequest get;
    get.set_case_id(case_id);
    v1::GetCaseResponse got;
    auto ctx = ContextWithDeadline();
    const grpc::Status st = intake.api().GetCase(ctx.get(), get, &got);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return got.case_().owner();
  }

  recovery::testing::DevBroker broker_;
  TempDir dir_;
  Ed25519SigningKey intake_key_, escalation_key_, audit_key_, mallory_key_;
  int forged_ = 0;
};

TEST_F(SignedEventsTest, ForgedAcknowledgementsFromKcatAreRejectedAndRecordedAndTheGenuineOneIsApplied) {
  recovery::testing::ServiceUnderTest<v1::Intake> intake(
      "services/intake/recovery-intake", dir_, "intake",
      {.db = dir_.File("intake.db"), .brokers = broker_.bootstrap(), .extra = SigningFlags("intake")});
  recovery::testing::ServiceUnderTest<v1::Audit> audit(
      "services/audit/recovery-audit", dir_, "audit",
      {.db = dir_.File("audit.db"), .brokers = broker_.bootstrap(), .extra = SigningFlags("audit")});
  ASSERT_TRUE(intake.started() && audit.started());

  const v1::OpenCaseRequest open = recovery::intake::testing::OpenRequest("open-1");
  v1::OpenCaseResponse opened;
  {
    auto ctx = ContextWithDeadline();
    const grpc::Status st = intake.api().OpenCase(ctx.get(), open, &opened);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  const std::string case_id = opened.case_().id();

  // What intake published carries its signature, which verifies with its public key alone.
  recovery::testing::TopicReader reader(broker_.bootstrap());
  ASSERT_TRUE(reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "CaseOpened") == 1; }));
  for (const auto& m : reader.OfCase(case_id)) {
    EXPECT_EQ(m.sig_key_header, "intake");
    std::string raw;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(m.sig_header, &raw));
    EXPECT_TRUE(intake_key_.public_key().Verify(m.value, raw));
  }

  // Three forgeries, in the case's partition ahead of the genuine acknowledgement.
  const v1::Event unsigned_ack = Acknowledged(case_id, "ack-event-1", "mallory");
  ASSERT_NO_FATAL_FAILURE(PublishWithKcat(unsigned_ack, {}));
  const v1::Event badly_signed = Acknowledged(case_id, "ack-event-2", "mallory");
  ASSERT_NO_FATAL_FAILURE(PublishWithKcat(
      badly_signed,
      {"sig_key=escalation", "sig=" + EventSigner("escalation", mallory_key_).Sign(badly_signed.SerializeAsString())}));
  const v1::Event wrong_source = Acknowledged(case_id, "ack-event-3", "mallory");
  ASSERT_NO_FATAL_FAILURE(PublishWithKcat(
      wrong_source,
      {"sig_key=intake", "sig=" + EventSigner("intake", intake_key_).Sign(wrong_source.SerializeAsString())}));

  // The genuine one reuses the first forgery's event id: a rejected copy must not spend it.
  recovery::testing::EventPublisher escalation(dir_.File("escalation.db"), broker_.bootstrap(),
                                               recovery::testing::kCaseEventsTopic,
                                               std::make_shared<const EventSigner>("escalation", escalation_key_));
  ASSERT_NO_FATAL_FAILURE(escalation.Publish(Acknowledged(case_id, "ack-event-1", "p-42")));
  ASSERT_TRUE(PollUntil([&] { return Owner(intake, case_id) == "p-42"; }, absl::Seconds(45)))
      << "the genuine acknowledgement was not applied; see " << intake.log_path();

  // Intake consumed the forgeries before it (one partition): none of them assigned anyone.
  ASSERT_TRUE(recovery::testing::GroupCommittedToEnd(broker_.bootstrap(), "recovery-intake"));
  ASSERT_TRUE(reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "OwnerAssigned") >= 1; }));
  ASSERT_TRUE(reader.ReadToEnd());
  EXPECT_EQ(reader.CountOf(case_id, "OwnerAssigned"), 1);
  for (const auto& m : reader.OfCase(case_id)) {
    if (m.type_header != "OwnerAssigned") continue;
    EXPECT_EQ(m.event.owner_assigned().owner(), "p-42");
  }

  // Each forgery is parked as rejected, with what was wrong with it.
  auto ops = v1::Operations::NewStub(intake.channel());
  v1::ListDeadLettersRequest list;
  list.set_origin("consumer");
  v1::ListDeadLettersResponse parked;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(ops->ListDeadLetters(ctx.get(), list, &parked).ok());
  }
  std::vector<std::string> reasons;
  for (const auto& d : parked.dead_letters()) {
    EXPECT_EQ(d.type(), "EscalationAcknowledged");
    reasons.push_back(d.reason());
  }
  ASSERT_EQ(reasons.size(), 3u) << ::testing::PrintToString(reasons);
  std::sort(reasons.begin(), reasons.end());
  EXPECT_TRUE(absl::StrContains(reasons[0], "key 'intake' may not sign events of source 'escalation'")) << reasons[0];
  EXPECT_TRUE(absl::StrContains(reasons[1], "the event is not signed")) << reasons[1];
  EXPECT_TRUE(absl::StrContains(reasons[2], "the signature by key 'escalation' does not verify")) << reasons[2];

  // Audit kept each attempt, outside the chain; the chain holds the genuine events only.
  auto audit_api = v1::Audit::NewStub(audit.channel());
  v1::ListRejectedEventsResponse rejected;
  ASSERT_TRUE(PollUntil(
      [&] {
        rejected.Clear();
        auto ctx = ContextWithDeadline();
        return audit_api->ListRejectedEvents(ctx.get(), v1::ListRejectedEventsRequest(), &rejected).ok() &&
               rejected.total() == 3;
      },
      absl::Seconds(45)))
      << rejected.DebugString();
  for (const auto& r : rejected.entries()) {
    EXPECT_EQ(r.case_id(), case_id);
    EXPECT_EQ(r.type(), "EscalationAcknowledged");
    EXPECT_EQ(r.source(), "escalation");
    EXPECT_TRUE(absl::StartsWith(r.reason(), "rejected: ")) << r.reason();
    EXPECT_TRUE(absl::StrContains(r.event_json(), "mallory")) << r.event_json();
  }
  v1::GetTimelineResponse timeline;
  ASSERT_TRUE(PollUntil(
      [&] {
        timeline.Clear();
        v1::GetTimelineRequest req;
        req.set_case_id(case_id);
        auto ctx = ContextWithDeadline();
        if (!audit_api->GetTimeline(ctx.get(), req, &timeline).ok()) return false;
        for (const auto& e : timeline.entries())
          if (e.type() == "OwnerAssigned") return true;
        return false;
      },
      absl::Seconds(45)));
  int acks = 0;
  for (const auto& e : timeline.entries()) {
    EXPECT_FALSE(absl::StrContains(e.event_json(), "mallory")) << e.event_json();
    acks += e.type() == "EscalationAcknowledged";
  }
  EXPECT_EQ(acks, 1);
  v1::GetStatsResponse stats;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(audit_api->GetStats(ctx.get(), v1::GetStatsRequest(), &stats).ok());
  }
  EXPECT_EQ(stats.rejected_total(), 3);
  EXPECT_EQ(intake.process().Terminate(), 0);
  EXPECT_EQ(audit.process().Terminate(), 0);
}

TEST_F(SignedEventsTest, AServiceRefusesToStartOnABadKeyFileNamingTheFlagAndTheKey) {
  std::ofstream(dir_.File("bad.yaml")) << "require: true\nkeys:\n  - id: intake\n    public_key: not a key\n";
  int status = -1;
  const std::string out = recovery::testing::RunCommand(
      recovery::testing::BinaryPath("services/intake/recovery-intake") + " --db " + dir_.File("x.db") +
          " --auth-config " + recovery::testing::TestIdentity::Shared().auth_config_path() + " --event-verify-keys " +
          dir_.File("bad.yaml") + " 2>&1",
      &status);
  EXPECT_NE(status, 0);
  EXPECT_TRUE(absl::StrContains(out, "--event-verify-keys")) << out;
  EXPECT_TRUE(absl::StrContains(out, "keys[0]")) << out;
}

}  // namespace
}  // namespace recovery::common
