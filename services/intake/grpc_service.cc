// Intake gRPC handlers: validation and translation only; the work is in CaseActions.
#include "services/intake/grpc_service.h"

#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/intake/domain/validation.h"

namespace recovery::intake {
namespace {
namespace v1 = recovery::v1;
using recovery::common::ToGrpcStatus;
constexpr int kDefaultPageSize = 50;
}  // namespace

Cause IntakeService::CauseOf(const std::string& actor, const std::string& request_id) const {
  return Cause{actor, request_id, clock_.Now()};
}

template <typename Request, typename Response, typename Apply>
grpc::Status IntakeService::Write(const char* method, const absl::Status& valid, const Request& req, Response* out,
                                  const Cause& cause, Apply&& apply) {
  if (!valid.ok()) return ToGrpcStatus(valid);
  return ToGrpcStatus(recovery::common::RunIdempotent(store_, method, req.request_id(), req, out,
                                                      absl::ToUnixMicros(cause.now), std::forward<Apply>(apply)));
}

grpc::Status IntakeService::OpenCase(grpc::ServerContext*, const v1::OpenCaseRequest* req, v1::OpenCaseResponse* out) {
  const Cause cause = CauseOf(req->opened_by(), req->request_id());
  return Write("OpenCase", ValidateOpenCase(*req, *actions_.config()), *req, out, cause, [&](Tx& tx) -> absl::Status {
    v1::Case draft;
    *draft.mutable_client() = req->client();
    *draft.mutable_contact() = req->contact();
    draft.set_channel(req->channel());
    draft.set_category(req->category());
    draft.set_severity(req->severity());
    draft.set_summary(req->summary());
    draft.set_description(req->description());
    draft.set_client_view(req->client_view());
    draft.set_firm_view(req->firm_view());
    draft.set_emotional_state(req->emotional_state());
    bool linked = false;
    auto c = actions_.OpenOrLink(tx, std::move(draft), cause, &linked);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    out->set_linked_to_existing(linked);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::GetCase(grpc::ServerContext*, const v1::GetCaseRequest* req, v1::GetCaseResponse* out) {
  if (auto s = ValidateGetCase(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(recovery::common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto c = LoadFullCase(tx, req->case_id());
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    return absl::OkStatus();
  }));
}

grpc::Status IntakeService::ListCases(grpc::ServerContext*, const v1::ListCasesRequest* req,
                                      v1::ListCasesResponse* out) {
  if (auto s = ValidateListCases(*req); !s.ok()) return ToGrpcStatus(s);
  const int page_size = req->page_size() == 0 ? kDefaultPageSize : req->page_size();
  return ToGrpcStatus(recovery::common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    out->Clear();
    auto cases = intake::ListCases(tx, *req, page_size + 1);  // one more tells whether a next page exists
    if (!cases.ok()) return cases.status();
    const bool more = static_cast<int>(cases->size()) > page_size;
    if (more) cases->resize(page_size);
    for (auto& c : *cases) *out->add_cases() = std::move(c);
    if (more) out->set_next_page_token(out->cases(out->cases_size() - 1).id());
    return absl::OkStatus();
  }));
}

grpc::Status IntakeService::UpdateCase(grpc::ServerContext*, const v1::UpdateCaseRequest* req,
                                       v1::UpdateCaseResponse* out) {
  const Cause cause = CauseOf(req->actor(), req->request_id());
  return Write("UpdateCase", ValidateUpdateCase(*req, *actions_.config()), *req, out, cause,
               [&](Tx& tx) -> absl::Status {
                 auto c = actions_.Update(tx, *req, cause);
                 if (!c.ok()) return c.status();
                 *out->mutable_case_() = std::move(*c);
                 return absl::OkStatus();
               });
}

grpc::Status IntakeService::RecordContact(grpc::ServerContext*, const v1::RecordContactRequest* req,
                                          v1::RecordContactResponse* out) {
  const Cause cause = CauseOf(req->recorded_by(), req->request_id());
  return Write("RecordContact", ValidateRecordContact(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    std::string contact_id;
    auto c = actions_.RecordContact(tx, *req, cause, &contact_id);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    out->set_contact_id(contact_id);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::AddNote(grpc::ServerContext*, const v1::AddNoteRequest* req, v1::AddNoteResponse* out) {
  const Cause cause = CauseOf(req->author(), req->request_id());
  return Write("AddNote", ValidateAddNote(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    std::string note_id;
    auto c = actions_.AddNote(tx, *req, cause, &note_id);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    out->set_note_id(note_id);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::AcknowledgeCase(grpc::ServerContext*, const v1::AcknowledgeCaseRequest* req,
                                            v1::AcknowledgeCaseResponse* out) {
  const Cause cause = CauseOf(req->acknowledged_by(), req->request_id());
  return Write("AcknowledgeCase", ValidateAcknowledgeCase(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    auto c = actions_.Acknowledge(tx, *req, cause);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::AssignOwner(grpc::ServerContext*, const v1::AssignOwnerRequest* req,
                                        v1::AssignOwnerResponse* out) {
  const Cause cause = CauseOf(req->actor(), req->request_id());
  return Write("AssignOwner", ValidateAssignOwner(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    auto c = actions_.AssignOwner(tx, req->case_id(), req->owner(), req->reason(), /*require_editable=*/true, cause);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::ResolveCase(grpc::ServerContext*, const v1::ResolveCaseRequest* req,
                                        v1::ResolveCaseResponse* out) {
  const Cause cause = CauseOf(req->actor(), req->request_id());
  return Write("ResolveCase", ValidateResolveCase(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    auto c = actions_.Resolve(tx, req->case_id(), req->resolution(), cause);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::CloseCase(grpc::ServerContext*, const v1::CloseCaseRequest* req,
                                      v1::CloseCaseResponse* out) {
  const Cause cause = CauseOf(req->actor(), req->request_id());
  return Write("CloseCase", ValidateCloseCase(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    auto c = actions_.Close(tx, req->case_id(), req->reason(), cause);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::ReopenCase(grpc::ServerContext*, const v1::ReopenCaseRequest* req,
                                       v1::ReopenCaseResponse* out) {
  const Cause cause = CauseOf(req->actor(), req->request_id());
  return Write("ReopenCase", ValidateReopenCase(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    auto c = actions_.Reopen(tx, req->case_id(), req->reason(), cause);
    if (!c.ok()) return c.status();
    *out->mutable_case_() = std::move(*c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::RecordSignal(grpc::ServerContext*, const v1::RecordSignalRequest* req,
                                         v1::RecordSignalResponse* out) {
  const Cause cause = CauseOf(req->actor(), req->request_id());
  return Write("RecordSignal", ValidateRecordSignal(*req), *req, out, cause, [&](Tx& tx) -> absl::Status {
    auto r = actions_.RecordSignal(tx, req->kind(), req->client(), req->score(), req->detail(), "rpc", cause);
    if (!r.ok()) return r.status();
    *out->mutable_signal() = r->signal;
    if (r->case_record) *out->mutable_case_() = std::move(*r->case_record);
    out->set_opened_case(r->signal.opened_case());
    return absl::OkStatus();
  });
}

}  // namespace recovery::intake
