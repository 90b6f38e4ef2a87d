// Wiring of the escalation service onto the shared runtime: configuration (and its SIGHUP
// reload), tables, engine, event and timer handlers, gRPC service and the delivery worker.
#pragma once

#include "absl/status/status.h"
#include "services/common/runtime.h"

namespace recovery::escalation {

// The RunService setup function of recovery-escalation. Everything it creates is owned by
// lambdas registered on `rt`, so it lives exactly as long as the runtime's parts that call it;
// the delivery worker is stopped before the store closes.
absl::Status SetupEscalation(common::ServiceRuntime& rt);

}  // namespace recovery::escalation
