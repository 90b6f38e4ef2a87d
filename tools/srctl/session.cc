// Addresses, channels and output of one srctl run.
#include "tools/srctl/session.h"

#include <iostream>
#include <sstream>

#include "tools/srctl/printer.h"

namespace recovery::srctl {

Stack Session::LoadStack() const {
  Stack stack;
  stack.LoadDir(options_->stack_dir);
  for (const auto& [service, address] : options_->addresses)
    if (!address.empty()) stack.Set(service, address);
  return stack;
}

std::shared_ptr<grpc::Channel> Session::ChannelTo(const std::string& address) {
  auto& channel = channels_[address];
  if (!channel) channel = common::MakeChannel(address);
  return channel;
}

void Session::Print(const google::protobuf::Message& m, const std::function<void(std::ostream&)>& human) const {
  if (json()) {
    std::cout << JsonLine(m) << "\n";
    return;
  }
  if (!human) {
    PrintText(Pretty(m));
    return;
  }
  std::ostringstream out;
  human(out);
  PrintText(out.str());
}

void Session::PrintText(const std::string& text) const {
  // The printers escape what they render; this catches what a command wrote itself.
  std::cout << EscapeForTerminal(text, TextLayout::kMultiLine);
}

void Session::PrintJsonText(const std::string& json) const { std::cout << EscapeJsonForTerminal(json) << "\n"; }

void Session::Finish(const absl::Status& status) {
  if (status.ok()) return;
  std::string code = absl::StatusCodeToString(status.code());
  if (code.empty()) code = "UNKNOWN";
  // A service's message may quote what it was given, so it is escaped like stored text.
  std::cerr << "error: " << code << ": " << EscapeForTerminal(status.message(), TextLayout::kMultiLine) << "\n";
  exit_code_ = 1;
}

}  // namespace recovery::srctl
