// AuditModule: the audit service as the runtime builds it (main.cc and the tests): its
// tables, the Audit gRPC service, and every event on the topic. With --audit-signing-key it
// signs checkpoints (a durable timer and the AuditCheckpointPublished event, app.h); it has
// no configuration to reload.
// Lifetime: see common::ServiceModule; Init once, before serving.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/audit/app.h"
#include "services/audit/grpc_service.h"
#include "services/common/module.h"

namespace recovery::audit {

class AuditModule final : public common::ServiceModule {
 public:
  std::string_view name() const override { return "audit"; }
  // --audit-signing-key, --audit-checkpoint-every, --audit-checkpoint-interval,
  // --audit-checkpoint-origin; given ones override options().
  std::vector<common::ServiceFlag> Flags() override;
  // What tests set instead of flags (before the runtime builds the module).
  AuditOptions& options() { return options_; }
  std::vector<std::string> Migrations() const override { return AuditStore::Migrations(); }
  absl::Status Init(const common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override { return {service_.get()}; }
  bool consumes_events() const override { return true; }
  // Audit records what was on the topic. It publishes only its checkpoints, which OnEvent
  // recognises by event id and does not record; any other event whose source says "audit"
  // came from someone else (a misconfigured or forged producer): it is recorded like any
  // other instead of being filtered as "our own".
  bool consumes_own_events() const override { return true; }
  // Configuration changes of every service are chained like any other event.
  bool consumes_config_events() const override { return true; }
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event) override;
  // Kept in audit_rejected (ListRejectedEvents), never chained.
  absl::Status OnRejectedEvent(common::Tx& tx, const common::RejectedEvent& rejected) override;

 private:
  struct FlagValues {
    std::string signing_key, every, interval, origin;
  };
  FlagValues flags_;
  AuditOptions options_;
  std::unique_ptr<AuditApp> app_;
  std::unique_ptr<AuditService> service_;
};

}  // namespace recovery::audit
