// recovery-follow-up: durable SLA timers, reminders, satisfaction checks, reviews and trends.
#include "services/common/runtime.h"
#include "services/follow_up/module.h"

int main(int argc, char** argv) {
  recovery::follow_up::FollowUpModule module;
  return recovery::common::RunModule(module, argc, argv);
}
