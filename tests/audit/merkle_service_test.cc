// The Merkle log and signed checkpoints through AuditModule on the in-process fixture: when
// checkpoints are signed (every N records, T on the manual clock), that audit's own checkpoint
// events do not come back as records, the proofs the RPCs give verify against the signed
// roots, bad input names its field, and each new RPC refuses a caller without audit.read.
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "grpcpp/grpcpp.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/domain/merkle.h"
#include "services/audit/module.h"
#include "services/common/grpc_util.h"
#include "tests/audit/test_util.h"
#include "tests/support/service_fixture.h"

namespace recovery::audit {
namespace {

using testing::OpenedEvent;

std::string Raw(const std::string& hex) { return absl::HexStringToBytes(hex); }
std::vector<std::string> Raws(const google::protobuf::RepeatedPtrField<std::string>& hexes) {
  std::vector<std::string> out;
  for (const auto& h : hexes) out.push_back(Raw(h));
  return out;
}

// Writes a fresh Ed25519 key as PEM into dir and returns its path.
std::string NewKeyFile(const recovery::testing::TempDir& dir, const std::string& name = "audit-signing.pem") {
  auto key = SigningKey::Generate();
  EXPECT_TRUE(key.ok());
  const std::string path = dir.File(name);
  std::ofstream(path) << key->PrivatePem();
  return path;
}

AuditModule& Configured(AuditModule& module, const std::string& key_file, int64_t every, absl::Duration interval) {
  module.options().signing_key_file = key_file;
  module.options().origin = "recovery.test/audit";
  module.options().checkpoints = {every, interval};
  return module;
}

recovery::testing::FixtureOptions At(const std::string& db = "") {
  recovery::testing::FixtureOptions options;
  options.start = testing::kBase;
  options.db = db;
  return options;
}

class MerkleServiceTest : public ::testing::Test {
 protected:
  explicit MerkleServiceTest(int64_t every = 5, absl::Duration interval = absl::Seconds(30))
      : fx_(Configured(module_, NewKeyFile(keys_), every, interval), At()),
        stub_(recovery::v1::Audit::NewStub(fx_.channel())) {}
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  // Records events "c<i % cases>" 1..n and keeps their stored bytes (the leaves).
  void RecordMany(int from, int to, int cases = 3) {
    for (int i = from; i <= to; ++i) {
      auto e = OpenedEvent("c" + std::to_string(i % cases), i);
      ASSERT_TRUE(fx_.Deliver(e).ok());
      tree_.AppendLeaf(EventBytes(e));
    }
    fx_.Quiesce();
  }
  std::vector<recovery::v1::Event> Checkpoints() { return fx_.PublishedOfType("AuditCheckpointPublished"); }
  PublicKey Key() {
    recovery::v1::GetPublicKeyResponse resp;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub_->GetPublicKey(ctx.get(), {}, &resp).ok());
    auto key = PublicKey::FromPem(resp.public_key_pem());
    EXPECT_TRUE(key.ok()) << key.status();
    return *key;
  }
  grpc::Status Checkpoint(int64_t size, recovery::v1::GetCheckpointResponse* resp) {
    recovery::v1::GetCheckpointRequest req;
    req.set_tree_size(size);
    auto ctx = common::ContextWithDeadline();
    return stub_->GetCheckpoint(ctx.get(), req, resp);
  }
  grpc::Status Inclusion(const recovery::v1::GetInclusionProofRequest& req,
                         recovery::v1::GetInclusionProofResponse* resp) {
    auto ctx = common::ContextWithDeadline();
    return stub_->GetInclusionProof(ctx.get(), req, resp);
  }
  grpc::Status Consistency(int64_t first, int64_t second, recovery::v1::GetConsistencyProofResponse* resp) {
    recovery::v1::GetConsistencyProofRequest req;
    req.set_first_size(first);
    req.set_second_size(second);
    auto ctx = common::ContextWithDeadline();
    return stub_->GetConsistencyProof(ctx.get(), req, resp);
  }
  int64_t EventsTotal() {
    recovery::v1::GetStatsResponse stats;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub_->GetStats(ctx.get(), {}, &stats).ok());
    return stats.events_total();
  }

