// Event and timer handlers of the follow-up service.
#include "services/follow_up/handlers.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/follow_up/domain/follow_up.h"
#include "services/follow_up/store.h"

namespace recovery::follow_up {
namespace v1 = recovery::v1;
namespace {

std::string TimerCause(const common::Timer& t) { return absl::StrCat("timer:", t.kind, "/", t.key); }

}  // namespace

absl::Status FollowUpHandlers::OnEvent(common::Tx& tx, const recovery::v1::Event& event) {
  if (event.source() == kService || event.case_id().empty()) return absl::OkStatus();
  auto c = LoadCase(tx, event.case_id());
  if (!c.ok()) return c.status();
  auto reminders = LoadReminders(tx, event.case_id());
  if (!reminders.ok()) return reminders.status();
  const Outcome out = follow_up::OnEvent(*cfg_.Get(), *c, *reminders, event, clock_.Now());
  return ApplyOutcome(tx, timers_, outbox_, out);
}

absl::Status FollowUpHandlers::OnSlaTimer(common::Tx& tx, const common::Timer& timer) {
  const auto slash = timer.key.rfind('/');
  if (slash == std::string::npos) return absl::InvalidArgumentError("sla timer key: expected <case>/<kind>");
  const std::string case_id = timer.key.substr(0, slash);
  const auto kind = absl::EndsWith(timer.key, "/ack") ? v1::SLA_KIND_ACKNOWLEDGE : v1::SLA_KIND_RESOLVE;
  auto c = LoadCase(tx, case_id);
  if (!c.ok()) return c.status();
  return ApplyOutcome(tx, timers_, outbox_,
                      follow_up::OnSlaTimer(*cfg_.Get(), *c, kind, clock_.Now(), TimerCause(timer)));
}

absl::Status FollowUpHandlers::OnReminderTimer(common::Tx& tx, const common::Timer& timer) {
  auto track = LoadReminder(tx, timer.key);
  if (!track.ok()) return track.status();
  if (!track->has_value()) return absl::OkStatus();  // retired in the meantime
  auto c = LoadCase(tx, (*track)->case_id);
  if (!c.ok()) return c.status();
  return ApplyOutcome(tx, timers_, outbox_,
                      follow_up::OnReminderTimer(*cfg_.Get(), *c, **track, clock_.Now(), TimerCause(timer)));
}

absl::Status FollowUpHandlers::OnSatisfactionTimer(common::Tx& tx, const common::Timer& timer) {
  auto c = LoadCase(tx, timer.key);
  if (!c.ok()) return c.status();
  return ApplyOutcome(tx, timers_, outbox_, follow_up::OnSatisfactionTimer(*c, clock_.Now(), TimerCause(timer)));
}

void FollowUpHandlers::RegisterTimers() {
  timers_.Handle(kSlaTimer, [this](common::Tx& tx, const common::Timer& t) { return OnSlaTimer(tx, t); });
  timers_.Handle(kReminderTimer, [this](common::Tx& tx, const common::Timer& t) { return OnReminderTimer(tx, t); });
  timers_.Handle(kSatisfactionTimer,
                 [this](common::Tx& tx, const common::Timer& t) { return OnSatisfactionTimer(tx, t); });
}

}  // namespace recovery::follow_up
