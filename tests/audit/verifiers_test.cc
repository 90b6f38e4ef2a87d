// Both offline verifiers (audit::VerifyExport behind `srctl audit verify --export`, and the
// independent tools/audit_verify.py) over the same exports of the real audit service (built
// through AuditModule in process): both accept the untampered export, and for each tampering
// (a changed, dropped, reordered or appended record, a truncated export, a checkpoint signed
// by another key, a checkpoint of a forked log) both name what broke, in the same words.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/grpcpp.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/domain/export_verifier.h"
#include "services/audit/module.h"
#include "services/common/grpc_util.h"
#include "tests/audit/test_util.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::audit {
namespace {

using testing::OpenedEvent;

struct ShellRun {
  int exit_code = -1;
  std::string out;
};

ShellRun Shell(const std::string& command) {
  ShellRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The export of 10 records with checkpoints at 5 and 10, the key and its signing half.
class VerifiersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new recovery::testing::TempDir;
    auto key = SigningKey::Generate();
    ASSERT_TRUE(key.ok());
    key_ = new SigningKey(*key);
    std::ofstream(dir_->File("signing.pem")) << key_->PrivatePem();
    AuditModule module;
    module.options().signing_key_file = dir_->File("signing.pem");
    module.options().origin = "recovery.test/audit";
    module.options().checkpoints = {5, absl::Hours(1)};
    recovery::testing::FixtureOptions options;
    options.start = testing::kBase;
    recovery::testing::ServiceFixture fx(module, options);
    ASSERT_TRUE(fx.ok());
    for (int i = 1; i <= 10; ++i) ASSERT_TRUE(fx.Deliver(OpenedEvent("c" + std::to_string(i % 3), i)).ok());
    fx.Quiesce();
    auto stub = recovery::v1::Audit::NewStub(fx.channel());
    lines_ = new std::vector<std::string>;
    {
      auto ctx = common::ContextWithDeadline();
      auto reader = stub->ExportEvents(ctx.get(), {});
      recovery::v1::ExportEventsResponse line;
      while (reader->Read(&line)) lines_->push_back(line.json_line());
      ASSERT_TRUE(reader->Finish().ok());
    }
    notes_ = new std::vector<std::string>;
    for (int size : {5, 10}) {
      recovery::v1::GetCheckpointRequest req;
      req.set_tree_size(size);
      recovery::v1::GetCheckpointResponse resp;
      auto ctx = common::ContextWithDeadline();
      ASSERT_TRUE(stub->GetCheckpoint(ctx.get(), req, &resp).ok());
      notes_->push_back(resp.checkpoint().note());
    }
    recovery::v1::GetPublicKeyResponse pub;
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(stub->GetPublicKey(ctx.get(), {}, &pub).ok());
    std::ofstream(dir_->File("audit.pub")) << pub.public_key_pem();
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete key_;
    delete lines_;
    delete notes_;
  }

  // Runs both verifiers; they must agree word for word. Returns the C++ report.
  ExportVerifyReport VerifyBoth(const std::vector<std::string>& lines, const std::vector<std::string>& notes,
                                bool allow_tail = false) {
    auto key = PublicKey::FromPem(key_->public_key().Pem());
    EXPECT_TRUE(key.ok());
    const ExportVerifyReport report = VerifyExport(lines, &*key, notes, {.allow_tail = allow_tail});
    const std::string name = absl::StrCat("case", ++files_);
    std::ofstream(dir_->File(name + ".jsonl")) << absl::StrJoin(lines, "\n") << "\n";
    std::string command = absl::StrCat("python3 ", RECOVERY_SOURCE_DIR, "/tools/audit_verify.py --export ",
                                       dir_->File(name + ".jsonl"), " --public-key ", dir_->File("audit.pub"));
    for (size_t i = 0; i < notes.size(); ++i) {
      const std::string path = dir_->File(absl::StrCat(name, ".cp", i));
      std::ofstream(path, std::ios::binary) << notes[i];
      absl::StrAppend(&command, " --checkpoint ", path);
    }
    if (allow_tail) absl::StrAppend(&command, " --allow-tail");
    const ShellRun python = Shell(command);
    EXPECT_EQ(python.out, report.Text()) << "the two verifiers disagree";
    EXPECT_EQ(python.exit_code, report.ok ? 0 : 3) << python.out;
    return report;
  }

