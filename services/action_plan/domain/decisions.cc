// The action-plan decisions: domain changes on a plan record and the events they publish.
#include "services/action_plan/domain/decisions.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/action_plan/domain/client_time.h"
#include "services/action_plan/domain/codec.h"
#include "services/action_plan/domain/commitment_timing.h"
#include "services/action_plan/domain/errors.h"
#include "services/action_plan/domain/summary.h"
#include "services/common/events.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::FromProto;
using recovery::common::ToProto;

BusinessDayPredicate BusinessDaysOf(const recovery::calendar::Calendar* calendar) {
  if (calendar == nullptr) return nullptr;
  return [calendar](absl::CivilDay day) {
    return !calendar->weekly()[static_cast<int>(absl::GetWeekday(day))].empty() && calendar->HolidayOn(day) == nullptr;
  };
}

// Collects the events of one decision on one plan.
class Events {
 public:
  Events(const PlanRecord& record, const Cause& cause) : record_(record), cause_(cause) {}
  v1::Event& Add() {
    events_.push_back(
        recovery::common::NewEvent(cause_.now, record_.plan.case_id, kEventSource, cause_.actor, cause_.causation_id));
    return events_.back();
  }
  // An event body with plan_id and item (ActionItemAdded, -Updated, -Completed).
  template <typename Body>
  Body* Item(Body* body, const std::string& item_id) {
    body->set_plan_id(record_.plan.plan_id);
    *body->mutable_item() = ItemToProto(*FindItem(record_.plan, item_id));
    return body;
  }
  void ItemUpdated(const std::string& item_id, const std::vector<std::string>& changed) {
    auto* e = Item(Add().mutable_action_item_updated(), item_id);
    for (const auto& f : changed) e->add_changed_fields(f);
  }
  std::vector<v1::Event> Take() { return std::move(events_); }

 private:
  const PlanRecord& record_;
  const Cause& cause_;
  std::vector<v1::Event> events_;
};

// The outcome of a change to a stored plan: PlanCompleted the first time it completes.
PlanOutcome Updated(PlanRecord record, Events& events, const Cause& cause,
                    std::vector<v1::TimingWarning> warnings = {}) {
  if (!record.completed && IsComplete(record.plan)) {
    record.completed = true;
    // `events` refers to the caller's record, which may have been moved into `record`: the
    // envelope takes its case from the record this function owns.
    v1::Event& e = events.Add();
    e.set_case_id(record.plan.case_id);
    e.mutable_plan_completed()->set_plan_id(record.plan.plan_id);
  }
  record.updated_at = cause.now;
  PlanOutcome outcome;
  outcome.events = events.Take();
  outcome.rows = PlanWrite{PlanWrite::Kind::kUpdate, std::move(record), std::move(warnings)};
  return outcome;
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

}  // namespace

absl::TimeZone ClientZone(const std::string& name) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!name.empty() && !absl::LoadTimeZone(name, &zone)) return absl::UTCTimeZone();
  return zone;
}

std::vector<v1::TimingWarning> TimingWarnings(const PlanRecord& record, absl::Time due,
                                              const ActionPlanSettings& settings) {
  const absl::TimeZone zone = ClientZone(record.client_time_zone);
  std::vector<v1::TimingWarning> out;
  const auto* calendar = settings.FindCalendar(record.client_calendar_id);
  if (calendar != nullptr) {
    if (const auto* holiday = calendar->HolidayOn(absl::ToCivilDay(due, calendar->time_zone()))) {
      v1::TimingWarning w;
      w.set_code(v1::TIMING_WARNING_CODE_HOLIDAY);
      w.set_message(absl::StrCat("due ", FormatClientTime(due, zone), " falls on a holiday for the client (",
                                 holiday->name, ")"));
      out.push_back(std::move(w));
      return out;
    }
    for (const auto& w : CheckCommitmentTiming(due, zone, [calendar](absl::Time t) { return calendar->IsOpen(t); })) {
      out.push_back(TimingWarningToProto(w));
    }
    return out;
  }
  for (const auto& w : CheckCommitmentTiming(due, zone)) out.push_back(TimingWarningToProto(w));
  return out;
}

absl::StatusOr<const Playbook*> FindPlaybook(const std::vector<Playbook>& playbooks, const std::string& id,
                                             const std::string& category) {
  if (!category.empty()) return SelectPlaybook(playbooks, category);
  for (const auto& p : playbooks) {
    if (p.id == id) return &p;
  }
  return Refuse(PlanError::kPlaybookNotFound, absl::StrCat("id: no playbook '", id, "'"));
}

