// load -> decide -> apply, one function per RPC, event, timer and delivery outcome.
#include "services/escalation/app.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/apply.h"
#include "services/common/auth/principal.h"
#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/common/yaml_fields.h"
#include "services/escalation/delivery/worker.h"
#include "services/escalation/domain/cover.h"
#include "services/escalation/domain/handoff.h"
#include "services/escalation/domain/override_events.h"
#include "services/escalation/validation.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::Tx;
using v1::Event;

constexpr absl::Duration kCoverageLookahead = absl::Hours(24 * 7);

std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()); }

// Effects of a consumed event are the service's own, caused by that event.
Cause CausedBy(const Event& e) { return Cause{e.event_id(), kServiceActor, "", ""}; }

CaseFacts NewFacts(const std::string& case_id) {
  CaseFacts c;
  c.case_id = case_id;
  return c;
}

std::optional<EscalationStatus> StatusFromProto(v1::EscalationStatus s) {
  switch (s) {
    case v1::ESCALATION_STATUS_NEW:
      return EscalationStatus::kNew;
    case v1::ESCALATION_STATUS_HELD:
      return EscalationStatus::kHeld;
    case v1::ESCALATION_STATUS_PAGING:
      return EscalationStatus::kPaging;
    case v1::ESCALATION_STATUS_ACKNOWLEDGED:
      return EscalationStatus::kAcknowledged;
    case v1::ESCALATION_STATUS_RESOLVED:
      return EscalationStatus::kResolved;
    case v1::ESCALATION_STATUS_EXHAUSTED:
      return EscalationStatus::kExhausted;
    default:
      return std::nullopt;
  }
}

template <typename T>
const Refusal* RefusalOf(const Decided<T>& d) {
  return std::get_if<Refusal>(&d);
}

// What the override's events say about it (approved_by is CoverAccepted's actor).
OverrideFacts FactsOf(const StoredOverride& o) {
  return OverrideFacts{o.override_id, o.schedule_id, o.person_id,  o.start,
                       o.end,         o.reason,      o.created_by, o.cover_request_id};
}

}  // namespace

