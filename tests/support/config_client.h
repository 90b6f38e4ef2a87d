// The Configuration API (recovery.v1.Configuration) over a test channel, with specs written as
// YAML text: what the per-service configuration-state tests call. Every call has a deadline.
// Not thread-safe: one test thread uses a client.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "recovery/v1/config.grpc.pb.h"
#include "services/common/config_state/yaml_value.h"
#include "tests/support/service_fixture.h"
#include "yaml-cpp/yaml.h"

namespace recovery::testing {

class ConfigClient {
 public:
  explicit ConfigClient(const std::shared_ptr<grpc::Channel>& channel)
      : stub_(recovery::v1::Configuration::NewStub(channel)) {}

  // `spec_yaml` as the resource's spec ("" for a name, which has none).
  static google::protobuf::Value Spec(const std::string& spec_yaml) {
    return spec_yaml.empty() ? google::protobuf::Value() : common::YamlToValue(YAML::Load(spec_yaml));
  }

  grpc::Status Create(const std::string& kind, const std::string& id, const std::string& spec_yaml,
                      recovery::v1::ChangeResult* out, int position = 0) {
    recovery::v1::CreateResourceRequest req;
    req.mutable_resource()->set_kind(kind);
    req.mutable_resource()->set_id(id);
    *req.mutable_resource()->mutable_spec() = Spec(spec_yaml);
    req.mutable_resource()->set_position(position);
    req.set_reason("test");
    auto ctx = Context();
    return stub_->CreateResource(ctx.get(), req, out);
  }
  // The whole spec, or only the keys in `mask` ("position" moves it to `position`).
  grpc::Status Update(const std::string& kind, const std::string& id, const std::string& spec_yaml,
                      recovery::v1::ChangeResult* out, const std::vector<std::string>& mask = {},
                      const std::string& etag = "", int position = 0) {
    recovery::v1::UpdateResourceRequest req;
    req.mutable_resource()->set_kind(kind);
    req.mutable_resource()->set_id(id);
    *req.mutable_resource()->mutable_spec() = Spec(spec_yaml);
    req.mutable_resource()->set_etag(etag);
    req.mutable_resource()->set_position(position);
    for (const std::string& path : mask) req.mutable_update_mask()->add_paths(path);
    req.set_reason("test");
    auto ctx = Context();
    return stub_->UpdateResource(ctx.get(), req, out);
  }
  // `etag` empty: whatever the current version is.
  grpc::Status Delete(const std::string& kind, const std::string& id, recovery::v1::ChangeResult* out,
                      const std::string& etag = "") {
    recovery::v1::DeleteResourceRequest req;
    req.set_kind(kind);
    req.set_id(id);
    req.set_etag(etag);
    req.set_reason("test");
    auto ctx = Context();
    return stub_->DeleteResource(ctx.get(), req, out);
  }
  grpc::Status Get(const std::string& kind, const std::string& id, recovery::v1::Resource* out) {
    recovery::v1::GetResourceRequest req;
    req.set_kind(kind);
    req.set_id(id);
    auto ctx = Context();
    return stub_->GetResource(ctx.get(), req, out);
  }
  grpc::Status List(const std::string& kind, recovery::v1::ListResourcesResponse* out) {
    recovery::v1::ListResourcesRequest req;
    req.set_kind(kind);
    auto ctx = Context();
    return stub_->ListResources(ctx.get(), req, out);
  }
  // Every version of one resource, newest first (one page of up to 1000).
  grpc::Status Versions(const std::string& kind, const std::string& id,
                        recovery::v1::ListResourceVersionsResponse* out) {
    recovery::v1::ListResourceVersionsRequest req;
    req.set_kind(kind);
    req.set_id(id);
    req.set_page_size(1000);
    auto ctx = Context();
    return stub_->ListResourceVersions(ctx.get(), req, out);
  }
  grpc::Status ListKinds(recovery::v1::ListKindsResponse* out) {
    auto ctx = Context();
    return stub_->ListKinds(ctx.get(), recovery::v1::ListKindsRequest(), out);
  }
  // The ids of one kind, in their order ({"<error>"} when the call fails).
  std::vector<std::string> Ids(const std::string& kind) {
    recovery::v1::ListResourcesResponse listed;
    const grpc::Status s = List(kind, &listed);
    if (!s.ok()) return {"<" + s.error_message() + ">"};
    std::vector<std::string> ids;
    for (const auto& r : listed.resources()) ids.push_back(r.id());
    return ids;
  }
  grpc::Status Export(recovery::v1::ExportConfigurationResponse* out) {
    auto ctx = Context();
    return stub_->ExportConfiguration(ctx.get(), recovery::v1::ExportConfigurationRequest(), out);
  }
  grpc::Status Apply(const std::string& yaml, recovery::v1::ApplyConfigurationResponse* out,
                     bool validate_only = false) {
    recovery::v1::ApplyConfigurationRequest req;
    req.set_yaml(yaml);
    req.set_reason("test");
    req.set_validate_only(validate_only);
    auto ctx = Context();
    return stub_->ApplyConfiguration(ctx.get(), req, out);
  }
  // The live configuration's YAML ("" when the export fails).
  std::string ExportedYaml() {
    recovery::v1::ExportConfigurationResponse out;
    return Export(&out).ok() ? out.yaml() : "";
  }

 private:
  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  std::unique_ptr<recovery::v1::Configuration::Stub> stub_;
};

// One mistake made both ways: `change` through the API, and `file` as a whole --config file.
struct ConfigErrorCase {
  std::string name;
  std::function<grpc::Status(ConfigClient&)> change;
  std::string file;
};

// For each case: the API call is INVALID_ARGUMENT, a fresh Module built from the file fails
// with "--config: " and the very same message, and the live configuration stays as it was.
template <typename Module>
void ExpectTheApiAndTheFileRefuseAlike(ConfigClient& admin, const std::vector<ConfigErrorCase>& cases) {
  const std::string before = admin.ExportedYaml();
  for (const ConfigErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    const grpc::Status api = c.change(admin);
    EXPECT_EQ(api.error_code(), grpc::INVALID_ARGUMENT) << api.error_message();
    Module fresh;
    const absl::Status file = BuildWithConfig(fresh, c.file);
    EXPECT_EQ(file.code(), absl::StatusCode::kInvalidArgument) << file;
    EXPECT_EQ(std::string(file.message()), "--config: " + api.error_message());
  }
  EXPECT_EQ(admin.ExportedYaml(), before);
}

}  // namespace recovery::testing