namespace decide {

absl::StatusOr<PlanOutcome> DraftPlan(const std::optional<PlanRecord>& existing, const v1::Event& event,
                                      const ActionPlanSettings& settings, const std::string& plan_id,
                                      const Cause& cause) {
  if (existing.has_value()) return PlanOutcome{};
  const auto& opened = event.case_opened();
  PlanRecord record;
  record.client_name = opened.client().name();
  record.client_time_zone =
      !opened.client().time_zone().empty() ? opened.client().time_zone() : opened.contact().time_zone();
  absl::TimeZone zone;
  // An unknown zone is not a reason to leave the client without a plan: UTC, and the
  // record says so.
  if (record.client_time_zone.empty() || !absl::LoadTimeZone(record.client_time_zone, &zone)) {
    record.client_time_zone = "UTC";
    zone = absl::UTCTimeZone();
  }
  record.client_calendar_id = opened.client().calendar_id();
  ASSIGN_OR_RETURN(const Playbook* playbook, SelectPlaybook(settings.playbooks, opened.category()));
  const CaseFacts facts{event.case_id(), opened.category(), "", zone};
  ASSIGN_OR_RETURN(record.plan,
                   action_plan::DraftPlan(plan_id, *playbook, facts, cause.now,
                                          BusinessDaysOf(settings.FindCalendar(record.client_calendar_id))));
  AssignRoleOwners(record.plan, settings.role_owners);
  record.playbook_id = playbook->id;
  record.created_at = record.updated_at = cause.now;

  Events events(record, cause);
  auto* drafted = events.Add().mutable_plan_drafted();
  drafted->set_plan_id(record.plan.plan_id);
  drafted->set_playbook_id(record.playbook_id);
  for (const auto& item : record.plan.items) *drafted->add_items() = ItemToProto(item);
  PlanOutcome outcome;
  outcome.events = events.Take();
  outcome.rows = PlanWrite{PlanWrite::Kind::kInsert, std::move(record), {}};
  return outcome;
}

absl::StatusOr<PlanOutcome> AssignCaseOwner(PlanRecord record, const std::string& owner,
                                            const std::string& previous_owner, const Cause& cause) {
  if (owner.empty()) return PlanOutcome{};
  const std::vector<ActionItem> before = record.plan.items;
  if (!previous_owner.empty() && previous_owner != owner) {
    for (const auto& item : before) {
      const bool live = item.status == ItemStatus::kOpen || item.status == ItemStatus::kInProgress;
      if (live && item.owner_role == kCaseOwnerRole && item.owner == previous_owner) {
        ItemUpdate update;
        update.owner = owner;
        RETURN_IF_ERROR(UpdateItem(record.plan, item.id, update, cause.now));
      }
    }
  }
  RETURN_IF_ERROR(AssignOwners(record.plan, owner).status());
  Events events(record, cause);
  for (size_t i = 0; i < record.plan.items.size(); ++i) {
    if (record.plan.items[i].owner != before[i].owner) events.ItemUpdated(record.plan.items[i].id, {"owner"});
  }
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> AddActionItem(PlanRecord record, const v1::AddActionItemRequest& req,
                                          const std::string& item_id, const Cause& cause) {
  ActionItem item = NewItemFromProto(req.item());
  item.id = item_id;
  RETURN_IF_ERROR(AddItem(record.plan, std::move(item), cause.now));
  Events events(record, cause);
  events.Item(events.Add().mutable_action_item_added(), item_id);
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> UpdateActionItem(PlanRecord record, const v1::UpdateActionItemRequest& req,
                                             const Cause& cause) {
  RETURN_IF_ERROR(UpdateItem(record.plan, req.item_id(), ItemUpdateFromProto(req.update()), cause.now));
  Events events(record, cause);
  events.ItemUpdated(req.item_id(), ChangedFields(req.update()));
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> CompleteActionItem(PlanRecord record, const v1::CompleteActionItemRequest& req,
                                               const Cause& cause) {
  RETURN_IF_ERROR(CompleteItem(record.plan, req.item_id(), req.completion_note(), cause.now));
  Events events(record, cause);
  events.Item(events.Add().mutable_action_item_completed(), req.item_id());
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> CancelActionItem(PlanRecord record, const v1::CancelActionItemRequest& req,
                                             const Cause& cause) {
  RETURN_IF_ERROR(CancelItem(record.plan, req.item_id(), req.reason()));
  Events events(record, cause);
  events.ItemUpdated(req.item_id(), {"status"});
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> AddCommitment(PlanRecord record, const v1::AddCommitmentRequest& req,
                                          const std::string& commitment_id, const ActionPlanSettings& settings,
                                          const Cause& cause) {
  const auto& p = req.commitment();
  const absl::Time due = FromProto(p.due());
  RETURN_IF_ERROR(action_plan::AddCommitment(
      record.plan, Commitment{commitment_id, p.text(), p.owner(), due, CommitmentStatus::kOpen, 0}, cause.now));
  std::vector<v1::TimingWarning> warnings = TimingWarnings(record, due, settings);
  Events events(record, cause);
  auto* e = events.Add().mutable_commitment_made();
  e->set_plan_id(record.plan.plan_id);
  *e->mutable_commitment() = CommitmentToProto(*FindCommitment(record.plan, commitment_id));
  for (const auto& w : warnings) e->add_warnings(w.message());
  return Updated(std::move(record), events, cause, std::move(warnings));
}

absl::StatusOr<PlanOutcome> UpdateCommitment(PlanRecord record, const v1::UpdateCommitmentRequest& req,
                                             const ActionPlanSettings& settings, const Cause& cause) {
  const Commitment* before = FindCommitment(record.plan, req.commitment_id());
  const absl::Time previous_due = before ? before->due : absl::UnixEpoch();
  CommitmentUpdate update;
  if (req.update().has_due()) update.due = FromProto(req.update().due());
  update.status = CommitmentStatusFromProto(req.update().status());
  RETURN_IF_ERROR(action_plan::UpdateCommitment(record.plan, req.commitment_id(), update, cause.now));
  const Commitment& c = *FindCommitment(record.plan, req.commitment_id());
  std::vector<v1::TimingWarning> warnings;
  Events events(record, cause);
  v1::Event& event = events.Add();
  switch (c.status) {
    case CommitmentStatus::kKept: {
      auto* e = event.mutable_commitment_kept();
      e->set_plan_id(record.plan.plan_id);
      *e->mutable_commitment() = CommitmentToProto(c);
      break;
    }
    case CommitmentStatus::kBroken: {
      auto* e = event.mutable_commitment_broken();
      e->set_plan_id(record.plan.plan_id);
      *e->mutable_commitment() = CommitmentToProto(c);
      e->set_reason(req.reason());
      break;
    }
    default: {
      warnings = TimingWarnings(record, c.due, settings);
      auto* e = event.mutable_commitment_updated();
      e->set_plan_id(record.plan.plan_id);
      *e->mutable_commitment() = CommitmentToProto(c);
      *e->mutable_previous_due() = ToProto(previous_due);
      break;
    }
  }
  return Updated(std::move(record), events, cause, std::move(warnings));
}

absl::StatusOr<PlanOutcome> RecordAmends(PlanRecord record, const v1::RecordAmendsRequest& req,
                                         const std::string& amends_id, const Cause& cause) {
  const auto& p = req.amends();
  const std::optional<AmendsKind> kind = AmendsKindFromProto(p.kind());
  if (!kind) return Refuse(PlanError::kInvalidInput, "amends.kind: required");
  RETURN_IF_ERROR(action_plan::RecordAmends(
      record.plan, Amends{*kind, p.value_minor_units(), p.currency(), p.approver(), p.reason(), cause.now}, cause.now));
  record.amends_ids.resize(record.plan.amends.size() - 1);
  record.amends_ids.push_back(amends_id);
  const Amends& stored = record.plan.amends.back();
  Events events(record, cause);
  auto* e = events.Add().mutable_amends_recorded();
  e->set_plan_id(record.plan.plan_id);
  e->set_amends_id(amends_id);
  e->set_kind(std::string(ToString(stored.kind)));
  e->set_value(static_cast<double>(stored.value_minor_units) / 100.0);
  e->set_currency(stored.currency);
  e->set_approver(stored.approver);
  e->set_reason(stored.reason);
  e->set_value_minor_units(stored.value_minor_units);
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> SetRootCause(PlanRecord record, const v1::SetRootCauseRequest& req, const Cause& cause) {
  const auto& p = req.root_cause();
  RETURN_IF_ERROR(
      action_plan::SetRootCause(record.plan, RootCause{p.client_view(), p.firm_view(), p.agreed_explanation()}));
  record.root_cause_category = p.category();
  Events events(record, cause);
  auto* e = events.Add().mutable_root_cause_set();
  e->set_plan_id(record.plan.plan_id);
  e->set_client_view(p.client_view());
  e->set_firm_view(p.firm_view());
  e->set_agreed_explanation(p.agreed_explanation());
  e->set_category(p.category());
  return Updated(std::move(record), events, cause);
}

absl::StatusOr<PlanOutcome> SharePlan(PlanRecord record, const Cause& cause) {
  const int version = record.plan.shared_versions.empty() ? 1 : record.plan.shared_versions.back().version + 1;
  ClientSummary summary = RenderSummary(record.plan, record.client_name, ClientZone(record.client_time_zone), version);
  RETURN_IF_ERROR(RecordSharedVersion(record.plan, version, summary.text, cause.now));
  record.shared_markdown.resize(record.plan.shared_versions.size() - 1);
  record.shared_markdown.push_back(summary.markdown);
  Events events(record, cause);
  auto* e = events.Add().mutable_plan_shared();
  e->set_plan_id(record.plan.plan_id);
  e->set_version(version);
  e->set_summary_markdown(std::move(summary.markdown));
  e->set_summary_text(std::move(summary.text));
  return Updated(std::move(record), events, cause);
}

}  // namespace decide
}  // namespace recovery::action_plan
