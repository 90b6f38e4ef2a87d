// Intake request validation.
#include "services/intake/domain/validation.h"

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "services/common/ids.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;

absl::Status Invalid(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status MaxLength(const std::string& field, const std::string& value, size_t max) {
  if (value.size() > max) return Invalid(field, absl::StrCat("at most ", max, " characters (got ", value.size(), ")"));
  return absl::OkStatus();
}

absl::Status RequiredText(const std::string& field, const std::string& value, size_t max) {
  if (absl::StripAsciiWhitespace(value).empty()) return Invalid(field, "required");
  return MaxLength(field, value, max);
}

absl::Status RequestId(const std::string& request_id) {
  if (request_id.empty()) return Invalid("request_id", "required (a unique id per write, reused on retry)");
  return MaxLength("request_id", request_id, 128);
}

absl::Status CaseId(const std::string& case_id) {
  if (case_id.empty()) return Invalid("case_id", "required");
  if (!recovery::common::IsUuid(case_id))
    return Invalid("case_id", absl::StrCat("not a case id: '", case_id.substr(0, 64), "'"));
  return absl::OkStatus();
}

template <typename IsValid>
absl::Status RequiredEnum(const std::string& field, int value, IsValid is_valid) {
  if (value == 0) return Invalid(field, "required");
  if (!is_valid(value)) return Invalid(field, absl::StrCat("unknown value ", value));
  return absl::OkStatus();
}

template <typename IsValid>
absl::Status OptionalEnum(const std::string& field, int value, IsValid is_valid) {
  if (value != 0 && !is_valid(value)) return Invalid(field, absl::StrCat("unknown value ", value));
  return absl::OkStatus();
}

absl::Status TimeZone(const std::string& field, const std::string& name) {
  if (name.empty()) return absl::OkStatus();
  if (!IsValidTimeZone(name)) return Invalid(field, absl::StrCat("unknown IANA time zone '", name.substr(0, 64), "'"));
  return absl::OkStatus();
}

absl::Status Category(const std::string& field, const std::string& category, const IntakeConfig& config) {
  if (category.empty()) return Invalid(field, "required");
  if (!config.HasCategory(category))
    return Invalid(field, absl::StrCat("unknown category '", category.substr(0, 64),
                                       "' (known: ", absl::StrJoin(config.categories, ", "), ")"));
  return absl::OkStatus();
}

absl::Status ValidateClient(const v1::Client& client, bool name_required) {
  if (client.id().empty()) return Invalid("client.id", "required");
  if (auto s = MaxLength("client.id", client.id(), kMaxName); !s.ok()) return s;
  if (name_required) {
    if (auto s = RequiredText("client.name", client.name(), kMaxName); !s.ok()) return s;
  } else if (auto s = MaxLength("client.name", client.name(), kMaxName); !s.ok()) {
    return s;
  }
  if (auto s = MaxLength("client.tier", client.tier(), 64); !s.ok()) return s;
  if (auto s = TimeZone("client.time_zone", client.time_zone()); !s.ok()) return s;
  return MaxLength("client.calendar_id", client.calendar_id(), kMaxName);
}

absl::Status ValidatePhone(const std::string& field, const std::string& phone) {
  if (phone.empty()) return absl::OkStatus();
  if (auto s = MaxLength(field, phone, 40); !s.ok()) return s;
  int digits = 0;
  for (char c : phone) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != '+' && c != '-' && c != ' ' && c != '(' && c != ')' && c != '.') {
      return Invalid(field, "only digits, spaces and + - ( ) . are allowed");
    }
  }
  if (digits < 3) return Invalid(field, "needs at least 3 digits");
  return absl::OkStatus();
}

