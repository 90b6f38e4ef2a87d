// recovery.v1.Configuration: admit, call the configuration state, translate (config_service.h).
#include "services/common/config_state/config_service.h"

#include "services/common/auth/access_control.h"
#include "services/common/config_state/config_state.h"
#include "services/common/grpc_util.h"

namespace recovery::common {

namespace v1 = recovery::v1;

namespace {

template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ConfigurationService::ListKinds(grpc::ServerContext* ctx, const v1::ListKindsRequest*,
                                             v1::ListKindsResponse* out) {
  RETURN_IF_REFUSED(ctx);
  *out = state_.ListKinds();
  return grpc::Status::OK;
}

grpc::Status ConfigurationService::GetResource(grpc::ServerContext* ctx, const v1::GetResourceRequest* in,
                                               v1::Resource* out) {
  RETURN_IF_REFUSED(ctx);
  return Answer(state_.Get(in->kind(), in->id()), out);
}

grpc::Status ConfigurationService::ListResources(grpc::ServerContext* ctx, const v1::ListResourcesRequest* in,
                                                 v1::ListResourcesResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Answer(state_.List(*in), out);
}

grpc::Status ConfigurationService::CreateResource(grpc::ServerContext* ctx, const v1::CreateResourceRequest* in,
                                                  v1::ChangeResult* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Answer(state_.Create(caller, *in), out);
}

grpc::Status ConfigurationService::UpdateResource(grpc::ServerContext* ctx, const v1::UpdateResourceRequest* in,
                                                  v1::ChangeResult* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Answer(state_.Update(caller, *in), out);
}

grpc::Status ConfigurationService::DeleteResource(grpc::ServerContext* ctx, const v1::DeleteResourceRequest* in,
                                                  v1::ChangeResult* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Answer(state_.Delete(caller, *in), out);
}

grpc::Status ConfigurationService::ListResourceVersions(grpc::ServerContext* ctx,
                                                        const v1::ListResourceVersionsRequest* in,
                                                        v1::ListResourceVersionsResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Answer(state_.Versions(*in), out);
}

grpc::Status ConfigurationService::ExportConfiguration(grpc::ServerContext* ctx, const v1::ExportConfigurationRequest*,
                                                       v1::ExportConfigurationResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Answer(state_.Export(), out);
}

grpc::Status ConfigurationService::ApplyConfiguration(grpc::ServerContext* ctx, const v1::ApplyConfigurationRequest* in,
                                                      v1::ApplyConfigurationResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Answer(state_.Apply(caller, *in), out);
}

}  // namespace recovery::common
