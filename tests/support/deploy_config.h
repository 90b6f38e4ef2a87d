// A service's configuration as deploy/ ships it, as one --config document: its file
// (deploy/config/<service>.yaml, what only a file may set) followed by its resources
// (deploy/resources/<service>.yaml, which the local stack applies with srctl), with the
// placeholders tools/stack.sh fills in replaced. "" when deploy/ has neither.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_replace.h"

namespace recovery::testing {

inline std::string DeployConfig(const std::string& service) {
  std::string text;
  for (const char* dir : {"/deploy/config/", "/deploy/resources/"}) {
    std::ifstream in(std::string(RECOVERY_SOURCE_DIR) + dir + service + ".yaml");
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    text += ss.str();
    text += "\n";
  }
  return absl::StrReplaceAll(text, {{"${WEBHOOK_URL}", "http://127.0.0.1:9"},
                                    {"${SOURCE_DIR}", RECOVERY_SOURCE_DIR},
                                    {"${CONFIG_DIR}", std::string(RECOVERY_SOURCE_DIR) + "/deploy/config"}});
}

}  // namespace recovery::testing
