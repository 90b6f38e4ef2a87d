// librdkafka configuration helpers shared by the outbox relay and the consumer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace RdKafka {
class Conf;
}

namespace recovery::common {

// The process's client properties (security.protocol, ssl.*, sasl.*: --kafka-option), set
// once by the runtime before any client starts and applied by MakeKafkaConf after `values`,
// so the producer and the consumer connect the same way. Not for the properties the
// runtime's correctness rests on (enable.idempotence, acks, enable.auto.commit): those are
// refused.
absl::Status SetKafkaClientOptions(const std::vector<std::string>& key_values);

// Builds a global RdKafka::Conf from key/value pairs; an unknown key or bad value names it.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(const std::map<std::string, std::string>& values);

}  // namespace recovery::common
