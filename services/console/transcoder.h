// The console's JSON API for the browser, the Connect protocol's unary JSON form: POST
// <base>/<package.Service>/<Method> with the request message as JSON (protobuf's JSON mapping),
// answered with the response message as JSON. One generic path for every unary RPC of the five
// services: the request and response types come from the services' descriptors, the call goes
// to the backend as gRPC bytes (grpc::GenericStub), and the browser's credential goes with it,
// so the services authenticate and authorise the person, never the console.
//
// Errors are one JSON shape whatever failed (the body, the backend, the person's rights):
//   {"code": "invalid_argument", "message": "client.id: required", "field": "client.id"}
// with the HTTP status Connect gives the code (400, 401, 403, 404, 409, 429, 500, 501, 503,
// 504). `field` is the key path a service's message starts with, when it starts with one.
//
// Thread-safety: Call may run on many threads at once (channels and descriptors are shared,
// each call has its own context).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace recovery::console {

struct HttpReply {
  int status = 200;
  std::string body;  // JSON
};

class Transcoder {
 public:
  // `backends`: a name the path carries ("intake", "escalation", "action-plan", "follow-up",
  // "audit") -> the channel to that service. `deadline`: each backend call's.
  explicit Transcoder(std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
                      absl::Duration deadline = absl::Seconds(10));

  // `backend` and `method` ("recovery.v1.Intake/GetCase") as the path names them; `json` the
  // request body ("" reads as {}); `authorization` the header to pass on ("Bearer <token>"):
  // without one the answer is 401 and no service is called.
  HttpReply Call(const std::string& backend, const std::string& method, const std::string& json,
                 const std::string& authorization) const;

  // The error reply for a status: the one JSON shape above.
  static HttpReply Error(const grpc::Status& status);
  // Connect's name of a code ("invalid_argument") and its HTTP status.
  static std::string CodeName(grpc::StatusCode code);
  static int HttpStatus(grpc::StatusCode code);

 private:
  std::map<std::string, std::shared_ptr<grpc::Channel>> backends_;
  absl::Duration deadline_;
};

}  // namespace recovery::console
