// recovery-audit: records every event on the topic in a hash chain and serves recovery.v1.Audit.
#include "services/audit/module.h"
#include "services/common/runtime.h"

int main(int argc, char** argv) {
  recovery::audit::AuditModule module;
  return recovery::common::RunModule(module, argc, argv);
}
