// The audit ServiceModule.
#include "services/audit/module.h"

namespace recovery::audit {

absl::Status AuditModule::Init(const common::ServiceContext& ctx) {
  app_ = std::make_unique<AuditApp>(ctx);
  service_ = std::make_unique<AuditService>(*app_);
  return absl::OkStatus();
}

absl::Status AuditModule::OnEvent(common::Tx& tx, const recovery::v1::Event& event) { return app_->OnEvent(tx, event); }

}  // namespace recovery::audit