absl::StatusOr<EscalationSettings> ParseSettings(const YAML::Node& root, const common::HostResolver& resolve) {
  EscalationSettings out;
  YAML::Node domain;
  try {
    if (root && !root.IsNull()) {
      RETURN_IF_ERROR(yaml_fields::ExpectMap(
          root, "(root)",
          {"people", "calendars", "schedules", "policies", "teams", "routing_rules", "delivery", "webhook_secret",
           "webhook_previous_secrets", "webhook_signatures", "smtp", "smtp_from", "webhook_timeout"}));
    }
    domain = YAML::Clone(root);
    if (domain.IsMap()) {
      for (const char* key :
           {"webhook_secret", "webhook_previous_secrets", "webhook_signatures", "smtp", "smtp_from", "webhook_timeout"})
        domain.remove(key);
    }
    if (root.IsMap()) {
      ASSIGN_OR_RETURN(out.delivery.webhook_secret, yaml_fields::OptionalString(root, "", "webhook_secret"));
      ASSIGN_OR_RETURN(out.delivery.webhook_previous_secrets,
                       yaml_fields::StringList(root, "", "webhook_previous_secrets"));
      if (root["webhook_signatures"]) {
        ASSIGN_OR_RETURN(const std::vector<std::string> versions,
                         yaml_fields::StringList(root, "", "webhook_signatures"));
        out.delivery.sign_v1 = out.delivery.sign_v2 = false;
        for (size_t i = 0; i < versions.size(); ++i) {
          if (versions[i] == "v1") {
            out.delivery.sign_v1 = true;
          } else if (versions[i] == "v2") {
            out.delivery.sign_v2 = true;
          } else {
            return yaml_fields::Error(yaml_fields::Index("webhook_signatures", i),
                                      absl::StrCat("unknown signature version '", versions[i], "' (v1 or v2)"));
          }
        }
        if (versions.empty()) return yaml_fields::Error("webhook_signatures", "name at least one version: v1, v2");
      }
      ASSIGN_OR_RETURN(out.delivery.smtp_url, yaml_fields::OptionalString(root, "", "smtp"));
      ASSIGN_OR_RETURN(out.delivery.smtp_from,
                       yaml_fields::OptionalString(root, "", "smtp_from", out.delivery.smtp_from));
      if (const YAML::Node timeout = root["webhook_timeout"]) {
        ASSIGN_OR_RETURN(out.delivery.webhook_timeout, yaml_fields::ParseDurationField(timeout, "webhook_timeout"));
        // A send must end within its lease, or another claim could send the page meanwhile.
        const absl::Duration lease = delivery::DeliveryOptions{}.lease;
        if (out.delivery.webhook_timeout <= absl::ZeroDuration() || out.delivery.webhook_timeout >= lease) {
          return yaml_fields::Error(
              "webhook_timeout",
              absl::StrCat("must be positive and shorter than the delivery lease (", absl::FormatDuration(lease), ")"));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return yaml_fields::Error("(root)", absl::StrCat("malformed YAML: ", e.what()));
  }
  const std::string& smtp = out.delivery.smtp_url;
  if (!smtp.empty() && smtp.rfind("smtp://", 0) != 0 && smtp.rfind("smtps://", 0) != 0) {
    return yaml_fields::Error("smtp", "must be an smtp:// or smtps:// URL");
  }
  if (const char* env = std::getenv("RECOVERY_WEBHOOK_SECRET"); env != nullptr && *env != '\0') {
    out.delivery.webhook_secret = env;
  }
  if (const char* env = std::getenv("RECOVERY_WEBHOOK_PREVIOUS_SECRETS"); env != nullptr && *env != '\0') {
    out.delivery.webhook_previous_secrets = absl::StrSplit(env, ',', absl::SkipWhitespace());
  }
  ASSIGN_OR_RETURN(out.directory, ParseEscalationConfig(domain, resolve));
  out.delivery.webhook_targets = out.directory.delivery;
  return out;
}

EscalationConfig MergeOverrides(EscalationConfig merged, const std::vector<StoredOverride>& overrides) {
  for (const StoredOverride& o : overrides) {
    if (merged.FindPerson(o.person_id) == nullptr) continue;
    for (Schedule& s : merged.schedules) {
      if (s.id == o.schedule_id) s.overrides.push_back(Override{o.person_id, o.start, o.end});
    }
  }
  return merged;
}

EscalationApp::EscalationApp(common::Store& store, common::Clock& clock, common::TimerService& timers,
                             common::Outbox& outbox)
    : store_(store), clock_(clock), timers_(timers), outbox_(outbox) {}

// --- configuration ---

void EscalationApp::SetSettings(EscalationSettings settings) {
  absl::MutexLock lock(&mu_);
  settings_ = std::move(settings);
  Rebuild();
}

absl::Status EscalationApp::LoadOverrides() {
  return common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto overrides, escalation::ListOverrides(tx));
    absl::MutexLock lock(&mu_);
    overrides_ = std::move(overrides);
    Rebuild();
    return absl::OkStatus();
  });
}

void EscalationApp::Rebuild() {
  merged_ = std::make_shared<const EscalationConfig>(MergeOverrides(settings_.directory, overrides_));
}

std::shared_ptr<const EscalationConfig> EscalationApp::directory() const {
  absl::MutexLock lock(&mu_);
  return merged_;
}

std::vector<StoredOverride> EscalationApp::overrides() const {
  absl::MutexLock lock(&mu_);
  return overrides_;
}

delivery::DeliverySettings EscalationApp::delivery() const {
  absl::MutexLock lock(&mu_);
  return settings_.delivery;
}

absl::Status EscalationApp::RefreshOverridesAfterCommit(Tx& tx) {
  ASSIGN_OR_RETURN(auto all, escalation::ListOverrides(tx));
  tx.AfterCommit([this, overrides = std::move(all)]() mutable {
    absl::MutexLock lock(&mu_);
    overrides_ = std::move(overrides);
    Rebuild();
  });
  return absl::OkStatus();
}

void EscalationApp::LogCoverageGaps() {
  const auto dir = directory();
  const absl::Time now = clock_.Now();
  for (const Schedule& s : dir->schedules) {
    for (const calendar::Interval& gap : FindCoverageGaps(s, now, now + kCoverageLookahead)) {
      common::LogWarn("on-call coverage gap",
                      {{"schedule_id", s.id}, {"from", Rfc3339(gap.start)}, {"to", Rfc3339(gap.end)}});
    }
  }
}

