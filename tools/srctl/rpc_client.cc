// Generic gRPC calls by method name.
#include "tools/srctl/rpc_client.h"

#include <filesystem>
#include <fstream>
#include <future>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "services/common/grpc_util.h"

namespace recovery::srctl {

void Stack::LoadDir(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".addr") continue;
    std::ifstream in(entry.path());
    std::string addr;
    if (std::getline(in, addr) && !addr.empty()) addresses_[entry.path().stem().string()] = addr;
  }
}

absl::StatusOr<std::string> Stack::AddressOf(const std::string& service) const {
  auto it = addresses_.find(service);
  if (it == addresses_.end())
    return absl::FailedPreconditionError(
        absl::StrCat("no address for service '", service, "': start the stack (tools/stack.sh) or pass --", service));
  return it->second;
}

std::string ServiceKey(const std::string& proto_service) {
  std::string name = proto_service;
  if (auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string ToJson(const google::protobuf::Message& m, bool pretty) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = pretty;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> CallJson(const std::shared_ptr<grpc::Channel>& channel,
                                                                    grpc::ClientContext& context,
                                                                    const std::string& full_method,
                                                                    const std::string& json_request) {
  std::string name = full_method;
  if (!absl::StartsWith(name, "recovery.v1.")) name = "recovery.v1." + name;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* method = pool->FindMethodByName(name);
  if (!method) return absl::NotFoundError(absl::StrCat("method: no such RPC '", name, "'"));
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> request(factory->GetPrototype(method->input_type())->New());
  google::protobuf::util::JsonParseOptions parse_opts;
  auto parsed = google::protobuf::util::JsonStringToMessage(json_request.empty() ? "{}" : json_request, request.get(),
                                                            parse_opts);
  if (!parsed.ok())
    return absl::InvalidArgumentError(absl::StrCat("request JSON for ", name, ": ", parsed.message().as_string()));
  std::string bytes;
  request->SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer req_buf(&slice, 1);
  grpc::ByteBuffer resp_buf;

  grpc::GenericStub stub(channel);
  std::promise<grpc::Status> done;
  const std::string path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  stub.UnaryCall(&context, path, grpc::StubOptions(), &req_buf, &resp_buf,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return common::FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  if (!resp_buf.Dump(&slices).ok()) return absl::InternalError("response: cannot read bytes");
  std::string resp_bytes;
  for (const auto& s : slices) resp_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<google::protobuf::Message> response(factory->GetPrototype(method->output_type())->New());
  if (!response->ParseFromString(resp_bytes)) return absl::InternalError("response: not a valid message");
  return response;
}

}  // namespace recovery::srctl
