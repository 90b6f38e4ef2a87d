// ActionPlan gRPC handlers: validation and translation; the domain does the work and
// PlanActions stores it with its events.
#include "services/action_plan/grpc_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/action_plan/domain/summary.h"
#include "services/action_plan/domain/wording.h"
#include "services/action_plan/store.h"
#include "services/action_plan/validation.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::FromProto;
using recovery::common::ToGrpcStatus;
using recovery::common::ToProto;
using recovery::common::Tx;

constexpr int kDefaultPageSize = 100;

const ActionItem& ItemOrDie(const Plan& plan, const std::string& id) { return *FindItem(plan, id); }

void AddItemEvent(EventSink& sink, const PlanRecord& r, const std::string& item_id,
                  const std::vector<std::string>& changed) {
  auto* e = sink.Add().mutable_action_item_updated();
  e->set_plan_id(r.plan.plan_id);
  *e->mutable_item() = ItemToProto(ItemOrDie(r.plan, item_id));
  for (const auto& f : changed) e->add_changed_fields(f);
}

std::vector<std::string> ChangedFields(const v1::ItemPatch& u) {
  std::vector<std::string> out;
  if (u.has_what()) out.push_back("what");
  if (u.has_owner()) out.push_back("owner");
  if (u.has_owner_role()) out.push_back("owner_role");
  if (u.has_where()) out.push_back("where");
  if (u.has_due()) out.push_back("due");
  if (u.has_why()) out.push_back("why");
  if (u.has_how()) out.push_back("how");
  if (u.status() != v1::ITEM_STATUS_UNSPECIFIED) out.push_back("status");
  if (u.has_client_visible()) out.push_back("client_visible");
  return out;
}

std::string ActorOr(const std::string& actor) { return actor.empty() ? "unknown" : actor; }

}  // namespace

template <typename Request, typename Response, typename Fill>
grpc::Status ActionPlanService::Write(const char* method, const absl::Status& valid, const Request& req,
                                      Response* out, const PlanActions::Change& change, Fill&& fill) {
  if (!valid.ok()) return ToGrpcStatus(valid);
  const Cause cause{actions_.Now(), ActorOr(req.actor()), req.request_id()};
  return ToGrpcStatus(recovery::common::RunIdempotent(
      store_, method, req.request_id(), req, out, absl::ToUnixMicros(cause.now), [&](Tx& tx) -> absl::Status {
        auto record = actions_.Mutate(tx, req.plan_id(), req.case_id(), cause, change);
        if (!record.ok()) return record.status();
        *out->mutable_plan() = PlanToProto(*record);
        fill(*record);
        return absl::OkStatus();
      }));
}

grpc::Status ActionPlanService::GetPlan(grpc::ServerContext*, const v1::GetPlanRequest* req,
                                        v1::GetPlanResponse* out) {
  if (auto s = ValidateGetPlan(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(recovery::common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto record = actions_.Load(tx, req->plan_id(), req->case_id());
    if (!record.ok()) return record.status();
    *out->mutable_plan() = PlanToProto(*record);
    return absl::OkStatus();
  }));
}

grpc::Status ActionPlanService::ListPlans(grpc::ServerContext*, const v1::ListPlansRequest* req,
                                          v1::ListPlansResponse* out) {
  if (auto s = ValidateListPlans(*req); !s.ok()) return ToGrpcStatus(s);
  const int limit = req->limit() == 0 ? kDefaultPageSize : req->limit();
  return ToGrpcStatus(recovery::common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto plans = action_plan::ListPlans(tx, req->page_token(), req->open_only(), limit + 1);
    if (!plans.ok()) return plans.status();
    for (int i = 0; i < static_cast<int>(plans->size()) && i < limit; ++i) *out->add_plans() = PlanToProto((*plans)[i]);
    if (static_cast<int>(plans->size()) > limit) out->set_next_page_token((*plans)[limit - 1].plan.plan_id);
    return absl::OkStatus();
  }));
}

grpc::Status ActionPlanService::AddActionItem(grpc::ServerContext*, const v1::AddActionItemRequest* req,
                                              v1::ActionItemResponse* out) {
  std::string item_id = req->item().id();
  return Write(
      "AddActionItem", ValidateAddActionItem(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        ActionItem item = NewItemFromProto(req->item());
        if (item.id.empty()) item.id = recovery::common::NewId(sink.now());
        item_id = item.id;
        if (auto s = AddItem(r.plan, std::move(item), sink.now()); !s.ok()) return s;
        auto* e = sink.Add().mutable_action_item_added();
        e->set_plan_id(r.plan.plan_id);
        *e->mutable_item() = ItemToProto(ItemOrDie(r.plan, item_id));
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) { *out->mutable_item() = ItemToProto(ItemOrDie(r.plan, item_id)); });
}

grpc::Status ActionPlanService::UpdateActionItem(grpc::ServerContext*, const v1::UpdateActionItemRequest* req,
                                                 v1::ActionItemResponse* out) {
  return Write(
      "UpdateActionItem", ValidateUpdateActionItem(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        if (auto s = UpdateItem(r.plan, req->item_id(), ItemUpdateFromProto(req->update()), sink.now()); !s.ok())
          return s;
        AddItemEvent(sink, r, req->item_id(), ChangedFields(req->update()));
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) { *out->mutable_item() = ItemToProto(ItemOrDie(r.plan, req->item_id())); });
}

