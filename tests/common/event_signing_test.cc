// Event signatures: what the verifier accepts and why it refuses the rest, the key file and its
// errors, and the consumer with a verifier: a rejected event is parked (not handled), handed to
// on_rejected, parked once on redelivery, and does not spend the event id it claims.
#include "services/common/event_signing.h"

#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "services/common/consumer.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/status_macros.h"
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

class VerifyingConsumerTest : public EventSigningTest {
 protected:
  void SetUp() override {
    store_ = std::move(*OpenStore(":memory:"));
    ASSERT_TRUE(Consumer::Migrate(*store_).ok());
    ASSERT_TRUE(store_->Migrate("effects", {"CREATE TABLE effects (reason TEXT)"}).ok());
    ConsumerOptions options;
    options.verifier = std::make_shared<const EventVerifier>(Verifier(true));
    options.on_rejected = [this](Tx&, const RejectedEvent& r) {
      rejected_.push_back(r.rejection.metric + ":" + r.event.case_closed().reason());
      return absl::OkStatus();
    };
    consumer_ = std::make_unique<Consumer>(
        *store_,
        [](Tx& tx, const recovery::v1::Event& e) {
          return tx.Exec("INSERT INTO effects VALUES (?)", {e.case_closed().reason()});
        },
        nullptr, options);
  }
  std::vector<std::string> Effects() {
    std::vector<std::string> out;
    EXPECT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT reason FROM effects ORDER BY rowid"));
                  for (const auto& r : rows) out.push_back(r.Str(0));
                  return absl::OkStatus();
                }).ok());
    return out;
  }
  std::vector<DeadLetter> Parked() {
    std::vector<DeadLetter> out;
    EXPECT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(out, ListDeadLetters(tx, kDeadLetterConsumer, 100));
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<Consumer> consumer_;
  std::vector<std::string> rejected_;
};

TEST_F(VerifyingConsumerTest, ARejectedEventIsParkedOnceNeverHandledAndLeavesItsIdToTheGenuineOne) {
  const std::string forged = Closed("intake", "forged", "evt-1").SerializeAsString();
  auto r = consumer_->HandleMessage(forged, "", "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(*r);
  // The same bytes again (a redelivery) are parked once.
  EXPECT_FALSE(*consumer_->HandleMessage(forged, "", ""));
  EXPECT_EQ(consumer_->rejected(), 1);
  EXPECT_EQ(consumer_->duplicates(), 1);
  ASSERT_EQ(Parked().size(), 1u);
  EXPECT_EQ(Parked()[0].event_id, "evt-1");
  EXPECT_TRUE(absl::StartsWith(Parked()[0].reason, "rejected: the event is not signed")) << Parked()[0].reason;
  EXPECT_EQ(rejected_, std::vector<std::string>{"unsigned:forged"});

  // The genuine event with the same id is handled: the forgery did not spend the id.
  const std::string genuine = Closed("intake", "genuine", "evt-1").SerializeAsString();
  EXPECT_TRUE(*consumer_->HandleMessage(genuine, "intake", Sign(intake_, genuine)));
  EXPECT_EQ(Effects(), std::vector<std::string>{"genuine"});
}

TEST_F(VerifyingConsumerTest, TheBatchPathRejectsTheSameWayAndHandlesTheRest) {
  const std::string good = Closed("intake", "good").SerializeAsString();
  const std::string bad = Closed("intake", "bad").SerializeAsString();
  const std::string good_sig = Sign(intake_, good), bad_sig = Sign(other_, bad);
  ASSERT_TRUE(consumer_->HandleBatch(std::vector<Consumer::Inbound>{{good, "intake", good_sig}, {bad, "intake", bad_sig}})
                  .ok());
  EXPECT_EQ(Effects(), std::vector<std::string>{"good"});
  EXPECT_EQ(consumer_->rejected(), 1);
  EXPECT_EQ(rejected_, std::vector<std::string>{"bad_signature:bad"});
  ASSERT_EQ(Parked().size(), 1u);
  EXPECT_TRUE(absl::StrContains(Parked()[0].reason, "does not verify")) << Parked()[0].reason;
}

}  // namespace
}  // namespace recovery::common
