// Follow-up use cases: load -> decide -> apply, one transaction each.
#include "services/follow_up/app.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/apply.h"
#include "services/common/clock.h"
#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/follow_up/domain/errors.h"
#include "services/follow_up/domain/follow_up.h"
#include "services/follow_up/domain/trends.h"
#include "services/follow_up/store.h"
#include "services/follow_up/validation.h"

namespace recovery::follow_up {
namespace {

using common::FromProto;
using common::ToProto;
using common::Tx;

std::string TimerCause(const common::Timer& t) { return absl::StrCat("timer:", t.kind, "/", t.key); }

v1::ReminderKind ToProtoKind(ReminderKind k) {
  switch (k) {
    case ReminderKind::kActionItem:
      return v1::REMINDER_KIND_ACTION_ITEM;
    case ReminderKind::kCommitment:
      return v1::REMINDER_KIND_COMMITMENT;
    case ReminderKind::kWrittenFollowUp:
      return v1::REMINDER_KIND_WRITTEN_FOLLOW_UP;
  }
  return v1::REMINDER_KIND_UNSPECIFIED;
}

void ToProtoReminder(const FollowUpConfig& cfg, const CaseState& c, const ReminderTrack& t, v1::Reminder* out) {
  out->set_reminder_id(t.reminder_id);
  out->set_case_id(t.case_id);
  out->set_kind(ToProtoKind(t.kind));
  out->set_subject_id(t.subject_id);
  out->set_recipient(RecipientOf(cfg, c, t));
  out->set_reason(ReasonOf(t));
  out->set_stage(StageName(t.kind, t.stage));
  *out->mutable_next_due() = ToProto(t.next_due);
  *out->mutable_subject_due() = ToProto(t.subject_due);
  out->set_repeat(t.repeat);
}

void ToProtoClock(const CaseState& c, v1::SlaKind kind, v1::SlaClock* out) {
  const SlaClockState& clock = ClockOf(c, kind);
  out->set_case_id(c.case_id);
  out->set_kind(kind);
  out->set_state(static_cast<v1::SlaClockState>(clock.state));
  if (clock.state == SlaState::kRunning || clock.state == SlaState::kBreached) *out->mutable_due() = ToProto(clock.due);
  if (clock.state == SlaState::kPaused) out->mutable_remaining()->set_seconds(absl::ToInt64Seconds(clock.remaining));
}

TrendGroupBy FromProtoGroupBy(v1::TrendGroupBy by) {
  switch (by) {
    case v1::TREND_GROUP_BY_CLIENT:
      return TrendGroupBy::kClient;
    case v1::TREND_GROUP_BY_THEME:
      return TrendGroupBy::kTheme;
    case v1::TREND_GROUP_BY_ROOT_CAUSE:
      return TrendGroupBy::kRootCause;
    default:
      return TrendGroupBy::kCategory;
  }
}

void ToProtoTrends(const Trends& t, v1::GetTrendsResponse* resp) {
  resp->set_total_cases(t.total_cases);
  for (const auto& id : t.repeat_offenders) resp->add_repeat_offenders(id);
  for (const TrendGroup& g : t.groups) {
    auto* out = resp->add_groups();
    out->set_key(g.key);
    out->set_cases(g.cases);
    out->set_breached_cases(g.breached_cases);
    out->set_sla_breach_rate(g.breach_rate());
    *out->mutable_mean_time_to_acknowledge() = common::ToProtoDuration(g.mean_time_to_acknowledge);
    *out->mutable_mean_time_to_resolve() = common::ToProtoDuration(g.mean_time_to_resolve);
    out->set_satisfaction_average(g.satisfaction_average);
    out->set_satisfaction_count(g.satisfaction_count);
    for (const auto& id : g.repeat_offenders) out->add_repeat_offenders(id);
    out->set_acknowledged_cases(g.acknowledged);
    out->set_resolved_cases(g.resolved);
  }
}

// Every decision of this service is applied here: its rows, timers and events in tx.
absl::Status Apply(const common::ServiceContext& ctx, Tx& tx, const Outcome& out) {
  return common::ApplyOutcome(tx, out, ctx.timers, ctx.outbox, WriteRows);
}

}  // namespace

absl::Status FollowUpApp::ListReminders(const v1::ListRemindersRequest& req, v1::ListRemindersResponse* resp) {
  ReminderFilter f{req.case_id(), req.recipient(), std::nullopt, std::nullopt, req.limit() ? req.limit() : 100};
  if (req.has_due_from()) f.due_from = FromProto(req.due_from());
  if (req.has_due_to()) f.due_to = FromProto(req.due_to());
  const std::shared_ptr<const FollowUpConfig> cfg = cfg_.Get();
  return common::InTransaction(ctx_.store, [&](Tx& tx) -> absl::Status {
    resp->Clear();
    ASSIGN_OR_RETURN(auto list, follow_up::ListReminders(tx, *cfg, f));
    for (const auto& t : list) {
      ASSIGN_OR_RETURN(auto c, LoadCase(tx, t.case_id));
      ToProtoReminder(*cfg, c, t, resp->add_reminders());
    }
    return absl::OkStatus();
  });
}

absl::Status FollowUpApp::SnoozeReminder(const v1::SnoozeReminderRequest& req, const common::Principal& caller,
                                         v1::Reminder* resp) {
  const absl::Time now = ctx_.clock.Now();
  return common::RunIdempotent(
      ctx_.store, "SnoozeReminder", req.request_id(), req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto track, LoadReminder(tx, req.reminder_id()));
        if (!track)
          return Refuse(FollowUpError::kUnknownReminder,
                        absl::StrCat("reminder_id: no pending reminder '", req.reminder_id(), "'"));
        ASSIGN_OR_RETURN(
            auto out, follow_up::SnoozeReminder(*track, FromProto(req.until()), now, caller.Actor(), req.request_id()));
        RETURN_IF_ERROR(Apply(ctx_, tx, out));
        ASSIGN_OR_RETURN(auto c, LoadCase(tx, track->case_id));
        ToProtoReminder(*cfg_.Get(), c, out.rows.upsert_reminders.front(), resp);
        return absl::OkStatus();
      });
}

