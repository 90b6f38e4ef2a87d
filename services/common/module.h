// ServiceModule: everything that makes a service a service, in one object that main.cc and
// the tests both build the service from. The runtime (runtime.h) owns the process parts
// (store, outbox, timers, consumer, gRPC server); a module contributes its migrations, its
// gRPC services, its event handler and timer handlers, and its configuration reload.
//
// Lifetime: the runtime calls Migrations(), then Init(ctx) once, then GrpcServices(), then
// serves. `ctx` and everything in it outlive the module's use of them. Init runs on the
// main thread; OnEvent on the consumer's thread; Reload on the main thread while RPCs and
// events may run (use common::Reloadable for what it replaces).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "services/common/config.h"
#include "yaml-cpp/yaml.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace recovery::common {

class AccessControl;
class Clock;
class ConfigSchema;
class Metrics;
class Outbox;
class Store;
class TimerService;
class Tx;
struct RejectedEvent;

// What the runtime gives a module.
struct ServiceContext {
  const ServiceConfig& config;
  Store& store;
  Clock& clock;
  Outbox& outbox;
  TimerService& timers;
  Metrics& metrics;
  const YAML::Node& domain_config;  // the --config YAML; a null node without one
  // Who may call (the --auth-config credentials and policy), for a module that authenticates
  // credentials arriving by another way than its gRPC port (the console's browser sessions).
  AccessControl* access = nullptr;
};

class ServiceModule {
 public:
  virtual ~ServiceModule() = default;

  // The service's name: its flags' prefix, its migration component and the `source` of the
  // events it publishes ("intake", "follow-up").
  virtual std::string_view name() const = 0;

  // Flags only this service has, parsed with the common ones before Init (config.h's
  // ServiceFlag; the values point into the module). Tests building from a ServiceConfig set
  // the module's options instead.
  virtual std::vector<ServiceFlag> Flags() { return {}; }

  // The service's own migration steps (step i is version i+1), applied before Init.
  virtual std::vector<std::string> Migrations() const = 0;

  // Builds the service: parses the domain configuration, creates the app, registers timer
  // handlers with ctx.timers. An error stops the process before it serves.
  virtual absl::Status Init(const ServiceContext& ctx) = 0;

  // The gRPC services to serve, owned by the module.
  virtual std::vector<grpc::Service*> GrpcServices() = 0;

  // Whether the service consumes the topic. The runtime filters the service's own events
  // (source == name()) out before OnEvent unless consumes_own_events().
  virtual bool consumes_events() const { return false; }
  virtual bool consumes_own_events() const { return false; }
  // Handles one event in the consumer's transaction (see consumer.h for retries).
  virtual absl::Status OnEvent(Tx& /*tx*/, const recovery::v1::Event& /*event*/) { return absl::OkStatus(); }
  // An event the consumer rejected by its signature (event_signing.h), inside the
  // transaction that parks it; never handed to OnEvent. Audit records it.
  virtual absl::Status OnRejectedEvent(Tx& /*tx*/, const RejectedEvent& /*rejected*/) { return absl::OkStatus(); }

  // SIGHUP: the re-read --config YAML. An error keeps the running configuration. A module
  // with a config_schema() is not called here: its configuration is state (below).
  virtual absl::Status Reload(const YAML::Node& /*yaml*/) { return absl::OkStatus(); }

  // Configuration as state (config_state/config_state.h): the kinds of resources the
  // module's YAML holds, its parser and how to install a new document. With one, the runtime
  // keeps the configuration in the store, serves recovery.v1.Configuration, imports the
  // --config file on the first start and applies its changes on later starts and SIGHUP;
  // Init's domain_config is then the live document. Owned by the module; null: none.
  virtual ConfigSchema* config_schema() { return nullptr; }
  // Whether OnEvent also gets ConfigChanged events (audit records them; other services'
  // changes mean nothing to a module, and the runtime refreshes its own on its own).
  virtual bool consumes_config_events() const { return false; }

  // Once the server is up (e.g. log coverage gaps, start the module's own worker threads).
  virtual void OnReady() {}
  // When the runtime stops, after the gRPC server shut down and before the store, timers and
  // outbox stop: stop the module's own threads (they may use the store until then).
  virtual void OnStop() {}
};

}  // namespace recovery::common
