// Field-named request and event checks (validation.h).
#include "services/escalation/validation.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/escalation/ack_link.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::CheckId;
using common::CheckTimestamp;
using common::CheckUuid;
using common::InvalidField;
using google::protobuf::Timestamp;

constexpr size_t kMaxText = 2000;
constexpr absl::Duration kMaxRange = absl::Hours(24 * 90);
constexpr absl::Duration kMaxOverride = absl::Hours(24 * 366);

absl::Status NotFound(absl::string_view field, absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(field, ": unknown ", what, " ", common::QuoteForMessage(id)));
}

absl::Status RequireTimestamp(absl::string_view field, bool has, const Timestamp& ts) {
  if (!has) return InvalidField(field, "required");
  return CheckTimestamp(field, ts);
}

absl::Status CheckRange(bool has_from, const Timestamp& from, bool has_to, const Timestamp& to) {
  RETURN_IF_ERROR(RequireTimestamp("from", has_from, from));
  RETURN_IF_ERROR(RequireTimestamp("to", has_to, to));
  const absl::Time f = common::FromProto(from), t = common::FromProto(to);
  if (t <= f) return InvalidField("to", "must be after from");
  if (t - f > kMaxRange) return InvalidField("to", "at most 90 days after from");
  return absl::OkStatus();
}

absl::Status KnownSchedule(absl::string_view field, const std::string& id, const EscalationConfig& dir) {
  RETURN_IF_ERROR(CheckId(field, id, true));
  if (dir.FindSchedule(id) == nullptr) return NotFound(field, "schedule", id);
  return absl::OkStatus();
}

absl::Status KnownPerson(absl::string_view field, const std::string& id, const EscalationConfig& dir) {
  RETURN_IF_ERROR(CheckId(field, id, true));
  if (dir.FindPerson(id) == nullptr) return NotFound(field, "person", id);
  return absl::OkStatus();
}

absl::Status CheckClient(absl::string_view field, const v1::Client& c) {
  RETURN_IF_ERROR(CheckId(absl::StrCat(field, ".id"), c.id(), false));
  RETURN_IF_ERROR(common::OptionalText(absl::StrCat(field, ".tier"), c.tier(), 200));
  return CheckId(absl::StrCat(field, ".calendar_id"), c.calendar_id(), false);
}

// An acknowledge link's token: its shape only (ack_link.h; the app checks the MAC). Every
// failure is the same answer, which never echoes the token.
constexpr size_t kMaxAckLinkToken = 256;
absl::Status CheckAckLinkToken(const std::string& token) {
  if (token.size() > kMaxAckLinkToken) return absl::InvalidArgumentError(kInvalidAckLink);
  const std::optional<std::string> page_id = AckLinkPageId(token);
  if (!page_id || !CheckUuid("token", *page_id, true).ok()) return absl::InvalidArgumentError(kInvalidAckLink);
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAcknowledgePage(const v1::AcknowledgePageRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckUuid("page_id", r.page_id(), false));
  RETURN_IF_ERROR(CheckUuid("escalation_id", r.escalation_id(), false));
  if (r.page_id().empty() && r.escalation_id().empty()) {
    return InvalidField("page_id", "page_id or escalation_id required");
  }
  if (!r.page_id().empty() && !r.escalation_id().empty()) {
    return InvalidField("escalation_id", "give page_id or escalation_id, not both");
  }
  return absl::OkStatus();
}

absl::Status ValidateInspectAckLink(const v1::InspectAckLinkRequest& r) { return CheckAckLinkToken(r.token()); }

absl::Status ValidateAcknowledgeByLink(const v1::AcknowledgeByLinkRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  return CheckAckLinkToken(r.token());
}

absl::Status ValidateResolveEscalation(const v1::ResolveEscalationRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckUuid("escalation_id", r.escalation_id(), true));
  return common::OptionalText("reason", r.reason(), kMaxText);
}

absl::Status ValidateGetEscalation(const v1::GetEscalationRequest& r) {
  return CheckUuid("escalation_id", r.escalation_id(), true);
}

namespace {

constexpr char kTokenPrefix[] = "esc1.";

// FNV-1a over the filters, canonical (statuses sorted, without repeats).
std::string FilterFingerprint(const v1::ListEscalationsRequest& r) {
  std::vector<int> statuses(r.statuses().begin(), r.statuses().end());
  std::sort(statuses.begin(), statuses.end());
  statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
  std::string canonical =
      absl::StrCat(r.case_id(), "\n", r.team_id(), "\n", r.active_only() ? 1 : 0, "\n", absl::StrJoin(statuses, ","));
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : canonical) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return absl::StrCat(absl::Hex(h, absl::kZeroPad16));
}

absl::Status NotOurToken() { return InvalidField("page_token", "not a token returned by ListEscalations"); }

}  // namespace

