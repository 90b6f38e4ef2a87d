// The one place where absl::Status becomes a gRPC status, plus small gRPC helpers.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace recovery::common {

// Codes map one to one (absl and gRPC share the canonical code space); the message,
// which names the field, is kept. Chosen by what the caller should do: INVALID_ARGUMENT
// fix the request, FAILED_PRECONDITION fix state first, UNAVAILABLE retry, ABORTED retry
// the sequence.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// An insecure channel to a loopback or in-cluster peer. One per peer, reused.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

// How a client reaches a service: a bearer token sent as `authorization` metadata on every
// call (over TLS or, on loopback, plaintext), and TLS when a CA bundle is given.
struct ChannelCredentialsSpec {
  std::string bearer_token;     // empty: no credential (the server answers UNAUTHENTICATED)
  std::string ca_pem;           // PEM roots; empty: plaintext
  std::string client_cert_pem;  // mTLS: the client's certificate chain and key
  std::string client_key_pem;
  std::string server_name;  // TLS name to expect instead of the address's host
};
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const ChannelCredentialsSpec& spec);

// A client context with a deadline.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(absl::Duration timeout = absl::Seconds(10));

}  // namespace recovery::common
