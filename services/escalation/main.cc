// recovery-escalation: routing, on-call schedules, escalation policies and page delivery.
#include "services/common/runtime.h"
#include "services/escalation/module.h"

int main(int argc, char** argv) {
  recovery::escalation::EscalationModule module;
  return recovery::common::RunModule(module, argc, argv);
}
