// Addresses, credentials, channels and output of one srctl run.
#include "tools/srctl/session.h"

#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {

Stack Session::LoadStack() const {
  Stack stack;
  stack.LoadDir(options_->stack_dir);
  for (const auto& [service, address] : options_->addresses)
    if (!address.empty()) stack.Set(service, address);
  return stack;
}

absl::Status Session::CheckOptions() const {
  if (!options_->removed_as.empty()) return absl::InvalidArgumentError(kRemovedAsMessage);
  return absl::OkStatus();
}

TlsSettings Session::Tls() const {
  TlsSettings tls = options_->tls;
  if (tls.ca_file.empty()) tls.ca_file = StackCaFile(options_->stack_dir);
  return tls;
}

absl::StatusOr<BearerToken> Session::Token() {
  if (token_) return *token_;
  std::ostringstream warnings;
  absl::StatusOr<BearerToken> token = ResolveToken(
      TokenSources{options_->token, options_->token_environment, options_->token_cache, Http()}, clock(), warnings);
  // A refresh error may quote the identity provider: escaped like any text from outside.
  std::cerr << EscapeForTerminal(warnings.str(), TextLayout::kMultiLine);
  if (!token.ok()) return token.status();
  token_ = *token;
  return *token_;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Session::ChannelTo(const std::string& address) {
  auto& channel = channels_[address];
  if (channel) return channel;
  const TlsSettings tls = Tls();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = ChannelCredentialsFor(tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  if (tls.enabled() && !tls.server_name.empty()) args.SetSslTargetNameOverride(tls.server_name);
  channel = grpc::CreateCustomChannel(address, *credentials, args);
  return channel;
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Session::NewContext(absl::Duration timeout) {
  absl::StatusOr<BearerToken> token = Token();
  if (!token.ok()) return token.status();
  auto context = common::ContextWithDeadline(timeout);
  if (!token->value.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token->value));
  return context;
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
  // Only after a call to a service: login's own errors need no hint to log in.
  if (absl::IsUnauthenticated(status) && token_) {
    if (token_->value.empty()) {
      std::cerr << "hint: no credential was sent: run srctl login or pass --token (RECOVERY_TOKEN)\n";
    } else {
      std::cerr << "hint: the token was refused (expired, revoked or for another issuer): run srctl login or pass "
                   "--token\n";
    }
  }
  exit_code_ = 1;
}

}  // namespace recovery::srctl
