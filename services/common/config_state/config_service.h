// recovery.v1.Configuration on every service's port (config.proto): authenticate and
// authorise (the policy's config.read / config.write, then the kind's permission and the
// module's scope inside ConfigState), then the configuration state; nothing else.
#pragma once

#include "recovery/v1/config.grpc.pb.h"

namespace recovery::common {

class ConfigState;

class ConfigurationService final : public recovery::v1::Configuration::Service {
 public:
  explicit ConfigurationService(ConfigState& state) : state_(state) {}

  grpc::Status ListKinds(grpc::ServerContext*, const recovery::v1::ListKindsRequest*,
                         recovery::v1::ListKindsResponse*) override;
  grpc::Status GetResource(grpc::ServerContext*, const recovery::v1::GetResourceRequest*,
                           recovery::v1::Resource*) override;
  grpc::Status ListResources(grpc::ServerContext*, const recovery::v1::ListResourcesRequest*,
                             recovery::v1::ListResourcesResponse*) override;
  grpc::Status CreateResource(grpc::ServerContext*, const recovery::v1::CreateResourceRequest*,
                              recovery::v1::ChangeResult*) override;
  grpc::Status UpdateResource(grpc::ServerContext*, const recovery::v1::UpdateResourceRequest*,
                              recovery::v1::ChangeResult*) override;
  grpc::Status DeleteResource(grpc::ServerContext*, const recovery::v1::DeleteResourceRequest*,
                              recovery::v1::ChangeResult*) override;
  grpc::Status ListResourceVersions(grpc::ServerContext*, const recovery::v1::ListResourceVersionsRequest*,
                                    recovery::v1::ListResourceVersionsResponse*) override;
  grpc::Status ExportConfiguration(grpc::ServerContext*, const recovery::v1::ExportConfigurationRequest*,
                                   recovery::v1::ExportConfigurationResponse*) override;
  grpc::Status ApplyConfiguration(grpc::ServerContext*, const recovery::v1::ApplyConfigurationRequest*,
                                  recovery::v1::ApplyConfigurationResponse*) override;

 private:
  ConfigState& state_;
};

}  // namespace recovery::common
