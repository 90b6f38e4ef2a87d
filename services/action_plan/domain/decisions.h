// The action-plan decisions: one pure function per RPC that changes a plan and per consumed
// event, (plan, request or event, settings, cause) -> PlanOutcome or a refusal (errors.h).
// The outcome carries the plan row to write and the events to publish, built here; the app
// applies it with common::ApplyOutcome in the transaction that loaded the plan. A change
// that makes the plan complete for the first time adds PlanCompleted (once per plan).
// Ids are minted by the caller and passed in, so a decision is deterministic but for the
// event ids. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/action_plan/domain/plan_record.h"
#include "services/action_plan/domain/settings.h"
#include "services/common/outcome.h"

namespace recovery::action_plan {

// The `source` of every event this service publishes.
inline constexpr char kEventSource[] = "action-plan";
// The actor of effects of consumed events (common::Principal::Service of this service).
inline constexpr char kServiceActor[] = "service:action-plan";

// Who and what caused a change: the envelope fields of every event it publishes.
struct Cause {
  absl::Time now;
  std::string actor;
  std::string causation_id;  // request id or event id
};

// The row change of a decision: the plan as it is to be stored.
struct PlanWrite {
  enum class Kind { kNone, kInsert, kUpdate };
  Kind kind = Kind::kNone;
  PlanRecord record;
  // AddCommitment / renegotiation: when the due is a poor time for the client (response only).
  std::vector<recovery::v1::TimingWarning> warnings;
};
using PlanOutcome = recovery::common::Outcome<PlanWrite>;

namespace decide {

// CaseOpened: a plan drafted from the category's playbook (generic when none matches), due
// instants in the client's zone, role owners from settings; PlanDrafted. A case that already
// has a plan keeps it (an outcome with nothing to do).
absl::StatusOr<PlanOutcome> DraftPlan(const std::optional<PlanRecord>& existing, const recovery::v1::Event& event,
                                      const ActionPlanSettings& settings, const std::string& plan_id,
                                      const Cause& cause);
// CaseAcknowledged / OwnerAssigned: case_owner items get `owner` (and the previous owner's
// open ones move to it); one ActionItemUpdated per changed item.
absl::StatusOr<PlanOutcome> AssignCaseOwner(PlanRecord record, const std::string& owner,
                                            const std::string& previous_owner, const Cause& cause);

// item_id: the request's item id, or one minted by the caller when the request has none.
absl::StatusOr<PlanOutcome> AddActionItem(PlanRecord record, const recovery::v1::AddActionItemRequest& req,
                                          const std::string& item_id, const Cause& cause);
absl::StatusOr<PlanOutcome> UpdateActionItem(PlanRecord record, const recovery::v1::UpdateActionItemRequest& req,
                                             const Cause& cause);
absl::StatusOr<PlanOutcome> CompleteActionItem(PlanRecord record, const recovery::v1::CompleteActionItemRequest& req,
                                               const Cause& cause);
absl::StatusOr<PlanOutcome> CancelActionItem(PlanRecord record, const recovery::v1::CancelActionItemRequest& req,
                                             const Cause& cause);
absl::StatusOr<PlanOutcome> AddCommitment(PlanRecord record, const recovery::v1::AddCommitmentRequest& req,
                                          const std::string& commitment_id, const ActionPlanSettings& settings,
                                          const Cause& cause);
absl::StatusOr<PlanOutcome> UpdateCommitment(PlanRecord record, const recovery::v1::UpdateCommitmentRequest& req,
                                             const ActionPlanSettings& settings, const Cause& cause);
absl::StatusOr<PlanOutcome> RecordAmends(PlanRecord record, const recovery::v1::RecordAmendsRequest& req,
                                         const std::string& amends_id, const Cause& cause);
absl::StatusOr<PlanOutcome> SetRootCause(PlanRecord record, const recovery::v1::SetRootCauseRequest& req,
                                         const Cause& cause);
// Renders the client summary in the client's zone and records it as version n+1; PlanShared.
absl::StatusOr<PlanOutcome> SharePlan(PlanRecord record, const Cause& cause);

}  // namespace decide

// The playbook named by id, else the one for category (generic fallback); NOT_FOUND naming
// the field.
absl::StatusOr<const Playbook*> FindPlaybook(const std::vector<Playbook>& playbooks, const std::string& id,
                                             const std::string& category);

// When a due instant is a poor time for the client: their calendar (holidays too) if the
// plan names one the settings know, else Mon-Fri 09:00-17:30 in their time zone.
std::vector<recovery::v1::TimingWarning> TimingWarnings(const PlanRecord& record, absl::Time due,
                                                        const ActionPlanSettings& settings);

// The client's zone by IANA name; UTC when the name is empty or unknown.
absl::TimeZone ClientZone(const std::string& name);

}  // namespace recovery::action_plan
