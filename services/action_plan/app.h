// The action-plan application layer: one function per RPC and per consumed event. Each
// write loads the plan, asks the domain to decide (domain/decisions.h) and applies the
// Outcome with common::ApplyOutcome (the plan row, then the events into the outbox), in one
// transaction; writes run through common::RunIdempotent (request_id). Requests and events
// arrive validated (validation.h). Errors are absl::Status with the field named.
// Thread-safety: thread-safe; gRPC calls it from many threads and the consumer from its
// own. The settings are swapped whole on reload; a call keeps the snapshot it took.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/action_plan/domain/decisions.h"
#include "services/action_plan/domain/settings.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "services/common/timers.h"

namespace recovery::action_plan {

class ActionPlanApp {
 public:
  ActionPlanApp(recovery::common::Store& store, recovery::common::Outbox& outbox,
                recovery::common::TimerService& timers, recovery::common::Clock& clock, ActionPlanSettings settings)
      : store_(store), outbox_(outbox), timers_(timers), clock_(clock), settings_(std::move(settings)) {}

  std::shared_ptr<const ActionPlanSettings> settings() const { return settings_.Get(); }
  // SIGHUP: later calls use `settings`; calls in flight keep theirs.
  void SetSettings(ActionPlanSettings settings) { settings_.Set(std::move(settings)); }

  // Reads.
  absl::Status GetPlan(const recovery::v1::GetPlanRequest& req, recovery::v1::GetPlanResponse* out);
  absl::Status ListPlans(const recovery::v1::ListPlansRequest& req, recovery::v1::ListPlansResponse* out);
  absl::Status ReviewMessage(const recovery::v1::ReviewMessageRequest& req,
                             recovery::v1::ReviewMessageResponse* out) const;
  absl::Status ListPlaybooks(recovery::v1::ListPlaybooksResponse* out) const;
  absl::Status GetPlaybook(const recovery::v1::GetPlaybookRequest& req, recovery::v1::GetPlaybookResponse* out) const;

  // Writes (idempotent by request_id). `actor` (the authenticated caller's Actor()) is the
  // actor of every event; the requests' deprecated `actor` fields are ignored.
  absl::Status AddActionItem(const recovery::v1::AddActionItemRequest& req, const std::string& actor,
                             recovery::v1::ActionItemResponse* out);
  absl::Status UpdateActionItem(const recovery::v1::UpdateActionItemRequest& req, const std::string& actor,
                                recovery::v1::ActionItemResponse* out);
  absl::Status CompleteActionItem(const recovery::v1::CompleteActionItemRequest& req, const std::string& actor,
                                  recovery::v1::ActionItemResponse* out);
  absl::Status CancelActionItem(const recovery::v1::CancelActionItemRequest& req, const std::string& actor,
                                recovery::v1::ActionItemResponse* out);
  absl::Status AddCommitment(const recovery::v1::AddCommitmentRequest& req, const std::string& actor,
                             recovery::v1::CommitmentResponse* out);
  absl::Status UpdateCommitment(const recovery::v1::UpdateCommitmentRequest& req, const std::string& actor,
                                recovery::v1::CommitmentResponse* out);
  absl::Status RecordAmends(const recovery::v1::RecordAmendsRequest& req, const std::string& actor,
                            recovery::v1::RecordAmendsResponse* out);
  absl::Status SetRootCause(const recovery::v1::SetRootCauseRequest& req, const std::string& actor,
                            recovery::v1::SetRootCauseResponse* out);
  absl::Status SharePlan(const recovery::v1::SharePlanRequest& req, const std::string& actor,
                         recovery::v1::SharePlanResponse* out);

  // Consumed events, in the consumer's transaction (exactly once per event id).
  absl::Status OnCaseOpened(recovery::common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseAcknowledged(recovery::common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnOwnerAssigned(recovery::common::Tx& tx, const recovery::v1::Event& event);

 private:
  // The plan named by plan_id, else by case_id; NOT_FOUND naming the field.
  absl::StatusOr<PlanRecord> Load(recovery::common::Tx& tx, const std::string& plan_id, const std::string& case_id);
  absl::Status Apply(recovery::common::Tx& tx, const PlanOutcome& outcome);
  absl::Status AssignCaseOwner(recovery::common::Tx& tx, const recovery::v1::Event& event, const std::string& owner,
                               const std::string& previous_owner);
  // load -> decide -> apply for a write RPC; `fill` completes the response from the write.
  template <typename Request, typename Response, typename Decide, typename Fill>
  absl::Status Write(const char* method, const Request& req, const std::string& actor, Response* out, Decide&& decide,
                     Fill&& fill);
  // Write for the RPCs that change one existing item (req.item_id()) and answer with it.
  template <typename Request>
  using ItemDecision = absl::StatusOr<PlanOutcome> (*)(PlanRecord, const Request&, const Cause&);
  template <typename Request>
  absl::Status ItemWrite(const char* method, const Request& req, const std::string& actor,
                         recovery::v1::ActionItemResponse* out, ItemDecision<Request> decide);

  recovery::common::Store& store_;
  recovery::common::Outbox& outbox_;
  recovery::common::TimerService& timers_;
  recovery::common::Clock& clock_;
  recovery::common::Reloadable<ActionPlanSettings> settings_;
};

}  // namespace recovery::action_plan