grpc::Status ActionPlanService::CompleteActionItem(grpc::ServerContext*, const v1::CompleteActionItemRequest* req,
                                                   v1::ActionItemResponse* out) {
  return Write(
      "CompleteActionItem", ValidateCompleteActionItem(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        if (auto s = CompleteItem(r.plan, req->item_id(), req->completion_note(), sink.now()); !s.ok()) return s;
        auto* e = sink.Add().mutable_action_item_completed();
        e->set_plan_id(r.plan.plan_id);
        *e->mutable_item() = ItemToProto(ItemOrDie(r.plan, req->item_id()));
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) { *out->mutable_item() = ItemToProto(ItemOrDie(r.plan, req->item_id())); });
}

grpc::Status ActionPlanService::CancelActionItem(grpc::ServerContext*, const v1::CancelActionItemRequest* req,
                                                 v1::ActionItemResponse* out) {
  return Write(
      "CancelActionItem", ValidateCancelActionItem(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        if (auto s = CancelItem(r.plan, req->item_id(), req->reason()); !s.ok()) return s;
        AddItemEvent(sink, r, req->item_id(), {"status"});
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) { *out->mutable_item() = ItemToProto(ItemOrDie(r.plan, req->item_id())); });
}

grpc::Status ActionPlanService::AddCommitment(grpc::ServerContext*, const v1::AddCommitmentRequest* req,
                                              v1::CommitmentResponse* out) {
  std::string id = req->commitment().id();
  std::vector<v1::TimingWarning> warnings;
  return Write(
      "AddCommitment", ValidateAddCommitment(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        const auto& p = req->commitment();
        if (id.empty()) id = recovery::common::NewId(sink.now());
        Commitment c{id, p.text(), p.owner(), FromProto(p.due()), CommitmentStatus::kOpen, 0};
        if (auto s = action_plan::AddCommitment(r.plan, std::move(c), sink.now()); !s.ok()) return s;
        warnings = actions_.TimingWarnings(r, FromProto(p.due()));
        auto* e = sink.Add().mutable_commitment_made();
        e->set_plan_id(r.plan.plan_id);
        *e->mutable_commitment() = CommitmentToProto(*FindCommitment(r.plan, id));
        for (const auto& w : warnings) e->add_warnings(w.message());
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) {
        *out->mutable_commitment() = CommitmentToProto(*FindCommitment(r.plan, id));
        for (const auto& w : warnings) *out->add_warnings() = w;
      });
}

grpc::Status ActionPlanService::UpdateCommitment(grpc::ServerContext*, const v1::UpdateCommitmentRequest* req,
                                                 v1::CommitmentResponse* out) {
  std::vector<v1::TimingWarning> warnings;
  return Write(
      "UpdateCommitment", ValidateUpdateCommitment(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        const Commitment* before = FindCommitment(r.plan, req->commitment_id());
        const absl::Time previous_due = before ? before->due : absl::UnixEpoch();
        CommitmentUpdate update;
        if (req->update().has_due()) update.due = FromProto(req->update().due());
        update.status = CommitmentStatusFromProto(req->update().status());
        if (auto s = action_plan::UpdateCommitment(r.plan, req->commitment_id(), update, sink.now()); !s.ok())
          return s;
        const Commitment& c = *FindCommitment(r.plan, req->commitment_id());
        v1::Event& event = sink.Add();
        switch (c.status) {
          case CommitmentStatus::kKept: {
            auto* e = event.mutable_commitment_kept();
            e->set_plan_id(r.plan.plan_id);
            *e->mutable_commitment() = CommitmentToProto(c);
            break;
          }
          case CommitmentStatus::kBroken: {
            auto* e = event.mutable_commitment_broken();
            e->set_plan_id(r.plan.plan_id);
            *e->mutable_commitment() = CommitmentToProto(c);
            e->set_reason(req->reason());
            break;
          }
          default: {
            warnings = actions_.TimingWarnings(r, c.due);
            auto* e = event.mutable_commitment_updated();
            e->set_plan_id(r.plan.plan_id);
            *e->mutable_commitment() = CommitmentToProto(c);
            *e->mutable_previous_due() = ToProto(previous_due);
            break;
          }
        }
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) {
        *out->mutable_commitment() = CommitmentToProto(*FindCommitment(r.plan, req->commitment_id()));
        for (const auto& w : warnings) *out->add_warnings() = w;
      });
}

