// recovery-follow-up: durable SLA timers, reminders, satisfaction checks, reviews and trends.
#include "services/common/runtime.h"
#include "services/follow_up/domain/config.h"
#include "services/follow_up/grpc_service.h"
#include "services/follow_up/handlers.h"
#include "services/follow_up/store.h"

int main(int argc, char** argv) {
  using namespace recovery::follow_up;
  static std::unique_ptr<recovery::common::Reloadable<FollowUpConfig>> config;
  static std::unique_ptr<FollowUpHandlers> handlers;
  static std::unique_ptr<FollowUpService> service;
  return recovery::common::RunService("follow-up", argc, argv, [](recovery::common::ServiceRuntime& rt) {
    auto cfg = ParseConfig(rt.domain_config());
    if (!cfg.ok()) return cfg.status();
    config = std::make_unique<recovery::common::Reloadable<FollowUpConfig>>(std::move(*cfg));
    if (auto s = MigrateFollowUp(rt.store()); !s.ok()) return s;
    handlers = std::make_unique<FollowUpHandlers>(*config, rt.timers(), rt.outbox(), rt.clock());
    handlers->RegisterTimers();
    rt.SetEventHandler([](recovery::common::Tx& tx, const recovery::v1::Event& e) { return handlers->OnEvent(tx, e); });
    service = std::make_unique<FollowUpService>(*config, rt.store(), rt.timers(), rt.outbox(), rt.clock());
    rt.AddService(service.get());
    // SIGHUP: new SLA targets, reminder and satisfaction settings apply to what happens next;
    // timers already armed keep their due times.
    rt.OnConfigReload([](const YAML::Node& yaml) -> absl::Status {
      auto next = ParseConfig(yaml);
      if (!next.ok()) return next.status();
      config->Set(std::move(*next));
      return absl::OkStatus();
    });
    return absl::OkStatus();
  });
}