  recovery::testing::TempDir keys_;
  AuditModule module_;
  recovery::testing::ServiceFixture fx_;
  std::unique_ptr<recovery::v1::Audit::Stub> stub_;
  merkle::MerkleTree tree_;  // what the log should be
};

TEST_F(MerkleServiceTest, EveryNRecordsACheckpointIsSignedKeptAndPublishedButNotRecordedAgain) {
  RecordMany(1, 12);
  const auto published = Checkpoints();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].audit_checkpoint_published().tree_size(), 5);
  EXPECT_EQ(published[1].audit_checkpoint_published().tree_size(), 10);
  EXPECT_EQ(published[1].source(), "audit");
  EXPECT_EQ(published[1].case_id(), "audit:checkpoints");
  // The fixture looped both back to audit's consumer, as the topic would: not recorded.
  EXPECT_EQ(EventsTotal(), 12);

  recovery::v1::GetCheckpointResponse latest;
  ASSERT_TRUE(Checkpoint(0, &latest).ok());
  EXPECT_EQ(latest.checkpoint().tree_size(), 10);
  EXPECT_EQ(latest.current_tree_size(), 12);
  EXPECT_EQ(latest.checkpoint().note(), published[1].audit_checkpoint_published().note());
  auto verified = VerifyCheckpoint(latest.checkpoint().note(), Key());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->root_hash, tree_.Root(10)) << "the signed root is the RFC 9162 root of the first 10 events";
  EXPECT_EQ(verified->time, testing::kBase);
  EXPECT_EQ(latest.checkpoint().root_hash(), absl::BytesToHexString(tree_.Root(10)));

  recovery::v1::GetCheckpointResponse at5;
  ASSERT_TRUE(Checkpoint(5, &at5).ok());
  EXPECT_EQ(Raw(at5.checkpoint().root_hash()), tree_.Root(5));
  recovery::v1::GetCheckpointResponse none;
  auto missing = Checkpoint(7, &none);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_message(), "tree_size: no checkpoint kept at size 7");
}

TEST_F(MerkleServiceTest, ACheckpointEventFromAnyoneElseIsRecordedLikeAnyEvent) {
  RecordMany(1, 2);
  auto forged = common::NewEvent(testing::kBase, "audit:checkpoints", "audit", "mallory", "");
  forged.mutable_audit_checkpoint_published()->set_tree_size(2);
  ASSERT_TRUE(fx_.Deliver(forged).ok());
  EXPECT_EQ(EventsTotal(), 3);
}

