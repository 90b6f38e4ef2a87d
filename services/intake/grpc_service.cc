// Intake gRPC handlers: validation, the app call and the status translation only.
#include "services/intake/grpc_service.h"

#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/intake/validation.h"

namespace recovery::intake {
namespace {
namespace v1 = recovery::v1;
using recovery::common::ToGrpcStatus;
}  // namespace

template <typename Request, typename Response>
grpc::Status IntakeService::Write(const char* rpc, const absl::Status& valid, const std::string& actor,
                                  const Request& req, Response* out,
                                  absl::Status (IntakeApp::*method)(Tx&, const Request&, const Cause&, Response*)) {
  if (!valid.ok()) return ToGrpcStatus(valid);
  const Cause cause = Cause::At(actor, req.request_id(), clock_.Now());
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

grpc::Status IntakeService::OpenCase(grpc::ServerContext*, const v1::OpenCaseRequest* req, v1::OpenCaseResponse* out) {
  return Write("OpenCase", ValidateOpenCase(*req, *app_.config()), req->opened_by(), *req, out, &IntakeApp::OpenCase);
}

grpc::Status IntakeService::GetCase(grpc::ServerContext*, const v1::GetCaseRequest* req, v1::GetCaseResponse* out) {
  return Read(ValidateGetCase(*req), *req, out, &IntakeApp::GetCase);
}

grpc::Status IntakeService::ListCases(grpc::ServerContext*, const v1::ListCasesRequest* req,
                                      v1::ListCasesResponse* out) {
  return Read(ValidateListCases(*req), *req, out, &IntakeApp::ListCases);
}

grpc::Status IntakeService::UpdateCase(grpc::ServerContext*, const v1::UpdateCaseRequest* req,
                                       v1::UpdateCaseResponse* out) {
  return Write("UpdateCase", ValidateUpdateCase(*req, *app_.config()), req->actor(), *req, out, &IntakeApp::UpdateCase);
}

grpc::Status IntakeService::RecordContact(grpc::ServerContext*, const v1::RecordContactRequest* req,
                                          v1::RecordContactResponse* out) {
  return Write("RecordContact", ValidateRecordContact(*req), req->recorded_by(), *req, out, &IntakeApp::RecordContact);
}

grpc::Status IntakeService::AddNote(grpc::ServerContext*, const v1::AddNoteRequest* req, v1::AddNoteResponse* out) {
  return Write("AddNote", ValidateAddNote(*req), req->author(), *req, out, &IntakeApp::AddNote);
}

grpc::Status IntakeService::AcknowledgeCase(grpc::ServerContext*, const v1::AcknowledgeCaseRequest* req,
                                            v1::AcknowledgeCaseResponse* out) {
  return Write("AcknowledgeCase", ValidateAcknowledgeCase(*req), req->acknowledged_by(), *req, out,
               &IntakeApp::AcknowledgeCase);
}

grpc::Status IntakeService::AssignOwner(grpc::ServerContext*, const v1::AssignOwnerRequest* req,
                                        v1::AssignOwnerResponse* out) {
  return Write("AssignOwner", ValidateAssignOwner(*req), req->actor(), *req, out, &IntakeApp::AssignOwner);
}

grpc::Status IntakeService::ResolveCase(grpc::ServerContext*, const v1::ResolveCaseRequest* req,
                                        v1::ResolveCaseResponse* out) {
  return Write("ResolveCase", ValidateResolveCase(*req), req->actor(), *req, out, &IntakeApp::ResolveCase);
}

grpc::Status IntakeService::CloseCase(grpc::ServerContext*, const v1::CloseCaseRequest* req,
                                      v1::CloseCaseResponse* out) {
  return Write("CloseCase", ValidateCloseCase(*req), req->actor(), *req, out, &IntakeApp::CloseCase);
}

grpc::Status IntakeService::ReopenCase(grpc::ServerContext*, const v1::ReopenCaseRequest* req,
                                       v1::ReopenCaseResponse* out) {
  return Write("ReopenCase", ValidateReopenCase(*req), req->actor(), *req, out, &IntakeApp::ReopenCase);
}

grpc::Status IntakeService::RecordSignal(grpc::ServerContext*, const v1::RecordSignalRequest* req,
                                         v1::RecordSignalResponse* out) {
  return Write("RecordSignal", ValidateRecordSignal(*req), req->actor(), *req, out, &IntakeApp::RecordSignal);
}

}  // namespace recovery::intake
