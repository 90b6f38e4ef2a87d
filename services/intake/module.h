// IntakeModule: the intake service as the runtime builds it (main.cc and the tests): its
// migrations, the Intake gRPC service, the consumed events (validated, then the app), and
// its configuration (categories, dedup window, signal rules) as state: config_schema.h; the
// runtime imports --config, applies SIGHUP and serves recovery.v1.Configuration.
// Lifetime: see common::ServiceModule. Thread-safe after Init.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/common/module.h"
#include "services/intake/app.h"
#include "services/intake/config_schema.h"
#include "services/intake/grpc_service.h"

namespace recovery::intake {

class IntakeModule final : public recovery::common::ServiceModule {
 public:
  std::string_view name() const override { return "intake"; }
  std::vector<std::string> Migrations() const override;
  absl::Status Init(const recovery::common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override { return {grpc_.get()}; }
  bool consumes_events() const override { return true; }
  // A malformed event (it fails ValidateConsumedEvent, or names a case intake never opened)
  // is refused with INVALID_ARGUMENT: the consumer rolls the handler back, parks the event
  // in dead_letters, logs and counts it; nothing is stored or published.
  absl::Status OnEvent(Tx& tx, const recovery::v1::Event& event) override;
  // Parses and installs `yaml` directly (the runtime does not call it: with config_schema()
  // a SIGHUP goes through the configuration state).
  absl::Status Reload(const YAML::Node& yaml) override;
  common::ConfigSchema* config_schema() override { return &schema_; }

  IntakeApp& app() { return *app_; }

 private:
  // The app function of the event's type; OK for the types intake does not act on.
  absl::Status Dispatch(Tx& tx, const recovery::v1::Event& event);

  recovery::common::Clock* clock_ = nullptr;
  std::unique_ptr<IntakeApp> app_;
  std::unique_ptr<IntakeService> grpc_;
  IntakeConfigSchema schema_{[this] { return app_.get(); }};
};

}  // namespace recovery::intake