TEST_F(MerkleServiceTest, InclusionProofsOfARecordAndOfACaseVerifyAgainstTheSignedRoot) {
  RecordMany(1, 13);  // checkpoints at 5 and 10; 11..13 not covered yet
  const PublicKey key = Key();
  recovery::v1::GetInclusionProofRequest req;
  req.set_seq(7);
  recovery::v1::GetInclusionProofResponse resp;
  ASSERT_TRUE(Inclusion(req, &resp).ok());
  EXPECT_EQ(resp.tree_size(), 10) << "the latest checkpoint's tree by default";
  auto signed_cp = VerifyCheckpoint(resp.checkpoint().note(), key);
  ASSERT_TRUE(signed_cp.ok());
  ASSERT_EQ(resp.proofs_size(), 1);
  const auto& p = resp.proofs(0);
  EXPECT_EQ(p.leaf_index(), 6);
  EXPECT_EQ(Raw(p.leaf_hash()), tree_.Leaf(6));
  EXPECT_TRUE(merkle::VerifyInclusion(6, 10, Raw(p.leaf_hash()), Raws(p.hashes()), signed_cp->root_hash));

  req.set_case_id("c1");  // seqs 1, 4, 7, 10 (and 13, not in the tree of 10)
  resp.Clear();
  ASSERT_TRUE(Inclusion(req, &resp).ok());
  ASSERT_EQ(resp.proofs_size(), 4);
  for (const auto& proof : resp.proofs()) {
    EXPECT_EQ((proof.seq() % 3), 1);
    EXPECT_TRUE(merkle::VerifyInclusion(static_cast<uint64_t>(proof.leaf_index()), 10, Raw(proof.leaf_hash()),
                                        Raws(proof.hashes()), signed_cp->root_hash))
        << proof.seq();
  }
  req.set_tree_size(13);  // the current tree: no checkpoint yet, the root is still given
  resp.Clear();
  ASSERT_TRUE(Inclusion(req, &resp).ok());
  EXPECT_EQ(resp.proofs_size(), 5);
  EXPECT_FALSE(resp.has_checkpoint());
  EXPECT_EQ(Raw(resp.root_hash()), tree_.Root(13));

  // Bad input names its field.
  recovery::v1::GetInclusionProofRequest bad;
  auto s = Inclusion(bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "seq: required (or case_id)");
  bad.set_seq(0);
  EXPECT_EQ(Inclusion(bad, &resp).error_message(), "seq: must be at least 1");
  bad.set_seq(11);
  s = Inclusion(bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "seq: 11 is not in the tree of size 10");
  bad.set_tree_size(99);
  EXPECT_EQ(Inclusion(bad, &resp).error_message(), "tree_size: 99 is beyond the log (13 records)");
  bad.set_tree_size(-1);
  EXPECT_EQ(Inclusion(bad, &resp).error_message().rfind("tree_size: ", 0), 0u);
  bad.set_tree_size(0);
  bad.set_case_id("c 1");
  EXPECT_EQ(Inclusion(bad, &resp).error_message().rfind("case_id: ", 0), 0u);
  bad.set_case_id("nobody");
  EXPECT_EQ(Inclusion(bad, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(MerkleServiceTest, ConsistencyProofBetweenTwoCheckpointsVerifies) {
  RecordMany(1, 12);
  const PublicKey key = Key();
  recovery::v1::GetConsistencyProofResponse resp;
  ASSERT_TRUE(Consistency(5, 0, &resp).ok());
  EXPECT_EQ(resp.second_size(), 10);
  auto first = VerifyCheckpoint(resp.first_checkpoint().note(), key);
  auto second = VerifyCheckpoint(resp.second_checkpoint().note(), key);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(merkle::VerifyConsistency(5, 10, first->root_hash, second->root_hash, Raws(resp.hashes())));
  // A root from a forked log of size 5 does not verify with the same proof.
  std::string forked = first->root_hash;
  forked[0] ^= 1;
  EXPECT_FALSE(merkle::VerifyConsistency(5, 10, forked, second->root_hash, Raws(resp.hashes())));
  ASSERT_TRUE(Consistency(3, 12, &resp).ok());
  EXPECT_TRUE(merkle::VerifyConsistency(3, 12, tree_.Root(3), tree_.Root(12), Raws(resp.hashes())));

  auto s = Consistency(0, 5, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "first_size: must be at least 1");
  EXPECT_EQ(Consistency(6, 5, &resp).error_message(), "first_size: must not exceed second_size");
  EXPECT_EQ(Consistency(11, 0, &resp).error_message(), "first_size: 11 exceeds the second size 10");
  EXPECT_EQ(Consistency(1, 50, &resp).error_message(), "second_size: 50 is beyond the log (12 records)");
  recovery::v1::GetCheckpointResponse cp;
  EXPECT_EQ(Checkpoint(-1, &cp).error_message().rfind("tree_size: ", 0), 0u);
}

class IntervalCheckpointTest : public MerkleServiceTest {
 protected:
  IntervalCheckpointTest() : MerkleServiceTest(1000, absl::Seconds(30)) {}
};

TEST_F(IntervalCheckpointTest, ARecordWaitsAtMostTheIntervalOnTheServiceClockAndAnIdleLogSignsNothing) {
  RecordMany(1, 3);
  EXPECT_TRUE(Checkpoints().empty());
  fx_.Advance(absl::Seconds(29));
  EXPECT_TRUE(Checkpoints().empty());
  fx_.Advance(absl::Seconds(2));
  ASSERT_EQ(Checkpoints().size(), 1u);
  EXPECT_EQ(Checkpoints()[0].audit_checkpoint_published().tree_size(), 3);
  fx_.Advance(absl::Minutes(5));
  EXPECT_EQ(Checkpoints().size(), 1u) << "its own checkpoint event is no new record: nothing more to sign";
  RecordMany(4, 4);
  fx_.Advance(absl::Seconds(31));
  ASSERT_EQ(Checkpoints().size(), 2u);
  EXPECT_EQ(Checkpoints()[1].audit_checkpoint_published().tree_size(), 4);
  EXPECT_EQ(EventsTotal(), 4);
}

// Each new RPC: no credential is UNAUTHENTICATED, a viewer (no audit.read) PERMISSION_DENIED,
// an auditor is answered.
TEST_F(MerkleServiceTest, EveryProofRpcNeedsAuditReadAndTheAuditorHasIt) {
  RecordMany(1, 5);
  auto anonymous = recovery::v1::Audit::NewStub(fx_.ChannelWithToken(""));
  auto vic = recovery::v1::Audit::NewStub(fx_.ChannelAs("vic"));
  auto audrey = recovery::v1::Audit::NewStub(fx_.ChannelAs("audrey"));
  recovery::v1::GetInclusionProofRequest inclusion;
  inclusion.set_seq(1);
  recovery::v1::GetConsistencyProofRequest consistency;
  consistency.set_first_size(1);
  const std::vector<std::pair<recovery::v1::Audit::Stub*, grpc::StatusCode>> callers = {
      {anonymous.get(), grpc::UNAUTHENTICATED}, {vic.get(), grpc::PERMISSION_DENIED}, {audrey.get(), grpc::OK}};
  for (const auto& [stub, expected] : callers) {
    {
      recovery::v1::GetCheckpointResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->GetCheckpoint(ctx.get(), {}, &resp).error_code(), expected);
    }
    {
      recovery::v1::GetInclusionProofResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->GetInclusionProof(ctx.get(), inclusion, &resp).error_code(), expected);
    }
    {
      recovery::v1::GetConsistencyProofResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->GetConsistencyProof(ctx.get(), consistency, &resp).error_code(), expected);
    }
    {
      recovery::v1::GetPublicKeyResponse resp;
      auto ctx = common::ContextWithDeadline();
      EXPECT_EQ(stub->GetPublicKey(ctx.get(), {}, &resp).error_code(), expected);
    }
  }
}