  static std::string FirstProblem(const ExportVerifyReport& r) { return r.problems.empty() ? "" : r.problems[0]; }

  // The record at `index` of the export, as the service stored it.
  static std::pair<ChainRecord, recovery::v1::Event> Record(const std::string& line) {
    const size_t b = line.find("\"event_bytes\":\"") + 15;
    std::string bytes;
    EXPECT_TRUE(absl::Base64Unescape(line.substr(b, line.find('"', b) - b), &bytes));
    recovery::v1::Event event;
    EXPECT_TRUE(event.ParseFromString(bytes));
    ChainRecord r;
    r.seq = std::stoll(line.substr(7, line.find(',') - 7));
    r.case_seq = 1;
    const size_t h = line.find("\"record_hash\":\"") + 15;
    r.record_hash = line.substr(h, 64);
    r.event_bytes = bytes;
    r.event_id = event.event_id();
    return {r, event};
  }

  // A record rewritten as a forger with database access would: new bytes, and (chained) the
  // record hashes from there on recomputed.
  static std::vector<std::string> Rewritten(std::vector<std::string> lines, size_t index, bool rechain) {
    std::string prev = index == 0 ? GenesisHash() : Record(lines[index - 1]).first.record_hash;
    for (size_t i = index; i < lines.size(); ++i) {
      auto [r, event] = Record(lines[i]);
      if (i == index) {
        event.mutable_case_opened()->set_summary("nothing happened");
        r.event_bytes = EventBytes(event);
      }
      if (rechain) r.record_hash = RecordHash(prev, Sha256Hex(r.event_bytes), r.seq, r.event_id);
      prev = r.record_hash;
      lines[i] = ExportLine(r, event);
      if (!rechain) break;
    }
    return lines;
  }

  static recovery::testing::TempDir* dir_;
  static SigningKey* key_;
  static std::vector<std::string>* lines_;
  static std::vector<std::string>* notes_;
  int files_ = 0;
};

recovery::testing::TempDir* VerifiersTest::dir_ = nullptr;
SigningKey* VerifiersTest::key_ = nullptr;
std::vector<std::string>* VerifiersTest::lines_ = nullptr;
std::vector<std::string>* VerifiersTest::notes_ = nullptr;

TEST_F(VerifiersTest, BothAcceptTheUntamperedExport) {
  ASSERT_EQ(lines_->size(), 10u);
  const auto report = VerifyBoth(*lines_, *notes_);
  EXPECT_TRUE(report.ok) << report.Text();
  EXPECT_EQ(report.verified_size, 10);
  EXPECT_NE(report.Text().find("note: the log only grew from size 5 to size 10"), std::string::npos);
  // Without checkpoints the export is only self-consistent, and says so.
  EXPECT_NE(VerifyBoth(*lines_, {}).Text().find("note: no checkpoint given"), std::string::npos);
}

TEST_F(VerifiersTest, BothNameAChangedRecord) {
  auto report = VerifyBoth(Rewritten(*lines_, 3, false), *notes_);
  EXPECT_EQ(FirstProblem(report), "record 4 (seq 4) changed: its record_hash does not match its bytes");
  // Rechained from there on, the chain holds but the signed roots do not.
  report = VerifyBoth(Rewritten(*lines_, 3, true), *notes_);
  EXPECT_EQ(FirstProblem(report).rfind("checkpoint at size 5 does not match the export: signed root ", 0), 0u)
      << report.Text();
  // Only the rendering edited: the envelope disagrees with the bytes.
  auto lines = *lines_;
  lines[3] = absl::StrReplaceAll(lines[3], {{"\"actor\":\"tester\"", "\"actor\":\"someone-else\""}});
  EXPECT_EQ(FirstProblem(VerifyBoth(lines, *notes_)),
            "record 4 (seq 4) changed: its event's actor does not match its bytes");
}

