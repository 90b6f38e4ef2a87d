// librdkafka configuration helpers.
#include "services/common/kafka_util.h"

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"

namespace recovery::common {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(const std::map<std::string, std::string>& values) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : values) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return absl::InvalidArgumentError(absl::StrCat("kafka config ", k, "=", v, ": ", err));
  }
  return conf;
}

}  // namespace recovery::common
