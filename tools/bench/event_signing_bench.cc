// recovery-bench-event-signing: what signed events cost. The consumer (HandleBatch, SQLite file,
// batches of 1,000 as the poll loop takes them, a one-row handler) over the same events twice in
// the same run: unsigned without a verifier (the baseline), and signed with a verifier that
// requires signatures. Also each side alone: Ed25519 verification per event against the
// consumer's own cost per event, and signing per event (the outbox relay's share).
//
//   recovery-bench-event-signing --dir D [--events 20000]
#include <filesystem>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "services/common/consumer.h"
#include "services/common/event_signing.h"
#include "services/common/events.h"
#include "services/common/store.h"
#include "tools/bench/bench_util.h"

namespace {

using recovery::bench::NowNanos;
using recovery::bench::Record;
namespace rc = recovery::common;

void Check(const absl::Status& s, const std::string& what) {
  if (!s.ok()) {
    std::cerr << "event signing bench: " << what << ": " << s << "\n";
    std::exit(1);
  }
}

struct Message {
  std::string value, signature;
};

// Events/s through a fresh consumer store; every event must be handled.
double ConsumerRate(const std::string& path, const std::vector<Message>& messages, bool verify,
                    const std::shared_ptr<const rc::EventVerifier>& verifier) {
  std::filesystem::remove(path);
  auto store = rc::OpenStore(path);
  Check(store.status(), "open");
  Check(rc::Consumer::Migrate(**store), "migrate");
  Check((*store)->Migrate("bench", {"CREATE TABLE seen (case_id TEXT NOT NULL)"}), "migrate bench");
  rc::ConsumerOptions options;
  if (verify) options.verifier = verifier;
  rc::Consumer consumer(
      **store,
      [](rc::Tx& tx, const recovery::v1::Event& e) { return tx.Exec("INSERT INTO seen VALUES (?)", {e.case_id()}); },
      nullptr, options);
  constexpr size_t kBatch = 1000;
  const int64_t t0 = NowNanos();
  for (size_t from = 0; from < messages.size(); from += kBatch) {
    std::vector<rc::Consumer::Inbound> batch;
    for (size_t i = from; i < std::min(messages.size(), from + kBatch); ++i) {
      const Message& m = messages[i];
      batch.push_back({m.value, verify ? std::string_view("bench") : std::string_view(),
                       verify ? std::string_view(m.signature) : std::string_view()});
    }
    Check(consumer.HandleBatch(batch), "batch");
  }
  const double seconds = static_cast<double>(NowNanos() - t0) / 1e9;
  if (consumer.handled() != static_cast<int64_t>(messages.size())) {
    std::cerr << "handled " << consumer.handled() << " of " << messages.size() << " (rejected " << consumer.rejected()
              << ")\n";
    std::exit(1);
  }
  return static_cast<double>(messages.size()) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signed events: verification and signing cost against the consumer's raw rate"};
  std::string dir;
  int events = 20000;
  app.add_option("--dir", dir)->required();
  app.add_option("--events", events);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);

  auto key = rc::Ed25519SigningKey::Generate();
  Check(key.status(), "key");
  const rc::EventSigner signer("bench", *key);
  std::map<std::string, rc::EventVerifier::Key> keys;
  keys.emplace("bench", rc::EventVerifier::Key{key->public_key(), {"intake"}});
  const auto verifier = std::make_shared<const rc::EventVerifier>(std::move(keys), true);

  std::vector<Message> messages;
  std::vector<recovery::v1::Event> parsed;
  messages.reserve(events);
  for (int i = 0; i < events; ++i) {
    auto e = rc::NewEvent(absl::Now(), absl::StrCat("case-", i % 500), "intake", "person:lee", "");
    e.mutable_case_closed()->set_reason(absl::StrCat("resolved and confirmed with the client, item ", i));
    messages.push_back({e.SerializeAsString(), ""});
    parsed.push_back(std::move(e));
  }
  int64_t t0 = NowNanos();
  for (Message& m : messages) m.signature = signer.Sign(m.value);
  const double sign_us = static_cast<double>(NowNanos() - t0) / 1e3 / events;
  t0 = NowNanos();
  for (int i = 0; i < events; ++i) {
    if (verifier->Check(messages[i].value, "bench", messages[i].signature, parsed[i])) {
      std::cerr << "a signature did not verify\n";
      return 1;
    }
  }
  const double verify_us = static_cast<double>(NowNanos() - t0) / 1e3 / events;

  const double plain = ConsumerRate(dir + "/plain.db", messages, false, verifier);
  const double verified = ConsumerRate(dir + "/verified.db", messages, true, verifier);
  const std::string note = absl::StrCat(events, " events of ", messages[0].value.size(),
                                        " bytes, HandleBatch of 1,000 on SQLite, a one-row handler");
  Record({"event-signing", "consumer rate with signatures required", "events/s", verified,
          "the same consumer, unsigned events, no verifier", plain, true, "", -1, note});
  Record({"event-signing", "signature verification per event", "us", verify_us,
          "the consumer's own cost per event (unsigned)", 1e6 / plain, false, "", -1, "Ed25519 (OpenSSL 3 EVP)"});
  Record({"event-signing", "signing per event (outbox relay)", "us", sign_us,
          "the consumer's own cost per event (unsigned)", 1e6 / plain, false, "", -1, "Ed25519 (OpenSSL 3 EVP)"});
  return 0;
}
