// Event signatures: what the verifier accepts and why it refuses the rest, and the key file and
// its errors. The consumer with a verifier is in consumer_test.cc.
#include "services/common/event_signing.h"

#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "services/common/events.h"
#include "tests/support/process.h"

namespace recovery::common {
namespace {

Ed25519SigningKey NewKey() {
  auto key = Ed25519SigningKey::Generate();
  EXPECT_TRUE(key.ok());
  return *std::move(key);
}

recovery::v1::Event Closed(const std::string& source, const std::string& reason, const std::string& id = "") {
  auto e = NewEvent(absl::Now(), "c1", source, "t", "");
  if (!id.empty()) e.set_event_id(id);
  e.mutable_case_closed()->set_reason(reason);
  return e;
}

class EventSigningTest : public ::testing::Test {
 protected:
  EventSigningTest() : intake_(NewKey()), other_(NewKey()) {}
  EventVerifier Verifier(bool require) const {
    std::map<std::string, EventVerifier::Key> keys;
    keys.emplace("intake", EventVerifier::Key{intake_.public_key(), {"intake"}});
    return EventVerifier(std::move(keys), require);
  }
  std::string Sign(const Ed25519SigningKey& key, const std::string& value) const {
    return EventSigner("intake", key).Sign(value);
  }

  Ed25519SigningKey intake_, other_;
};

TEST_F(EventSigningTest, ASignatureByTheListedKeyForItsSourceVerifies) {
  const auto event = Closed("intake", "done");
  const std::string value = event.SerializeAsString();
  const std::string sig = Sign(intake_, value);
  EXPECT_EQ(sig.find('='), std::string::npos) << "base64url without padding";
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(sig, &raw));
  EXPECT_EQ(raw.size(), 64u);
  EXPECT_FALSE(Verifier(true).Check(value, "intake", sig, event).has_value());
}

TEST_F(EventSigningTest, EachRefusalSaysWhatWasWrong) {
  const auto event = Closed("intake", "done");
  const std::string value = event.SerializeAsString();
  const EventVerifier v = Verifier(true);
  auto r = v.Check(value, "", "", event);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metric, "unsigned");
  r = v.Check(value, "mallory", Sign(intake_, value), event);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metric, "unknown_key");
  EXPECT_TRUE(absl::StrContains(r->reason, "'mallory'")) << r->reason;
  r = v.Check(value, "intake", Sign(other_, value), event);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metric, "bad_signature");
  // Signed, then one byte of the value changed.
  std::string changed = value;
  changed.back() ^= 1;
  r = v.Check(changed, "intake", Sign(intake_, value), event);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metric, "bad_signature");
  r = v.Check(value, "intake", "not base64 !", event);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metric, "bad_signature");
  // A real signature by intake's key, for an event that says escalation sent it.
  const auto claimed = Closed("escalation", "done");
  const std::string claimed_value = claimed.SerializeAsString();
  r = v.Check(claimed_value, "intake", Sign(intake_, claimed_value), claimed);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metric, "wrong_source");
  EXPECT_TRUE(absl::StrContains(r->reason, "may not sign events of source 'escalation'")) << r->reason;
}

TEST_F(EventSigningTest, WithoutRequireUnsignedEventsPassButBadSignaturesStillDoNot) {
  const auto event = Closed("intake", "done");
  const std::string value = event.SerializeAsString();
  const EventVerifier v = Verifier(false);
  EXPECT_FALSE(v.Check(value, "", "", event).has_value());
  EXPECT_TRUE(v.Check(value, "intake", Sign(other_, value), event).has_value());
}

TEST_F(EventSigningTest, TheKeyFileReadsFilesRelativeToItselfAndNamesWhatIsWrong) {
  recovery::testing::TempDir dir;
  std::ofstream(dir.File("intake.pub.pem")) << intake_.public_key().Pem();
  std::ofstream(dir.File("keys.yaml")) << "require: true\nkeys:\n  - id: intake\n    public_key_file: intake.pub.pem\n"
                                       << "  - id: relay\n    public_key_file: intake.pub.pem\n"
                                       << "    sources: [intake, follow-up]\n";
  auto v = EventVerifier::FromFile(dir.File("keys.yaml"), "--event-verify-keys");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE((*v)->require());
  EXPECT_EQ((*v)->keys(), 2u);
  const auto event = Closed("follow-up", "done");
  const std::string value = event.SerializeAsString();
  EXPECT_FALSE((*v)->Check(value, "relay", Sign(intake_, value), event).has_value());
  EXPECT_TRUE((*v)->Check(value, "intake", Sign(intake_, value), event).has_value()) << "intake signs for intake only";

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"keys:\n  - id: intake\n    public_key: nope\n", "keys[0]: public key: not a PEM public key"},
      {"keys:\n  - id: intake\n", "keys[0]: give exactly one of public_key"},
      {"keys:\n  - id: intake\n    public_key_file: missing.pem\n", "keys[0].public_key_file:"},
      {"keys:\n  - id: a\n    public_key_file: intake.pub.pem\n  - id: a\n    public_key_file: intake.pub.pem\n",
       "keys[1].id: 'a' is listed twice"},
      {"keys:\n  - {id: a, public_key_file: intake.pub.pem, source: [x]}\n", "keys[0]"},
      {"require: maybe\nkeys: []\n", "require"},
      {"requires: true\nkeys: []\n", "requires"},
  };
  for (const auto& [yaml, want] : bad) {
    std::ofstream(dir.File("bad.yaml")) << yaml;
    auto r = EventVerifier::FromFile(dir.File("bad.yaml"), "--event-verify-keys");
    ASSERT_FALSE(r.ok()) << yaml;
    EXPECT_TRUE(absl::StrContains(r.status().message(), "--event-verify-keys")) << r.status();
    EXPECT_TRUE(absl::StrContains(r.status().message(), want)) << r.status() << "\nwant: " << want;
  }
  auto missing = EventSigner::FromFile("intake", dir.File("none.pem"), "--event-signing-key");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "--event-signing-key")) << missing.status();
}

}  // namespace
}  // namespace recovery::common
