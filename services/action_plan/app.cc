// The action-plan application layer: load -> decide -> ApplyOutcome, one function each.
#include "services/action_plan/app.h"

#include "absl/strings/str_cat.h"
#include "services/action_plan/domain/codec.h"
#include "services/action_plan/domain/errors.h"
#include "services/action_plan/store.h"
#include "services/common/apply.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/logging.h"
#include "services/common/status_macros.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::NewId;
using recovery::common::Tx;

constexpr int kDefaultPageSize = 100;

const ActionItem& ItemOf(const PlanWrite& w, const std::string& id) { return *FindItem(w.record.plan, id); }

}  // namespace

absl::StatusOr<PlanRecord> ActionPlanApp::Load(Tx& tx, const std::string& plan_id, const std::string& case_id) {
  ASSIGN_OR_RETURN(std::optional<PlanRecord> found,
                   plan_id.empty() ? FindPlanByCase(tx, case_id) : FindPlanById(tx, plan_id));
  if (!found.has_value()) {
    return plan_id.empty() ? Refuse(PlanError::kPlanNotFound, absl::StrCat("case_id: no plan for case '", case_id, "'"))
                           : Refuse(PlanError::kPlanNotFound, absl::StrCat("plan_id: no plan '", plan_id, "'"));
  }
  return std::move(*found);
}

absl::Status ActionPlanApp::Apply(Tx& tx, const PlanOutcome& outcome) {
  return recovery::common::ApplyOutcome(tx, outcome, timers_, outbox_, WritePlan);
}

template <typename Request, typename Response, typename Decide, typename Fill>
absl::Status ActionPlanApp::Write(const char* method, const Request& req, const std::string& actor, Response* out,
                                  Decide&& decide, Fill&& fill) {
  const Cause cause{clock_.Now(), actor, req.request_id()};
  return recovery::common::RunIdempotent(store_, method, req.request_id(), req, out, absl::ToUnixMicros(cause.now),
                                         [&](Tx& tx) -> absl::Status {
                                           out->Clear();  // a retried transaction (ABORTED) starts the response again
                                           ASSIGN_OR_RETURN(PlanRecord record, Load(tx, req.plan_id(), req.case_id()));
                                           ASSIGN_OR_RETURN(PlanOutcome outcome, decide(std::move(record), cause));
                                           RETURN_IF_ERROR(Apply(tx, outcome));
                                           *out->mutable_plan() = PlanToProto(outcome.rows.record);
                                           fill(outcome.rows);
                                           return absl::OkStatus();
                                         });
}

template <typename Request>
absl::Status ActionPlanApp::ItemWrite(const char* method, const Request& req, const std::string& actor,
                                      v1::ActionItemResponse* out, ItemDecision<Request> decide) {
  return Write(
      method, req, actor, out,
      [&](PlanRecord record, const Cause& cause) { return decide(std::move(record), req, cause); },
      [&](const PlanWrite& w) { *out->mutable_item() = ItemToProto(ItemOf(w, req.item_id())); });
}

absl::Status ActionPlanApp::GetPlan(const v1::GetPlanRequest& req, v1::GetPlanResponse* out) {
  return recovery::common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord record, Load(tx, req.plan_id(), req.case_id()));
    *out->mutable_plan() = PlanToProto(record);
    return absl::OkStatus();
  });
}

absl::Status ActionPlanApp::ListPlans(const v1::ListPlansRequest& req, v1::ListPlansResponse* out) {
  const int limit = req.limit() == 0 ? kDefaultPageSize : req.limit();
  return recovery::common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    out->Clear();
    ASSIGN_OR_RETURN(std::vector<PlanRecord> plans,
                     action_plan::ListPlans(tx, req.page_token(), req.open_only(), limit + 1));
    for (int i = 0; i < static_cast<int>(plans.size()) && i < limit; ++i) *out->add_plans() = PlanToProto(plans[i]);
    if (static_cast<int>(plans.size()) > limit) out->set_next_page_token(plans[limit - 1].plan.plan_id);
    return absl::OkStatus();
  });
}

