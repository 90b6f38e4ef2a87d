// The audit hash chain: hash format, append, verification, and detection of tampered,
// deleted, reordered and truncated records in a real SQLite file.
#include "services/audit/domain/chain.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "services/audit/app.h"
#include "services/audit/domain/merkle.h"
#include "services/audit/store.h"
#include "services/common/consumer.h"
#include "tests/audit/test_util.h"
#include "tests/support/process.h"

namespace recovery::audit {
namespace {

using testing::OpenedEvent;
using testing::QueryOne;
using testing::TamperSql;

TEST(ChainHashTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ChainHashTest, RecordHashIsSha256OfPrevEventShaBigEndianSeqAndEventId) {
  const std::string prev = GenesisHash();
  const std::string event_sha = Sha256Hex("event bytes");
  std::string raw = absl::HexStringToBytes(prev) + absl::HexStringToBytes(event_sha);
  raw += std::string("\0\0\0\0\0\0\x01\x02", 8);  // seq 258, big-endian
  raw += "evt-1";
  EXPECT_EQ(RecordHash(prev, event_sha, 258, "evt-1"), Sha256Hex(raw));
  EXPECT_NE(RecordHash(prev, event_sha, 259, "evt-1"), RecordHash(prev, event_sha, 258, "evt-1"));
}

TEST(ChainVerifierTest, RecordsBuiltWithNextRecordVerify) {
  ChainVerifier verifier;
  std::string head = GenesisHash();
  for (int i = 0; i < 5; ++i) {
    const auto e = OpenedEvent("c1", i);
    const ChainRecord r = NextRecord(i, head, i + 1, e, EventBytes(e));
    EXPECT_EQ(r.prev_hash, head);
    ASSERT_FALSE(verifier.Add(r).has_value()) << i;
    head = r.record_hash;
  }
  EXPECT_FALSE(verifier.Finish(5, head).has_value());
  EXPECT_EQ(verifier.checked(), 5);
  EXPECT_EQ(verifier.head_hash(), head);
}

class AuditStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("audit.db");
    auto store = common::OpenStore(db_path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate("audit", AuditStore::Migrations()).ok());
    audit_ = std::make_unique<AuditStore>(*store_);
  }

  // Appends events for cases a/b alternately; returns their ids in order.
  std::vector<std::string> AppendTen() {
    std::vector<std::string> ids;
    for (int i = 1; i <= 10; ++i) {
      const auto e = OpenedEvent(i % 2 ? "case-a" : "case-b", i);
      EXPECT_TRUE(Append(e)) << i;
      ids.push_back(e.event_id());
    }
    return ids;
  }

  bool Append(const recovery::v1::Event& e) {
    bool appended = false;
    auto s = common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
      auto r = RecordEvent(tx, e, testing::kBase);
      if (!r.ok()) return r.status();
      appended = *r;
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return appended;
  }

  VerifyResult Verify() {
    auto r = audit_->Verify(/*page_size=*/3);  // small pages: exercise paging
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VerifyResult{};
  }

  void Tamper(const std::string& sql, const std::string* blob = nullptr) {
    ASSERT_EQ(TamperSql(db_path_, sql, blob), "");
  }

  recovery::testing::TempDir dir_;
  std::string db_path_;
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<AuditStore> audit_;
};

TEST_F(AuditStoreTest, AppendNumbersRecordsGloballyAndPerCase) {
  const auto ids = AppendTen();
  auto a = audit_->CaseRecords("case-a");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 5u);
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].record.case_seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ((*a)[i].record.seq, static_cast<int64_t>(2 * i + 1));
    EXPECT_EQ((*a)[i].record.event_id, ids[2 * i]);
  }
  auto stats = audit_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events_total, 10);
  EXPECT_EQ(stats->cases, 2);
  EXPECT_EQ(stats->last_seq, 10);
  EXPECT_EQ(stats->by_type.at("CaseOpened"), 10);
  EXPECT_EQ(stats->by_source.at("intake"), 10);
  EXPECT_EQ(stats->head_hash, QueryOne(db_path_, "SELECT record_hash FROM audit_log WHERE seq = 10"));
}

