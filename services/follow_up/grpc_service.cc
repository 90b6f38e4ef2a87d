// recovery.v1.FollowUp handlers: validate, load, call the domain, apply, translate.
#include "services/follow_up/grpc_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/follow_up/domain/follow_up.h"
#include "services/follow_up/domain/trends.h"
#include "services/follow_up/store.h"

namespace recovery::follow_up {
namespace {

using common::FromProto;
using common::ToGrpcStatus;
using common::ToProto;
using common::Tx;

constexpr size_t kMaxId = 128;
constexpr size_t kMaxText = 10000;
constexpr size_t kMaxList = 50;

absl::Status Invalid(const std::string& field, const std::string& msg) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", msg));
}

absl::Status RequireId(const std::string& field, const std::string& v) {
  if (v.empty()) return Invalid(field, "required");
  if (v.size() > kMaxId) return Invalid(field, absl::StrCat("at most ", kMaxId, " characters"));
  return absl::OkStatus();
}

absl::Status OptionalText(const std::string& field, const std::string& v) {
  if (v.size() > kMaxText) return Invalid(field, absl::StrCat("at most ", kMaxText, " characters"));
  return absl::OkStatus();
}

absl::Status RequireText(const std::string& field, const std::string& v) {
  if (v.find_first_not_of(" \t\r\n") == std::string::npos) return Invalid(field, "required");
  return OptionalText(field, v);
}

absl::Status ValidTimestamp(const std::string& field, const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < 0 || ts.seconds() > 253402300799 || ts.nanos() < 0 || ts.nanos() > 999999999)
    return Invalid(field, "out of range");
  return absl::OkStatus();
}

absl::Status ValidSlaKind(v1::SlaKind kind) {
  if (kind != v1::SLA_KIND_ACKNOWLEDGE && kind != v1::SLA_KIND_RESOLVE)
    return Invalid("kind", "must be SLA_KIND_ACKNOWLEDGE or SLA_KIND_RESOLVE");
  return absl::OkStatus();
}

absl::Status ValidList(const std::string& field, const google::protobuf::RepeatedPtrField<std::string>& items,
                       size_t max_len) {
  if (static_cast<size_t>(items.size()) > kMaxList)
    return Invalid(field, absl::StrCat("at most ", kMaxList, " entries"));
  for (int i = 0; i < items.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (items[i].empty()) return Invalid(f, "must not be empty");
    if (items[i].size() > max_len) return Invalid(f, absl::StrCat("at most ", max_len, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CaseState> LoadKnownCase(Tx& tx, const std::string& case_id) {
  auto c = LoadCase(tx, case_id);
  if (!c.ok()) return c.status();
  if (!c->known) return absl::NotFoundError(absl::StrCat("case_id: no case '", case_id, "' known to follow-up"));
  return c;
}

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

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  google::protobuf::Duration out;
  out.set_seconds(absl::ToInt64Seconds(d));
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d - absl::Seconds(out.seconds()))));
  return out;
}

}  // namespace

absl::Status ValidateListReminders(const v1::ListRemindersRequest& r) {
  if (r.case_id().size() > kMaxId) return Invalid("case_id", "too long");
  if (r.recipient().size() > kMaxId) return Invalid("recipient", "too long");
  if (r.has_due_from())
    if (auto s = ValidTimestamp("due_from", r.due_from()); !s.ok()) return s;
  if (r.has_due_to())
    if (auto s = ValidTimestamp("due_to", r.due_to()); !s.ok()) return s;
  if (r.has_due_from() && r.has_due_to() && FromProto(r.due_to()) <= FromProto(r.due_from()))
    return Invalid("due_to", "must be after due_from");
  if (r.limit() < 0 || r.limit() > 1000) return Invalid("limit", "must be between 0 and 1000");
  return absl::OkStatus();
}

absl::Status ValidateSnoozeReminder(const v1::SnoozeReminderRequest& r) {
  if (auto s = RequireId("request_id", r.request_id()); !s.ok()) return s;
  if (r.reminder_id().empty()) return Invalid("reminder_id", "required");
  if (r.reminder_id().size() > 3 * kMaxId) return Invalid("reminder_id", "too long");
  if (!r.has_until()) return Invalid("until", "required");
  return ValidTimestamp("until", r.until());
}

