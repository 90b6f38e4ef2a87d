// recovery-action-plan: owned recovery plans, commitments, client summaries and wording
// review (see README.md).
#include <memory>

#include "absl/strings/str_cat.h"
#include "services/action_plan/config.h"
#include "services/action_plan/grpc_service.h"
#include "services/action_plan/handlers.h"
#include "services/action_plan/plan_actions.h"
#include "services/action_plan/store.h"
#include "services/common/logging.h"
#include "services/common/runtime.h"

namespace {

using recovery::common::ServiceRuntime;
namespace ap = recovery::action_plan;

// Everything the runtime serves; alive until the process exits (after Run returns).
struct ActionPlanParts {
  ActionPlanParts(ServiceRuntime& rt, ap::ActionPlanConfig config)
      : actions(rt.outbox(), rt.clock(), std::move(config)), grpc(rt.store(), actions), handlers(actions) {}
  ap::PlanActions actions;
  ap::ActionPlanService grpc;
  ap::ActionPlanEventHandlers handlers;
};

absl::Status SetUp(ServiceRuntime& rt) {
  static std::unique_ptr<ActionPlanParts> parts;
  auto config = ap::LoadActionPlanConfig(rt.domain_config(), rt.config().config_file);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--config: ", std::string(config.status().message())));
  }
  if (auto s = ap::MigrateActionPlanTables(rt.store()); !s.ok()) return s;
  parts = std::make_unique<ActionPlanParts>(rt, std::move(*config));
  rt.AddService(&parts->grpc);
  rt.SetEventHandler(
      [](recovery::common::Tx& tx, const recovery::v1::Event& event) { return parts->handlers.Handle(tx, event); });
  // SIGHUP: reload playbooks, wording rules and calendars; a bad file keeps the old ones.
  rt.OnConfigReload([file = rt.config().config_file](const YAML::Node& yaml) -> absl::Status {
    absl::StatusOr<ap::ActionPlanConfig> reloaded = ap::LoadActionPlanConfig(yaml, file);
    if (!reloaded.ok()) return reloaded.status();
    parts->actions.SetConfig(std::move(*reloaded));
    return absl::OkStatus();
  });
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) { return recovery::common::RunService("action-plan", argc, argv, SetUp); }
