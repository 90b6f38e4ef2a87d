// Process configuration shared by every service: the same flags and environment
// variables everywhere, plus a YAML file with the service's domain configuration.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace recovery::common {

struct ServiceConfig {
  std::string service;                         // e.g. "intake"
  std::string listen = "127.0.0.1:0";          // --listen / RECOVERY_LISTEN
  std::string db;                              // --db / RECOVERY_DB: sqlite path or postgres:// URL
  std::string kafka_brokers;                   // --kafka-brokers / RECOVERY_KAFKA_BROKERS; empty: no Kafka
  std::string topic = "recovery.case-events";  // --topic / RECOVERY_TOPIC
  std::string config_file;                     // --config / RECOVERY_CONFIG: domain YAML
  std::string log_level = "info";              // --log-level / RECOVERY_LOG_LEVEL
  std::string metrics_listen;                  // --metrics-listen / RECOVERY_METRICS_LISTEN; empty: off
  std::string group_id;                        // --group-id / RECOVERY_GROUP_ID; default "recovery-<service>"
  std::string port_file;                       // --port-file: write the bound gRPC port (tests, scripts)
  std::string manual_clock;                    // --manual-clock=<RFC3339>: test clock + TestClock RPCs
  std::string fetch_wait_ms = "10";            // --fetch-wait-ms: consumer fetch.wait.max.ms
  // Identity and access (services/common/auth): who may call, as which principal.
  std::string auth_config;  // --auth-config / RECOVERY_AUTH_CONFIG: access YAML (required)
  // TLS for the gRPC server: both set to serve TLS; with a client CA, client certificates
  // are required and verified (mTLS).
  std::string tls_cert;             // --tls-cert / RECOVERY_TLS_CERT: PEM certificate chain
  std::string tls_key;              // --tls-key / RECOVERY_TLS_KEY: PEM private key
  std::string tls_client_ca;        // --tls-client-ca / RECOVERY_TLS_CLIENT_CA: PEM CA bundle
  int max_request_bytes = 1 << 20;  // --max-request-bytes / RECOVERY_MAX_REQUEST_BYTES
  // Signed events (event_signing.h): the Ed25519 key this service signs what it publishes
  // with, its key id (default: the service's name, which is its events' source), and the key
  // file consumers verify every event against.
  std::string event_signing_key;     // --event-signing-key / RECOVERY_EVENT_SIGNING_KEY: PKCS#8 PEM
  std::string event_signing_key_id;  // --event-signing-key-id / RECOVERY_EVENT_SIGNING_KEY_ID
  std::string event_verify_keys;     // --event-verify-keys / RECOVERY_EVENT_VERIFY_KEYS: YAML
  // Reads of case data are written as CaseDataRead events once per window (access_log.h).
  std::string access_log_window = "60s";  // --access-log-window / RECOVERY_ACCESS_LOG_WINDOW
  // librdkafka properties for both producer and consumer, e.g. security.protocol=SSL,
  // ssl.ca.location=/etc/ca.pem, sasl.mechanism=SCRAM-SHA-512 (--kafka-option, repeatable;
  // RECOVERY_KAFKA_OPTIONS: comma-separated).
  std::vector<std::string> kafka_options;
};

// A flag that only one service has (ServiceModule::Flags, e.g. escalation's --calendar-listen):
// parsed with the common ones, so that service's --help lists it and every other service
// still refuses it as unknown. `value` (owned by the module, which outlives the parse) holds
// the default and receives the flag's or the variable's value.
struct ServiceFlag {
  std::string name;  // "--calendar-listen"
  std::string env;   // "RECOVERY_CALENDAR_LISTEN"; "" for none
  std::string help;
  std::string* value;
};

// Parses argv and the RECOVERY_* environment. Flags win over the environment.
// Errors (unknown flag, bad value, missing --db) name the flag or variable.
// Returns kCancelled with the help text as message when --help was asked.
absl::StatusOr<ServiceConfig> ParseServiceConfig(std::string service, int argc, const char* const* argv,
                                                 const std::vector<ServiceFlag>& service_flags = {});

// Loads a YAML file; a parse error names the file, line and column.
absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path);

// Writes `content` and a newline to path.tmp, then renames it over `path`, so a reader polling
// for the file (a bound port for scripts and tests) never sees it half written.
void WriteFileAtomically(const std::string& path, const std::string& content);

// A configuration that a reload (SIGHUP) may replace while requests run. Readers take a
// snapshot with Get() and use it for the whole operation. Thread-safe.
template <typename T>
class Reloadable {
 public:
  explicit Reloadable(T initial) : current_(std::make_shared<const T>(std::move(initial))) {}
  std::shared_ptr<const T> Get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Set(T next) {
    auto p = std::make_shared<const T>(std::move(next));
    std::lock_guard lock(mu_);
    current_ = std::move(p);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const T> current_;
};

// Helpers for reading domain YAML with errors that name the key path.
absl::StatusOr<std::string> RequireString(const YAML::Node& node, const std::string& key, const std::string& path);
absl::StatusOr<absl::Duration> ParseDurationField(const YAML::Node& node, const std::string& path);

}  // namespace recovery::common
