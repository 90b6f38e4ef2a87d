// librdkafka configuration helpers.
#include "services/common/kafka_util.h"

#include <librdkafka/rdkafkacpp.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace recovery::common {
namespace {

std::mutex options_mu;
std::map<std::string, std::string>& ClientOptions() {
  static auto* options = new std::map<std::string, std::string>();
  return *options;
}

}  // namespace

absl::Status SetKafkaClientOptions(const std::vector<std::string>& key_values) {
  std::map<std::string, std::string> options;
  for (const auto& kv : key_values) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return absl::InvalidArgumentError(absl::StrCat("--kafka-option: expected key=value, got '", kv, "'"));
    const std::string key = kv.substr(0, eq);
    for (const char* kept : {"enable.idempotence", "acks", "enable.auto.commit", "enable.auto.offset.store",
                             "bootstrap.servers", "group.id", "isolation.level"})
      if (key == kept)
        return absl::InvalidArgumentError(absl::StrCat("--kafka-option: ", key, " is set by the runtime"));
    options[key] = kv.substr(eq + 1);
  }
  // Checked against librdkafka now, so a typo fails at start-up naming the option.
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : options)
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return absl::InvalidArgumentError(absl::StrCat("--kafka-option ", k, ": ", err));
  std::lock_guard lock(options_mu);
  ClientOptions() = std::move(options);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(const std::map<std::string, std::string>& values) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : values) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return absl::InvalidArgumentError(absl::StrCat("kafka config ", k, "=", v, ": ", err));
  }
  std::lock_guard lock(options_mu);
  for (const auto& [k, v] : ClientOptions())
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return absl::InvalidArgumentError(absl::StrCat("--kafka-option ", k, ": ", err));
  return conf;
}

}  // namespace recovery::common
