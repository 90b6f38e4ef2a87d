// One run of srctl: the global flags, where each service listens, the credentials every call
// carries (a bearer token; TLS when a CA bundle is given), typed gRPC calls, and the only way
// output reaches the terminal (JSON with --json, human text otherwise, both escaped:
// printer.h). Single-threaded, like the command line it serves.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "services/common/clock.h"
#include "services/common/grpc_util.h"
#include "tools/srctl/credentials.h"
#include "tools/srctl/http_client.h"
#include "tools/srctl/rpc_client.h"

namespace recovery::srctl {

// The flags before the command.
struct GlobalOptions {
  std::string stack_dir;                         // --stack / RECOVERY_STACK_DIR: <service>.addr files
  std::map<std::string, std::string> addresses;  // --intake host:port ... (override the stack)
  bool json = false;                             // --json
  std::string token;                             // --token
  std::string token_environment;                 // RECOVERY_TOKEN (the flag wins)
  std::string token_cache;                       // RECOVERY_TOKEN_CACHE, else the XDG cache path
  TlsSettings tls;                               // --tls-* / RECOVERY_TLS_*
  std::string removed_as;                        // --as: refused (the token names the actor)
};

// Why --as is refused, for one release after it went.
inline constexpr char kRemovedAsMessage[] =
    "--as is gone: the actor is whoever the token names; use srctl login --user ... or --token";

// A unary RPC of a generated stub, e.g. &recovery::v1::Intake::Stub::OpenCase.
template <typename Api, typename Request, typename Response>
using UnaryRpc = grpc::Status (Api::Stub::*)(grpc::ClientContext*, const Request&, Response*);

// Prints a response of type Response for people.
template <typename Response>
using HumanPrinter = std::function<void(const Response&, std::ostream&)>;

class Session {
 public:
  static constexpr absl::Duration kCallTimeout = absl::Seconds(15);

  // `options` is filled by the command-line parser before any command runs; it outlives this.
  explicit Session(const GlobalOptions* options) : options_(options) {}

  bool json() const { return options_->json; }

  // INVALID_ARGUMENT for a global flag that is given but no longer works (--as). Run before
  // every command.
  absl::Status CheckOptions() const;

  // The TLS settings of the run: the flags, with the stack's tls/ca.pem as the CA by default.
  TlsSettings Tls() const;
  // For requests to the identity provider: the same CA bundle.
  HttpOptions Http() const { return HttpOptions{.ca_file = Tls().ca_file}; }
  const std::string& token_cache() const { return options_->token_cache; }
  const std::string& stack_dir() const { return options_->stack_dir; }
  const common::Clock& clock() const { return common::SystemClock::Instance(); }
  // The bearer token every call carries, resolved once per run (credentials.h: ResolveToken).
  absl::StatusOr<BearerToken> Token();

  // The addresses of the stack directory, overridden by the --<service> flags.
  Stack LoadStack() const;
  absl::StatusOr<std::string> AddressOf(const std::string& service) const { return LoadStack().AddressOf(service); }
  // One channel per address, reused by every call of the run: TLS when Tls() is enabled.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(const std::string& address);
  // A context with the deadline and the `authorization: Bearer <token>` metadata (none without
  // a token). Every call of srctl gets its context here.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewContext(absl::Duration timeout = kCallTimeout);

  // Calls rpc at `address`; gRPC errors come back with their code and message.
  template <typename Api, typename Request, typename Response>
  absl::StatusOr<Response> CallAt(const std::string& address, UnaryRpc<Api, Request, Response> rpc,
                                  const Request& request) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ChannelTo(address);
    if (!channel.ok()) return channel.status();
    absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewContext();
    if (!context.ok()) return context.status();
    auto stub = Api::NewStub(*channel);
    Response response;
    const grpc::Status status = ((*stub).*rpc)(context->get(), request, &response);
    if (!status.ok()) return common::FromGrpcStatus(status);
    return response;
  }

  // Calls rpc on the service that serves Api (recovery.v1.ActionPlan -> action_plan).
  template <typename Api, typename Request, typename Response>
  absl::StatusOr<Response> Call(UnaryRpc<Api, Request, Response> rpc, const Request& request) {
    absl::StatusOr<std::string> address = AddressOf(ServiceKey(Api::service_full_name()));
    if (!address.ok()) return address.status();
    return CallAt<Api>(*address, rpc, request);
  }

  // Prints a response: one JSON line with --json, else `human` (Pretty when null). Passes an
  // error through without printing, for the caller to return.
  template <typename Response>
  absl::Status Show(const absl::StatusOr<Response>& response,
                    const std::type_identity_t<HumanPrinter<Response>>& human = nullptr) const {
    if (!response.ok()) return response.status();
    if (human) {
      Print(*response, [&](std::ostream& out) { human(*response, out); });
    } else {
      Print(*response, nullptr);
    }
    return absl::OkStatus();
  }
  // With --json the message's JSON line, else what `human` writes (Pretty when null).
  void Print(const google::protobuf::Message& m, const std::function<void(std::ostream&)>& human) const;
  // Human text, escaped for the terminal (line breaks and tabs kept).
  void PrintText(const std::string& text) const;
  // A JSON line from a service (not a message of ours), escaped.
  void PrintJsonText(const std::string& json) const;

  // The end of a command: an error prints "error: CODE: message" and exits 1; otherwise the
  // exit code set by the command (0 unless it set another, e.g. 3 for a broken audit chain).
  // UNAUTHENTICATED from a service adds a hint: how to get a token.
  void Finish(const absl::Status& status);
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

 private:
  const GlobalOptions* options_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::optional<BearerToken> token_;
  int exit_code_ = 0;
};

}  // namespace recovery::srctl
