// The follow-up ServiceModule.
#include "services/follow_up/module.h"

#include "services/common/status_macros.h"
#include "services/follow_up/domain/follow_up.h"
#include "services/follow_up/store.h"

namespace recovery::follow_up {

std::string_view FollowUpModule::name() const { return kService; }

std::vector<std::string> FollowUpModule::Migrations() const { return follow_up::Migrations(); }

absl::Status FollowUpModule::Init(const common::ServiceContext& ctx) {
  ASSIGN_OR_RETURN(FollowUpConfig cfg, ParseConfig(ctx.domain_config));
  config_ = std::make_unique<common::Reloadable<FollowUpConfig>>(std::move(cfg));
  app_ = std::make_unique<FollowUpApp>(ctx, *config_);
  app_->RegisterTimers();
  service_ = std::make_unique<FollowUpService>(*app_);
  return absl::OkStatus();
}

absl::Status FollowUpModule::OnEvent(common::Tx& tx, const recovery::v1::Event& event) {
  return app_->OnEvent(tx, event);
}

absl::Status FollowUpModule::Reload(const YAML::Node& yaml) {
  ASSIGN_OR_RETURN(FollowUpConfig next, ParseConfig(yaml));
  config_->Set(std::move(next));
  return absl::OkStatus();
}

}  // namespace recovery::follow_up