absl::Status ValidateRecordFollowUpSent(const v1::RecordFollowUpSentRequest& r) {
  if (auto s = RequireId("request_id", r.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", r.case_id()); !s.ok()) return s;
  if (r.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(r.channel()))
    return Invalid("channel", "required (email, meeting, ...)");
  if (auto s = RequireText("summary", r.summary()); !s.ok()) return s;
  return RequireId("sent_by", r.sent_by());
}

absl::Status ValidateRecordSatisfaction(const v1::RecordSatisfactionRequest& r) {
  if (auto s = RequireId("request_id", r.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", r.case_id()); !s.ok()) return s;
  if (r.score() < 1 || r.score() > 5) return Invalid("score", "must be between 1 and 5");
  return OptionalText("comment", r.comment());
}

absl::Status ValidateSubmitReview(const v1::SubmitReviewRequest& r) {
  if (auto s = RequireId("request_id", r.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", r.case_id()); !s.ok()) return s;
  const std::pair<const char*, const std::string*> answers[] = {{"expected", &r.expected()},
                                                                {"happened", &r.happened()},
                                                                {"went_well", &r.went_well()},
                                                                {"to_improve", &r.to_improve()},
                                                                {"next_steps", &r.next_steps()}};
  for (const auto& [field, value] : answers)
    if (auto s = RequireText(field, *value); !s.ok()) return s;
  if (auto s = ValidList("themes", r.themes(), 100); !s.ok()) return s;
  if (r.root_cause().size() > 200) return Invalid("root_cause", "at most 200 characters");
  if (auto s = ValidList("follow_on_actions", r.follow_on_actions(), 2000); !s.ok()) return s;
  return RequireId("submitted_by", r.submitted_by());
}

absl::Status ValidateGetReview(const v1::GetReviewRequest& r) { return RequireId("case_id", r.case_id()); }

absl::Status ValidateGetTrends(const v1::GetTrendsRequest& r) {
  if (!r.has_from()) return Invalid("from", "required");
  if (!r.has_to()) return Invalid("to", "required");
  if (auto s = ValidTimestamp("from", r.from()); !s.ok()) return s;
  if (auto s = ValidTimestamp("to", r.to()); !s.ok()) return s;
  if (FromProto(r.to()) <= FromProto(r.from())) return Invalid("to", "must be after from");
  if (r.group_by() == v1::TREND_GROUP_BY_UNSPECIFIED || !v1::TrendGroupBy_IsValid(r.group_by()))
    return Invalid("group_by", "required (category, client, theme or root cause)");
  return absl::OkStatus();
}

absl::Status ValidatePauseSla(const v1::PauseSlaRequest& r) {
  if (auto s = RequireId("request_id", r.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", r.case_id()); !s.ok()) return s;
  if (auto s = ValidSlaKind(r.kind()); !s.ok()) return s;
  return RequireText("reason", r.reason());
}

absl::Status ValidateResumeSla(const v1::ResumeSlaRequest& r) {
  if (auto s = RequireId("request_id", r.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", r.case_id()); !s.ok()) return s;
  return ValidSlaKind(r.kind());
}

grpc::Status FollowUpService::ListReminders(grpc::ServerContext*, const v1::ListRemindersRequest* req,
                                            v1::ListRemindersResponse* resp) {
  if (auto s = ValidateListReminders(*req); !s.ok()) return ToGrpcStatus(s);
  ReminderFilter f{req->case_id(), req->recipient(), std::nullopt, std::nullopt, req->limit() ? req->limit() : 100};
  if (req->has_due_from()) f.due_from = FromProto(req->due_from());
  if (req->has_due_to()) f.due_to = FromProto(req->due_to());
  const std::shared_ptr<const FollowUpConfig> cfg = cfg_.Get();
  return ToGrpcStatus(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    resp->Clear();
    auto list = follow_up::ListReminders(tx, *cfg, f);
    if (!list.ok()) return list.status();
    for (const auto& t : *list) {
      auto c = LoadCase(tx, t.case_id);
      if (!c.ok()) return c.status();
      ToProtoReminder(*cfg, *c, t, resp->add_reminders());
    }
    return absl::OkStatus();
  }));
}

grpc::Status FollowUpService::SnoozeReminder(grpc::ServerContext*, const v1::SnoozeReminderRequest* req,
                                             v1::Reminder* resp) {
  if (auto s = ValidateSnoozeReminder(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = clock_.Now();
  return ToGrpcStatus(common::RunIdempotent(
      store_, "SnoozeReminder", req->request_id(), *req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        auto track = LoadReminder(tx, req->reminder_id());
        if (!track.ok()) return track.status();
        if (!track->has_value())
          return absl::NotFoundError(absl::StrCat("reminder_id: no pending reminder '", req->reminder_id(), "'"));
        auto out = follow_up::SnoozeReminder(**track, FromProto(req->until()), now, req->request_id());
        if (!out.ok()) return out.status();
        if (auto s = ApplyOutcome(tx, timers_, outbox_, *out); !s.ok()) return s;
        auto c = LoadCase(tx, (*track)->case_id);
        if (!c.ok()) return c.status();
        ToProtoReminder(*cfg_.Get(), *c, out->upsert_reminders.front(), resp);
        return absl::OkStatus();
      }));
}

grpc::Status FollowUpService::RecordFollowUpSent(grpc::ServerContext*, const v1::RecordFollowUpSentRequest* req,
                                                 v1::RecordFollowUpSentResponse* resp) {
  if (auto s = ValidateRecordFollowUpSent(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = clock_.Now();
  return ToGrpcStatus(common::RunIdempotent(store_, "RecordFollowUpSent", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              auto c = LoadKnownCase(tx, req->case_id());
                                              if (!c.ok()) return c.status();
                                              auto reminders = LoadReminders(tx, req->case_id());
                                              if (!reminders.ok()) return reminders.status();
                                              v1::FollowUpSent sent;
                                              sent.set_follow_up_id(common::NewId(now));
                                              sent.set_channel(req->channel());
                                              sent.set_summary(req->summary());
                                              sent.set_sent_by(req->sent_by());
                                              const Outcome out = follow_up::RecordFollowUpSent(*c, *reminders, sent,
                                                                                                now, req->request_id());
                                              if (auto s = ApplyOutcome(tx, timers_, outbox_, out); !s.ok()) return s;
                                              resp->set_follow_up_id(sent.follow_up_id());
                                              resp->set_reminder_cancelled(!out.delete_reminders.empty());
                                              return absl::OkStatus();
                                            }));
}

grpc::Status FollowUpService::RecordSatisfaction(grpc::ServerContext*, const v1::RecordSatisfactionRequest* req,
                                                 v1::RecordSatisfactionResponse* resp) {
  if (auto s = ValidateRecordSatisfaction(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = clock_.Now();
  return ToGrpcStatus(common::RunIdempotent(store_, "RecordSatisfaction", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              auto c = LoadKnownCase(tx, req->case_id());
                                              if (!c.ok()) return c.status();
                                              const Outcome out =
                                                  follow_up::RecordSatisfaction(*cfg_.Get(), *c, req->score(),
                                                                                req->comment(), now, req->request_id());
                                              if (auto s = ApplyOutcome(tx, timers_, outbox_, out); !s.ok()) return s;
                                              resp->set_low(out.events.front().satisfaction_recorded().low());
                                              return absl::OkStatus();
                                            }));
}

grpc::Status FollowUpService::SubmitReview(grpc::ServerContext*, const v1::SubmitReviewRequest* req, v1::Review* resp) {
  if (auto s = ValidateSubmitReview(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = clock_.Now();
  return ToGrpcStatus(common::RunIdempotent(
      store_, "SubmitReview", req->request_id(), *req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        auto c = LoadKnownCase(tx, req->case_id());
        if (!c.ok()) return c.status();
        if (c->status != v1::CASE_STATUS_RESOLVED && c->status != v1::CASE_STATUS_CLOSED)
          return absl::FailedPreconditionError("case_id: the case is not resolved or closed yet");
        auto prior = LoadReview(tx, req->case_id());
        if (!prior.ok()) return prior.status();
        if (prior->has_value())
          return absl::AlreadyExistsError(
              absl::StrCat("case_id: review ", (*prior)->review_id(), " already submitted"));
        v1::Review review;
        review.set_review_id(common::NewId(now));
        review.set_case_id(req->case_id());
        review.set_expected(req->expected());
        review.set_happened(req->happened());
        review.set_went_well(req->went_well());
        review.set_to_improve(req->to_improve());
        review.set_next_steps(req->next_steps());
        *review.mutable_themes() = req->themes();
        review.set_root_cause(req->root_cause());
        *review.mutable_follow_on_actions() = req->follow_on_actions();
        review.set_submitted_by(req->submitted_by());
        *review.mutable_submitted_at() = ToProto(now);
        if (auto s = InsertReview(tx, review); !s.ok()) return s;
        v1::ReviewSubmitted submitted;
        submitted.set_review_id(review.review_id());
        *submitted.mutable_themes() = review.themes();
        submitted.set_root_cause(review.root_cause());
        const Outcome out = follow_up::SubmitReview(*c, submitted, now, req->submitted_by(), req->request_id());
        if (auto s = ApplyOutcome(tx, timers_, outbox_, out); !s.ok()) return s;
        *resp = review;
        return absl::OkStatus();
      }));
}

grpc::Status FollowUpService::GetReview(grpc::ServerContext*, const v1::GetReviewRequest* req, v1::Review* resp) {
  if (auto s = ValidateGetReview(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto review = LoadReview(tx, req->case_id());
    if (!review.ok()) return review.status();
    if (!review->has_value()) return absl::NotFoundError(absl::StrCat("case_id: no review for '", req->case_id(), "'"));
    *resp = **review;
    return absl::OkStatus();
  }));
}

grpc::Status FollowUpService::GetTrends(grpc::ServerContext*, const v1::GetTrendsRequest* req,
                                        v1::GetTrendsResponse* resp) {
  if (auto s = ValidateGetTrends(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time from = FromProto(req->from()), to = FromProto(req->to());
  std::vector<CaseState> cases;
  auto s = common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto loaded = LoadCasesOpened(tx, from, to);
    if (!loaded.ok()) return loaded.status();
    cases = std::move(*loaded);
    return absl::OkStatus();
  });
  if (!s.ok()) return ToGrpcStatus(s);
  TrendGroupBy by = TrendGroupBy::kCategory;
  switch (req->group_by()) {
    case v1::TREND_GROUP_BY_CLIENT:
      by = TrendGroupBy::kClient;
      break;
    case v1::TREND_GROUP_BY_THEME:
      by = TrendGroupBy::kTheme;
      break;
    case v1::TREND_GROUP_BY_ROOT_CAUSE:
      by = TrendGroupBy::kRootCause;
      break;
    default:
      break;
  }
  const Trends t = ComputeTrends(cases, from, to, by);
  resp->set_total_cases(t.total_cases);
  for (const auto& id : t.repeat_offenders) resp->add_repeat_offenders(id);
  for (const TrendGroup& g : t.groups) {
    auto* out = resp->add_groups();
    out->set_key(g.key);
    out->set_cases(g.cases);
    out->set_breached_cases(g.breached_cases);
    out->set_sla_breach_rate(g.breach_rate());
    *out->mutable_mean_time_to_acknowledge() = ToProtoDuration(g.mean_time_to_acknowledge);
    *out->mutable_mean_time_to_resolve() = ToProtoDuration(g.mean_time_to_resolve);
    out->set_satisfaction_average(g.satisfaction_average);
    out->set_satisfaction_count(g.satisfaction_count);
    for (const auto& id : g.repeat_offenders) out->add_repeat_offenders(id);
    out->set_acknowledged_cases(g.acknowledged);
    out->set_resolved_cases(g.resolved);
  }
  return grpc::Status::OK;
}

grpc::Status FollowUpService::PauseSla(grpc::ServerContext*, const v1::PauseSlaRequest* req, v1::SlaClock* resp) {
  if (auto s = ValidatePauseSla(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = clock_.Now();
  return ToGrpcStatus(common::RunIdempotent(
      store_, "PauseSla", req->request_id(), *req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        auto c = LoadKnownCase(tx, req->case_id());
        if (!c.ok()) return c.status();
        auto out = follow_up::PauseSla(*c, req->kind(), req->reason(), now, kService, req->request_id());
        if (!out.ok()) return out.status();
        if (auto s = ApplyOutcome(tx, timers_, outbox_, *out); !s.ok()) return s;
        ToProtoClock(*out->case_state, req->kind(), resp);
        return absl::OkStatus();
      }));
}

grpc::Status FollowUpService::ResumeSla(grpc::ServerContext*, const v1::ResumeSlaRequest* req, v1::SlaClock* resp) {
  if (auto s = ValidateResumeSla(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = clock_.Now();
  return ToGrpcStatus(common::RunIdempotent(
      store_, "ResumeSla", req->request_id(), *req, resp, absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
        auto c = LoadKnownCase(tx, req->case_id());
        if (!c.ok()) return c.status();
        auto out = follow_up::ResumeSla(*c, req->kind(), now, kService, req->request_id());
        if (!out.ok()) return out.status();
        if (auto s = ApplyOutcome(tx, timers_, outbox_, *out); !s.ok()) return s;
        ToProtoClock(*out->case_state, req->kind(), resp);
        return absl::OkStatus();
      }));
}

}  // namespace recovery::follow_up