absl::Status FollowUpApp::RecordFollowUpSent(const v1::RecordFollowUpSentRequest& req, const common::Principal& caller,
                                             v1::RecordFollowUpSentResponse* resp) {
  const absl::Time now = ctx_.clock.Now();
  return common::RunIdempotent(
      ctx_.store, "RecordFollowUpSent", req.request_id(), req, resp, absl::ToUnixMicros(now),
      [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto c, LoadCase(tx, req.case_id()));
        ASSIGN_OR_RETURN(auto reminders, LoadReminders(tx, req.case_id()));
        v1::FollowUpSent sent;
        sent.set_follow_up_id(common::NewId(now));
        sent.set_channel(req.channel());
        sent.set_summary(req.summary());
        sent.set_sent_by(caller.PersonId());
        ASSIGN_OR_RETURN(auto out,
                         follow_up::RecordFollowUpSent(c, reminders, sent, now, caller.Actor(), req.request_id()));
        RETURN_IF_ERROR(Apply(ctx_, tx, out));
        resp->set_follow_up_id(sent.follow_up_id());
        resp->set_reminder_cancelled(!out.rows.delete_reminders.empty());
        return absl::OkStatus();
      });
}

absl::Status FollowUpApp::RecordSatisfaction(const v1::RecordSatisfactionRequest& req, const common::Principal& caller,
                                             v1::RecordSatisfactionResponse* resp) {
  const absl::Time now = ctx_.clock.Now();
  return common::RunIdempotent(ctx_.store, "RecordSatisfaction", req.request_id(), req, resp, absl::ToUnixMicros(now),
                               [&](Tx& tx) -> absl::Status {
                                 ASSIGN_OR_RETURN(auto c, LoadCase(tx, req.case_id()));
                                 ASSIGN_OR_RETURN(
                                     auto out, follow_up::RecordSatisfaction(*cfg_.Get(), c, req.score(), req.comment(),
                                                                             now, caller.Actor(), req.request_id()));
                                 RETURN_IF_ERROR(Apply(ctx_, tx, out));
                                 resp->set_low(out.events.front().satisfaction_recorded().low());
                                 return absl::OkStatus();
                               });
}

