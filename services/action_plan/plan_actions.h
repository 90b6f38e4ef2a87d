// The transactional core of the action-plan service, shared by the gRPC service and the
// event handlers: load a plan, apply a domain change, store it and append its events in
// the caller's transaction (PlanCompleted once, when the plan first becomes complete).
// Thread-safe: holds only references to thread-safe parts (outbox, clock, immutable config).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/action_plan/config.h"
#include "services/action_plan/plan_codec.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/outbox.h"
#include "services/common/store.h"

namespace recovery::action_plan {

inline constexpr char kEventSource[] = "action-plan";

// Who and what caused a change: the envelope fields of every event it publishes.
struct Cause {
  absl::Time now;
  std::string actor;
  std::string causation_id;  // request id or event id
};

// Collects the events of one change; each gets the plan's case id and the cause.
class EventSink {
 public:
  EventSink(std::string case_id, const Cause& cause) : case_id_(std::move(case_id)), cause_(cause) {}
  recovery::v1::Event& Add();
  absl::Time now() const { return cause_.now; }
  std::vector<recovery::v1::Event>& events() { return events_; }

 private:
  std::string case_id_;
  const Cause& cause_;
  std::vector<recovery::v1::Event> events_;
};

class PlanActions {
 public:
  PlanActions(recovery::common::Outbox& outbox, recovery::common::Clock& clock, ActionPlanConfig config)
      : outbox_(outbox), clock_(clock), config_(std::move(config)) {}

  // The current configuration; a snapshot stays valid while the caller holds it.
  std::shared_ptr<const ActionPlanConfig> config() const;
  // Replaces the configuration (SIGHUP); calls in flight keep the snapshot they took.
  void SetConfig(ActionPlanConfig config);
  absl::Time Now() const { return clock_.Now(); }

  // CaseOpened: drafts the plan from the category's playbook (a case that already has a
  // plan keeps it) and publishes PlanDrafted.
  absl::Status DraftFromCase(recovery::common::Tx& tx, const recovery::v1::Event& event);
  // CaseAcknowledged / OwnerAssigned: fills case_owner items (and moves the previous
  // owner's open case_owner items), one ActionItemUpdated per changed item.
  absl::Status AssignCaseOwner(recovery::common::Tx& tx, const recovery::v1::Event& event, const std::string& owner,
                               const std::string& previous_owner);

  // The plan named by plan_id, else by case_id; NOT_FOUND naming the field.
  absl::StatusOr<PlanRecord> Load(recovery::common::Tx& tx, const std::string& plan_id,
                                  const std::string& case_id);

  // Loads the plan, applies `change` (which may add events), stores it and appends the
  // events. On error nothing is stored or published.
  using Change = std::function<absl::Status(PlanRecord&, EventSink&)>;
  absl::StatusOr<PlanRecord> Mutate(recovery::common::Tx& tx, const std::string& plan_id, const std::string& case_id,
                                    const Cause& cause, const Change& change);

  // When a due instant is a poor time for the client: their calendar (holidays too) if
  // the plan knows one from config, else Mon-Fri 09:00-17:30 in their time zone.
  std::vector<recovery::v1::TimingWarning> TimingWarnings(const PlanRecord& record, absl::Time due) const;

 private:
  absl::Status Commit(recovery::common::Tx& tx, PlanRecord& record, EventSink& sink, bool insert);

  recovery::common::Outbox& outbox_;
  recovery::common::Clock& clock_;
  recovery::common::Reloadable<ActionPlanConfig> config_;
};

// The client's zone by IANA name; UTC when the name is empty or unknown.
absl::TimeZone ClientZone(const std::string& name);

}  // namespace recovery::action_plan