TEST_F(VerifiersTest, BothNameADroppedAReorderedAndAnAppendedRecord) {
  auto dropped = *lines_;
  dropped.erase(dropped.begin() + 5);
  EXPECT_EQ(FirstProblem(VerifyBoth(dropped, *notes_)), "record missing between seq 5 and seq 7");

  auto reordered = *lines_;
  std::swap(reordered[2], reordered[3]);
  EXPECT_EQ(FirstProblem(VerifyBoth(reordered, *notes_)), "records out of order at seq 3 (line 4)");

  auto truncated = *lines_;
  truncated.resize(8);
  EXPECT_EQ(FirstProblem(VerifyBoth(truncated, *notes_)),
            "record missing after seq 8: the checkpoint at size 10 covers more than the export's 8 records");

  // A well-formed, correctly chained record after the newest checkpoint: no signature covers it.
  auto appended = *lines_;
  auto [last, unused] = Record(appended.back());
  auto extra = OpenedEvent("c1", 11);
  ChainRecord r;
  r.seq = 11;
  r.case_seq = 5;
  r.event_id = extra.event_id();
  r.event_bytes = EventBytes(extra);
  r.record_hash = RecordHash(last.record_hash, Sha256Hex(r.event_bytes), 11, r.event_id);
  appended.push_back(ExportLine(r, extra));
  auto report = VerifyBoth(appended, *notes_);
  EXPECT_EQ(FirstProblem(report),
            "records after the checkpoint are not in it: seq 11 to 11 (1 records appended after size 10)");
  EXPECT_TRUE(VerifyBoth(appended, *notes_, /*allow_tail=*/true).ok) << "--allow-tail: a note, not a failure";
}

TEST_F(VerifiersTest, BothNameACheckpointOfAnotherKeyAndOneOfAForkedLog) {
  auto parsed = VerifyCheckpoint((*notes_)[1], key_->public_key());
  ASSERT_TRUE(parsed.ok());
  auto other = SigningKey::Generate();
  ASSERT_TRUE(other.ok());
  auto report = VerifyBoth(*lines_, {(*notes_)[0], SignCheckpoint(*parsed, *other)});
  EXPECT_EQ(FirstProblem(report),
            absl::StrCat("checkpoint 2: checkpoint signature invalid: signed by key ",
                         KeyIdHex(NoteKeyId(other->public_key(), "recovery.test/audit")), ", not by the given key ",
                         KeyIdHex(NoteKeyId(key_->public_key(), "recovery.test/audit"))));

  // Signed by the log's own key, but over another history of 5 records (a fork shown to
  // someone else): the export cannot be both.
  Checkpoint fork = *parsed;
  fork.tree_size = 5;
  fork.root_hash[0] ^= 1;
  report = VerifyBoth(*lines_, {SignCheckpoint(fork, *key_), (*notes_)[1]});
  EXPECT_EQ(FirstProblem(report).rfind("checkpoint at size 5 does not match the export: signed root ", 0), 0u)
      << report.Text();

  std::string edited = (*notes_)[1];
  edited.replace(edited.find("\n10\n"), 4, "\n9\n");
  EXPECT_EQ(FirstProblem(VerifyBoth(*lines_, {edited})).rfind("checkpoint 1: checkpoint signature invalid: ", 0), 0u);
}

TEST_F(VerifiersTest, SrctlVerifyExportIsTheSameVerifierOnTheCommandLine) {
  std::ofstream(dir_->File("srctl.jsonl")) << absl::StrJoin(*lines_, "\n") << "\n";
  std::ofstream(dir_->File("srctl.cp"), std::ios::binary) << (*notes_)[1];
  const std::string srctl =
      absl::StrCat(RECOVERY_BINARY_DIR, "/tools/srctl/srctl audit verify --export ", dir_->File("srctl.jsonl"),
                   " --public-key ", dir_->File("audit.pub"), " --checkpoint ", dir_->File("srctl.cp"));
  const ShellRun ok = Shell(srctl);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_EQ(ok.out.rfind("OK: 10 records, root ", 0), 0u) << ok.out;
  std::ofstream(dir_->File("srctl.jsonl")) << absl::StrJoin(Rewritten(*lines_, 1, false), "\n") << "\n";
  const ShellRun broken = Shell(srctl);
  EXPECT_EQ(broken.exit_code, 3) << broken.out;
  EXPECT_NE(broken.out.find("problem: record 2 (seq 2) changed"), std::string::npos) << broken.out;
}

