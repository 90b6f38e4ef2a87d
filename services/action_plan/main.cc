// recovery-action-plan: owned recovery plans, commitments, client summaries and wording
// review (see README.md).
#include "services/action_plan/module.h"
#include "services/common/runtime.h"

int main(int argc, char** argv) {
  recovery::action_plan::ActionPlanModule module;
  return recovery::common::RunModule(module, argc, argv);
}