absl::Status ValidateContact(const v1::Contact& contact) {
  if (auto s = MaxLength("contact.name", contact.name(), kMaxName); !s.ok()) return s;
  if (!contact.email().empty() && !IsValidEmail(contact.email()))
    return Invalid("contact.email", absl::StrCat("not an e-mail address: '", contact.email().substr(0, 64), "'"));
  if (auto s = ValidatePhone("contact.phone", contact.phone()); !s.ok()) return s;
  return TimeZone("contact.time_zone", contact.time_zone());
}

absl::Status Severity(const std::string& field, int value) { return RequiredEnum(field, value, v1::Severity_IsValid); }
absl::Status ChannelField(const std::string& field, int value) {
  return RequiredEnum(field, value, v1::Channel_IsValid);
}
absl::Status Emotion(const std::string& field, int value) {
  return OptionalEnum(field, value, v1::EmotionalState_IsValid);
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
    if (u <= ' ' || u == 0x7f || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')')
      return false;
  }
  for (char c : domain) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return email.front() != '.' && email[at - 1] != '.';
}

bool IsValidTimeZone(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  absl::TimeZone tz;
  return absl::LoadTimeZone(name, &tz);
}

absl::Status ValidateOpenCase(const v1::OpenCaseRequest& req, const IntakeConfig& config) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = ValidateClient(req.client(), /*name_required=*/true); !s.ok()) return s;
  if (auto s = ValidateContact(req.contact()); !s.ok()) return s;
  if (auto s = ChannelField("channel", req.channel()); !s.ok()) return s;
  if (auto s = Category("category", req.category(), config); !s.ok()) return s;
  if (auto s = Severity("severity", req.severity()); !s.ok()) return s;
  if (auto s = RequiredText("summary", req.summary(), kMaxSummary); !s.ok()) return s;
  if (auto s = MaxLength("description", req.description(), kMaxText); !s.ok()) return s;
  if (auto s = MaxLength("client_view", req.client_view(), kMaxText); !s.ok()) return s;
  if (auto s = MaxLength("firm_view", req.firm_view(), kMaxText); !s.ok()) return s;
  if (auto s = Emotion("emotional_state", req.emotional_state()); !s.ok()) return s;
  return MaxLength("opened_by", req.opened_by(), kMaxName);
}

absl::Status ValidateGetCase(const v1::GetCaseRequest& req) { return CaseId(req.case_id()); }

absl::Status ValidateListCases(const v1::ListCasesRequest& req) {
  for (int i = 0; i < req.statuses_size(); ++i) {
    if (auto s = RequiredEnum(absl::StrCat("statuses[", i, "]"), req.statuses(i), v1::CaseStatus_IsValid); !s.ok())
      return s;
  }
  for (int i = 0; i < req.severities_size(); ++i) {
    if (auto s = Severity(absl::StrCat("severities[", i, "]"), req.severities(i)); !s.ok()) return s;
  }
  if (auto s = MaxLength("client_id", req.client_id(), kMaxName); !s.ok()) return s;
  if (auto s = MaxLength("owner", req.owner(), kMaxName); !s.ok()) return s;
  if (req.page_size() < 0 || req.page_size() > kMaxPageSize)
    return Invalid("page_size", absl::StrCat("must be between 0 and ", kMaxPageSize));
  if (req.has_opened_from() && req.has_opened_to() &&
      (req.opened_to().seconds() < req.opened_from().seconds() ||
       (req.opened_to().seconds() == req.opened_from().seconds() &&
        req.opened_to().nanos() < req.opened_from().nanos())))
    return Invalid("opened_to", "must not be before opened_from");
  if (!req.page_token().empty() && !recovery::common::IsUuid(req.page_token()))
    return Invalid("page_token", "not a token returned by ListCases");
  return absl::OkStatus();
}

