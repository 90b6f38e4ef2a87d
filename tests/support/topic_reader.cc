// Topic reader for tests.
#include "tests/support/topic_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>

#include "services/common/events.h"
#include "services/common/kafka_util.h"

namespace recovery::testing {

TopicReader::TopicReader(const std::string& brokers, const std::string& topic) : topic_(topic) {
  auto conf = common::MakeKafkaConf({{"bootstrap.servers", brokers},
                                     {"group.id", "test-reader-unused"},
                                     {"enable.auto.commit", "false"},
                                     {"fetch.wait.max.ms", "10"},
                                     {"enable.partition.eof", "false"}});
  std::string err;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  // Manual assignment of all partitions from the beginning: no group join delay.
  std::unique_ptr<RdKafka::Metadata> md;
  RdKafka::Metadata* raw = nullptr;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(consumer_.get(), topic, nullptr, err));
  for (int i = 0; i < 50 && consumer_->metadata(false, t.get(), &raw, 2000) != RdKafka::ERR_NO_ERROR; ++i) {
  }
  md.reset(raw);
  std::vector<RdKafka::TopicPartition*> parts;
  if (md) {
    for (const auto* tm : *md->topics())
      for (const auto* pm : *tm->partitions()) {
        parts.push_back(RdKafka::TopicPartition::create(topic, pm->id(), RdKafka::Topic::OFFSET_BEGINNING));
        partitions_.push_back(pm->id());
      }
  }
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
    if (auto* h = m->headers()) {
      for (const auto& hdr : h->get_all()) {
        std::string v(static_cast<const char*>(hdr.value()), hdr.value_size());
        if (hdr.key() == "type") tm.type_header = v;
        if (hdr.key() == "event_id") tm.event_id_header = v;
      }
    }
    tm.event.ParseFromArray(m->payload(), static_cast<int>(m->len()));
    messages_.push_back(std::move(tm));
  }
}

const std::vector<TopicMessage>& TopicReader::ReadAtLeast(size_t min_count, absl::Duration timeout) {
  ReadUntil([&](const std::vector<TopicMessage>& all) { return all.size() >= min_count; }, timeout);
  return messages_;
}

void TopicReader::Drain(absl::Duration quiet) { Poll(quiet); }

bool TopicReader::ReadToEnd(absl::Duration timeout) {
  std::map<int32_t, int64_t> end;  // partition -> the offset after its last message now
  for (int32_t p : partitions_) {
    int64_t low = 0, high = 0;
    if (consumer_->query_watermark_offsets(topic_, p, &low, &high, 5000) != RdKafka::ERR_NO_ERROR) return false;
    if (high > low) end[p] = high;
  }
  return ReadUntil(
      [&](const std::vector<TopicMessage>& all) {
        std::map<int32_t, int64_t> next;
        for (const auto& m : all) next[m.partition] = std::max(next[m.partition], m.offset + 1);
        for (const auto& [p, high] : end)
          if (next[p] < high) return false;
        return true;
      },
      timeout);
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

}  // namespace recovery::testing
