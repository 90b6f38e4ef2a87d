// Case lifecycle state machine.
#include "services/intake/domain/case_state.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/intake/domain/errors.h"

namespace recovery::intake {
namespace {

using recovery::v1::CASE_STATUS_ACKNOWLEDGED;
using recovery::v1::CASE_STATUS_CLOSED;
using recovery::v1::CASE_STATUS_OPEN;
using recovery::v1::CASE_STATUS_PLANNED;
using recovery::v1::CASE_STATUS_REOPENED;
using recovery::v1::CASE_STATUS_RESOLVED;

struct Rule {
  std::vector<CaseStatus> from;
  CaseStatus to;
};

Rule RuleFor(Transition t) {
  switch (t) {
    case Transition::kOpen:
      return {{recovery::v1::CASE_STATUS_UNSPECIFIED}, CASE_STATUS_OPEN};
    case Transition::kAcknowledge:
      return {{CASE_STATUS_OPEN, CASE_STATUS_REOPENED}, CASE_STATUS_ACKNOWLEDGED};
    case Transition::kPlan:
      return {{CASE_STATUS_ACKNOWLEDGED, CASE_STATUS_REOPENED}, CASE_STATUS_PLANNED};
    case Transition::kResolve:
      return {{CASE_STATUS_ACKNOWLEDGED, CASE_STATUS_PLANNED, CASE_STATUS_REOPENED}, CASE_STATUS_RESOLVED};
    case Transition::kClose:
      return {{CASE_STATUS_RESOLVED}, CASE_STATUS_CLOSED};
    case Transition::kReopen:
      return {{CASE_STATUS_RESOLVED, CASE_STATUS_CLOSED}, CASE_STATUS_REOPENED};
  }
  return {{}, recovery::v1::CASE_STATUS_UNSPECIFIED};
}

// "A", "A or B", "A, B or C".
std::string JoinStatuses(const std::vector<CaseStatus>& statuses) {
  std::string out;
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (i > 0) out += (i + 1 == statuses.size()) ? " or " : ", ";
    out += StatusName(statuses[i]);
  }
  return out;
}

}  // namespace

std::string TransitionName(Transition t) {
  switch (t) {
    case Transition::kOpen:
      return "OpenCase";
    case Transition::kAcknowledge:
      return "AcknowledgeCase";
    case Transition::kPlan:
      return "PlanShared";
    case Transition::kResolve:
      return "ResolveCase";
    case Transition::kClose:
      return "CloseCase";
    case Transition::kReopen:
      return "ReopenCase";
  }
  return "unknown";
}

std::string StatusName(CaseStatus s) {
  const std::string& full = recovery::v1::CaseStatus_Name(s);
  constexpr std::string_view kPrefix = "CASE_STATUS_";
  if (full.rfind(kPrefix, 0) == 0) return full.substr(kPrefix.size());
  return full.empty() ? absl::StrCat("status ", static_cast<int>(s)) : full;
}

absl::StatusOr<CaseStatus> ApplyTransition(CaseStatus current, Transition t) {
  const Rule rule = RuleFor(t);
  for (CaseStatus from : rule.from) {
    if (from == current) return rule.to;
  }
  return IntakeErrorStatus(IntakeError::kIllegalTransition,
                           absl::StrCat("status: case is ", StatusName(current), "; ", TransitionName(t), " needs ",
                                        JoinStatuses(rule.from)));
}

bool IsActive(CaseStatus s) { return s != CASE_STATUS_RESOLVED && s != CASE_STATUS_CLOSED; }

absl::Status CheckEditable(CaseStatus current, const std::string& rpc) {
  if (current == CASE_STATUS_CLOSED)
    return IntakeErrorStatus(
        IntakeError::kCaseClosed,
        absl::StrCat("status: case is CLOSED; ", rpc, " needs a case that is not CLOSED (ReopenCase first)"));
  return absl::OkStatus();
}

}  // namespace recovery::intake
