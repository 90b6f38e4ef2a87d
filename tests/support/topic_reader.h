// Reads every event on a topic from the beginning (a plain consumer with manual
// assignment, no group), for assertions in integration and end-to-end tests.
#pragma once

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
  int32_t partition = 0;
  int64_t offset = 0;
  recovery::v1::Event event;
};

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
  // Reads for a quiet period (to check that nothing more arrives).
  void Drain(absl::Duration quiet);
  // Reads every message the topic held when called (up to each partition's high watermark
  // then); false when that did not happen within `timeout`. After a barrier saying that
  // everything was published (an empty outbox), this is all there is.
  bool ReadToEnd(absl::Duration timeout = absl::Seconds(20));
  const std::vector<TopicMessage>& all() const { return messages_; }
  std::vector<TopicMessage> OfType(const std::string& type) const;
  std::vector<TopicMessage> OfCase(const std::string& case_id) const;
  // How many of the case's messages have the type header `type` (e.g. "CaseOpened").
  size_t CountOf(const std::string& case_id, const std::string& type) const;

 private:
  void Poll(absl::Duration d);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::string topic_;
  std::vector<int32_t> partitions_;
  std::vector<TopicMessage> messages_;
};

}  // namespace recovery::testing