TEST_F(AuditStoreTest, StatsCountOnlyWhatWasAddedSinceTheLastCallAndAgreeWithAFreshCount) {
  AppendTen();
  ASSERT_TRUE(audit_->Stats().ok());
  EXPECT_TRUE(Append(OpenedEvent("case-c", 11)));  // a third case
  EXPECT_TRUE(Append(OpenedEvent("case-a", 12)));
  auto stats = audit_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events_total, 12);
  EXPECT_EQ(stats->cases, 3);
  EXPECT_EQ(stats->last_seq, 12);
  EXPECT_EQ(stats->by_type.at("CaseOpened"), 12);
  // A new AuditStore (a restarted service) counts the whole log once and agrees.
  AuditStore fresh(*store_);
  auto recount = fresh.Stats();
  ASSERT_TRUE(recount.ok());
  EXPECT_EQ(recount->events_total, stats->events_total);
  EXPECT_EQ(recount->cases, stats->cases);
  EXPECT_EQ(recount->by_source, stats->by_source);
  EXPECT_EQ(recount->head_hash, stats->head_hash);
}

TEST_F(AuditStoreTest, PseudoCaseKeysAreChainedButNotCountedAsCases) {
  // Events about no case: a configuration change, a cover request or schedule feed, a person feed.
  for (const char* key : {"config:escalation", "schedule:oncall", "person:sam"}) {
    EXPECT_TRUE(Append(OpenedEvent(key, 1))) << key;
    EXPECT_TRUE(Append(OpenedEvent(key, 2))) << key;
  }
  EXPECT_TRUE(Append(OpenedEvent("case-a", 3)));
  auto stats = audit_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events_total, 7);
  EXPECT_EQ(stats->cases, 1);
  auto sam = audit_->CaseRecords("person:sam");
  ASSERT_TRUE(sam.ok());
  ASSERT_EQ(sam->size(), 2u);
  EXPECT_EQ((*sam)[1].record.case_seq, 2);
  EXPECT_FALSE(Verify().first_break.has_value());
}

TEST_F(AuditStoreTest, RepeatedEventIdIsRecordedOnce) {
  const auto e = OpenedEvent("case-a", 1);
  EXPECT_TRUE(Append(e));
  EXPECT_FALSE(Append(e));
  auto stats = audit_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events_total, 1);
  EXPECT_EQ(stats->last_seq, 1);
}

TEST_F(AuditStoreTest, EventIdIsUniqueInTheTable) {
  AppendTen();
  const std::string id = QueryOne(db_path_, "SELECT event_id FROM audit_log WHERE seq = 1");
  EXPECT_NE(TamperSql(db_path_, "UPDATE audit_log SET event_id = '" + id + "' WHERE seq = 2"), "");
}

TEST_F(AuditStoreTest, IntactChainVerifies) {
  AppendTen();
  const VerifyResult r = Verify();
  EXPECT_FALSE(r.first_break.has_value()) << r.first_break->detail;
  EXPECT_EQ(r.checked, 10);
  EXPECT_EQ(r.head_hash, QueryOne(db_path_, "SELECT record_hash FROM audit_log WHERE seq = 10"));
}

TEST_F(AuditStoreTest, EmptyChainVerifies) {
  const VerifyResult r = Verify();
  EXPECT_FALSE(r.first_break.has_value());
  EXPECT_EQ(r.checked, 0);
}

