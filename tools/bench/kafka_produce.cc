// Publishing an event to the topic for benchmarks (kafka_produce.h).
#include "tools/bench/kafka_produce.h"

#include "services/common/events.h"

namespace recovery::bench {

std::string ProduceEvent(RdKafka::Producer& p, const std::string& topic, const recovery::v1::Event& e) {
  const std::string bytes = e.SerializeAsString();
  for (;;) {
    RdKafka::Headers* h = RdKafka::Headers::create();
    h->add("type", recovery::common::EventTypeName(e));
    h->add("event_id", e.event_id());
    auto r =
        p.produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(bytes.data()),
                  bytes.size(), e.case_id().data(), e.case_id().size(), 0, h, nullptr);
    if (r == RdKafka::ERR_NO_ERROR) break;
    delete h;
    if (r != RdKafka::ERR__QUEUE_FULL) return RdKafka::err2str(r);
    p.poll(10);
  }
  p.poll(0);
  return "";
}

}  // namespace recovery::bench