absl::Status ValidateListEscalations(const v1::ListEscalationsRequest& r) {
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), false));
  RETURN_IF_ERROR(CheckId("team_id", r.team_id(), false));
  for (int i = 0; i < r.statuses_size(); ++i) {
    RETURN_IF_ERROR(common::CheckEnum<v1::EscalationStatus>(absl::StrCat("statuses[", i, "]"), r.statuses(i), true));
  }
  RETURN_IF_ERROR(common::CheckRange("page_size", r.page_size(), 0, kMaxListPageSize));
  return ListEscalationsCursor(r).status();
}

std::string ListEscalationsPageToken(const v1::ListEscalationsRequest& r, const std::string& last_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenPrefix, FilterFingerprint(r), ".", last_id));
}

absl::StatusOr<std::string> ListEscalationsCursor(const v1::ListEscalationsRequest& r) {
  if (r.page_token().empty()) return std::string();
  if (r.page_token().size() > 400) return NotOurToken();
  std::string text;
  if (!absl::WebSafeBase64Unescape(r.page_token(), &text) || !absl::StartsWith(text, kTokenPrefix)) {
    return NotOurToken();
  }
  const absl::string_view rest = absl::string_view(text).substr(sizeof(kTokenPrefix) - 1);
  const size_t dot = rest.find('.');
  if (dot == absl::string_view::npos) return NotOurToken();
  const std::string last_id(rest.substr(dot + 1));
  if (last_id.empty() || !CheckId("page_token", last_id, true).ok()) return NotOurToken();
  if (rest.substr(0, dot) != FilterFingerprint(r)) {
    return InvalidField("page_token", "issued for other filters (repeat the filters of the first page, or start over)");
  }
  return last_id;
}

absl::Status ValidateListPages(const v1::ListPagesRequest& r) {
  return CheckUuid("escalation_id", r.escalation_id(), true);
}

absl::Status ValidateWhoIsOnCall(const v1::WhoIsOnCallRequest& r, const EscalationConfig& dir) {
  if (r.schedule_id().empty() == r.team_id().empty()) {
    return InvalidField("schedule_id", "exactly one of schedule_id and team_id is required");
  }
  if (!r.schedule_id().empty()) RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  if (!r.team_id().empty()) {
    RETURN_IF_ERROR(CheckId("team_id", r.team_id(), true));
    if (dir.FindTeam(r.team_id()) == nullptr) return NotFound("team_id", "team", r.team_id());
  }
  if (r.has_at()) RETURN_IF_ERROR(CheckTimestamp("at", r.at()));
  return absl::OkStatus();
}

absl::Status ValidateListShifts(const v1::ListShiftsRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  return CheckRange(r.has_from(), r.from(), r.has_to(), r.to());
}

absl::Status ValidateAddOverride(const v1::AddOverrideRequest& r, const EscalationConfig& dir, absl::Time now) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  RETURN_IF_ERROR(KnownPerson("person_id", r.person_id(), dir));
  RETURN_IF_ERROR(RequireTimestamp("start", r.has_start(), r.start()));
  RETURN_IF_ERROR(RequireTimestamp("end", r.has_end(), r.end()));
  const absl::Time start = common::FromProto(r.start()), end = common::FromProto(r.end());
  if (end <= start) return InvalidField("end", "must be after start");
  if (end - start > kMaxOverride) return InvalidField("end", "at most a year after start");
  if (end <= now) return InvalidField("end", "the override is entirely in the past");
  return common::OptionalText("reason", r.reason(), kMaxText);
}

absl::Status ValidateRemoveOverride(const v1::RemoveOverrideRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  return CheckUuid("override_id", r.override_id(), true);
}

absl::Status ValidateIsBusinessHours(const v1::IsBusinessHoursRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(CheckId("calendar_id", r.calendar_id(), true));
  if (dir.FindCalendar(r.calendar_id()) == nullptr) return NotFound("calendar_id", "calendar", r.calendar_id());
  if (r.has_at()) RETURN_IF_ERROR(CheckTimestamp("at", r.at()));
  return absl::OkStatus();
}

absl::Status ValidateCheckCoverage(const v1::CheckCoverageRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  return CheckRange(r.has_from(), r.from(), r.has_to(), r.to());
}

absl::Status ValidateRequestCover(const v1::RequestCoverRequest& r, const EscalationConfig& dir, absl::Time now) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  RETURN_IF_ERROR(RequireTimestamp("start", r.has_start(), r.start()));
  RETURN_IF_ERROR(RequireTimestamp("end", r.has_end(), r.end()));
  const absl::Time start = common::FromProto(r.start()), end = common::FromProto(r.end());
  if (end <= start) return InvalidField("end", "must be after start");
  if (end - start > kMaxOverride) return InvalidField("end", "at most a year after start");
  if (start <= now) return InvalidField("start", "must be in the future (an unanswered request expires at its start)");
  RETURN_IF_ERROR(KnownPerson("person_id", r.person_id(), dir));
  return common::OptionalText("reason", r.reason(), kMaxText);
}

absl::Status ValidateAcceptCover(const v1::AcceptCoverRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  return CheckUuid("cover_request_id", r.cover_request_id(), true);
}

