// recovery-intake: cases, repeat-report dedup and weak signals (see README.md).
#include "services/common/runtime.h"
#include "services/intake/module.h"

int main(int argc, char** argv) {
  recovery::intake::IntakeModule module;
  return recovery::common::RunModule(module, argc, argv);
}
