// recovery-escalation: routing, on-call schedules, escalation policies and page delivery.
#include "services/common/runtime.h"
#include "services/escalation/app.h"

int main(int argc, char** argv) {
  return recovery::common::RunService("escalation", argc, argv, recovery::escalation::SetupEscalation);
}
