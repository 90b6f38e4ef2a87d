// Flag, environment and YAML parsing for every service.
#include "services/common/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/yaml_fields.h"

namespace recovery::common {

absl::StatusOr<ServiceConfig> ParseServiceConfig(std::string service, int argc, const char* const* argv,
                                                 const std::vector<ServiceFlag>& service_flags) {
  ServiceConfig cfg;
  cfg.service = service;
  CLI::App app{absl::StrCat("recovery ", service, " service")};
  app.add_option("--listen", cfg.listen, "gRPC listen address host:port")->envname("RECOVERY_LISTEN");
  app.add_option("--db", cfg.db, "database: SQLite file path or postgres:// URL")->envname("RECOVERY_DB");
  app.add_option("--kafka-brokers", cfg.kafka_brokers, "Kafka bootstrap servers")->envname("RECOVERY_KAFKA_BROKERS");
  app.add_option("--topic", cfg.topic, "case events topic")->envname("RECOVERY_TOPIC");
  app.add_option("--config", cfg.config_file, "domain configuration YAML")->envname("RECOVERY_CONFIG");
  app.add_option("--log-level", cfg.log_level, "debug|info|warn|error")
      ->envname("RECOVERY_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--metrics-listen", cfg.metrics_listen, "Prometheus endpoint host:port")
      ->envname("RECOVERY_METRICS_LISTEN");
  app.add_option("--group-id", cfg.group_id, "Kafka consumer group")->envname("RECOVERY_GROUP_ID");
  app.add_option("--port-file", cfg.port_file, "write the bound gRPC port to this file");
  app.add_option("--manual-clock", cfg.manual_clock, "start a manual clock at this RFC3339 instant (tests only)");
  app.add_option("--fetch-wait-ms", cfg.fetch_wait_ms, "consumer fetch.wait.max.ms")->envname("RECOVERY_FETCH_WAIT_MS");
  app.add_option("--auth-config", cfg.auth_config, "access configuration YAML (identity provider, tokens, policy)")
      ->envname("RECOVERY_AUTH_CONFIG");
  app.add_option("--tls-cert", cfg.tls_cert, "serve TLS with this PEM certificate chain")->envname("RECOVERY_TLS_CERT");
  app.add_option("--tls-key", cfg.tls_key, "the PEM private key of --tls-cert")->envname("RECOVERY_TLS_KEY");
  app.add_option("--tls-client-ca", cfg.tls_client_ca, "require client certificates signed by this PEM CA bundle")
      ->envname("RECOVERY_TLS_CLIENT_CA");
  app.add_option("--max-request-bytes", cfg.max_request_bytes, "largest request message accepted")
      ->envname("RECOVERY_MAX_REQUEST_BYTES")
      ->check(CLI::Range(1024, 64 << 20));
  app.add_option("--event-signing-key", cfg.event_signing_key, "sign published events with this Ed25519 PEM key")
      ->envname("RECOVERY_EVENT_SIGNING_KEY");
  app.add_option("--event-signing-key-id", cfg.event_signing_key_id,
                 "the id consumers know that key by (default: the service's name)")
      ->envname("RECOVERY_EVENT_SIGNING_KEY_ID");
  app.add_option("--event-verify-keys", cfg.event_verify_keys,
                 "verify consumed events against these public keys (YAML; `require: true` rejects unsigned ones)")
      ->envname("RECOVERY_EVENT_VERIFY_KEYS");
  app.add_option("--access-log-window", cfg.access_log_window,
                 "write the reads of case data, aggregated, this often (e.g. 60s)")
      ->envname("RECOVERY_ACCESS_LOG_WINDOW");
  app.add_option("--kafka-option", cfg.kafka_options, "librdkafka property key=value (repeatable)")
      ->envname("RECOVERY_KAFKA_OPTIONS")
      ->delimiter(',');
  for (const ServiceFlag& flag : service_flags) {
    CLI::Option* option = app.add_option(flag.name, *flag.value, flag.help);
    if (!flag.env.empty()) option->envname(flag.env);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return absl::CancelledError(app.help());
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(absl::StrCat("flags: ", e.what()));
  }
  if (cfg.db.empty()) return absl::InvalidArgumentError("--db (RECOVERY_DB) is required");
  if (cfg.listen.find(':') == std::string::npos)
    return absl::InvalidArgumentError(
        absl::StrCat("--listen (RECOVERY_LISTEN): expected host:port, got '", cfg.listen, "'"));
  if (cfg.topic.empty()) return absl::InvalidArgumentError("--topic (RECOVERY_TOPIC) must not be empty");
  if (!cfg.manual_clock.empty()) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, cfg.manual_clock, &t, &err))
      return absl::InvalidArgumentError(absl::StrCat("--manual-clock: not an RFC3339 instant: ", err));
  }
  int wait = 0;
  try {
    wait = std::stoi(cfg.fetch_wait_ms);
  } catch (...) {
    wait = -1;
  }
  if (wait < 0 || wait > 10000) return absl::InvalidArgumentError("--fetch-wait-ms: expected 0..10000");
  if (cfg.auth_config.empty())
    return absl::InvalidArgumentError(
        "--auth-config (RECOVERY_AUTH_CONFIG) is required: every call is authenticated (see README, Identity and "
        "access)");
  if (cfg.tls_cert.empty() != cfg.tls_key.empty())
    return absl::InvalidArgumentError("--tls-cert and --tls-key (RECOVERY_TLS_CERT, RECOVERY_TLS_KEY) go together");
  if (!cfg.tls_client_ca.empty() && cfg.tls_cert.empty())
    return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key: mTLS is TLS first");
  for (const auto& kv : cfg.kafka_options)
    if (kv.find('=') == std::string::npos || kv.front() == '=')
      return absl::InvalidArgumentError(
          absl::StrCat("--kafka-option (RECOVERY_KAFKA_OPTIONS): expected key=value, got '", kv, "'"));
  if (absl::Duration window; !absl::ParseDuration(cfg.access_log_window, &window) || window < absl::Milliseconds(100) ||
                             window > absl::Hours(1))
    return absl::InvalidArgumentError(
        "--access-log-window (RECOVERY_ACCESS_LOG_WINDOW): expected a duration from 100ms to 1h");
  if (!cfg.event_signing_key_id.empty() && cfg.event_signing_key.empty())
    return absl::InvalidArgumentError("--event-signing-key-id needs --event-signing-key");
  if (cfg.group_id.empty()) cfg.group_id = absl::StrCat("recovery-", service);
  return cfg;
}

absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path) { return yaml_fields::LoadFile(path); }

absl::StatusOr<std::string> RequireString(const YAML::Node& node, const std::string& key, const std::string& path) {
  const YAML::Node v = node[key];
  if (!v || v.IsNull()) return absl::InvalidArgumentError(absl::StrCat(path, ".", key, ": required"));
  if (!v.IsScalar()) return absl::InvalidArgumentError(absl::StrCat(path, ".", key, ": expected a string"));
  return v.as<std::string>();
}

absl::StatusOr<absl::Duration> ParseDurationField(const YAML::Node& node, const std::string& path) {
  if (!node || !node.IsScalar())
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a duration like 90s, 15m, 4h"));
  std::string s = node.as<std::string>();
  absl::Duration d;
  // "1d" is accepted as 24h for convenience; calendar-day arithmetic belongs to the caller.
  if (!s.empty() && s.back() == 'd') {
    try {
      d = absl::Hours(24 * std::stod(s.substr(0, s.size() - 1)));
    } catch (...) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": bad duration '", s, "'"));
    }
  } else if (!absl::ParseDuration(s, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": bad duration '", s, "'"));
  }
  if (d < absl::ZeroDuration()) return absl::InvalidArgumentError(absl::StrCat(path, ": must not be negative"));
  return d;
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content << "\n";
  }
  std::error_code ignored;
  std::filesystem::rename(tmp, path, ignored);
}

}  // namespace recovery::common
