// Intake request and consumed-event validation.
#include "services/intake/validation.h"

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::CheckEnum;
using recovery::common::CheckId;
using recovery::common::CheckRequestId;
using recovery::common::CheckTimeZone;
using recovery::common::CheckUuid;
using recovery::common::InvalidField;
using recovery::common::LongText;
using recovery::common::OptionalText;
using recovery::common::QuoteForMessage;
using recovery::common::RequireText;

absl::Status CaseId(const std::string& case_id) { return CheckUuid("case_id", case_id, /*required=*/true); }

absl::Status Category(const std::string& field, const std::string& category, const IntakeConfig& config) {
  if (category.empty()) return InvalidField(field, "required");
  if (!config.HasCategory(category))
    return InvalidField(field, absl::StrCat("unknown category ", QuoteForMessage(category),
                                            " (known: ", absl::StrJoin(config.categories, ", "), ")"));
  return absl::OkStatus();
}

absl::Status ValidateClient(const v1::Client& client, bool name_required) {
  RETURN_IF_ERROR(CheckId("client.id", client.id(), /*required=*/true));
  RETURN_IF_ERROR(recovery::common::CheckText("client.name", client.name(), {kMaxName, name_required, false}));
  RETURN_IF_ERROR(OptionalText("client.tier", client.tier(), 64));
  RETURN_IF_ERROR(CheckTimeZone("client.time_zone", client.time_zone(), /*required=*/false));
  return CheckId("client.calendar_id", client.calendar_id(), /*required=*/false);
}

absl::Status ValidatePhone(const std::string& field, const std::string& phone) {
  if (phone.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(OptionalText(field, phone, 40));
  int digits = 0;
  for (char c : phone) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != '+' && c != '-' && c != ' ' && c != '(' && c != ')' && c != '.') {
      return InvalidField(field, "only digits, spaces and + - ( ) . are allowed");
    }
  }
  if (digits < 3) return InvalidField(field, "needs at least 3 digits");
  return absl::OkStatus();
}

absl::Status ValidateContact(const v1::Contact& contact) {
  RETURN_IF_ERROR(OptionalText("contact.name", contact.name(), kMaxName));
  if (!contact.email().empty() && !IsValidEmail(contact.email()))
    return InvalidField("contact.email", absl::StrCat("not an e-mail address: ", QuoteForMessage(contact.email())));
  RETURN_IF_ERROR(ValidatePhone("contact.phone", contact.phone()));
  return CheckTimeZone("contact.time_zone", contact.time_zone(), /*required=*/false);
}

absl::Status Severity(const std::string& field, int value) { return CheckEnum<v1::Severity>(field, value, true); }
absl::Status Emotion(const std::string& field, int value) {
  return CheckEnum<v1::EmotionalState>(field, value, /*required=*/false);
}

}  // namespace

bool IsValidEmail(const std::string& email) {
  if (email.size() > 254) return false;
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at > 64 || email.find('@', at + 1) != std::string::npos) return false;
  const std::string domain = email.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.find('.') == std::string::npos ||
      domain.find("..") != std::string::npos)
    return false;
  for (char c : email) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')')
      return false;
  }
  for (char c : domain) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return email.front() != '.' && email[at - 1] != '.';
}

absl::Status ValidateOpenCase(const v1::OpenCaseRequest& req, const IntakeConfig& config) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(ValidateClient(req.client(), /*name_required=*/true));
  RETURN_IF_ERROR(ValidateContact(req.contact()));
  RETURN_IF_ERROR(CheckEnum<v1::Channel>("channel", req.channel(), /*required=*/true));
  RETURN_IF_ERROR(Category("category", req.category(), config));
  RETURN_IF_ERROR(Severity("severity", req.severity()));
  RETURN_IF_ERROR(RequireText("summary", req.summary(), kMaxSummary));
  RETURN_IF_ERROR(LongText("description", req.description(), kMaxText, /*required=*/false));
  RETURN_IF_ERROR(LongText("client_view", req.client_view(), kMaxText, /*required=*/false));
  RETURN_IF_ERROR(LongText("firm_view", req.firm_view(), kMaxText, /*required=*/false));
  return Emotion("emotional_state", req.emotional_state());
}

absl::Status ValidateGetCase(const v1::GetCaseRequest& req) { return CaseId(req.case_id()); }

absl::Status ValidateListCases(const v1::ListCasesRequest& req) {
  for (int i = 0; i < req.statuses_size(); ++i) {
    RETURN_IF_ERROR(CheckEnum<v1::CaseStatus>(absl::StrCat("statuses[", i, "]"), req.statuses(i), true));
  }
  for (int i = 0; i < req.severities_size(); ++i) {
    RETURN_IF_ERROR(Severity(absl::StrCat("severities[", i, "]"), req.severities(i)));
  }
  RETURN_IF_ERROR(CheckId("client_id", req.client_id(), /*required=*/false));
  RETURN_IF_ERROR(OptionalText("owner", req.owner(), kMaxName));
  RETURN_IF_ERROR(recovery::common::CheckRange("page_size", req.page_size(), 0, kMaxPageSize));
  RETURN_IF_ERROR(recovery::common::CheckTimeRange("opened_from", req.has_opened_from() ? &req.opened_from() : nullptr,
                                                   "opened_to", req.has_opened_to() ? &req.opened_to() : nullptr));
  if (!req.page_token().empty() && !CheckUuid("page_token", req.page_token(), false).ok())
    return InvalidField("page_token", "not a token returned by ListCases");
  return absl::OkStatus();
}

