// The audit Merkle log and signed checkpoints on PostgreSQL: the whole AuditModule on the
// in-process fixture with a throwaway database (the migration's BLOB/INTEGER columns, the
// leaf and subtree rows, checkpoints, the checkpoint timer and outbox), verified offline.
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/domain/export_verifier.h"
#include "services/audit/domain/merkle.h"
#include "services/audit/module.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/service_fixture.h"

namespace recovery {
namespace {

TEST(PostgresAuditMerkleTest, CheckpointsAndProofsVerifyOnPostgres) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  testing::TempDir dir;
  auto key = audit::SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  std::ofstream(dir.File("signing.pem")) << key->PrivatePem();
  audit::AuditModule module;
  module.options().signing_key_file = dir.File("signing.pem");
  module.options().checkpoints = {4, absl::Seconds(10)};
  testing::FixtureOptions options;
  options.db = url;
  testing::ServiceFixture fx(module, options);
  ASSERT_TRUE(fx.ok());
  audit::merkle::MerkleTree expected;
  for (int i = 1; i <= 9; ++i) {
    auto e = common::NewEvent(fx.clock().Now(), "case-" + std::to_string(i % 2), "intake", "tester", "");
    e.mutable_case_opened()->set_summary("event " + std::to_string(i));
    ASSERT_TRUE(fx.Deliver(e).ok());
    expected.AppendLeaf(audit::EventBytes(e));
  }
  fx.Advance(absl::Seconds(11));  // the ninth record waits at most the interval
  auto stub = v1::Audit::NewStub(fx.channel());
  v1::GetCheckpointResponse latest;
  {
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(stub->GetCheckpoint(ctx.get(), {}, &latest).ok());
  }
  EXPECT_EQ(latest.checkpoint().tree_size(), 9);
  EXPECT_EQ(absl::HexStringToBytes(latest.checkpoint().root_hash()), expected.Root(9));
  v1::GetCheckpointRequest at4;
  at4.set_tree_size(4);
  v1::GetCheckpointResponse first;
  {
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(stub->GetCheckpoint(ctx.get(), at4, &first).ok());
  }
  std::vector<std::string> lines;
  {
    auto ctx = common::ContextWithDeadline();
    auto reader = stub->ExportEvents(ctx.get(), {});
    v1::ExportEventsResponse line;
    while (reader->Read(&line)) lines.push_back(line.json_line());
    ASSERT_TRUE(reader->Finish().ok());
  }
  const auto report =
      audit::VerifyExport(lines, &key->public_key(), {first.checkpoint().note(), latest.checkpoint().note()});
  EXPECT_TRUE(report.ok) << report.Text();
  v1::GetConsistencyProofRequest req;
  req.set_first_size(4);
  v1::GetConsistencyProofResponse proof;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub->GetConsistencyProof(ctx.get(), req, &proof).ok());
  std::vector<std::string> hashes;
  for (const auto& h : proof.hashes()) hashes.push_back(absl::HexStringToBytes(h));
  EXPECT_TRUE(audit::merkle::VerifyConsistency(4, 9, expected.Root(4), expected.Root(9), hashes));
}

}  // namespace
}  // namespace recovery