TEST(MerkleCatchUpTest, ALogChainedBeforeTheMerkleLogGetsItsLeavesAtTheNextStart) {
  recovery::testing::TempDir dir;
  const std::string db = dir.File("audit.db");
  merkle::MerkleTree expected;
  {
    AuditModule module;
    recovery::testing::ServiceFixture fx(module, At(db));
    ASSERT_TRUE(fx.ok());
    for (int i = 1; i <= 9; ++i) {
      auto e = OpenedEvent("c1", i);
      ASSERT_TRUE(fx.Deliver(e).ok());
      expected.AppendLeaf(EventBytes(e));
    }
  }
  // As the file of a version before the Merkle log would be: no nodes, tree size 0.
  ASSERT_EQ(testing::TamperSql(db, "DELETE FROM audit_merkle_node"), "");
  ASSERT_EQ(testing::TamperSql(db, "UPDATE audit_head SET tree_size = 0"), "");
  AuditModule module;
  recovery::testing::ServiceFixture fx(module, At(db));
  ASSERT_TRUE(fx.ok());
  auto e = OpenedEvent("c1", 10);
  ASSERT_TRUE(fx.Deliver(e).ok());
  expected.AppendLeaf(EventBytes(e));
  auto stub = recovery::v1::Audit::NewStub(fx.channel());
  recovery::v1::GetConsistencyProofRequest req;
  req.set_first_size(9);
  req.set_second_size(10);
  recovery::v1::GetConsistencyProofResponse resp;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub->GetConsistencyProof(ctx.get(), req, &resp).ok());
  EXPECT_EQ(Raw(resp.first_root()), expected.Root(9));
  EXPECT_EQ(Raw(resp.second_root()), expected.Root(10));
}

}  // namespace
}  // namespace recovery::audit
