// Signed checkpoints: the C2SP checkpoint text, Ed25519 signatures through OpenSSL (including a
// key made by the openssl command line, as an operator would), and what a wrong key, an
// edited body or a mangled note give.
#include "services/audit/domain/checkpoint.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/audit/domain/merkle.h"
#include "tests/support/process.h"

namespace recovery::audit {
namespace {

Checkpoint Sample() {
  return Checkpoint{"recovery.test/audit", 17, merkle::LeafHash("x"), absl::FromUnixMicros(1795600000123456)};
}

TEST(CheckpointTest, BodyIsTheC2spTextWithATimeLine) {
  const Checkpoint c = Sample();
  const std::string body = CheckpointBody(c);
  EXPECT_EQ(body, absl::StrCat("recovery.test/audit\n17\n", absl::Base64Escape(c.root_hash),
                               "\ntime 2026-11-25T09:46:40.123456Z\n"));
  auto parsed = ParseCheckpointBody(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->origin, c.origin);
  EXPECT_EQ(parsed->tree_size, 17);
  EXPECT_EQ(parsed->root_hash, c.root_hash);
  EXPECT_EQ(parsed->time, c.time);
  EXPECT_FALSE(ParseCheckpointBody("o\n017\nAAAA\n").ok());
  EXPECT_FALSE(ParseCheckpointBody("o\n17\nnot base64\n").ok());
  EXPECT_FALSE(ParseCheckpointBody("o\n17").ok());
}

TEST(CheckpointTest, SignedNoteVerifiesWithItsKeyOnly) {
  auto key = SigningKey::Generate();
  auto other = SigningKey::Generate();
  ASSERT_TRUE(key.ok() && other.ok());
  const std::string note = SignCheckpoint(Sample(), *key);
  auto verified = VerifyCheckpoint(note, key->public_key());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->tree_size, 17);
  // The signature line: em dash, key name, base64(key id || signature).
  const std::string line = note.substr(note.find("\n\n") + 2);
  EXPECT_EQ(line.rfind("\xe2\x80\x94 recovery.test/audit ", 0), 0u) << line;

  auto wrong = VerifyCheckpoint(note, other->public_key());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(std::string(wrong.status().message()).rfind("checkpoint signature invalid: signed by key ", 0), 0u)
      << wrong.status();

  std::string edited = note;
  edited.replace(edited.find("\n17\n"), 4, "\n18\n");
  auto e = VerifyCheckpoint(edited, key->public_key());
  ASSERT_FALSE(e.ok());
  EXPECT_NE(std::string(e.status().message()).find("does not verify"), std::string::npos) << e.status();
  EXPECT_FALSE(VerifyCheckpoint("garbage", key->public_key()).ok());
}

TEST(CheckpointTest, KeysRoundTripThroughPemAndTheOpensslCommandLine) {
  recovery::testing::TempDir dir;
  const std::string path = dir.File("signing.pem");
  ASSERT_EQ(std::system(absl::StrCat("openssl genpkey -algorithm ed25519 -out ", path, " 2>/dev/null").c_str()), 0);
  auto key = SigningKey::FromPemFile(path);
  ASSERT_TRUE(key.ok()) << key.status();
  auto pub = PublicKey::FromPem(key->public_key().Pem());
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(pub->raw(), key->public_key().raw());
  EXPECT_EQ(NoteKeyId(*pub, "o").size(), 4u);
  // openssl verifies what this code signed (the body's exact bytes).
  const Checkpoint c = Sample();
  const std::string body = CheckpointBody(c);
  std::ofstream(dir.File("body")) << body;
  std::ofstream(dir.File("sig"), std::ios::binary) << key->Sign(body);
  std::ofstream(dir.File("pub.pem")) << key->public_key().Pem();
  EXPECT_EQ(std::system(absl::StrCat("openssl pkeyutl -verify -pubin -inkey ", dir.File("pub.pem"), " -rawin -in ",
                                     dir.File("body"), " -sigfile ", dir.File("sig"), " >/dev/null 2>&1")
                            .c_str()),
            0);
  EXPECT_FALSE(SigningKey::FromPemFile(dir.File("missing.pem")).ok());
  EXPECT_FALSE(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").ok());
}

}  // namespace
}  // namespace recovery::audit
