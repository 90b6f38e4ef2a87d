// recovery-intake: cases, repeat-report dedup and weak signals (see README.md).
#include <memory>

#include "absl/strings/str_cat.h"
#include "services/common/logging.h"
#include "services/common/runtime.h"
#include "services/intake/case_actions.h"
#include "services/intake/grpc_service.h"
#include "services/intake/handlers.h"
#include "services/intake/store.h"

namespace {

using recovery::common::ServiceRuntime;
namespace intake = recovery::intake;

// Everything the runtime serves; alive until the process exits (after Run returns).
struct IntakeParts {
  IntakeParts(ServiceRuntime& rt, intake::IntakeConfig config)
      : actions(rt.outbox(), std::move(config)), grpc(rt.store(), rt.clock(), actions), handlers(rt.clock(), actions) {}
  intake::CaseActions actions;
  intake::IntakeService grpc;
  intake::IntakeEventHandlers handlers;
};

absl::Status SetUp(ServiceRuntime& rt) {
  static std::unique_ptr<IntakeParts> parts;
  if (auto s = intake::MigrateIntakeTables(rt.store()); !s.ok()) return s;
  auto config = intake::ParseIntakeConfig(rt.domain_config());
  if (!config.ok())
    return absl::InvalidArgumentError(absl::StrCat("--config: ", std::string(config.status().message())));
  parts = std::make_unique<IntakeParts>(rt, std::move(*config));
  rt.AddService(&parts->grpc);
  rt.SetEventHandler(
      [](recovery::common::Tx& tx, const recovery::v1::Event& event) { return parts->handlers.Handle(tx, event); });
  rt.OnConfigReload([](const YAML::Node& yaml) -> absl::Status {
    absl::StatusOr<intake::IntakeConfig> reloaded = intake::ParseIntakeConfig(yaml);
    if (!reloaded.ok()) return reloaded.status();
    parts->actions.SetConfig(std::move(*reloaded));
    return absl::OkStatus();
  });
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) { return recovery::common::RunService("intake", argc, argv, SetUp); }
