// The intake ServiceModule.
#include "services/intake/module.h"

#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"
#include "services/intake/store.h"
#include "services/intake/validation.h"

namespace recovery::intake {

namespace v1 = recovery::v1;

std::vector<std::string> IntakeModule::Migrations() const { return IntakeMigrations(); }

absl::Status IntakeModule::Init(const recovery::common::ServiceContext& ctx) {
  absl::StatusOr<IntakeConfig> config = ParseIntakeConfig(ctx.domain_config);
  if (!config.ok()) return absl::InvalidArgumentError(absl::StrCat("--config: ", config.status().message()));
  clock_ = &ctx.clock;
  app_ = std::make_unique<IntakeApp>(ctx.timers, ctx.outbox, std::move(*config));
  grpc_ = std::make_unique<IntakeService>(ctx.store, ctx.clock, *app_);
  return absl::OkStatus();
}

absl::Status IntakeModule::OnEvent(Tx& tx, const v1::Event& event) {
  absl::Status s = ValidateConsumedEvent(event);
  if (s.ok()) s = Dispatch(tx, event);
  return s;
}

absl::Status IntakeModule::Dispatch(Tx& tx, const v1::Event& event) {
  const absl::Time now = clock_->Now();
  switch (event.body_case()) {
    case v1::Event::kEscalationAcknowledged:
      return app_->OnEscalationAcknowledged(tx, event, now);
    case v1::Event::kPlanShared:
      return app_->OnPlanShared(tx, event, now);
    case v1::Event::kSatisfactionRecorded:
      return app_->OnSatisfactionRecorded(tx, event, now);
    default:
      return absl::OkStatus();
  }
}

absl::Status IntakeModule::Reload(const YAML::Node& yaml) {
  ASSIGN_OR_RETURN(IntakeConfig config, ParseIntakeConfig(yaml));
  app_->SetConfig(std::move(config));
  return absl::OkStatus();
}

}  // namespace recovery::intake
