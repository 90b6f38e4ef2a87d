// Starts the dev broker (tools/dev_broker) as a child process for a test.
#pragma once

#include <string>

#include "tests/support/process.h"

namespace recovery::testing {

class DevBroker {
 public:
  // Starts the broker with the topic (4 partitions) and waits for its bootstrap address.
  explicit DevBroker(const std::string& topic = "recovery.case-events", int partitions = 4);
  const std::string& bootstrap() const { return bootstrap_; }
  Process& process() { return process_; }

 private:
  TempDir dir_;
  Process process_;
  std::string bootstrap_;
};

}  // namespace recovery::testing
