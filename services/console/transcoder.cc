// The generic JSON <-> gRPC transcoding of the console's API (transcoder.h).
#include "services/console/transcoder.h"

#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/audit.pb.h"
#include "recovery/v1/config.pb.h"
#include "recovery/v1/escalation.pb.h"
#include "recovery/v1/follow_up.pb.h"
#include "recovery/v1/intake.pb.h"

namespace recovery::console {
namespace {

namespace pb = google::protobuf;

// The files whose services the console offers (naming one message of each links it in and
// registers its descriptors, which a static link would otherwise drop).
const std::set<const pb::FileDescriptor*>& OfferedFiles() {
  static const auto* files = new std::set<const pb::FileDescriptor*>{
      recovery::v1::OpenCaseRequest::descriptor()->file(),
      recovery::v1::AcknowledgePageRequest::descriptor()->file(),
      recovery::v1::GetPlanRequest::descriptor()->file(),
      recovery::v1::ListRemindersRequest::descriptor()->file(),
      recovery::v1::GetTimelineRequest::descriptor()->file(),
      recovery::v1::ListKindsRequest::descriptor()->file(),
  };
  return *files;
}

// The unary method "package.Service/Method" of an offered file, or null.
const pb::MethodDescriptor* FindMethod(const std::string& path) {
  const std::vector<std::string> parts = absl::StrSplit(path, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) return nullptr;
  const pb::ServiceDescriptor* service = pb::DescriptorPool::generated_pool()->FindServiceByName(parts[0]);
  if (service == nullptr || OfferedFiles().count(service->file()) == 0) return nullptr;
  return service->FindMethodByName(parts[1]);
}

// A leading "key.path: " of a service's message (the project's field-named errors), or "".
std::string FieldOf(const std::string& message) {
  const size_t colon = message.find(": ");
  if (colon == std::string::npos || colon == 0) return "";
  const std::string head = message.substr(0, colon);
  for (char c : head) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '[' || c == ']' ||
          c == '-'))
      return "";
  }
  return head;
}

HttpReply Fail(grpc::StatusCode code, const std::string& message) { return Transcoder::Error({code, message}); }

}  // namespace

Transcoder::Transcoder(std::map<std::string, std::shared_ptr<grpc::Channel>> backends, absl::Duration deadline)
    : backends_(std::move(backends)), deadline_(deadline) {}

std::string Transcoder::CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "canceled";
    case grpc::StatusCode::UNKNOWN:
      return "unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

int Transcoder::HttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

HttpReply Transcoder::Error(const grpc::Status& status) {
  pb::Struct body;
  auto& fields = *body.mutable_fields();
  fields["code"].set_string_value(CodeName(status.error_code()));
  fields["message"].set_string_value(status.error_message());
  const std::string field = FieldOf(status.error_message());
  if (!field.empty()) fields["field"].set_string_value(field);
  HttpReply reply;
  reply.status = HttpStatus(status.error_code());
  if (!pb::util::MessageToJsonString(body, &reply.body).ok()) reply.body = R"({"code":"internal"})";
  return reply;
}

HttpReply Transcoder::Call(const std::string& backend, const std::string& method, const std::string& json,
                           const std::string& authorization) const {
  auto channel = backends_.find(backend);
  if (channel == backends_.end())
    return Fail(grpc::StatusCode::NOT_FOUND, absl::StrCat("backend: no service '", backend, "'"));
  const pb::MethodDescriptor* m = FindMethod(method);
  if (m == nullptr) return Fail(grpc::StatusCode::NOT_FOUND, absl::StrCat("method: no RPC '", method, "'"));
  if (m->client_streaming() || m->server_streaming())
    return Fail(grpc::StatusCode::UNIMPLEMENTED, absl::StrCat("method: '", method, "' streams; only unary RPCs"));
  if (authorization.empty()) return Fail(grpc::StatusCode::UNAUTHENTICATED, "sign in first");

  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(m->input_type());
  const pb::Message* response_prototype = pb::MessageFactory::generated_factory()->GetPrototype(m->output_type());
  if (prototype == nullptr || response_prototype == nullptr)
    return Fail(grpc::StatusCode::INTERNAL, absl::StrCat("method: no message types for '", method, "'"));
  std::unique_ptr<pb::Message> request(prototype->New());
  if (!json.empty()) {
    const auto parsed = pb::util::JsonStringToMessage(json, request.get());
    if (!parsed.ok())
      return Fail(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("body: ", std::string(parsed.message())));
  }
  std::string bytes;
  if (!request->SerializeToString(&bytes)) return Fail(grpc::StatusCode::INTERNAL, "body: cannot serialise");
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  context.AddMetadata("authorization", authorization);
  grpc::GenericStub stub(channel->second);
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, absl::StrCat("/", m->service()->full_name(), "/", m->name()), grpc::StubOptions(),
                 &request_buffer, &response_buffer, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return Error(status);

  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) return Fail(grpc::StatusCode::INTERNAL, "the service's reply is unreadable");
  std::string reply_bytes;
  for (const grpc::Slice& s : slices) reply_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<pb::Message> response(response_prototype->New());
  if (!response->ParseFromString(reply_bytes))
    return Fail(grpc::StatusCode::INTERNAL, "the service's reply does not parse");
  HttpReply reply;
  if (!pb::util::MessageToJsonString(*response, &reply.body).ok())
    return Fail(grpc::StatusCode::INTERNAL, "the service's reply has no JSON form");
  return reply;
}

}  // namespace recovery::console