absl::Status ValidateUpdateCase(const v1::UpdateCaseRequest& req, const IntakeConfig& config) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  if (req.update_mask().paths_size() == 0) return InvalidField("update_mask", "required: name the fields to change");
  std::set<std::string> seen;
  for (const std::string& path : req.update_mask().paths()) {
    if (!seen.insert(path).second)
      return InvalidField("update_mask", absl::StrCat("path ", QuoteForMessage(path), " given twice"));
    if (path == "summary") {
      RETURN_IF_ERROR(RequireText("summary", req.summary(), kMaxSummary));
    } else if (path == "description") {
      RETURN_IF_ERROR(LongText("description", req.description(), kMaxText, false));
    } else if (path == "client_view") {
      RETURN_IF_ERROR(LongText("client_view", req.client_view(), kMaxText, false));
    } else if (path == "firm_view") {
      RETURN_IF_ERROR(LongText("firm_view", req.firm_view(), kMaxText, false));
    } else if (path == "severity") {
      RETURN_IF_ERROR(Severity("severity", req.severity()));
    } else if (path == "category") {
      RETURN_IF_ERROR(Category("category", req.category(), config));
    } else if (path == "contact") {
      RETURN_IF_ERROR(ValidateContact(req.contact()));
    } else {
      return InvalidField("update_mask", absl::StrCat("unknown path ", QuoteForMessage(path),
                                                      " (allowed: summary, description, client_view, firm_view, "
                                                      "severity, category, contact)"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRecordContact(const v1::RecordContactRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  RETURN_IF_ERROR(CheckEnum<v1::Channel>("channel", req.channel(), /*required=*/true));
  RETURN_IF_ERROR(LongText("summary", req.summary(), kMaxShortText, /*required=*/true));
  return Emotion("emotional_state", req.emotional_state());
}

absl::Status ValidateAddNote(const v1::AddNoteRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  return LongText("text", req.text(), kMaxText, /*required=*/true);
}

absl::Status ValidateAcknowledgeCase(const v1::AcknowledgeCaseRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  RETURN_IF_ERROR(LongText("message", req.message(), kMaxText, /*required=*/true));
  return Emotion("emotional_state", req.emotional_state());
}

absl::Status ValidateAssignOwner(const v1::AssignOwnerRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  RETURN_IF_ERROR(RequireText("owner", req.owner(), kMaxName));
  return LongText("reason", req.reason(), kMaxShortText, /*required=*/false);
}

absl::Status ValidateResolveCase(const v1::ResolveCaseRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  return LongText("resolution", req.resolution(), kMaxText, /*required=*/true);
}

absl::Status ValidateCloseCase(const v1::CloseCaseRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  return LongText("reason", req.reason(), kMaxShortText, /*required=*/false);
}

absl::Status ValidateReopenCase(const v1::ReopenCaseRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CaseId(req.case_id()));
  return LongText("reason", req.reason(), kMaxShortText, /*required=*/true);
}

absl::Status ValidateRecordSignal(const v1::RecordSignalRequest& req) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id()));
  RETURN_IF_ERROR(CheckEnum<v1::SignalKind>("kind", req.kind(), /*required=*/true));
  RETURN_IF_ERROR(ValidateClient(req.client(), /*name_required=*/false));
  if (!std::isfinite(req.score()) || req.score() < 0 || req.score() > 10)
    return InvalidField("score", "must be between 0 and 10");
  return LongText("detail", req.detail(), kMaxShortText, /*required=*/false);
}

absl::Status ValidateConsumedEvent(const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kEscalationAcknowledged: {
      RETURN_IF_ERROR(CaseId(event.case_id()));
      return RequireText("escalation_acknowledged.acknowledged_by", event.escalation_acknowledged().acknowledged_by(),
                         kMaxName);
    }
    case v1::Event::kPlanShared: {
      RETURN_IF_ERROR(CaseId(event.case_id()));
      return recovery::common::CheckRange("plan_shared.version", event.plan_shared().version(), 1, INT32_MAX);
    }
    case v1::Event::kSatisfactionRecorded: {
      const auto& body = event.satisfaction_recorded();
      RETURN_IF_ERROR(CheckUuid("case_id", event.case_id(), /*required=*/false));
      RETURN_IF_ERROR(CheckId("satisfaction_recorded.client_id", body.client_id(), /*required=*/false));
      if (event.case_id().empty() && body.client_id().empty())
        return InvalidField("satisfaction_recorded.client_id", "required when the event names no case");
      RETURN_IF_ERROR(recovery::common::CheckRange("satisfaction_recorded.score", body.score(), 0, 10));
      return LongText("satisfaction_recorded.comment", body.comment(), kMaxShortText, /*required=*/false);
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace recovery::intake