absl::Status ActionPlanApp::ReviewMessage(const v1::ReviewMessageRequest& req, v1::ReviewMessageResponse* out) const {
  ReviewContext context;
  context.commitment_recorded = req.context().commitment_recorded();
  for (const auto& f : action_plan::ReviewMessage(req.text(), settings()->wording_rules, context)) {
    *out->add_findings() = FindingToProto(f);
  }
  return absl::OkStatus();
}

absl::Status ActionPlanApp::ListPlaybooks(v1::ListPlaybooksResponse* out) const {
  for (const auto& p : settings()->playbooks) *out->add_playbooks() = PlaybookToProto(p);
  return absl::OkStatus();
}

absl::Status ActionPlanApp::GetPlaybook(const v1::GetPlaybookRequest& req, v1::GetPlaybookResponse* out) const {
  const auto settings = this->settings();
  ASSIGN_OR_RETURN(const Playbook* playbook, FindPlaybook(settings->playbooks, req.id(), req.category()));
  *out->mutable_playbook() = PlaybookToProto(*playbook);
  return absl::OkStatus();
}

absl::Status ActionPlanApp::AddActionItem(const v1::AddActionItemRequest& req, const std::string& actor,
                                          v1::ActionItemResponse* out) {
  std::string item_id;
  return Write(
      "AddActionItem", req, actor, out,
      [&](PlanRecord record, const Cause& cause) {
        item_id = req.item().id().empty() ? NewId(cause.now) : req.item().id();
        return decide::AddActionItem(std::move(record), req, item_id, cause);
      },
      [&](const PlanWrite& w) { *out->mutable_item() = ItemToProto(ItemOf(w, item_id)); });
}

absl::Status ActionPlanApp::UpdateActionItem(const v1::UpdateActionItemRequest& req, const std::string& actor,
                                             v1::ActionItemResponse* out) {
  return ItemWrite("UpdateActionItem", req, actor, out, &decide::UpdateActionItem);
}

absl::Status ActionPlanApp::CompleteActionItem(const v1::CompleteActionItemRequest& req, const std::string& actor,
                                               v1::ActionItemResponse* out) {
  return ItemWrite("CompleteActionItem", req, actor, out, &decide::CompleteActionItem);
}

absl::Status ActionPlanApp::CancelActionItem(const v1::CancelActionItemRequest& req, const std::string& actor,
                                             v1::ActionItemResponse* out) {
  return ItemWrite("CancelActionItem", req, actor, out, &decide::CancelActionItem);
}

absl::Status ActionPlanApp::AddCommitment(const v1::AddCommitmentRequest& req, const std::string& actor,
                                          v1::CommitmentResponse* out) {
  std::string id;
  const auto settings = this->settings();
  return Write(
      "AddCommitment", req, actor, out,
      [&](PlanRecord record, const Cause& cause) {
        id = req.commitment().id().empty() ? NewId(cause.now) : req.commitment().id();
        return decide::AddCommitment(std::move(record), req, id, *settings, cause);
      },
      [&](const PlanWrite& w) {
        *out->mutable_commitment() = CommitmentToProto(*FindCommitment(w.record.plan, id));
        for (const auto& warning : w.warnings) *out->add_warnings() = warning;
      });
}

absl::Status ActionPlanApp::UpdateCommitment(const v1::UpdateCommitmentRequest& req, const std::string& actor,
                                             v1::CommitmentResponse* out) {
  const auto settings = this->settings();
  return Write(
      "UpdateCommitment", req, actor, out,
      [&](PlanRecord record, const Cause& cause) {
        return decide::UpdateCommitment(std::move(record), req, *settings, cause);
      },
      [&](const PlanWrite& w) {
        *out->mutable_commitment() = CommitmentToProto(*FindCommitment(w.record.plan, req.commitment_id()));
        for (const auto& warning : w.warnings) *out->add_warnings() = warning;
      });
}