// --- the one apply path ---

absl::Status EscalationApp::Apply(Tx& tx, const EscalationOutcome& decided, std::optional<int64_t> version) {
  const std::optional<EscalationOutcome> linked = WithAckLinks(decided);
  const EscalationOutcome& outcome = linked ? *linked : decided;
  RETURN_IF_ERROR(common::ApplyOutcome(tx, outcome, timers_, outbox_,
                                       [&](Tx& t, const EscalationRows& rows) { return WriteRows(t, rows, version); }));
  if (!outcome.rows.queue.empty() && wake_delivery_) tx.AfterCommit(wake_delivery_);
  return absl::OkStatus();
}

absl::StatusOr<Decided<EscalationOutcome>> EscalationApp::Step(Tx& tx, const StoredEscalationRow& row,
                                                               const Input& input, const Cause& cause) {
  ASSIGN_OR_RETURN(auto facts, LoadCase(tx, row.state.case_id));
  Decided<EscalationOutcome> decided =
      Decide(*directory(), row.state, input, facts ? &*facts : nullptr, cause, clock_.Now());
  if (const auto* out = std::get_if<EscalationOutcome>(&decided)) RETURN_IF_ERROR(Apply(tx, *out, row.version));
  return decided;
}

absl::Status EscalationApp::Start(Tx& tx, const CaseFacts& facts, const std::string& reason, const Cause& cause) {
  Decided<EscalationOutcome> decided = StartEscalation(*directory(), facts, reason, cause, clock_.Now());
  if (const Refusal* r = RefusalOf(decided)) {
    common::LogWarn("case not routed", {{"case_id", facts.case_id}, {"error", std::string(ToStatus(*r).message())}});
    return absl::OkStatus();
  }
  return Apply(tx, std::get<EscalationOutcome>(decided), std::nullopt);
}

absl::Status EscalationApp::StartUnlessActive(Tx& tx, const CaseFacts& facts, const std::string& reason,
                                              const Cause& cause) {
  ASSIGN_OR_RETURN(auto active, escalation::ListEscalations(tx, facts.case_id, /*active_only=*/true));
  if (!active.empty()) return absl::OkStatus();
  return Start(tx, facts, reason, cause);
}

// --- RPCs ---

absl::StatusOr<EscalationState> EscalationApp::AcknowledgePage(Tx& tx, const v1::AcknowledgePageRequest& r,
                                                               const CallerScope& caller) {
  std::string escalation_id = r.escalation_id();
  std::vector<std::string> page_people;  // whom the page (or the escalation's pages) went to
  if (!r.page_id().empty()) {
    ASSIGN_OR_RETURN(auto page, LoadQueued(tx, r.page_id()));
    if (!page || page->kind != QueuedMessage::Kind::kPage) {
      return ToStatus(Refusal{EscalationError::kUnknownPage, common::QuoteForMessage(r.page_id())}, "page_id");
    }
    escalation_id = page->escalation_id;
    page_people.push_back(page->person_id);
  }
  ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, escalation_id));
  if (!row) return ToStatus(Refusal{EscalationError::kUnknownEscalation, ""}, "escalation_id");
  if (r.page_id().empty() && !caller.acknowledge_any) {
    ASSIGN_OR_RETURN(auto pages, delivery::ListByEscalation(tx, escalation_id));
    for (const delivery::Delivery& d : pages) {
      if (d.kind == delivery::kKindPage) page_people.push_back(d.person_id);
    }
  }
  RETURN_IF_ERROR(MayAcknowledge(caller, r.page_id(), escalation_id, page_people));
  ASSIGN_OR_RETURN(auto decided,
                   Step(tx, *row, Acknowledge{caller.person_id}, Cause{r.request_id(), caller.actor, r.page_id(), ""}));
  if (const Refusal* refused = RefusalOf(decided)) return ToStatus(*refused, "escalation_id");
  return *std::get<EscalationOutcome>(decided).rows.escalation;
}

