// A generic gRPC client: calls any method of any recovery.v1 service by name with a JSON
// request, using the generated descriptor pool and grpc::GenericStub.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace recovery::srctl {

// Where each service listens. Thread-compatible.
class Stack {
 public:
  // Reads <dir>/<service>.addr files written by tools/stack.sh (missing files are fine).
  void LoadDir(const std::string& dir);
  void Set(const std::string& service, const std::string& address) { addresses_[service] = address; }
  absl::StatusOr<std::string> AddressOf(const std::string& service) const;
  const std::map<std::string, std::string>& all() const { return addresses_; }

 private:
  std::map<std::string, std::string> addresses_;
};

// The service folder name ("intake") for a proto service name ("recovery.v1.Intake").
std::string ServiceKey(const std::string& proto_service);

// Calls full_method ("recovery.v1.Intake.OpenCase" or "Intake.OpenCase") on `channel` with a
// JSON request, in `context` (its deadline and metadata: Session::NewContext). Returns the
// response message (owned). gRPC errors come back as absl::Status with the same code and
// message.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> CallJson(const std::shared_ptr<grpc::Channel>& channel,
                                                                    grpc::ClientContext& context,
                                                                    const std::string& full_method,
                                                                    const std::string& json_request);

std::string ToJson(const google::protobuf::Message& m, bool pretty);

}  // namespace recovery::srctl