absl::Status ValidateUpdateCase(const v1::UpdateCaseRequest& req, const IntakeConfig& config) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (req.update_mask().paths_size() == 0) return Invalid("update_mask", "required: name the fields to change");
  std::set<std::string> seen;
  for (const std::string& path : req.update_mask().paths()) {
    if (!seen.insert(path).second) return Invalid("update_mask", absl::StrCat("path '", path, "' given twice"));
    absl::Status s;
    if (path == "summary") {
      s = RequiredText("summary", req.summary(), kMaxSummary);
    } else if (path == "description") {
      s = MaxLength("description", req.description(), kMaxText);
    } else if (path == "client_view") {
      s = MaxLength("client_view", req.client_view(), kMaxText);
    } else if (path == "firm_view") {
      s = MaxLength("firm_view", req.firm_view(), kMaxText);
    } else if (path == "severity") {
      s = Severity("severity", req.severity());
    } else if (path == "category") {
      s = Category("category", req.category(), config);
    } else if (path == "contact") {
      s = ValidateContact(req.contact());
    } else {
      s = Invalid("update_mask", absl::StrCat("unknown path '", path.substr(0, 64),
                                              "' (allowed: summary, description, client_view, firm_view, "
                                              "severity, category, contact)"));
    }
    if (!s.ok()) return s;
  }
  return MaxLength("actor", req.actor(), kMaxName);
}

absl::Status ValidateRecordContact(const v1::RecordContactRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = ChannelField("channel", req.channel()); !s.ok()) return s;
  if (auto s = RequiredText("summary", req.summary(), kMaxShortText); !s.ok()) return s;
  if (auto s = Emotion("emotional_state", req.emotional_state()); !s.ok()) return s;
  return MaxLength("recorded_by", req.recorded_by(), kMaxName);
}

absl::Status ValidateAddNote(const v1::AddNoteRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = RequiredText("text", req.text(), kMaxText); !s.ok()) return s;
  return MaxLength("author", req.author(), kMaxName);
}

absl::Status ValidateAcknowledgeCase(const v1::AcknowledgeCaseRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = RequiredText("message", req.message(), kMaxText); !s.ok()) return s;
  if (auto s = Emotion("emotional_state", req.emotional_state()); !s.ok()) return s;
  return RequiredText("acknowledged_by", req.acknowledged_by(), kMaxName);
}

absl::Status ValidateAssignOwner(const v1::AssignOwnerRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = RequiredText("owner", req.owner(), kMaxName); !s.ok()) return s;
  if (auto s = MaxLength("actor", req.actor(), kMaxName); !s.ok()) return s;
  return MaxLength("reason", req.reason(), kMaxShortText);
}

absl::Status ValidateResolveCase(const v1::ResolveCaseRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = RequiredText("resolution", req.resolution(), kMaxText); !s.ok()) return s;
  return MaxLength("actor", req.actor(), kMaxName);
}

absl::Status ValidateCloseCase(const v1::CloseCaseRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = MaxLength("reason", req.reason(), kMaxShortText); !s.ok()) return s;
  return MaxLength("actor", req.actor(), kMaxName);
}

absl::Status ValidateReopenCase(const v1::ReopenCaseRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = CaseId(req.case_id()); !s.ok()) return s;
  if (auto s = RequiredText("reason", req.reason(), kMaxShortText); !s.ok()) return s;
  return MaxLength("actor", req.actor(), kMaxName);
}

absl::Status ValidateRecordSignal(const v1::RecordSignalRequest& req) {
  if (auto s = RequestId(req.request_id()); !s.ok()) return s;
  if (auto s = RequiredEnum("kind", req.kind(), v1::SignalKind_IsValid); !s.ok()) return s;
  if (auto s = ValidateClient(req.client(), /*name_required=*/false); !s.ok()) return s;
  if (!std::isfinite(req.score()) || req.score() < 0 || req.score() > 10)
    return Invalid("score", "must be between 0 and 10");
  if (auto s = MaxLength("detail", req.detail(), kMaxShortText); !s.ok()) return s;
  return MaxLength("actor", req.actor(), kMaxName);
}

}  // namespace recovery::intake
