// Reads every event on a topic from the beginning (a plain consumer with manual
// assignment, no group), for assertions in integration and end-to-end tests.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace recovery::testing {

// The one topic every service publishes case events to and consumes them from.
inline constexpr char kCaseEventsTopic[] = "recovery.case-events";

struct TopicMessage {
  std::string key;
  std::string type_header;
  std::string event_id_header;
  std::string sig_key_header;  // the event signature's headers (services/common/event_signing.h)
  std::string sig_header;
  std::string value;  // the bytes as published
  int32_t partition = 0;
  int64_t offset = 0;
  recovery::v1::Event event;
};

// True once consumer group `group` has committed, on every partition of `topic` that holds
// messages, the offset after the last one the broker holds now (a consumer of this runtime
// stores an offset only after its handler committed, so every event up to now was handled);
// false when that did not happen within `timeout`. Reads the group's committed offsets
// without joining it. The barrier for "the service has consumed everything", never a sleep.
bool GroupCommittedToEnd(const std::string& brokers, const std::string& group,
                         absl::Duration timeout = absl::Seconds(30), const std::string& topic = kCaseEventsTopic);

class TopicReader {
 public:
  TopicReader(const std::string& brokers, const std::string& topic = kCaseEventsTopic);
  ~TopicReader();
  // Reads what has arrived, waiting up to `timeout` for at least `min_count` messages in
  // total (everything read so far is kept in all()).
  const std::vector<TopicMessage>& ReadAtLeast(size_t min_count, absl::Duration timeout = absl::Seconds(20));
  // Reads until `pred` holds for the messages read so far or the timeout passes.
  template <typename Pred>
  bool ReadUntil(Pred pred, absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (pred(messages_)) return true;
      Poll(absl::Milliseconds(100));
    }
    return pred(messages_);
  }
  // Reads every message the broker holds now: asks each partition's high watermark, then
  // reads until it has read up to it (false when that did not happen within `timeout`).
  // The barrier for "nothing else was published" once the producer's outbox is empty (every
  // event it committed was acknowledged by the broker), instead of a quiet period.
  bool ReadToEnd(absl::Duration timeout = absl::Seconds(20));
  const std::vector<TopicMessage>& all() const { return messages_; }
  std::vector<TopicMessage> OfType(const std::string& type) const;
  std::vector<TopicMessage> OfCase(const std::string& case_id) const;
  // How many of the case's messages have the type header `type` (e.g. "CaseOpened").
  size_t CountOf(const std::string& case_id, const std::string& type) const;

 private:
  void Poll(absl::Duration d);
  std::string topic_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::vector<TopicMessage> messages_;
  std::map<int32_t, int64_t> next_offset_;  // per partition: one past the last offset read
};

}  // namespace recovery::testing
