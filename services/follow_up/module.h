// FollowUpModule: the follow-up service as the runtime builds it (main.cc and the tests):
// its tables, the FollowUp gRPC service, every other service's events, three timer kinds,
// and the SIGHUP reload of its YAML configuration.
// Lifetime: see common::ServiceModule; Init once, before serving.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/config.h"
#include "services/common/module.h"
#include "services/follow_up/app.h"
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
  absl::Status Reload(const YAML::Node& yaml) override;

 private:
  std::unique_ptr<common::Reloadable<FollowUpConfig>> config_;
  std::unique_ptr<FollowUpApp> app_;
  std::unique_ptr<FollowUpService> service_;
};

}  // namespace recovery::follow_up
