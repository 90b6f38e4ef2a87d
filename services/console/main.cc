// recovery-console: the web console (UI, JSON API for the browser, live updates, sign-in).
#include "services/common/runtime.h"
#include "services/console/module.h"

int main(int argc, char** argv) {
  recovery::console::ConsoleModule module;
  return recovery::common::RunModule(module, argc, argv);
}
