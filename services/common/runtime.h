// ServiceRuntime: the wiring every service binary shares. It parses the common flags,
// sets up logging, the store (migrated), the outbox relay, durable timers, the consumer,
// the gRPC server (health, reflection, metrics interceptor, optional TestClock) and the
// signal handling (SIGTERM/SIGINT drain and exit, SIGHUP reload). A service's main.cc
// only creates its ServiceModule and calls RunModule (module.h); tests use Start()/Stop().
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/access_log.h"
#include "services/common/auth/access_control.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/config_state/config_state.h"
#include "services/common/consumer.h"
#include "services/common/metrics.h"
#include "services/common/module.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "yaml-cpp/yaml.h"

namespace grpc {
class Service;
class Server;
}  // namespace grpc

namespace recovery::common {

// Process parts a caller may supply instead of the runtime creating them (tests).
struct RuntimeOptions {
  // Used instead of the system clock or --manual-clock; not owned, outlives the runtime.
  Clock* clock = nullptr;
  // The outbox relay publishes through it instead of Kafka (no brokers needed); not owned,
  // outlives the runtime.
  EventPublisher* publisher = nullptr;
  // Decides credential expiry and rate limits instead of the system clock (tests); not owned.
  // The service's --manual-clock never does: tokens are issued in real time.
  Clock* credential_clock = nullptr;
};

class ServiceRuntime {
 public:
  // Parses the common flags and module.Flags() for module.name(), then builds the service from
  // the module: migrations, Init, gRPC services, event handler (own events filtered), reload,
  // ready.
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(ServiceModule& module, int argc,
                                                                const char* const* argv);
  // The same from a ready-made configuration (in-process tests: db ":memory:" or a temp
  // file, listen "127.0.0.1:0", no brokers). Does not touch signal handling.
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(ServiceModule& module, ServiceConfig config,
                                                                RuntimeOptions options = {});

  // Must be called before any thread starts (it blocks the handled signals process-wide).
  // Bad flags or config return an error naming the flag or key; --help returns kCancelled.
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(const std::string& service, int argc,
                                                                const char* const* argv);
  ~ServiceRuntime();

  const ServiceConfig& config() const { return config_; }
  Store& store() { return *store_; }
  Clock& clock() { return *clock_; }
  Outbox& outbox() { return *outbox_; }
  TimerService& timers() { return *timers_; }
  Metrics& metrics() { return *metrics_; }
  // Who may call: the --auth-config credentials, policy and limits (reloaded on SIGHUP).
  AccessControl& access() { return *access_; }
  // The --config YAML (a null node when no file was given).
  const YAML::Node& domain_config() const { return domain_config_; }
  // The module's configuration as state (null when the module has no config_schema()).
  ConfigState* config_state() { return config_state_.get(); }

  // The handler for every event on the topic; without one the service does not consume.
  void SetEventHandler(EventHandler handler) { handler_ = std::move(handler); }
  // Services to serve; owned by the caller and alive until Run returns.
  void AddService(grpc::Service* service) { services_.push_back(service); }
  // Called on SIGHUP (e.g. reload the domain YAML).
  void OnReload(std::function<void()> fn) { reload_.push_back(std::move(fn)); }
  // On SIGHUP, reads the --config file again and hands its YAML to `apply`. When the file
  // cannot be read or `apply` refuses it, the error is logged with the file's name and the
  // running configuration stays; otherwise "configuration reloaded" is logged. Without
  // --config there is nothing to reload.
  void OnConfigReload(std::function<absl::Status(const YAML::Node&)> apply);
  // Called once the server is up, before waiting for signals (e.g. log coverage gaps).
  void OnReady(std::function<void()> fn) { ready_.push_back(std::move(fn)); }
  // Called by Stop() once the server is down, before the consumer, timers and outbox stop.
  void OnStop(std::function<void()> fn) { stop_.push_back(std::move(fn)); }

  // Starts the relay, timers, consumer and the gRPC server; returns once serving.
  absl::Status Start();
  // Stops serving, drains the consumer, timers and outbox (events not yet published stay in
  // the outbox). Idempotent; the destructor calls it.
  void Stop();
  // The bound gRPC port once started.
  int port() const { return port_; }
  // The consumer, when the service consumes and brokers are configured (after Start()).
  Consumer* consumer() { return consumer_.get(); }
  // The handler the consumer runs (the module's OnEvent behind the own-event filter).
  const EventHandler& event_handler() const { return handler_; }
  // Reads of case data waiting for their window (access_log.h).
  AccessLog& access_log() { return *access_log_; }

  // Start(), block until SIGTERM/SIGINT (SIGHUP reloads), then Stop(). Returns the process
  // exit code.
  int Run();

 private:
  ServiceRuntime() = default;
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> CreateFromConfig(ServiceConfig config, RuntimeOptions options);
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> CreateFromFlags(const std::string& service, int argc,
                                                                         const char* const* argv,
                                                                         const std::vector<ServiceFlag>& service_flags);
  absl::Status AttachModule(ServiceModule& module);

  ServiceConfig config_;
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_ = nullptr;
  ManualClock* manual_clock_ = nullptr;
  EventPublisher* publisher_ = nullptr;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<TimerService> timers_;
  std::unique_ptr<Consumer> consumer_;
  std::unique_ptr<AccessLog> access_log_;  // after store_ and outbox_: it writes through them
  YAML::Node domain_config_;
  EventHandler handler_;
  RejectedEventHandler rejected_handler_;
  std::shared_ptr<const EventSigner> signer_;
  std::shared_ptr<const EventVerifier> verifier_;
  std::vector<grpc::Service*> services_;
  std::vector<std::function<void()>> reload_;
  std::vector<std::function<void()>> ready_;
  std::vector<std::function<void()>> stop_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Service> test_clock_;
  std::unique_ptr<grpc::Service> operations_;
  YAML::Node live_config_;                     // what the module was built from
  std::unique_ptr<ConfigState> config_state_;  // when the module has a config_schema()
  std::unique_ptr<grpc::Service> config_service_;
  // Readiness as the consumer reports it (NOT_SERVING while it waits out a fault); applied
  // to the health service once the server exists, and no more after Stop().
  void SetConsumerServing(bool serving);
  std::mutex health_mu_;
  bool consumer_serving_ = true;  // guarded by health_mu_
  bool health_open_ = false;      // guarded by health_mu_
  int port_ = 0;
  bool started_ = false;
};

// The whole main() of a service: RunModule(module, argc, argv). Setup errors print to
// stderr and exit 2; --help prints and exits 0.
int RunModule(ServiceModule& module, int argc, char** argv);

// Standard main() body: creates the runtime, lets `setup` build the service, runs it.
// Setup errors print to stderr and exit 2.
int RunService(const std::string& service, int argc, char** argv,
               const std::function<absl::Status(ServiceRuntime&)>& setup);

}  // namespace recovery::common
