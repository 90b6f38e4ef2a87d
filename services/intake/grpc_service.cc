// Intake gRPC handlers: the caller, validation, the app call and the status translation only.
#include "services/intake/grpc_service.h"

#include "services/common/auth/access_control.h"
#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/intake/validation.h"

namespace recovery::intake {
namespace {
namespace v1 = recovery::v1;
using recovery::common::ToGrpcStatus;
}  // namespace

template <typename Request, typename Response>
grpc::Status IntakeService::Write(const char* rpc, const absl::Status& valid, const recovery::common::Caller& caller,
                                  const Request& req, Response* out,
                                  absl::Status (IntakeApp::*method)(Tx&, const Request&, const Cause&, Response*)) {
  if (!valid.ok()) return ToGrpcStatus(valid);
  const Cause cause = Cause::At(caller.Actor(), req.request_id(), clock_.Now(), caller.principal.PersonId());
  return ToGrpcStatus(recovery::common::RunIdempotent(store_, rpc, req.request_id(), req, out,
                                                      absl::ToUnixMicros(cause.now), [&](Tx& tx) -> absl::Status {
                                                        out->Clear();
                                                        return (app_.*method)(tx, req, cause, out);
                                                      }));
}

template <typename Request, typename Response>
grpc::Status IntakeService::Read(const absl::Status& valid, const Request& req, Response* out,
                                 absl::Status (IntakeApp::*method)(Tx&, const Request&, Response*)) {
  if (!valid.ok()) return ToGrpcStatus(valid);
  return ToGrpcStatus(recovery::common::InTransaction(store_, [&](Tx& tx) { return (app_.*method)(tx, req, out); }));
}

grpc::Status IntakeService::OpenCase(grpc::ServerContext* ctx, const v1::OpenCaseRequest* req,
                                     v1::OpenCaseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("OpenCase", ValidateOpenCase(*req, *app_.config()), caller, *req, out, &IntakeApp::OpenCase);
}

grpc::Status IntakeService::GetCase(grpc::ServerContext* ctx, const v1::GetCaseRequest* req, v1::GetCaseResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Read(ValidateGetCase(*req), *req, out, &IntakeApp::GetCase);
}

grpc::Status IntakeService::ListCases(grpc::ServerContext* ctx, const v1::ListCasesRequest* req,
                                      v1::ListCasesResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Read(ValidateListCases(*req), *req, out, &IntakeApp::ListCases);
}

grpc::Status IntakeService::UpdateCase(grpc::ServerContext* ctx, const v1::UpdateCaseRequest* req,
                                       v1::UpdateCaseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("UpdateCase", ValidateUpdateCase(*req, *app_.config()), caller, *req, out, &IntakeApp::UpdateCase);
}

grpc::Status IntakeService::RecordContact(grpc::ServerContext* ctx, const v1::RecordContactRequest* req,
                                          v1::RecordContactResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("RecordContact", ValidateRecordContact(*req), caller, *req, out, &IntakeApp::RecordContact);
}

grpc::Status IntakeService::AddNote(grpc::ServerContext* ctx, const v1::AddNoteRequest* req, v1::AddNoteResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("AddNote", ValidateAddNote(*req), caller, *req, out, &IntakeApp::AddNote);
}

grpc::Status IntakeService::AcknowledgeCase(grpc::ServerContext* ctx, const v1::AcknowledgeCaseRequest* req,
                                            v1::AcknowledgeCaseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  // acknowledged_by is the caller's person id: an integration or a service talks to no client.
  if (!caller.principal.IsPerson())
    return ToGrpcStatus(absl::PermissionDeniedError("AcknowledgeCase: only a person can acknowledge a case"));
  return Write("AcknowledgeCase", ValidateAcknowledgeCase(*req), caller, *req, out, &IntakeApp::AcknowledgeCase);
}

grpc::Status IntakeService::AssignOwner(grpc::ServerContext* ctx, const v1::AssignOwnerRequest* req,
                                        v1::AssignOwnerResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("AssignOwner", ValidateAssignOwner(*req), caller, *req, out, &IntakeApp::AssignOwner);
}

grpc::Status IntakeService::ResolveCase(grpc::ServerContext* ctx, const v1::ResolveCaseRequest* req,
                                        v1::ResolveCaseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("ResolveCase", ValidateResolveCase(*req), caller, *req, out, &IntakeApp::ResolveCase);
}

grpc::Status IntakeService::CloseCase(grpc::ServerContext* ctx, const v1::CloseCaseRequest* req,
                                      v1::CloseCaseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("CloseCase", ValidateCloseCase(*req), caller, *req, out, &IntakeApp::CloseCase);
}

grpc::Status IntakeService::ReopenCase(grpc::ServerContext* ctx, const v1::ReopenCaseRequest* req,
                                       v1::ReopenCaseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("ReopenCase", ValidateReopenCase(*req), caller, *req, out, &IntakeApp::ReopenCase);
}

grpc::Status IntakeService::RecordSignal(grpc::ServerContext* ctx, const v1::RecordSignalRequest* req,
                                         v1::RecordSignalResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Write("RecordSignal", ValidateRecordSignal(*req), caller, *req, out, &IntakeApp::RecordSignal);
}

}  // namespace recovery::intake
