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

// A client context with a deadline.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(absl::Duration timeout = absl::Seconds(10));

}  // namespace recovery::common