TEST_F(AuditStoreTest, EditedEventBytesAreNamedByEventHash) {
  const auto ids = AppendTen();
  recovery::v1::Event e;
  ASSERT_TRUE(e.ParseFromString(QueryOne(db_path_, "SELECT event_bytes FROM audit_log WHERE seq = 5")));
  e.mutable_case_opened()->set_summary("nothing happened here");
  const std::string forged = e.SerializeAsString();
  Tamper("UPDATE audit_log SET event_bytes = ? WHERE seq = 5", &forged);
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->event_id, ids[4]);
  EXPECT_EQ(r.first_break->check, ChainCheck::kEventHash);
  EXPECT_EQ(r.checked, 4);
}

TEST_F(AuditStoreTest, EditedBytesWithRecomputedEventShaAreNamedByRecordHash) {
  const auto ids = AppendTen();
  recovery::v1::Event e;
  ASSERT_TRUE(e.ParseFromString(QueryOne(db_path_, "SELECT event_bytes FROM audit_log WHERE seq = 5")));
  e.mutable_case_opened()->set_summary("nothing happened here");
  const std::string forged = e.SerializeAsString();
  Tamper("UPDATE audit_log SET event_bytes = ?, event_sha256 = '" + Sha256Hex(forged) + "' WHERE seq = 5", &forged);
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->event_id, ids[4]);
  EXPECT_EQ(r.first_break->check, ChainCheck::kRecordHash);
}

TEST_F(AuditStoreTest, EditedRecordHashIsNamed) {
  const auto ids = AppendTen();
  Tamper("UPDATE audit_log SET record_hash = '" + Sha256Hex("forged") + "' WHERE seq = 5");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->event_id, ids[4]);
  EXPECT_EQ(r.first_break->check, ChainCheck::kRecordHash);
}

TEST_F(AuditStoreTest, EditedPrevHashIsNamed) {
  AppendTen();
  Tamper("UPDATE audit_log SET prev_hash = '" + GenesisHash() + "' WHERE seq = 5");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->check, ChainCheck::kPrevLink);
}

TEST_F(AuditStoreTest, EditedIndexedColumnIsNamedByEventContent) {
  AppendTen();
  Tamper("UPDATE audit_log SET case_id = 'case-z' WHERE seq = 5");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->check, ChainCheck::kEventContent);
  EXPECT_NE(r.first_break->detail.find("case_id"), std::string::npos) << r.first_break->detail;
}

TEST_F(AuditStoreTest, DeletedRecordIsNamedAsMissing) {
  const auto ids = AppendTen();
  Tamper("DELETE FROM audit_log WHERE seq = 5");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->event_id, "");
  EXPECT_EQ(r.first_break->check, ChainCheck::kSequence);
  EXPECT_NE(r.first_break->detail.find(ids[5]), std::string::npos) << r.first_break->detail;
}

TEST_F(AuditStoreTest, DeletedFirstRecordIsNamedAsMissing) {
  AppendTen();
  Tamper("DELETE FROM audit_log WHERE seq = 1");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 1);
  EXPECT_EQ(r.first_break->check, ChainCheck::kSequence);
}

TEST_F(AuditStoreTest, DeletedLastRecordIsCaughtByTheHead) {
  AppendTen();
  Tamper("DELETE FROM audit_log WHERE seq = 10");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 10);
  EXPECT_EQ(r.first_break->check, ChainCheck::kHead);
}

TEST_F(AuditStoreTest, ReorderedRecordsAreNamedAtTheFirstMovedRecord) {
  const auto ids = AppendTen();
  // Swap records 4 and 5 (through a free seq, the primary key).
  Tamper("UPDATE audit_log SET seq = 1000 WHERE seq = 5");
  Tamper("UPDATE audit_log SET seq = 5 WHERE seq = 4");
  Tamper("UPDATE audit_log SET seq = 4 WHERE seq = 1000");
  const VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 4);
  EXPECT_EQ(r.first_break->event_id, ids[4]);  // record 5 now sits at seq 4
  EXPECT_EQ(r.first_break->check, ChainCheck::kPrevLink);
}

