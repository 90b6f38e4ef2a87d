// AuditModule: the audit service as the runtime builds it (main.cc and the tests): its two
// tables, the Audit gRPC service, and every event on the topic. Audit publishes nothing and
// has no timers or configuration to reload.
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
  std::vector<std::string> Migrations() const override { return AuditStore::Migrations(); }
  absl::Status Init(const common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override { return {service_.get()}; }
  bool consumes_events() const override { return true; }
  // Audit records what was on the topic. It publishes nothing itself, so an event whose
  // source says "audit" came from someone else (a misconfigured or forged producer): it is
  // recorded like any other instead of being filtered as "our own".
  bool consumes_own_events() const override { return true; }
  // Configuration changes of every service are chained like any other event.
  bool consumes_config_events() const override { return true; }
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event) override;

 private:
  std::unique_ptr<AuditApp> app_;
  std::unique_ptr<AuditService> service_;
};

}  // namespace recovery::audit
