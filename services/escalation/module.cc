// The escalation service's wiring onto the shared runtime.
#include "services/escalation/module.h"

#include <cstdio>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "services/common/config.h"
#include "services/common/logging.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "services/escalation/ack_link.h"

namespace recovery::escalation {
namespace {

absl::StatusOr<EscalationSettings> ParseConfigFlag(const YAML::Node& root) {
  auto settings = ParseSettings(root);
  if (!settings.ok()) return absl::InvalidArgumentError(absl::StrCat("--config: ", settings.status().message()));
  return settings;
}

}  // namespace

EscalationModule::~EscalationModule() { OnStop(); }

std::vector<common::ServiceFlag> EscalationModule::Flags() {
  return {
      {"--calendar-listen", "RECOVERY_CALENDAR_LISTEN",
       "serve the iCal on-call feeds (GET /calendar/<token>.ics) on host:port, over TLS with --tls-cert; empty: off",
       &options_.calendar_listen},
      {"--calendar-port-file", "", "write the calendar server's bound port to this file", &options_.calendar_port_file},
      {"--ack-link-key-file", "RECOVERY_ACK_LINK_KEY_FILE",
       "sign the pages' acknowledge links with this file's bytes (at least 32 random bytes); with --console-url",
       &options_.ack_link_key_file},
      {"--console-url", "RECOVERY_CONSOLE_URL",
       "the web console's base URL (https://host[:port]) the acknowledge links point at; with --ack-link-key-file",
       &options_.console_url},
  };
}

std::vector<std::string> EscalationModule::Migrations() const { return EscalationMigrations(); }

absl::Status EscalationModule::Init(const common::ServiceContext& ctx) {
  ASSIGN_OR_RETURN(std::optional<AckLinks> ack_links,
                   AckLinksFromFlags(options_.ack_link_key_file, options_.console_url));
  ASSIGN_OR_RETURN(EscalationSettings settings, ParseConfigFlag(ctx.domain_config));
  if (settings.delivery.webhook_secret.empty()) {
    common::LogWarn("no webhook_secret or RECOVERY_WEBHOOK_SECRET: webhooks are sent unsigned");
  }
  RETURN_IF_ERROR(ctx.store.Migrate(kStateMigrationComponent, EscalationStateMigrations()));
  // Rows stored before ListEscalations could filter by status and team get those columns.
  for (int filled = 1; filled > 0;) {
    RETURN_IF_ERROR(common::InTransaction(ctx.store, [&](common::Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(filled, BackfillListColumns(tx, 500));
      return absl::OkStatus();
    }));
  }
  app_ = std::make_unique<EscalationApp>(ctx.store, ctx.clock, ctx.timers, ctx.outbox);
  app_->SetSettings(std::move(settings));
  app_->SetAckLinks(std::move(ack_links));
  RETURN_IF_ERROR(app_->LoadOverrides());
  service_ = std::make_unique<EscalationService>(*app_, ctx.store);

  webhook_ = std::make_unique<delivery::WebhookSender>([app = app_.get()] { return app->delivery(); },
                                                       common::ResolveHost, ctx.clock);
  smtp_ = std::make_unique<delivery::SmtpSender>([app = app_.get()] { return app->delivery(); });
  delivery::DeliveryWorker::Hooks hooks;
  hooks.still_wanted = [app = app_.get()](common::Tx& tx, const delivery::Delivery& d) {
    return app->StillWanted(tx, d);
  };
  hooks.on_outcome = [app = app_.get()](common::Tx& tx, const delivery::Delivery& d, const delivery::SendResult& r) {
    return app->RecordDelivery(tx, d, r);
  };
  delivery::DeliveryOptions delivery_options;
  delivery_options.metrics = &ctx.metrics;
  worker_ = std::make_unique<delivery::DeliveryWorker>(
      ctx.store, ctx.clock, std::move(hooks),
      std::map<Channel, delivery::Sender*>{
          {Channel::kWebhook, webhook_.get()}, {Channel::kEmail, smtp_.get()}, {Channel::kLog, &log_}},
      std::move(delivery_options));
  awake_worker_.store(worker_.get());
  app_->SetDeliveryWaker([this] {
    if (delivery::DeliveryWorker* w = awake_worker_.load()) w->Wake();
  });

  ctx.timers.Handle(kAckTimer,
                    [app = app_.get()](common::Tx& tx, const common::Timer& t) { return app->OnAckTimer(tx, t); });
  ctx.timers.Handle(kHoldTimer,
                    [app = app_.get()](common::Tx& tx, const common::Timer& t) { return app->OnHoldTimer(tx, t); });
  ctx.timers.Handle(kHandoffTimer,
                    [app = app_.get()](common::Tx& tx, const common::Timer& t) { return app->OnHandoffTimer(tx, t); });
  ctx.timers.Handle(kHandoffRearmTimer, [app = app_.get()](common::Tx& tx, const common::Timer& t) {
    return app->OnHandoffRearmTimer(tx, t);
  });
  RETURN_IF_ERROR(app_->EnsureHandoffRearm());
  ctx.timers.Handle(kCoverTimer,
                    [app = app_.get()](common::Tx& tx, const common::Timer& t) { return app->OnCoverTimer(tx, t); });

  if (!options_.calendar_listen.empty()) {
    calendar_ = std::make_unique<CalendarServer>(
        [app = app_.get()](const std::string& token) { return app->RenderCalendarFeed(token); });
    RETURN_IF_ERROR(calendar_->Bind({options_.calendar_listen, ctx.config.tls_cert, ctx.config.tls_key}));
  }
  return absl::OkStatus();
}

std::vector<grpc::Service*> EscalationModule::GrpcServices() { return {service_.get()}; }

absl::Status EscalationModule::OnEvent(common::Tx& tx, const recovery::v1::Event& event) {
  return app_->OnEvent(tx, event);
}

absl::Status EscalationModule::Reload(const YAML::Node& yaml) {
  ASSIGN_OR_RETURN(EscalationSettings next, ParseSettings(yaml));
  app_->SetSettings(std::move(next));
  app_->LogCoverageGaps();
  return absl::OkStatus();
}

void EscalationModule::OnReady() {
  if (auto s = worker_->Recover(); !s.ok()) {
    common::LogError("delivery recovery failed", {{"error", std::string(s.message())}});
  }
  if (options_.start_delivery_worker) worker_->Start();
  if (calendar_) {
    if (auto s = calendar_->Serve(); !s.ok()) {
      common::LogError("calendar feeds not served", {{"error", std::string(s.message())}});
    } else {
      if (!options_.calendar_port_file.empty()) {
        common::WriteFileAtomically(options_.calendar_port_file, std::to_string(calendar_->port()));
      }
      common::LogInfo("calendar feeds served",
                      {{"port", std::to_string(calendar_->port())}, {"scheme", calendar_->tls() ? "https" : "http"}});
    }
  }
  app_->LogCoverageGaps();
}

// The worker is destroyed here, not with the module: it listens to the runtime's clock, which
// is gone by the time the module is destroyed.
void EscalationModule::OnStop() {
  if (calendar_) calendar_->Stop();  // it reads the store, which stops after this
  awake_worker_.store(nullptr);
  if (worker_) worker_->Stop();
  worker_.reset();
}

}  // namespace recovery::escalation