absl::Status ActionPlanApp::RecordAmends(const v1::RecordAmendsRequest& req, const std::string& actor,
                                         v1::RecordAmendsResponse* out) {
  return Write(
      "RecordAmends", req, actor, out,
      [&](PlanRecord record, const Cause& cause) {
        return decide::RecordAmends(std::move(record), req, NewId(cause.now), cause);
      },
      [&](const PlanWrite& w) {
        *out->mutable_amends() = AmendsToProto(w.record.plan.amends.back(), w.record.amends_ids.back());
      });
}

absl::Status ActionPlanApp::SetRootCause(const v1::SetRootCauseRequest& req, const std::string& actor,
                                         v1::SetRootCauseResponse* out) {
  return Write(
      "SetRootCause", req, actor, out,
      [&](PlanRecord record, const Cause& cause) { return decide::SetRootCause(std::move(record), req, cause); },
      [](const PlanWrite&) {});
}

absl::Status ActionPlanApp::SharePlan(const v1::SharePlanRequest& req, const std::string& actor,
                                      v1::SharePlanResponse* out) {
  return Write(
      "SharePlan", req, actor, out,
      [&](PlanRecord record, const Cause& cause) { return decide::SharePlan(std::move(record), cause); },
      [&](const PlanWrite& w) {
        const SharedVersion& shared = w.record.plan.shared_versions.back();
        out->set_version(shared.version);
        out->set_summary_markdown(w.record.shared_markdown.back());
        out->set_summary_text(shared.text);
      });
}

absl::Status ActionPlanApp::OnCaseOpened(Tx& tx, const v1::Event& event) {
  const Cause cause{clock_.Now(), kServiceActor, event.event_id()};
  ASSIGN_OR_RETURN(std::optional<PlanRecord> existing, FindPlanByCase(tx, event.case_id()));
  ASSIGN_OR_RETURN(PlanOutcome outcome, decide::DraftPlan(existing, event, *settings(), NewId(cause.now), cause));
  const auto& client = event.case_opened().client();
  const std::string& asked =
      !client.time_zone().empty() ? client.time_zone() : event.case_opened().contact().time_zone();
  if (outcome.rows.kind == PlanWrite::Kind::kInsert && !asked.empty() &&
      outcome.rows.record.client_time_zone != asked) {
    recovery::common::LogWarn("unknown client time zone; using UTC",
                              {{"case_id", event.case_id()}, {"time_zone", asked}});
  }
  return Apply(tx, outcome);
}

absl::Status ActionPlanApp::AssignCaseOwner(Tx& tx, const v1::Event& event, const std::string& owner,
                                            const std::string& previous_owner) {
  if (owner.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<PlanRecord> found, FindPlanByCase(tx, event.case_id()));
  if (!found.has_value()) {
    recovery::common::LogWarn("owner event for a case without a plan", {{"case_id", event.case_id()}});
    return absl::OkStatus();
  }
  const Cause cause{clock_.Now(), kServiceActor, event.event_id()};
  ASSIGN_OR_RETURN(PlanOutcome outcome, decide::AssignCaseOwner(std::move(*found), owner, previous_owner, cause));
  return Apply(tx, outcome);
}

absl::Status ActionPlanApp::OnCaseAcknowledged(Tx& tx, const v1::Event& event) {
  const auto& body = event.case_acknowledged();
  return AssignCaseOwner(tx, event, !body.owner().empty() ? body.owner() : body.acknowledged_by(), "");
}

absl::Status ActionPlanApp::OnOwnerAssigned(Tx& tx, const v1::Event& event) {
  return AssignCaseOwner(tx, event, event.owner_assigned().owner(), event.owner_assigned().previous_owner());
}

}  // namespace recovery::action_plan