absl::StatusOr<EscalationState> EscalationApp::ResolveEscalation(Tx& tx, const v1::ResolveEscalationRequest& r,
                                                                 const CallerScope& caller) {
  ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, r.escalation_id()));
  if (!row) return ToStatus(Refusal{EscalationError::kUnknownEscalation, ""}, "escalation_id");
  const Cause cause{r.request_id(), caller.actor, "", r.reason().empty() ? "resolved by request" : r.reason()};
  // resolved_by holds a person id; an integration or service is recorded by its actor.
  const std::string by = caller.person_id.empty() ? caller.actor : caller.person_id;
  ASSIGN_OR_RETURN(auto decided, Step(tx, *row, Resolve{by}, cause));
  if (const Refusal* refused = RefusalOf(decided)) return ToStatus(*refused, "escalation_id");
  return *std::get<EscalationOutcome>(decided).rows.escalation;
}

absl::StatusOr<StoredOverride> EscalationApp::AddOverride(Tx& tx, const v1::AddOverrideRequest& r,
                                                          const CallerScope& caller) {
  StoredOverride o{common::NewId(clock_.Now()),
                   r.schedule_id(),
                   r.person_id(),
                   common::FromProto(r.start()),
                   common::FromProto(r.end()),
                   r.reason(),
                   caller.actor,
                   "",
                   ""};
  RETURN_IF_ERROR(MayAddOverride(*directory(), caller, o.schedule_id, o.person_id, o.start, o.end));
  RETURN_IF_ERROR(InsertOverride(tx, o));
  common::Effects effects;
  effects.events.push_back(OverrideAddedEvent(FactsOf(o), Cause{r.request_id(), caller.actor, "", ""}, clock_.Now()));
  RETURN_IF_ERROR(common::ApplyEffects(tx, effects, timers_, outbox_));
  RETURN_IF_ERROR(RefreshOverridesAfterCommit(tx));
  return o;
}

absl::StatusOr<StoredOverride> EscalationApp::RemoveOverride(Tx& tx, const v1::RemoveOverrideRequest& r,
                                                             const CallerScope& caller) {
  ASSIGN_OR_RETURN(auto o, LoadOverride(tx, r.override_id()));
  if (!o) {
    return absl::NotFoundError(
        absl::StrCat("override_id: unknown override ", common::QuoteForMessage(r.override_id())));
  }
  RETURN_IF_ERROR(MayRemoveOverride(*directory(), caller, *o));
  RETURN_IF_ERROR(DeleteOverride(tx, r.override_id()));
  common::Effects effects;
  effects.events.push_back(
      OverrideRemovedEvent(FactsOf(*o), Cause{r.request_id(), caller.actor, "", ""}, clock_.Now()));
  RETURN_IF_ERROR(common::ApplyEffects(tx, effects, timers_, outbox_));
  RETURN_IF_ERROR(RefreshOverridesAfterCommit(tx));
  return *o;
}

absl::StatusOr<EscalationState> EscalationApp::GetEscalation(const std::string& escalation_id) {
  EscalationState out;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, escalation_id));
    if (!row) return ToStatus(Refusal{EscalationError::kUnknownEscalation, ""}, "escalation_id");
    out = std::move(row->state);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<EscalationApp::EscalationList> EscalationApp::ListEscalations(const v1::ListEscalationsRequest& r) {
  EscalationFilter filter;
  filter.case_id = r.case_id();
  filter.team_id = r.team_id();
  for (int s : r.statuses()) {
    const std::optional<EscalationStatus> status = StatusFromProto(static_cast<v1::EscalationStatus>(s));
    if (!status) continue;
    const bool active =
        *status == EscalationStatus::kNew || *status == EscalationStatus::kHeld || *status == EscalationStatus::kPaging;
    if ((active || !r.active_only()) &&
        std::find(filter.statuses.begin(), filter.statuses.end(), *status) == filter.statuses.end()) {
      filter.statuses.push_back(*status);
    }
  }
  EscalationList out;
  if (r.active_only() && filter.statuses.empty()) {
    if (r.statuses_size() > 0) return out;  // only inactive statuses asked for: none is active
    filter.statuses = {EscalationStatus::kNew, EscalationStatus::kHeld, EscalationStatus::kPaging};
  }
  ASSIGN_OR_RETURN(const std::string after, ListEscalationsCursor(r));
  const int page_size = r.page_size() > 0 ? r.page_size() : kDefaultListPageSize;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, FindEscalations(tx, filter, after, page_size + 1));
    out = EscalationList{};
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (auto& row : rows) out.escalations.push_back(std::move(row.state));
    if (more) out.next_page_token = ListEscalationsPageToken(r, out.escalations.back().escalation_id);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<delivery::Delivery>> EscalationApp::ListPages(const std::string& escalation_id) {
  std::vector<delivery::Delivery> out;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, escalation_id));
    if (!row) return ToStatus(Refusal{EscalationError::kUnknownEscalation, ""}, "escalation_id");
    ASSIGN_OR_RETURN(out, delivery::ListByEscalation(tx, escalation_id));
    return absl::OkStatus();
  }));
  return out;
}