grpc::Status ActionPlanService::RecordAmends(grpc::ServerContext*, const v1::RecordAmendsRequest* req,
                                             v1::RecordAmendsResponse* out) {
  return Write(
      "RecordAmends", ValidateRecordAmends(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        const auto& p = req->amends();
        Amends a{*AmendsKindFromProto(p.kind()), p.value_minor_units(), p.currency(), p.approver(), p.reason(),
                 sink.now()};
        if (auto s = action_plan::RecordAmends(r.plan, std::move(a), sink.now()); !s.ok()) return s;
        const std::string id = recovery::common::NewId(sink.now());
        r.amends_ids.resize(r.plan.amends.size() - 1);
        r.amends_ids.push_back(id);
        const Amends& stored = r.plan.amends.back();
        auto* e = sink.Add().mutable_amends_recorded();
        e->set_plan_id(r.plan.plan_id);
        e->set_amends_id(id);
        e->set_kind(std::string(ToString(stored.kind)));
        e->set_value(static_cast<double>(stored.value_minor_units) / 100.0);
        e->set_currency(stored.currency);
        e->set_approver(stored.approver);
        e->set_reason(stored.reason);
        e->set_value_minor_units(stored.value_minor_units);
        return absl::OkStatus();
      },
      [&](const PlanRecord& r) { *out->mutable_amends() = AmendsToProto(r.plan.amends.back(), r.amends_ids.back()); });
}

grpc::Status ActionPlanService::SetRootCause(grpc::ServerContext*, const v1::SetRootCauseRequest* req,
                                             v1::SetRootCauseResponse* out) {
  return Write(
      "SetRootCause", ValidateSetRootCause(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        const auto& p = req->root_cause();
        if (auto s = action_plan::SetRootCause(r.plan, RootCause{p.client_view(), p.firm_view(),
                                                                 p.agreed_explanation()});
            !s.ok())
          return s;
        r.root_cause_category = p.category();
        auto* e = sink.Add().mutable_root_cause_set();
        e->set_plan_id(r.plan.plan_id);
        e->set_client_view(p.client_view());
        e->set_firm_view(p.firm_view());
        e->set_agreed_explanation(p.agreed_explanation());
        e->set_category(p.category());
        return absl::OkStatus();
      },
      [](const PlanRecord&) {});
}

grpc::Status ActionPlanService::SharePlan(grpc::ServerContext*, const v1::SharePlanRequest* req,
                                          v1::SharePlanResponse* out) {
  ClientSummary summary;
  int version = 0;
  return Write(
      "SharePlan", ValidateSharePlan(*req), *req, out,
      [&](PlanRecord& r, EventSink& sink) -> absl::Status {
        version = r.plan.shared_versions.empty() ? 1 : r.plan.shared_versions.back().version + 1;
        summary = RenderSummary(r.plan, r.client_name, ClientZone(r.client_time_zone), version);
        if (auto s = RecordSharedVersion(r.plan, version, summary.text, sink.now()); !s.ok()) return s;
        r.shared_markdown.resize(r.plan.shared_versions.size() - 1);
        r.shared_markdown.push_back(summary.markdown);
        auto* e = sink.Add().mutable_plan_shared();
        e->set_plan_id(r.plan.plan_id);
        e->set_version(version);
        e->set_summary_markdown(summary.markdown);
        e->set_summary_text(summary.text);
        return absl::OkStatus();
      },
      [&](const PlanRecord&) {
        out->set_version(version);
        out->set_summary_markdown(summary.markdown);
        out->set_summary_text(summary.text);
      });
}

grpc::Status ActionPlanService::ReviewMessage(grpc::ServerContext*, const v1::ReviewMessageRequest* req,
                                              v1::ReviewMessageResponse* out) {
  if (auto s = ValidateReviewMessage(*req); !s.ok()) return ToGrpcStatus(s);
  ReviewContext context;
  context.commitment_recorded = req->context().commitment_recorded();
  for (const auto& f : action_plan::ReviewMessage(req->text(), actions_.config()->wording_rules, context)) {
    *out->add_findings() = FindingToProto(f);
  }
  return grpc::Status::OK;
}

grpc::Status ActionPlanService::ListPlaybooks(grpc::ServerContext*, const v1::ListPlaybooksRequest*,
                                              v1::ListPlaybooksResponse* out) {
  const auto config = actions_.config();
  for (const auto& p : config->playbooks) *out->add_playbooks() = PlaybookToProto(p);
  return grpc::Status::OK;
}

grpc::Status ActionPlanService::GetPlaybook(grpc::ServerContext*, const v1::GetPlaybookRequest* req,
                                            v1::GetPlaybookResponse* out) {
  if (auto s = ValidateGetPlaybook(*req); !s.ok()) return ToGrpcStatus(s);
  const auto config = actions_.config();
  const auto& playbooks = config->playbooks;
  if (!req->category().empty()) {
    auto p = SelectPlaybook(playbooks, req->category());
    if (!p.ok()) return ToGrpcStatus(absl::NotFoundError(absl::StrCat("category: ", std::string(p.status().message()))));
    *out->mutable_playbook() = PlaybookToProto(**p);
    return grpc::Status::OK;
  }
  for (const auto& p : playbooks) {
    if (p.id == req->id()) {
      *out->mutable_playbook() = PlaybookToProto(p);
      return grpc::Status::OK;
    }
  }
  return ToGrpcStatus(absl::NotFoundError(absl::StrCat("id: no playbook '", req->id(), "'")));
}

}  // namespace recovery::action_plan
