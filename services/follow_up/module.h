// FollowUpModule: the follow-up service as the runtime builds it (main.cc and the tests):
// its tables, the FollowUp gRPC service, every other service's events, three timer kinds,
// and its YAML configuration as state (config_schema.h; the runtime imports --config,
// applies SIGHUP and serves recovery.v1.Configuration).
// Lifetime: see common::ServiceModule; Init once, before serving.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/config.h"
#include "services/common/module.h"
#include "services/follow_up/app.h"
#include "services/follow_up/config_schema.h"
#include "services/follow_up/domain/config.h"
#include "services/follow_up/grpc_service.h"

namespace recovery::follow_up {

class FollowUpModule final : public common::ServiceModule {
 public:
  std::string_view name() const override;
  std::vector<std::string> Migrations() const override;
  absl::Status Init(const common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override { return {service_.get()}; }
  bool consumes_events() const override { return true; }
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event) override;
  // New SLA targets, reminder and satisfaction settings apply to what happens next; timers
  // already armed keep their due times. A refused file keeps the running configuration.
  // Parses and installs `yaml` directly: the runtime does not call it (with config_schema() a
  // SIGHUP goes through the configuration state, which installs through the same parser).
  absl::Status Reload(const YAML::Node& yaml) override;
  common::ConfigSchema* config_schema() override { return &schema_; }

  // The running configuration (after Init).
  std::shared_ptr<const FollowUpConfig> config() const { return config_->Get(); }

 private:
  std::unique_ptr<common::Reloadable<FollowUpConfig>> config_;
  std::unique_ptr<FollowUpApp> app_;
  std::unique_ptr<FollowUpService> service_;
  FollowUpConfigSchema schema_{[this] { return config_.get(); }};
};

}  // namespace recovery::follow_up
