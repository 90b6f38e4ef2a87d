// Dev broker child process.
#include "tests/support/dev_broker.h"

namespace recovery::testing {

DevBroker::DevBroker(const std::string& topic, int partitions)
    : process_(
          BinaryPath("tools/dev_broker/recovery-dev-broker"),
          {"--topic", topic, "--partitions", std::to_string(partitions), "--bootstrap-file", dir_.File("bootstrap")},
          dir_.File("broker.log")) {
  bootstrap_ = WaitForFile(dir_.File("bootstrap"));
}

}  // namespace recovery::testing
