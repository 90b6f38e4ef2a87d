// recovery-audit: records every event on the topic in a hash chain and serves recovery.v1.Audit.
#include <memory>

#include "services/audit/grpc_service.h"
#include "services/audit/handlers.h"
#include "services/audit/store.h"
#include "services/common/runtime.h"

int main(int argc, char** argv) {
  std::unique_ptr<recovery::audit::AuditStore> store;
  std::unique_ptr<recovery::audit::AuditService> service;
  return recovery::common::RunService("audit", argc, argv, [&](recovery::common::ServiceRuntime& rt) -> absl::Status {
    if (auto s = recovery::audit::AuditStore::Migrate(rt.store()); !s.ok()) return s;
    store = std::make_unique<recovery::audit::AuditStore>(rt.store());
    service = std::make_unique<recovery::audit::AuditService>(*store);
    rt.AddService(service.get());
    rt.SetEventHandler([&rt](recovery::common::Tx& tx, const recovery::v1::Event& event) {
      return recovery::audit::RecordEvent(tx, event, rt.clock().Now());
    });
    return absl::OkStatus();
  });
}
