// EscalationModule: the escalation service as a common::ServiceModule. main.cc and the tests
// build the service from it: migrations (the escalation tables, the delivery queue, the
// escalation-state component: its columns, cover requests, calendar feeds), the
// recovery.v1.Escalation gRPC service, the consumer's handler, the ack, hold and cover timer
// handlers, SIGHUP reload of the --config YAML, the delivery worker, started once the server
// is up and stopped with the service, and the calendar feeds' HTTP(S) server
// (--calendar-listen; over TLS with the service's --tls-cert/--tls-key); the acknowledge
// links' key and console URL (--ack-link-key-file, --console-url: a bad one stops the start).
// Lifetime: outlives the runtime built from it. Thread-safety: as ServiceModule.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/module.h"
#include "services/escalation/app.h"
#include "services/escalation/calendar_server.h"
#include "services/escalation/config_schema.h"
#include "services/escalation/delivery/senders.h"
#include "services/escalation/delivery/worker.h"
#include "services/escalation/grpc_service.h"

namespace recovery::escalation {

class EscalationModule final : public common::ServiceModule {
 public:
  struct Options {
    // Tests that drive deliveries by hand (delivery_worker().RunOnce()) turn the thread off.
    bool start_delivery_worker = true;
    // host:port of the calendar feeds' HTTP(S) server; empty: none. --calendar-listen sets it.
    std::string calendar_listen = "";
    // Where to write the calendar server's bound port (port 0 in tests). --calendar-port-file.
    std::string calendar_port_file = "";
    // Acknowledge links (ack_link.h), both or neither: the file of the signing key (at least
    // 32 random bytes) and the console's base URL the links point at. --ack-link-key-file,
    // --console-url.
    std::string ack_link_key_file = "";
    std::string console_url = "";
  };
  EscalationModule() = default;
  explicit EscalationModule(Options options) : options_(options) {}
  ~EscalationModule() override;

  std::string_view name() const override { return kServiceName; }
  // --calendar-listen / RECOVERY_CALENDAR_LISTEN, --calendar-port-file, --ack-link-key-file /
  // RECOVERY_ACK_LINK_KEY_FILE and --console-url / RECOVERY_CONSOLE_URL.
  std::vector<common::ServiceFlag> Flags() override;
  std::vector<std::string> Migrations() const override;
  absl::Status Init(const common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override;
  bool consumes_events() const override { return true; }
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event) override;
  absl::Status Reload(const YAML::Node& yaml) override;
  common::ConfigSchema* config_schema() override { return &schema_; }
  void OnReady() override;
  void OnStop() override;

  // After Init.
  EscalationApp& app() { return *app_; }
  delivery::DeliveryWorker& delivery_worker() { return *worker_; }
  // The calendar server's bound port once ready (0 without --calendar-listen).
  int calendar_port() const { return calendar_ ? calendar_->port() : 0; }

 private:
  Options options_;
  std::unique_ptr<EscalationApp> app_;
  EscalationConfigSchema schema_{[this] { return app_.get(); }};
  std::unique_ptr<EscalationService> service_;
  std::unique_ptr<delivery::WebhookSender> webhook_;
  std::unique_ptr<delivery::SmtpSender> smtp_;
  delivery::LogSender log_;
  std::unique_ptr<delivery::DeliveryWorker> worker_;
  std::atomic<delivery::DeliveryWorker*> awake_worker_{nullptr};  // what the app's waker wakes
  std::unique_ptr<CalendarServer> calendar_;                      // with --calendar-listen
};

}  // namespace recovery::escalation