absl::Status FollowUpApp::SubmitReview(const v1::SubmitReviewRequest& req, const common::Principal& caller,
                                       v1::Review* resp) {
  const absl::Time now = ctx_.clock.Now();
  return common::RunIdempotent(
      ctx_.store, "SubmitReview", req.request_id(), req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto c, LoadCase(tx, req.case_id()));
        ASSIGN_OR_RETURN(auto prior, LoadReview(tx, req.case_id()));
        std::optional<std::string> prior_id;
        if (prior) prior_id = prior->review_id();
        v1::Review review;
        review.set_review_id(common::NewId(now));
        review.set_case_id(req.case_id());
        review.set_expected(req.expected());
        review.set_happened(req.happened());
        review.set_went_well(req.went_well());
        review.set_to_improve(req.to_improve());
        review.set_next_steps(req.next_steps());
        *review.mutable_themes() = req.themes();
        review.set_root_cause(req.root_cause());
        *review.mutable_follow_on_actions() = req.follow_on_actions();
        review.set_submitted_by(caller.PersonId());
        *review.mutable_submitted_at() = ToProto(now);
        ASSIGN_OR_RETURN(auto out, follow_up::SubmitReview(c, prior_id, review, now, caller.Actor(), req.request_id()));
        RETURN_IF_ERROR(Apply(ctx_, tx, out));
        *resp = review;
        return absl::OkStatus();
      });
}

absl::Status FollowUpApp::GetReview(const v1::GetReviewRequest& req, v1::Review* resp) {
  return common::InTransaction(ctx_.store, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto review, LoadReview(tx, req.case_id()));
    if (!review) return Refuse(FollowUpError::kNoReview, absl::StrCat("case_id: no review for '", req.case_id(), "'"));
    *resp = *review;
    return absl::OkStatus();
  });
}

absl::Status FollowUpApp::BatchGetCaseFollowUps(const v1::BatchGetCaseFollowUpsRequest& req,
                                                v1::BatchGetCaseFollowUpsResponse* resp) {
  return common::InTransaction(ctx_.store, [&](Tx& tx) -> absl::Status {
    resp->clear_case_follow_ups();
    for (const std::string& id : req.case_ids()) {
      ASSIGN_OR_RETURN(const CaseState c, LoadCase(tx, id));
      v1::CaseFollowUp* out = resp->add_case_follow_ups();
      out->set_case_id(id);
      out->set_known(c.known);
      if (!c.known) continue;
      ToProtoClock(c, v1::SLA_KIND_ACKNOWLEDGE, out->mutable_acknowledge());
      ToProtoClock(c, v1::SLA_KIND_RESOLVE, out->mutable_resolve());
      out->set_breaches(c.breaches);
      out->set_satisfaction_score(c.satisfaction.value_or(0));
      out->set_satisfaction_comment(c.satisfaction_comment);
      out->set_satisfaction_check_pending(c.satisfaction_pending);
    }
    return absl::OkStatus();
  });
}

absl::Status FollowUpApp::GetTrends(const v1::GetTrendsRequest& req, v1::GetTrendsResponse* resp) {
  const absl::Time from = FromProto(req.from()), to = FromProto(req.to());
  std::vector<CaseState> cases;
  RETURN_IF_ERROR(common::InTransaction(ctx_.store, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(cases, LoadCasesOpened(tx, from, to));
    return absl::OkStatus();
  }));
  ToProtoTrends(ComputeTrends(cases, from, to, FromProtoGroupBy(req.group_by())), resp);
  return absl::OkStatus();
}