absl::Status ValidateDeclineCover(const v1::DeclineCoverRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckUuid("cover_request_id", r.cover_request_id(), true));
  return common::OptionalText("reason", r.reason(), kMaxText);
}

absl::Status ValidateCancelCover(const v1::CancelCoverRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckUuid("cover_request_id", r.cover_request_id(), true));
  return common::OptionalText("reason", r.reason(), kMaxText);
}

absl::Status ValidateListCoverRequests(const v1::ListCoverRequestsRequest& r, const EscalationConfig& dir) {
  if (!r.schedule_id().empty()) RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  RETURN_IF_ERROR(common::CheckEnum<v1::CoverRequestStatus>("status", r.status(), false));
  RETURN_IF_ERROR(common::CheckRange("page_size", r.page_size(), 0, 200));
  if (!CheckUuid("page_token", r.page_token(), false).ok()) {
    return InvalidField("page_token", "not a token returned by ListCoverRequests");
  }
  return absl::OkStatus();
}

absl::Status ValidateCreateCalendarFeed(const v1::CreateCalendarFeedRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  if (r.person_id().empty() == r.schedule_id().empty()) {
    return InvalidField("person_id", "exactly one of person_id and schedule_id is required");
  }
  if (!r.person_id().empty()) return KnownPerson("person_id", r.person_id(), dir);
  return KnownSchedule("schedule_id", r.schedule_id(), dir);
}

absl::Status ValidateRevokeCalendarFeed(const v1::RevokeCalendarFeedRequest& r) {
  RETURN_IF_ERROR(common::CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckUuid("feed_id", r.feed_id(), true));
  return common::OptionalText("reason", r.reason(), kMaxText);
}

absl::Status ValidateConsumedEvent(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kCaseOpened: {
      RETURN_IF_ERROR(CheckId("case_id", e.case_id(), true));
      const v1::CaseOpened& o = e.case_opened();
      RETURN_IF_ERROR(common::CheckEnum<v1::Severity>("case_opened.severity", o.severity(), true));
      RETURN_IF_ERROR(common::RequireText("case_opened.category", o.category(), 200));
      RETURN_IF_ERROR(common::OptionalText("case_opened.summary", o.summary(), kMaxText));
      return CheckClient("case_opened.client", o.client());
    }
    case v1::Event::kCaseReopened: {
      RETURN_IF_ERROR(CheckId("case_id", e.case_id(), true));
      const v1::CaseReopened& r = e.case_reopened();
      RETURN_IF_ERROR(common::CheckEnum<v1::Severity>("case_reopened.severity", r.severity(), false));
      RETURN_IF_ERROR(common::OptionalText("case_reopened.category", r.category(), 200));
      RETURN_IF_ERROR(common::OptionalText("case_reopened.summary", r.summary(), kMaxText));
      return CheckClient("case_reopened.client", r.client());
    }
    case v1::Event::kCaseUpdated: {
      RETURN_IF_ERROR(CheckId("case_id", e.case_id(), true));
      const v1::CaseUpdated& u = e.case_updated();
      RETURN_IF_ERROR(common::CheckEnum<v1::Severity>("case_updated.severity", u.severity(), false));
      RETURN_IF_ERROR(common::CheckEnum<v1::Severity>("case_updated.previous_severity", u.previous_severity(), false));
      RETURN_IF_ERROR(common::OptionalText("case_updated.category", u.category(), 200));
      return common::OptionalText("case_updated.summary", u.summary(), kMaxText);
    }
    case v1::Event::kSlaBreached: {
      RETURN_IF_ERROR(CheckId("case_id", e.case_id(), true));
      const v1::SlaBreached& b = e.sla_breached();
      RETURN_IF_ERROR(common::CheckEnum<v1::Severity>("sla_breached.severity", b.severity(), false));
      RETURN_IF_ERROR(common::OptionalText("sla_breached.category", b.category(), 200));
      return CheckId("sla_breached.client_id", b.client_id(), false);
    }
    case v1::Event::kCaseResolved:
    case v1::Event::kCaseClosed:
      return CheckId("case_id", e.case_id(), true);
    case v1::Event::kReminderDue: {
      const v1::ReminderDue& r = e.reminder_due();
      RETURN_IF_ERROR(CheckId("reminder_due.reminder_id", r.reminder_id(), true));
      RETURN_IF_ERROR(CheckId("reminder_due.recipient", r.recipient(), true));
      RETURN_IF_ERROR(common::OptionalText("reminder_due.reason", r.reason(), kMaxText));
      RETURN_IF_ERROR(CheckId("reminder_due.kind", r.kind(), false));
      RETURN_IF_ERROR(CheckId("reminder_due.subject_id", r.subject_id(), false));
      if (r.has_due()) RETURN_IF_ERROR(CheckTimestamp("reminder_due.due", r.due()));
      return common::CheckRange("reminder_due.repeat", r.repeat(), 0, 1000000);
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace recovery::escalation
