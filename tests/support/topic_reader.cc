// Topic reader for tests.
#include "tests/support/topic_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>

#include "services/common/events.h"
#include "services/common/kafka_util.h"

namespace recovery::testing {
namespace {

// The topic's partition ids, as the broker's metadata says (asked up to `attempts` times, 2 s
// each); empty when it never answered.
std::vector<int32_t> PartitionsOf(RdKafka::KafkaConsumer& consumer, const std::string& topic, int attempts) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&consumer, topic, nullptr, err));
  RdKafka::Metadata* raw = nullptr;
  for (int i = 0; i < attempts && consumer.metadata(false, t.get(), &raw, 2000) != RdKafka::ERR_NO_ERROR; ++i) {
  }
  std::unique_ptr<RdKafka::Metadata> md(raw);
  std::vector<int32_t> out;
  if (md) {
    for (const auto* tm : *md->topics())
      for (const auto* pm : *tm->partitions()) out.push_back(pm->id());
  }
  return out;
}

}  // namespace

TopicReader::TopicReader(const std::string& brokers, const std::string& topic) : topic_(topic) {
  auto conf = common::MakeKafkaConf({{"bootstrap.servers", brokers},
                                     {"group.id", "test-reader-unused"},
                                     {"enable.auto.commit", "false"},
                                     {"fetch.wait.max.ms", "10"},
                                     {"enable.partition.eof", "false"}});
  std::string err;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  // Manual assignment of all partitions from the beginning: no group join delay.
  std::vector<RdKafka::TopicPartition*> parts;
  for (int32_t p : PartitionsOf(*consumer_, topic, 50))
    parts.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  consumer_->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
}

TopicReader::~TopicReader() {
  if (consumer_) consumer_->close();
}

void TopicReader::Poll(absl::Duration d) {
  const absl::Time deadline = absl::Now() + d;
  while (absl::Now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(20));
    if (!m || m->err() != RdKafka::ERR_NO_ERROR) continue;
    TopicMessage tm;
    if (m->key()) tm.key = *m->key();
    tm.partition = m->partition();
    tm.offset = m->offset();
    next_offset_[tm.partition] = std::max(next_offset_[tm.partition], tm.offset + 1);
    if (auto* h = m->headers()) {
      for (const auto& hdr : h->get_all()) {
        std::string v(static_cast<const char*>(hdr.value()), hdr.value_size());
        if (hdr.key() == "type") tm.type_header = v;
        if (hdr.key() == "event_id") tm.event_id_header = v;
        if (hdr.key() == "sig_key") tm.sig_key_header = v;
        if (hdr.key() == "sig") tm.sig_header = v;
      }
    }
    tm.value.assign(static_cast<const char*>(m->payload()), m->len());
    tm.event.ParseFromArray(m->payload(), static_cast<int>(m->len()));
    messages_.push_back(std::move(tm));
  }
}

const std::vector<TopicMessage>& TopicReader::ReadAtLeast(size_t min_count, absl::Duration timeout) {
  ReadUntil([&](const std::vector<TopicMessage>& all) { return all.size() >= min_count; }, timeout);
  return messages_;
}

bool TopicReader::ReadToEnd(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<RdKafka::TopicPartition*> parts;
  if (consumer_->assignment(parts) != RdKafka::ERR_NO_ERROR) return false;
  std::map<int32_t, int64_t> end;  // partition -> high watermark, as the broker says now
  bool asked = true;
  for (const RdKafka::TopicPartition* p : parts) {
    int64_t low = 0, high = 0;
    const int ms = static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - absl::Now())));
    if (consumer_->query_watermark_offsets(topic_, p->partition(), &low, &high, ms) != RdKafka::ERR_NO_ERROR) {
      asked = false;
      break;
    }
    if (high > low) end[p->partition()] = high;
  }
  RdKafka::TopicPartition::destroy(parts);
  if (!asked) return false;
  auto at_end = [&] {
    for (const auto& [partition, high] : end) {
      const auto it = next_offset_.find(partition);
      if (it == next_offset_.end() || it->second < high) return false;
    }
    return true;
  };
  while (!at_end()) {
    if (absl::Now() >= deadline) return false;
    Poll(absl::Milliseconds(20));
  }
  return true;
}

std::vector<TopicMessage> TopicReader::OfType(const std::string& type) const {
  std::vector<TopicMessage> out;
  for (const auto& m : messages_)
    if (common::EventTypeName(m.event) == type) out.push_back(m);
  return out;
}

std::vector<TopicMessage> TopicReader::OfCase(const std::string& case_id) const {
  std::vector<TopicMessage> out;
  for (const auto& m : messages_)
    if (m.event.case_id() == case_id) out.push_back(m);
  return out;
}

size_t TopicReader::CountOf(const std::string& case_id, const std::string& type) const {
  size_t n = 0;
  for (const auto& m : messages_)
    if (m.event.case_id() == case_id && m.type_header == type) ++n;
  return n;
}

bool GroupCommittedToEnd(const std::string& brokers, const std::string& group, absl::Duration timeout,
                         const std::string& topic) {
  auto conf =
      common::MakeKafkaConf({{"bootstrap.servers", brokers}, {"group.id", group}, {"enable.auto.commit", "false"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) return false;
  const absl::Time deadline = absl::Now() + timeout;
  const std::vector<int32_t> partitions =
      PartitionsOf(*consumer, topic, static_cast<int>(absl::ToInt64Seconds(timeout) / 2) + 1);
  if (partitions.empty()) return false;
  bool caught_up = false;
  while (!caught_up && absl::Now() < deadline) {
    caught_up = true;
    std::vector<RdKafka::TopicPartition*> parts;
    std::map<int32_t, int64_t> end;
    for (int32_t p : partitions) {
      int64_t low = 0, high = 0;
      if (consumer->query_watermark_offsets(topic, p, &low, &high, 2000) != RdKafka::ERR_NO_ERROR) {
        caught_up = false;
        break;
      }
      if (high > low) {
        end[p] = high;
        parts.push_back(RdKafka::TopicPartition::create(topic, p));
      }
    }
    if (caught_up && !parts.empty()) {
      if (consumer->committed(parts, 2000) != RdKafka::ERR_NO_ERROR) caught_up = false;
      for (const RdKafka::TopicPartition* tp : parts)
        if (tp->err() != RdKafka::ERR_NO_ERROR || tp->offset() < end[tp->partition()]) caught_up = false;
    }
    RdKafka::TopicPartition::destroy(parts);
    if (!caught_up) absl::SleepFor(absl::Milliseconds(50));  // polling a positive condition
  }
  consumer->close();
  return caught_up;
}

}  // namespace recovery::testing