// A writer who rewrites records 5..10 and recomputes the whole chain from there passes every
// chain check; the Merkle leaves (and a checkpoint kept at 8) still name the first changed record.
TEST_F(AuditStoreTest, ARechainedRewriteIsNamedByTheMerkleLog) {
  const auto ids = AppendTen();
  std::string prev = QueryOne(db_path_, "SELECT record_hash FROM audit_log WHERE seq = 4");
  for (int seq = 5; seq <= 10; ++seq) {
    recovery::v1::Event e;
    const std::string where = " WHERE seq = " + std::to_string(seq);
    ASSERT_TRUE(e.ParseFromString(QueryOne(db_path_, "SELECT event_bytes FROM audit_log" + where)));
    if (seq == 5) e.mutable_case_opened()->set_summary("nothing happened here");
    const std::string bytes = EventBytes(e);
    const std::string hash = RecordHash(prev, Sha256Hex(bytes), seq, e.event_id());
    Tamper("UPDATE audit_log SET event_bytes = ?, event_sha256 = '" + Sha256Hex(bytes) + "', prev_hash = '" + prev +
               "', record_hash = '" + hash + "'" + where,
           &bytes);
    prev = hash;
  }
  Tamper("UPDATE audit_head SET record_hash = '" + prev + "'");
  VerifyResult r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 5);
  EXPECT_EQ(r.first_break->event_id, ids[4]);
  EXPECT_EQ(r.first_break->check, ChainCheck::kMerkle);
  EXPECT_EQ(r.first_break->detail, "merkle leaf 4 is not SHA-256(0x00 || event bytes)");

  // Rewriting the leaves too (and every subtree above them) leaves the kept checkpoint.
  merkle::MerkleTree tree;
  for (int seq = 1; seq <= 10; ++seq)
    tree.AppendLeaf(QueryOne(db_path_, "SELECT event_bytes FROM audit_log WHERE seq = " + std::to_string(seq)));
  Tamper("DELETE FROM audit_merkle_node");
  auto nodes = tree.Nodes();
  for (int level = 0; level < 4; ++level) {
    for (uint64_t i = 0;; ++i) {
      auto h = nodes(level, i);
      if (!h.ok()) break;
      Tamper("INSERT INTO audit_merkle_node (level, idx, hash) VALUES (" + std::to_string(level) + ", " +
                 std::to_string(i) + ", ?)",
             &*h);
    }
  }
  ASSERT_FALSE(Verify().first_break.has_value()) << "chain and tree agree again: nothing outside remembers";
  Tamper(
      "INSERT INTO audit_checkpoint (tree_size, root_hash, signed_us, note, event_id) VALUES (8, "
      "'00000000000000000000000000000000000000000000000000000000000000ff', 0, '', 'cp-8')");
  r = Verify();
  ASSERT_TRUE(r.first_break.has_value());
  EXPECT_EQ(r.first_break->seq, 8);
  EXPECT_EQ(r.first_break->check, ChainCheck::kMerkle);
  EXPECT_NE(r.first_break->detail.find("the checkpoint at size 8 signed another root"), std::string::npos);
}

TEST_F(AuditStoreTest, ExportFiltersByCaseAndHalfOpenTimeRange) {
  AppendTen();  // event i occurs at kBase + i minutes; odd i -> case-a
  std::vector<int64_t> seqs;
  ExportFilter filter;
  filter.case_id = "case-a";
  filter.from_us = absl::ToUnixMicros(testing::kBase + absl::Minutes(3));
  filter.to_us = absl::ToUnixMicros(testing::kBase + absl::Minutes(9));
  ASSERT_TRUE(audit_
                  ->Export(
                      filter,
                      [&](const StoredRecord& r) {
                        seqs.push_back(r.record.seq);
                        return true;
                      },
                      /*page_size=*/2)
                  .ok());
  EXPECT_EQ(seqs, (std::vector<int64_t>{3, 5, 7}));
}

}  // namespace
}  // namespace recovery::audit
