// Publishing an event to the topic the way the services' outbox relay does (key = case id,
// headers `type` and `event_id`), for benchmarks that feed the topic directly.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <string>

#include "recovery/v1/events.pb.h"

namespace recovery::bench {

// Queues `e` on `topic`, waiting while the producer's queue is full; returns "" or the
// librdkafka error that refused it.
std::string ProduceEvent(RdKafka::Producer& p, const std::string& topic, const recovery::v1::Event& e);

}  // namespace recovery::bench
