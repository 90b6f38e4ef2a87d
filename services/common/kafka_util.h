// librdkafka configuration helpers shared by the outbox relay and the consumer.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace RdKafka {
class Conf;
}

namespace recovery::common {

// Builds a global RdKafka::Conf from key/value pairs; an unknown key or bad value names it.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(const std::map<std::string, std::string>& values);

}  // namespace recovery::common
