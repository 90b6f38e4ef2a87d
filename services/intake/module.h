// IntakeModule: the intake service as the runtime builds it (main.cc and the tests): its
// migrations, the Intake gRPC service, the consumed events (validated, then the app), and
// the SIGHUP reload of its --config (categories, dedup window, signal rules).
// Lifetime: see common::ServiceModule. Thread-safe after Init.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/common/module.h"
#include "services/intake/app.h"
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
  absl::Status Reload(const YAML::Node& yaml) override;

  IntakeApp& app() { return *app_; }

 private:
  // The app function of the event's type; OK for the types intake does not act on.
  absl::Status Dispatch(Tx& tx, const recovery::v1::Event& event);

  recovery::common::Clock* clock_ = nullptr;
  std::unique_ptr<IntakeApp> app_;
  std::unique_ptr<IntakeService> grpc_;
};

}  // namespace recovery::intake