EscalationApp::OnCall EscalationApp::WhoIsOnCall(const std::string& schedule_id, const std::string& team_id,
                                                 std::optional<absl::Time> at) {
  const auto dir = directory();
  OnCall out;
  out.at = at.value_or(clock_.Now());
  std::vector<Target> targets;
  if (!schedule_id.empty()) {
    targets.push_back(Target{TargetKind::kSchedule, schedule_id});
    out.schedule_id = schedule_id;
  } else {
    targets.push_back(Target{TargetKind::kTeam, team_id});
    if (const Team* team = dir->FindTeam(team_id)) out.schedule_id = team->schedule_id;
  }
  out.person_ids = ResolveTargets(*dir, targets, out.at);
  return out;
}

std::vector<EscalationApp::NamedShift> EscalationApp::ShiftsOf(const Schedule& schedule, absl::Time from,
                                                               absl::Time to) {
  std::vector<NamedShift> out;
  for (const Shift& shift : escalation::ListShifts(schedule, from, to)) {
    out.push_back({shift, shift.layer == kOverrideLayer ? "override" : schedule.layers[shift.layer].name});
  }
  return out;
}

std::vector<EscalationApp::NamedShift> EscalationApp::ListShifts(const std::string& schedule_id, absl::Time from,
                                                                 absl::Time to) {
  const auto dir = directory();
  const Schedule* schedule = dir->FindSchedule(schedule_id);
  if (schedule == nullptr) return {};
  return ShiftsOf(*schedule, from, to);
}

EscalationApp::BusinessHours EscalationApp::IsBusinessHours(const std::string& calendar_id,
                                                            std::optional<absl::Time> at) {
  const auto dir = directory();
  BusinessHours out;
  const calendar::Calendar* cal = dir->FindCalendar(calendar_id);
  if (cal == nullptr) return out;
  const absl::Time t = at.value_or(clock_.Now());
  out.open = cal->IsOpen(t);
  out.next_change = cal->NextChange(t);
  if (const calendar::Holiday* h = cal->HolidayOn(absl::ToCivilDay(t, cal->time_zone()))) out.holiday = h->name;
  return out;
}

std::vector<calendar::Interval> EscalationApp::CheckCoverage(const std::string& schedule_id, absl::Time from,
                                                             absl::Time to) {
  const auto dir = directory();
  const Schedule* schedule = dir->FindSchedule(schedule_id);
  if (schedule == nullptr) return {};
  return FindCoverageGaps(*schedule, from, to);
}

// --- consumed events ---

absl::Status EscalationApp::OnEvent(Tx& tx, const Event& event) {
  if (event.source() == kServiceName) return absl::OkStatus();
  if (absl::Status valid = ValidateConsumedEvent(event); !valid.ok()) return valid;  // the consumer parks it
  switch (event.body_case()) {
    case Event::kCaseOpened:
      return OnCaseOpened(tx, event);
    case Event::kCaseReopened:
      return OnCaseReopened(tx, event);
    case Event::kCaseUpdated:
      return OnCaseUpdated(tx, event);
    case Event::kSlaBreached:
      return OnSlaBreached(tx, event);
    case Event::kCaseResolved:
      return OnCaseEnded(tx, event, "case resolved");
    case Event::kCaseClosed:
      return OnCaseEnded(tx, event, "case closed");
    case Event::kReminderDue:
      return OnReminderDue(tx, event);
    default:
      return absl::OkStatus();
  }
}

absl::Status EscalationApp::OnCaseOpened(Tx& tx, const Event& event) {
  const CaseFacts facts = FactsFromCaseOpened(event);
  RETURN_IF_ERROR(SaveCase(tx, facts));
  return StartUnlessActive(tx, facts, "case opened", CausedBy(event));
}