absl::Status FollowUpApp::PauseSla(const v1::PauseSlaRequest& req, const common::Principal& caller,
                                   v1::SlaClock* resp) {
  const absl::Time now = ctx_.clock.Now();
  return common::RunIdempotent(
      ctx_.store, "PauseSla", req.request_id(), req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto c, LoadCase(tx, req.case_id()));
        ASSIGN_OR_RETURN(auto out,
                         follow_up::PauseSla(c, req.kind(), req.reason(), now, caller.Actor(), req.request_id()));
        RETURN_IF_ERROR(Apply(ctx_, tx, out));
        ToProtoClock(*out.rows.case_state, req.kind(), resp);
        return absl::OkStatus();
      });
}

absl::Status FollowUpApp::ResumeSla(const v1::ResumeSlaRequest& req, const common::Principal& caller,
                                    v1::SlaClock* resp) {
  const absl::Time now = ctx_.clock.Now();
  return common::RunIdempotent(
      ctx_.store, "ResumeSla", req.request_id(), req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto c, LoadCase(tx, req.case_id()));
        ASSIGN_OR_RETURN(auto out, follow_up::ResumeSla(c, req.kind(), now, caller.Actor(), req.request_id()));
        RETURN_IF_ERROR(Apply(ctx_, tx, out));
        ToProtoClock(*out.rows.case_state, req.kind(), resp);
        return absl::OkStatus();
      });
}

absl::Status FollowUpApp::OnEvent(Tx& tx, const recovery::v1::Event& event) {
  if (absl::Status invalid = ValidateEvent(event); !invalid.ok()) {
    return invalid;  // the consumer parks it (dead_letters), counts and logs it
  }
  ASSIGN_OR_RETURN(auto c, LoadCase(tx, event.case_id()));
  ASSIGN_OR_RETURN(auto reminders, LoadReminders(tx, event.case_id()));
  return Apply(ctx_, tx, follow_up::OnEvent(*cfg_.Get(), c, reminders, event, ctx_.clock.Now()));
}

absl::Status FollowUpApp::OnSlaTimer(Tx& tx, const common::Timer& timer) {
  const auto slash = timer.key.rfind('/');
  if (slash == std::string::npos) return absl::InvalidArgumentError("sla timer key: expected <case>/<kind>");
  const std::string case_id = timer.key.substr(0, slash);
  const auto kind = absl::EndsWith(timer.key, "/ack") ? v1::SLA_KIND_ACKNOWLEDGE : v1::SLA_KIND_RESOLVE;
  ASSIGN_OR_RETURN(auto c, LoadCase(tx, case_id));
  return Apply(ctx_, tx, follow_up::OnSlaTimer(*cfg_.Get(), c, kind, ctx_.clock.Now(), TimerCause(timer)));
}

absl::Status FollowUpApp::OnReminderTimer(Tx& tx, const common::Timer& timer) {
  ASSIGN_OR_RETURN(auto track, LoadReminder(tx, timer.key));
  if (!track) return absl::OkStatus();  // retired in the meantime
  ASSIGN_OR_RETURN(auto c, LoadCase(tx, track->case_id));
  return Apply(ctx_, tx, follow_up::OnReminderTimer(*cfg_.Get(), c, *track, ctx_.clock.Now(), TimerCause(timer)));
}

absl::Status FollowUpApp::OnSatisfactionTimer(Tx& tx, const common::Timer& timer) {
  ASSIGN_OR_RETURN(auto c, LoadCase(tx, timer.key));
  return Apply(ctx_, tx, follow_up::OnSatisfactionTimer(c, ctx_.clock.Now(), TimerCause(timer)));
}

void FollowUpApp::RegisterTimers() {
  ctx_.timers.Handle(kSlaTimer, [this](Tx& tx, const common::Timer& t) { return OnSlaTimer(tx, t); });
  ctx_.timers.Handle(kReminderTimer, [this](Tx& tx, const common::Timer& t) { return OnReminderTimer(tx, t); });
  ctx_.timers.Handle(kSatisfactionTimer, [this](Tx& tx, const common::Timer& t) { return OnSatisfactionTimer(tx, t); });
}

}  // namespace recovery::follow_up
