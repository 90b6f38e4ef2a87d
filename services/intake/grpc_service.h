// recovery.v1.Intake over gRPC: the caller (CallerOf) -> validate -> app (in one transaction; writes through
// RunIdempotent keyed by request_id) -> translate the status. Nothing else.
// Thread-safe (gRPC calls it from many threads; the store serialises transactions).
#pragma once

#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/intake/app.h"

namespace recovery::common {
struct Caller;
}  // namespace recovery::common

namespace recovery::intake {

class IntakeService final : public recovery::v1::Intake::Service {
 public:
  IntakeService(recovery::common::Store& store, recovery::common::Clock& clock, IntakeApp& app)
      : store_(store), clock_(clock), app_(app) {}

  grpc::Status OpenCase(grpc::ServerContext*, const recovery::v1::OpenCaseRequest* req,
                        recovery::v1::OpenCaseResponse* out) override;
  grpc::Status GetCase(grpc::ServerContext*, const recovery::v1::GetCaseRequest* req,
                       recovery::v1::GetCaseResponse* out) override;
  grpc::Status ListCases(grpc::ServerContext*, const recovery::v1::ListCasesRequest* req,
                         recovery::v1::ListCasesResponse* out) override;
  grpc::Status UpdateCase(grpc::ServerContext*, const recovery::v1::UpdateCaseRequest* req,
                          recovery::v1::UpdateCaseResponse* out) override;
  grpc::Status RecordContact(grpc::ServerContext*, const recovery::v1::RecordContactRequest* req,
                             recovery::v1::RecordContactResponse* out) override;
  grpc::Status AddNote(grpc::ServerContext*, const recovery::v1::AddNoteRequest* req,
                       recovery::v1::AddNoteResponse* out) override;
  grpc::Status AcknowledgeCase(grpc::ServerContext*, const recovery::v1::AcknowledgeCaseRequest* req,
                               recovery::v1::AcknowledgeCaseResponse* out) override;
  grpc::Status AssignOwner(grpc::ServerContext*, const recovery::v1::AssignOwnerRequest* req,
                           recovery::v1::AssignOwnerResponse* out) override;
  grpc::Status ResolveCase(grpc::ServerContext*, const recovery::v1::ResolveCaseRequest* req,
                           recovery::v1::ResolveCaseResponse* out) override;
  grpc::Status CloseCase(grpc::ServerContext*, const recovery::v1::CloseCaseRequest* req,
                         recovery::v1::CloseCaseResponse* out) override;
  grpc::Status ReopenCase(grpc::ServerContext*, const recovery::v1::ReopenCaseRequest* req,
                          recovery::v1::ReopenCaseResponse* out) override;
  grpc::Status RecordSignal(grpc::ServerContext*, const recovery::v1::RecordSignalRequest* req,
                            recovery::v1::RecordSignalResponse* out) override;

 private:
  // `valid`, then app_.*method(tx, req, cause, out) inside RunIdempotent keyed by request_id;
  // the cause's actor and person are the caller's.
  template <typename Request, typename Response>
  grpc::Status Write(const char* rpc, const absl::Status& valid, const recovery::common::Caller& caller,
                     const Request& req, Response* out,
                     absl::Status (IntakeApp::*method)(Tx&, const Request&, const Cause&, Response*));
  template <typename Request, typename Response>
  grpc::Status Read(const absl::Status& valid, const Request& req, Response* out,
                    absl::Status (IntakeApp::*method)(Tx&, const Request&, Response*));

  recovery::common::Store& store_;
  recovery::common::Clock& clock_;
  IntakeApp& app_;
};

}  // namespace recovery::intake