absl::Status EscalationApp::OnCaseReopened(Tx& tx, const Event& event) {
  ASSIGN_OR_RETURN(auto loaded, LoadCase(tx, event.case_id()));
  const CaseFacts facts = MergeCaseReopened(loaded.value_or(NewFacts(event.case_id())), event.case_reopened());
  RETURN_IF_ERROR(SaveCase(tx, facts));
  return StartUnlessActive(tx, facts, "case reopened", CausedBy(event));
}

absl::Status EscalationApp::OnCaseUpdated(Tx& tx, const Event& event) {
  ASSIGN_OR_RETURN(auto loaded, LoadCase(tx, event.case_id()));
  CaseFacts facts = loaded.value_or(NewFacts(event.case_id()));
  const bool raised = MergeCaseUpdated(facts, event.case_updated());
  RETURN_IF_ERROR(SaveCase(tx, facts));
  if (!raised) return absl::OkStatus();
  return StartUnlessActive(tx, facts, "severity raised", CausedBy(event));
}

absl::Status EscalationApp::OnSlaBreached(Tx& tx, const Event& event) {
  ASSIGN_OR_RETURN(auto active, escalation::ListEscalations(tx, event.case_id(), /*active_only=*/true));
  if (!active.empty()) {
    ASSIGN_OR_RETURN(auto facts, LoadCase(tx, event.case_id()));
    const StoredEscalationRow& row = active.back();
    Decided<EscalationOutcome> decided =
        AdvanceNow(*directory(), row.state, facts ? &*facts : nullptr, CausedBy(event), clock_.Now());
    if (const auto* out = std::get_if<EscalationOutcome>(&decided)) return Apply(tx, *out, row.version);
    return absl::OkStatus();  // neither paging nor held: nothing to advance
  }
  ASSIGN_OR_RETURN(auto loaded, LoadCase(tx, event.case_id()));
  const CaseFacts facts = MergeSlaBreached(loaded.value_or(NewFacts(event.case_id())), event.sla_breached());
  if (!loaded) RETURN_IF_ERROR(SaveCase(tx, facts));
  return Start(tx, facts, "sla breached", CausedBy(event));
}

absl::Status EscalationApp::OnCaseEnded(Tx& tx, const Event& event, const std::string& reason) {
  ASSIGN_OR_RETURN(auto all, escalation::ListEscalations(tx, event.case_id(), /*active_only=*/false));
  const Cause cause{event.event_id(), kServiceActor, "", reason};
  // resolved_by records who ended the case (a person id; another actor as it is), while the
  // events' actor is this service, which resolves the escalation because of that event.
  const std::string person = common::PersonOfActor(event.actor());
  const std::string by = person.empty() ? event.actor() : person;
  for (const StoredEscalationRow& row : all) {
    if (row.state.status == EscalationStatus::kResolved) continue;
    RETURN_IF_ERROR(Step(tx, row, Resolve{by}, cause).status());
  }
  return absl::OkStatus();
}

absl::Status EscalationApp::OnReminderDue(Tx& tx, const Event& event) {
  Decided<EscalationOutcome> decided = QueueReminder(*directory(), event, clock_.Now());
  if (const Refusal* r = RefusalOf(decided)) {
    common::LogWarn("reminder not delivered", {{"reminder_id", event.reminder_due().reminder_id()},
                                               {"error", std::string(ToStatus(*r, "recipient").message())}});
    return absl::OkStatus();
  }
  return Apply(tx, std::get<EscalationOutcome>(decided), std::nullopt);
}

// --- timers ---

absl::Status EscalationApp::OnAckTimer(Tx& tx, const common::Timer& timer) {
  std::string id;
  int tier = 0, round = 0;
  if (!ParseAckTimerKey(timer.key, &id, &tier, &round)) {
    common::LogWarn("malformed ack timer key", {{"key", common::QuoteForMessage(timer.key)}});
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, id));
  if (!row) return absl::OkStatus();
  // A stale timeout (the tier moved on, or the escalation stopped) is refused: nothing changes.
  return Step(tx, *row, AckTimeout{tier, round},
              Cause{absl::StrCat("timer:", kAckTimer, ":", timer.key), kServiceActor, "", ""})
      .status();
}

absl::Status EscalationApp::OnHoldTimer(Tx& tx, const common::Timer& timer) {
  ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, timer.key));
  if (!row) return absl::OkStatus();
  return Step(tx, *row, HoldElapsed{}, Cause{absl::StrCat("timer:", kHoldTimer, ":", timer.key), kServiceActor, "", ""})
      .status();
}