// srctl against the service in process: it fetches the key and the checkpoints, exports, then
// verifies offline and (--online) checks the service's consistency proof from a kept
// checkpoint; one of a forked log fails both ways. `srctl audit prove` checks a case's proofs.
TEST(SrctlAuditOnlineTest, KeptCheckpointsAreCheckedAgainstTheServicesConsistencyProofs) {
  recovery::testing::TempDir dir;
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  std::ofstream(dir.File("signing.pem")) << key->PrivatePem();
  AuditModule module;
  module.options().signing_key_file = dir.File("signing.pem");
  module.options().checkpoints = {5, absl::Hours(1)};
  recovery::testing::FixtureOptions options;
  options.start = testing::kBase;
  recovery::testing::ServiceFixture fx(module, options);
  ASSERT_TRUE(fx.ok());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(fx.Deliver(OpenedEvent("c" + std::to_string(i % 2), i)).ok());
  fx.Quiesce();
  const auto srctl = [&](const std::string& args) {
    ShellRun run;
    run.out = recovery::testing::RunCommand(
        absl::StrCat(recovery::testing::BinaryPath("tools/srctl/srctl"), " --token ",
                     recovery::testing::TestIdentity::Shared().PersonToken(recovery::testing::kTestPerson), " --stack ",
                     dir.File("no-stack"), " --audit 127.0.0.1:", fx.port(), " ", args, " 2>&1"),
        &run.exit_code);
    if (WIFEXITED(run.exit_code)) run.exit_code = WEXITSTATUS(run.exit_code);
    return run;
  };
  ASSERT_EQ(srctl("audit public-key --out " + dir.File("audit.pub")).exit_code, 0);
  ASSERT_EQ(srctl("audit checkpoint --out " + dir.File("cp5.txt")).exit_code, 0);
  for (int i = 6; i <= 12; ++i) ASSERT_TRUE(fx.Deliver(OpenedEvent("c" + std::to_string(i % 2), i)).ok());
  fx.Quiesce();
  const ShellRun exported = srctl("audit export");
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  std::ofstream(dir.File("audit.jsonl")) << exported.out;
  const std::string verify = absl::StrCat("audit verify --export ", dir.File("audit.jsonl"), " --public-key ",
                                          dir.File("audit.pub"), " --online --allow-tail --checkpoint ");
  ShellRun run = srctl(verify + dir.File("cp5.txt"));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("note: the service's log at size 10 extends the checkpoint at size 5 (consistency proof "
                         "verified)"),
            std::string::npos)
      << run.out;

  // A checkpoint of size 5 signed with the log's key over another history.
  std::ifstream kept(dir.File("cp5.txt"));
  std::stringstream note;
  note << kept.rdbuf();
  auto fork = VerifyCheckpoint(note.str(), key->public_key());
  ASSERT_TRUE(fork.ok());
  fork->root_hash[3] ^= 1;
  std::ofstream(dir.File("fork5.txt"), std::ios::binary) << SignCheckpoint(*fork, *key);
  run = srctl(verify + dir.File("fork5.txt"));
  EXPECT_EQ(run.exit_code, 3) << run.out;
  EXPECT_NE(run.out.find("problem: checkpoint at size 5 does not match the export"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("problem: consistency proof from the service does not verify between size 5 and size 10"),
            std::string::npos)
      << run.out;

  run = srctl("audit prove --case c1 --public-key " + dir.File("audit.pub"));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("included: seq 9 in the checkpoint at size 10"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace recovery::audit
