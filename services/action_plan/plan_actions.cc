// Load / change / store / publish for action plans.
#include "services/action_plan/plan_actions.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/action_plan/domain/client_time.h"
#include "services/action_plan/domain/commitment_timing.h"
#include "services/action_plan/store.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/logging.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::Tx;

BusinessDayPredicate BusinessDaysOf(const recovery::calendar::Calendar* calendar) {
  if (calendar == nullptr) return nullptr;
  return [calendar](absl::CivilDay day) {
    return !calendar->weekly()[static_cast<int>(absl::GetWeekday(day))].empty() && calendar->HolidayOn(day) == nullptr;
  };
}

}  // namespace

absl::TimeZone ClientZone(const std::string& name) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!name.empty() && !absl::LoadTimeZone(name, &zone)) return absl::UTCTimeZone();
  return zone;
}

v1::Event& EventSink::Add() {
  events_.push_back(
      recovery::common::NewEvent(cause_.now, case_id_, kEventSource, cause_.actor, cause_.causation_id));
  return events_.back();
}

std::shared_ptr<const ActionPlanConfig> PlanActions::config() const { return config_.Get(); }

void PlanActions::SetConfig(ActionPlanConfig config) { config_.Set(std::move(config)); }

absl::Status PlanActions::Commit(Tx& tx, PlanRecord& record, EventSink& sink, bool insert) {
  if (!record.completed && IsComplete(record.plan)) {
    record.completed = true;
    sink.Add().mutable_plan_completed()->set_plan_id(record.plan.plan_id);
  }
  auto s = insert ? InsertPlan(tx, record) : UpdatePlan(tx, record);
  if (!s.ok()) return s;
  for (const auto& event : sink.events()) {
    if (auto a = outbox_.Append(tx, event); !a.ok()) return a;
  }
  return absl::OkStatus();
}

absl::StatusOr<PlanRecord> PlanActions::Load(Tx& tx, const std::string& plan_id, const std::string& case_id) {
  auto found = plan_id.empty() ? FindPlanByCase(tx, case_id) : FindPlanById(tx, plan_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return plan_id.empty() ? absl::NotFoundError(absl::StrCat("case_id: no plan for case '", case_id, "'"))
                           : absl::NotFoundError(absl::StrCat("plan_id: no plan '", plan_id, "'"));
  }
  return std::move(**found);
}

absl::StatusOr<PlanRecord> PlanActions::Mutate(Tx& tx, const std::string& plan_id, const std::string& case_id,
                                               const Cause& cause, const Change& change) {
  auto record = Load(tx, plan_id, case_id);
  if (!record.ok()) return record.status();
  EventSink sink(record->plan.case_id, cause);
  if (auto s = change(*record, sink); !s.ok()) return s;
  record->updated_at = cause.now;
  if (auto s = Commit(tx, *record, sink, /*insert=*/false); !s.ok()) return s;
  return record;
}

absl::Status PlanActions::DraftFromCase(Tx& tx, const v1::Event& event) {
  const auto& opened = event.case_opened();
  auto existing = FindPlanByCase(tx, event.case_id());
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return absl::OkStatus();

  const Cause cause{clock_.Now(), kEventSource, event.event_id()};
  PlanRecord record;
  record.client_name = opened.client().name();
  record.client_time_zone = !opened.client().time_zone().empty() ? opened.client().time_zone()
                                                                 : opened.contact().time_zone();
  absl::TimeZone zone;
  if (record.client_time_zone.empty() || !absl::LoadTimeZone(record.client_time_zone, &zone)) {
    if (!record.client_time_zone.empty()) {
      recovery::common::LogWarn("unknown client time zone; using UTC",
                                {{"case_id", event.case_id()}, {"time_zone", record.client_time_zone}});
    }
    record.client_time_zone = "UTC";
    zone = absl::UTCTimeZone();
  }
  record.client_calendar_id = opened.client().calendar_id();
  const auto config = this->config();
  auto playbook = SelectPlaybook(config->playbooks, opened.category());
  if (!playbook.ok()) return playbook.status();
  const CaseFacts facts{event.case_id(), opened.category(), "", zone};
  auto plan = DraftPlan(recovery::common::NewId(cause.now), **playbook, facts, cause.now,
                        BusinessDaysOf(config->FindCalendar(record.client_calendar_id)));
  if (!plan.ok()) return plan.status();
  record.plan = std::move(*plan);
  AssignRoleOwners(record.plan, config->role_owners);
  record.playbook_id = (*playbook)->id;
  record.created_at = record.updated_at = cause.now;

  EventSink sink(event.case_id(), cause);
  auto* drafted = sink.Add().mutable_plan_drafted();
  drafted->set_plan_id(record.plan.plan_id);
  drafted->set_playbook_id(record.playbook_id);
  for (const auto& item : record.plan.items) *drafted->add_items() = ItemToProto(item);
  return Commit(tx, record, sink, /*insert=*/true);
}

absl::Status PlanActions::AssignCaseOwner(Tx& tx, const v1::Event& event, const std::string& owner,
                                          const std::string& previous_owner) {
  if (owner.empty()) return absl::OkStatus();
  auto found = FindPlanByCase(tx, event.case_id());
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    recovery::common::LogWarn("owner event for a case without a plan", {{"case_id", event.case_id()}});
    return absl::OkStatus();
  }
  const Cause cause{clock_.Now(), kEventSource, event.event_id()};
  auto result = Mutate(tx, "", event.case_id(), cause, [&](PlanRecord& record, EventSink& sink) -> absl::Status {
    const std::vector<ActionItem> before = record.plan.items;
    if (!previous_owner.empty() && previous_owner != owner) {
      for (const auto& item : before) {
        const bool live = item.status == ItemStatus::kOpen || item.status == ItemStatus::kInProgress;
        if (live && item.owner_role == kCaseOwnerRole && item.owner == previous_owner) {
          ItemUpdate update;
          update.owner = owner;
          if (auto s = UpdateItem(record.plan, item.id, update, cause.now); !s.ok()) return s;
        }
      }
    }
    auto assigned = AssignOwners(record.plan, owner);
    if (!assigned.ok()) return assigned.status();
    for (size_t i = 0; i < record.plan.items.size(); ++i) {
      if (record.plan.items[i].owner == before[i].owner) continue;
      auto* updated = sink.Add().mutable_action_item_updated();
      updated->set_plan_id(record.plan.plan_id);
      *updated->mutable_item() = ItemToProto(record.plan.items[i]);
      updated->add_changed_fields("owner");
    }
    return absl::OkStatus();
  });
  return result.status();
}

std::vector<v1::TimingWarning> PlanActions::TimingWarnings(const PlanRecord& record, absl::Time due) const {
  const absl::TimeZone zone = ClientZone(record.client_time_zone);
  std::vector<v1::TimingWarning> out;
  const auto config = this->config();
  const auto* calendar = config->FindCalendar(record.client_calendar_id);
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

}  // namespace recovery::action_plan