// --- handoff reminders ---

absl::Status EscalationApp::ArmHandoffReminders(Tx& tx) {
  const auto dir = directory();
  for (const HandoffReminder& r : UpcomingHandoffReminders(*dir, clock_.Now(), kHandoffHorizon)) {
    ASSIGN_OR_RETURN(auto armed, timers_.Get(tx, kHandoffTimer, HandoffTimerKey(r)));
    if (armed) continue;  // already armed (re-arming would reset its attempts)
    RETURN_IF_ERROR(timers_.Schedule(tx, kHandoffTimer, HandoffTimerKey(r), r.due, HandoffTimerPayload(r)));
  }
  return absl::OkStatus();
}

absl::Status EscalationApp::EnsureHandoffRearm() {
  if (directory()->handoff_reminders.empty()) return absl::OkStatus();
  return common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto armed, timers_.Get(tx, kHandoffRearmTimer, "rearm"));
    if (armed) return absl::OkStatus();
    RETURN_IF_ERROR(ArmHandoffReminders(tx));
    return timers_.Schedule(tx, kHandoffRearmTimer, "rearm", clock_.Now() + kHandoffRearmEvery);
  });
}

absl::Status EscalationApp::OnHandoffRearmTimer(Tx& tx, const common::Timer&) {
  if (directory()->handoff_reminders.empty()) return absl::OkStatus();  // nobody asks any more
  RETURN_IF_ERROR(ArmHandoffReminders(tx));
  return timers_.Schedule(tx, kHandoffRearmTimer, "rearm", clock_.Now() + kHandoffRearmEvery);
}

absl::Status EscalationApp::OnHandoffTimer(Tx& tx, const common::Timer& timer) {
  HandoffReminder r;
  if (!ParseHandoffTimerPayload(timer.payload, &r)) {
    common::LogWarn("malformed handoff timer", {{"key", common::QuoteForMessage(timer.key)}});
    return absl::OkStatus();
  }
  const auto dir = directory();
  // Still so? The rota, an override or the person's setting may have changed since it was armed.
  bool still = false;
  for (const HandoffReminder& now : UpcomingHandoffReminders(*dir, r.due, r.shift_start - r.due + absl::Seconds(1)))
    still |= now == r;
  if (!still) return absl::OkStatus();
  v1::Event due = common::NewEvent(clock_.Now(), CoverCaseId(r.schedule_id), kServiceName, kServiceActor,
                                   absl::StrCat("timer:", kHandoffTimer, ":", timer.key));
  v1::ReminderDue* body = due.mutable_reminder_due();
  body->set_reminder_id(absl::StrCat("handoff/", timer.key));
  body->set_recipient(r.person_id);
  body->set_reason(HandoffReminderText(*dir, r));
  body->set_kind("handoff");
  body->set_subject_id(r.schedule_id);
  *body->mutable_due() = common::ToProto(r.shift_start);
  Decided<EscalationOutcome> decided = QueueReminder(*dir, due, clock_.Now());
  if (const Refusal* refused = RefusalOf(decided)) {
    common::LogWarn("handoff reminder not delivered",
                    {{"person", r.person_id}, {"error", std::string(ToStatus(*refused, "recipient").message())}});
    return absl::OkStatus();
  }
  return Apply(tx, std::get<EscalationOutcome>(decided), std::nullopt);
}

// --- delivery ---

absl::StatusOr<bool> EscalationApp::StillWanted(Tx& tx, const delivery::Delivery& d) {
  if (d.kind != delivery::kKindPage) return true;
  ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, d.escalation_id));
  if (!row) return false;
  const EscalationStatus s = row->state.status;
  return s != EscalationStatus::kAcknowledged && s != EscalationStatus::kResolved;
}

absl::Status EscalationApp::RecordDelivery(Tx& tx, const delivery::Delivery& d, const delivery::SendResult& result) {
  const common::Effects effects = DeliveryAttempted(ToQueuedMessage(d), d.attempts, result.ok, result.error,
                                                    d.status != delivery::kPending, clock_.Now());
  return common::ApplyEffects(tx, effects, timers_, outbox_);
}

}  // namespace recovery::escalation
