// The real recovery-audit binary on the dev broker: every event recorded once in topic
// order, duplicates and malformed messages skipped, timelines, export filters, stats, and
// VerifyChain naming a record tampered with while the service was down.
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/domain/export_verifier.h"
#include "services/audit/domain/merkle.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/outbox.h"
#include "tests/audit/test_util.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/test_identity.h"

namespace recovery::audit {
namespace {

using recovery::testing::BinaryPath;
using recovery::testing::DevBroker;
using recovery::testing::Process;
using recovery::testing::TempDir;
using recovery::testing::TestIdentity;
using recovery::testing::WaitForFile;
using testing::OpenedEvent;

const char* kTopic = "recovery.case-events";

// Publishes raw bytes with a key, as a foreign or buggy producer would.
void ProduceRaw(const std::string& brokers, const std::string& key, const std::string& payload) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  ASSERT_EQ(conf->set("bootstrap.servers", brokers, err), RdKafka::Conf::CONF_OK) << err;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  ASSERT_TRUE(producer) << err;
  ASSERT_EQ(producer->produce(kTopic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                              const_cast<char*>(payload.data()), payload.size(), key.data(), key.size(), 0, nullptr),
            RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(producer->flush(10000), RdKafka::ERR_NO_ERROR);
}

class AuditBinary {
 public:
  AuditBinary(const TempDir& dir, const std::string& db, const std::string& brokers, const std::string& name,
              const std::vector<std::string>& extra_args = {}) {
    const std::string port_file = dir.File(name + ".port");
    std::vector<std::string> args = {"--listen",
                                     "127.0.0.1:0",
                                     "--port-file",
                                     port_file,
                                     "--db",
                                     db,
                                     "--kafka-brokers",
                                     brokers,
                                     "--topic",
                                     kTopic,
                                     "--auth-config",
                                     TestIdentity::Shared().auth_config_path()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ = Process(BinaryPath("services/audit/recovery-audit"), args, dir.File(name + ".log"));
    const std::string port = WaitForFile(port_file);
    // An auditor reads the chain (audit.read, audit.export).
    if (!port.empty())
      stub_ = recovery::v1::Audit::NewStub(TestIdentity::Shared().ChannelAs("127.0.0.1:" + port, "audrey"));
  }
  recovery::v1::Audit::Stub* stub() { return stub_.get(); }
  int Terminate() { return process_.Terminate(absl::Seconds(20)); }
  void KillHard() {
    process_.Kill(SIGKILL);
    process_.Wait();
  }
  template <typename Request, typename Response>
  Response Call(grpc::Status (recovery::v1::Audit::Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                const Request& req) {
    Response out;
    auto ctx = common::ContextWithDeadline();
    const grpc::Status s = (stub_.get()->*rpc)(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  recovery::v1::GetStatsResponse Stats() {
    recovery::v1::GetStatsResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub_->GetStats(ctx.get(), {}, &out).ok());
    return out;
  }
  recovery::v1::VerifyChainResponse Verify() {
    recovery::v1::VerifyChainResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub_->VerifyChain(ctx.get(), {}, &out).ok());
    return out;
  }
  grpc::Status Export(const recovery::v1::ExportEventsRequest& req, std::vector<std::string>* lines) {
    auto ctx = common::ContextWithDeadline();
    auto reader = stub_->ExportEvents(ctx.get(), req);
    recovery::v1::ExportEventsResponse line;
    while (reader->Read(&line)) lines->push_back(line.json_line());
    return reader->Finish();
  }

 private:
  Process process_;
  std::unique_ptr<recovery::v1::Audit::Stub> stub_;
};

TEST(AuditIntegrationTest, RecordsEveryEventOnceInOrderAndVerifyChainNamesATamperedRecord) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;

  // 20 events for 3 cases through a real outbox; every fifth is a note so types differ.
  auto outbox_store = std::move(*common::OpenStore(dir.File("producer.db")));
  ASSERT_TRUE(common::Outbox::Migrate(*outbox_store).ok());
  common::Outbox outbox(*outbox_store);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), kTopic, "", 10}).ok());
  std::vector<recovery::v1::Event> events;
  for (int i = 0; i < 20; ++i) {
    auto e = OpenedEvent("case-" + std::to_string(i % 3), i);
    if (i % 5 == 4) {
      e.mutable_note_added()->set_text("called the client back");
      e.mutable_note_added()->set_author("ana");
      e.set_source("action-plan");
    }
    events.push_back(e);
  }
  auto append = [&](const recovery::v1::Event& e) {
    ASSERT_TRUE(common::InTransaction(*outbox_store, [&](common::Tx& tx) { return outbox.Append(tx, e); }).ok());
  };
  for (const auto& e : events) append(e);
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  // A redelivered event (same id) and a malformed message, then a last event on the same
  // key: once that one is recorded, the two before it on the partition were handled.
  ProduceRaw(broker.bootstrap(), "case-0", events[0].SerializeAsString());
  ProduceRaw(broker.bootstrap(), "case-0", std::string("\xff\xff not an event", 16));
  const auto last = OpenedEvent("case-0", 30);
  append(last);
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  events.push_back(last);
  const size_t kDistinct = events.size();  // 21

  const std::string db = dir.File("audit.db");
  auto audit = std::make_unique<AuditBinary>(dir, db, broker.bootstrap(), "audit1");
  ASSERT_NE(audit->stub(), nullptr) << "audit did not start";

  // The first group join takes ~3 s: poll generously.
  recovery::v1::GetStatsResponse stats;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    stats = audit->Stats();
    if (stats.events_total() >= static_cast<int64_t>(kDistinct)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(stats.events_total(), static_cast<int64_t>(kDistinct)) << "duplicate recorded once, malformed skipped";
  {
    // The last event of case-0 is recorded: everything before it on that partition was handled.
    recovery::v1::GetTimelineRequest req;
    req.set_case_id("case-0");
    recovery::v1::GetTimelineResponse tl;
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(audit->stub()->GetTimeline(ctx.get(), req, &tl).ok());
    ASSERT_GT(tl.entries_size(), 0);
    EXPECT_EQ(tl.entries(tl.entries_size() - 1).event_id(), last.event_id());
  }
  stats = audit->Stats();
  EXPECT_EQ(stats.events_total(), static_cast<int64_t>(kDistinct));
  EXPECT_EQ(stats.last_seq(), static_cast<int64_t>(kDistinct));
  EXPECT_EQ(stats.cases(), 3);
  EXPECT_EQ(stats.events_by_type().at("NoteAdded"), 4);
  EXPECT_EQ(stats.events_by_type().at("CaseOpened"), 17);
  EXPECT_EQ(stats.events_by_source().at("action-plan"), 4);

  // Timelines: each case's events in the order they were published, each id once.
  std::map<std::string, std::vector<std::string>> expected;
  for (const auto& e : events) expected[e.case_id()].push_back(e.event_id());
  for (const auto& [case_id, ids] : expected) {
    recovery::v1::GetTimelineRequest req;
    req.set_case_id(case_id);
    recovery::v1::GetTimelineResponse tl;
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(audit->stub()->GetTimeline(ctx.get(), req, &tl).ok()) << case_id;
    std::vector<std::string> got;
    for (int i = 0; i < tl.entries_size(); ++i) {
      got.push_back(tl.entries(i).event_id());
      EXPECT_EQ(tl.entries(i).case_seq(), i + 1);
      EXPECT_FALSE(tl.entries(i).summary().empty());
      EXPECT_FALSE(tl.entries(i).event_json().empty());
      if (i > 0) {
        EXPECT_GT(tl.entries(i).seq(), tl.entries(i - 1).seq());
      }
    }
    EXPECT_EQ(got, ids) << case_id;
  }

  // The chain verifies.
  auto verify = audit->Verify();
  EXPECT_TRUE(verify.ok()) << verify.first_break().detail();
  EXPECT_EQ(verify.records_checked(), static_cast<int64_t>(kDistinct));
  EXPECT_EQ(verify.head_hash(), stats.head_hash());

  // Export filters: by case, and by a half-open occurred_at range [5 min, 10 min).
  {
    recovery::v1::ExportEventsRequest req;
    req.set_case_id("case-1");
    std::vector<std::string> lines;
    ASSERT_TRUE(audit->Export(req, &lines).ok());
    EXPECT_EQ(lines.size(), expected["case-1"].size());
    for (const auto& l : lines) EXPECT_NE(l.find("\"case_id\":\"case-1\""), std::string::npos) << l;
  }
  {
    recovery::v1::ExportEventsRequest req;
    *req.mutable_occurred_from() = common::ToProto(testing::kBase + absl::Minutes(5));
    *req.mutable_occurred_to() = common::ToProto(testing::kBase + absl::Minutes(10));
    std::vector<std::string> lines;
    ASSERT_TRUE(audit->Export(req, &lines).ok());
    ASSERT_EQ(lines.size(), 5u);
    std::set<std::string> ids;
    for (int i = 5; i < 10; ++i) ids.insert(events[i].event_id());
    for (const auto& l : lines) {
      const size_t at = l.find("\"event_id\":\"");
      ASSERT_NE(at, std::string::npos) << l;
      EXPECT_EQ(ids.count(l.substr(at + 12, events[0].event_id().size())), 1u) << l;
    }
  }
  {
    recovery::v1::ExportEventsRequest req;
    *req.mutable_occurred_from() = common::ToProto(testing::kBase + absl::Minutes(10));
    *req.mutable_occurred_to() = common::ToProto(testing::kBase + absl::Minutes(5));
    std::vector<std::string> lines;
    EXPECT_EQ(audit->Export(req, &lines).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }

  // Stop, tamper with record 5's event bytes in the file, start again.
  ASSERT_EQ(audit->Terminate(), 0);
  audit.reset();
  std::ifstream log_file(dir.File("audit1.log"));
  const std::string log((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("skipping malformed event"), std::string::npos) << "the malformed message was seen and skipped";
  const std::string id5 = testing::QueryOne(db, "SELECT event_id FROM audit_log WHERE seq = 5");
  recovery::v1::Event forged;
  ASSERT_TRUE(forged.ParseFromString(testing::QueryOne(db, "SELECT event_bytes FROM audit_log WHERE seq = 5")));
  forged.set_actor("someone else");
  const std::string bytes = forged.SerializeAsString();
  ASSERT_EQ(testing::TamperSql(db, "UPDATE audit_log SET event_bytes = ? WHERE seq = 5", &bytes), "");

  AuditBinary restarted(dir, db, broker.bootstrap(), "audit2");
  ASSERT_NE(restarted.stub(), nullptr) << "audit did not restart";
  verify = restarted.Verify();
  EXPECT_FALSE(verify.ok());
  EXPECT_EQ(verify.first_break().seq(), 5);
  EXPECT_EQ(verify.first_break().event_id(), id5);
  EXPECT_EQ(verify.first_break().check(), recovery::v1::CHAIN_CHECK_EVENT_HASH);
  EXPECT_EQ(verify.records_checked(), 4);
  EXPECT_EQ(restarted.Terminate(), 0);
}

// kill -9 while audit is consuming and signing: after the restart every event is recorded
// once, the chain and the Merkle log agree, and the checkpoints signed before and after the
// kill verify offline against the export and are consistent with each other.
TEST(AuditIntegrationTest, KillNineBetweenAppendsLosesNothingAndTheTreeStillVerifies) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  std::ofstream(dir.File("signing.pem")) << key->PrivatePem();
  const std::vector<std::string> signing = {"--audit-signing-key",         dir.File("signing.pem"),
                                            "--audit-checkpoint-every",    "7",
                                            "--audit-checkpoint-interval", "1h"};

  auto outbox_store = std::move(*common::OpenStore(dir.File("producer.db")));
  ASSERT_TRUE(common::Outbox::Migrate(*outbox_store).ok());
  common::Outbox outbox(*outbox_store);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), kTopic, "", 10}).ok());
  constexpr int kEvents = 120;
  for (int i = 0; i < kEvents; ++i) {
    const auto e = OpenedEvent("case-" + std::to_string(i % 4), i);
    ASSERT_TRUE(common::InTransaction(*outbox_store, [&](common::Tx& tx) { return outbox.Append(tx, e); }).ok());
  }
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));

  const std::string db = dir.File("audit.db");
  auto wait_for = [](AuditBinary& audit, int64_t n) {
    recovery::v1::GetStatsResponse stats;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      stats = audit.Stats();
      if (stats.events_total() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return stats.events_total();
  };
  {
    AuditBinary first(dir, db, broker.bootstrap(), "audit1", signing);
    ASSERT_NE(first.stub(), nullptr);
    ASSERT_GE(wait_for(first, 1), 1);
    first.KillHard();  // somewhere in the middle of the 120
  }
  const std::string recorded_before = testing::QueryOne(db, "SELECT CAST(seq AS TEXT) FROM audit_head");
  AuditBinary audit(dir, db, broker.bootstrap(), "audit2", signing);
  ASSERT_NE(audit.stub(), nullptr);
  ASSERT_EQ(wait_for(audit, kEvents), kEvents) << "recorded before the kill: " << recorded_before;
  EXPECT_EQ(audit.Stats().last_seq(), kEvents) << "nothing twice";
  EXPECT_TRUE(audit.Verify().ok());

  // The signed checkpoints (every 7 records: the last one at 119) and the export agree offline.
  const auto pub = audit.Call(&recovery::v1::Audit::Stub::GetPublicKey, recovery::v1::GetPublicKeyRequest());
  auto public_key = PublicKey::FromPem(pub.public_key_pem());
  ASSERT_TRUE(public_key.ok());
  recovery::v1::GetCheckpointRequest at7;
  at7.set_tree_size(7);
  const auto first_cp = audit.Call(&recovery::v1::Audit::Stub::GetCheckpoint, at7);
  const auto latest = audit.Call(&recovery::v1::Audit::Stub::GetCheckpoint, recovery::v1::GetCheckpointRequest());
  EXPECT_EQ(latest.checkpoint().tree_size(), 119);
  std::vector<std::string> lines;
  ASSERT_TRUE(audit.Export({}, &lines).ok());
  const auto report = VerifyExport(lines, &*public_key, {first_cp.checkpoint().note(), latest.checkpoint().note()},
                                   {.allow_tail = true});
  EXPECT_TRUE(report.ok) << report.Text();
  EXPECT_EQ(report.verified_size, 119);

  // Every record's inclusion proof, and the consistency proof 7 -> 119, from the service.
  for (int64_t seq : {int64_t{1}, int64_t{60}, int64_t{119}}) {
    recovery::v1::GetInclusionProofRequest req;
    req.set_seq(seq);
    const auto proof = audit.Call(&recovery::v1::Audit::Stub::GetInclusionProof, req);
    ASSERT_EQ(proof.proofs_size(), 1);
    std::vector<std::string> hashes;
    for (const auto& h : proof.proofs(0).hashes()) hashes.push_back(absl::HexStringToBytes(h));
    EXPECT_TRUE(merkle::VerifyInclusion(static_cast<uint64_t>(seq - 1), 119,
                                        absl::HexStringToBytes(proof.proofs(0).leaf_hash()), hashes,
                                        absl::HexStringToBytes(latest.checkpoint().root_hash())))
        << seq;
  }
  recovery::v1::GetConsistencyProofRequest consistency;
  consistency.set_first_size(7);
  const auto proof = audit.Call(&recovery::v1::Audit::Stub::GetConsistencyProof, consistency);
  std::vector<std::string> hashes;
  for (const auto& h : proof.hashes()) hashes.push_back(absl::HexStringToBytes(h));
  EXPECT_TRUE(merkle::VerifyConsistency(7, 119, absl::HexStringToBytes(first_cp.checkpoint().root_hash()),
                                        absl::HexStringToBytes(latest.checkpoint().root_hash()), hashes));
  EXPECT_EQ(audit.Terminate(), 0);
}

}  // namespace
}  // namespace recovery::audit
