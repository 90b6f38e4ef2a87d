// Builds the escalation service's parts and registers them with the runtime.
#include "services/escalation/app.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "services/common/logging.h"
#include "services/escalation/delivery/worker.h"
#include "services/escalation/engine.h"
#include "services/escalation/grpc_service.h"
#include "services/escalation/handlers.h"
#include "services/escalation/settings.h"
#include "services/escalation/store.h"

namespace recovery::escalation {
namespace {

constexpr absl::Duration kCoverageLookahead = absl::Hours(24 * 7);

struct App {
  explicit App(common::ServiceRuntime& rt)
      : engine(config, rt.timers(), rt.outbox(), rt.clock()),
        handlers(engine),
        service(engine, rt.store()),
        webhook([this] { return config.delivery(); }),
        smtp([this] { return config.delivery(); }) {}
  ~App() {
    if (worker) worker->Stop();
  }

  ConfigHolder config;
  EscalationEngine engine;
  EscalationHandlers handlers;
  EscalationService service;
  delivery::WebhookSender webhook;
  delivery::SmtpSender smtp;
  delivery::LogSender log;
  std::unique_ptr<delivery::DeliveryWorker> worker;
};

std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()); }

// Logs the on-call gaps of every schedule over the next week: a gap is an after-hours call
// nobody answers.
void LogCoverageGaps(const EscalationConfig& dir, absl::Time now) {
  for (const Schedule& s : dir.schedules) {
    for (const calendar::Interval& gap : FindCoverageGaps(s, now, now + kCoverageLookahead)) {
      common::LogWarn("on-call coverage gap",
                      {{"schedule_id", s.id}, {"from", Rfc3339(gap.start)}, {"to", Rfc3339(gap.end)}});
    }
  }
}

}  // namespace

absl::Status SetupEscalation(common::ServiceRuntime& rt) {
  auto settings = ParseServiceSettings(rt.domain_config());
  if (!settings.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--config: ", std::string(settings.status().message())));
  }
  if (settings->delivery.webhook_secret.empty()) {
    common::LogWarn("no webhook_secret or RECOVERY_WEBHOOK_SECRET: webhooks are sent unsigned");
  }
  if (auto s = MigrateEscalation(rt.store()); !s.ok()) return s;

  auto app = std::make_shared<App>(rt);
  app->config.SetSettings(std::move(*settings));
  auto loaded = common::InTransaction(rt.store(), [&](common::Tx& tx) -> absl::Status {
    auto overrides = ListOverrides(tx);
    if (!overrides.ok()) return overrides.status();
    app->config.SetOverrides(std::move(*overrides));
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded;

  delivery::DeliveryWorker::Hooks hooks;
  hooks.still_wanted = [e = &app->engine](common::Tx& tx, const delivery::Delivery& d) {
    return e->StillWanted(tx, d);
  };
  hooks.on_outcome = [e = &app->engine](common::Tx& tx, const delivery::Delivery& d,
                                        const delivery::SendResult& r) { return e->RecordOutcome(tx, d, r); };
  app->worker = std::make_unique<delivery::DeliveryWorker>(
      rt.store(), rt.clock(), std::move(hooks),
      std::map<Channel, delivery::Sender*>{
          {Channel::kWebhook, &app->webhook}, {Channel::kEmail, &app->smtp}, {Channel::kLog, &app->log}});
  app->engine.SetDeliveryWaker([w = app->worker.get()] { w->Wake(); });

  rt.timers().Handle(kAckTimer, [app](common::Tx& tx, const common::Timer& t) { return app->engine.OnAckTimer(tx, t); });
  rt.timers().Handle(kHoldTimer,
                     [app](common::Tx& tx, const common::Timer& t) { return app->engine.OnHoldTimer(tx, t); });
  rt.SetEventHandler([app](common::Tx& tx, const recovery::v1::Event& e) { return app->handlers.OnEvent(tx, e); });
  rt.AddService(&app->service);

  rt.OnConfigReload([app](const YAML::Node& root) -> absl::Status {
    absl::StatusOr<ServiceSettings> next = ParseServiceSettings(root);
    if (!next.ok()) return next.status();
    app->config.SetSettings(std::move(*next));
    LogCoverageGaps(*app->config.directory(), app->engine.clock().Now());
    return absl::OkStatus();
  });
  rt.OnReady([app] {
    if (auto s = app->worker->Recover(); !s.ok()) {
      common::LogError("delivery recovery failed", {{"error", std::string(s.message())}});
    }
    app->worker->Start();
    LogCoverageGaps(*app->config.directory(), app->engine.clock().Now());
  });
  return absl::OkStatus();
}

}  // namespace recovery::escalation
