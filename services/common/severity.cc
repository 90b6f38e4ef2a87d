// Severity names and ordering.
#include "services/common/severity.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace recovery::common {

std::optional<Severity> ParseSeverity(absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(text);
  if (absl::StartsWith(upper, "SEVERITY_")) upper = upper.substr(9);
  if (upper.size() != 2 || upper[0] != 'P') return std::nullopt;
  Severity s;
  if (!recovery::v1::Severity_Parse(absl::StrCat("SEVERITY_", upper), &s) || s == recovery::v1::SEVERITY_UNSPECIFIED)
    return std::nullopt;
  return s;
}

std::string SeverityName(Severity severity) {
  if (severity == recovery::v1::SEVERITY_UNSPECIFIED || !recovery::v1::Severity_IsValid(severity)) return "unspecified";
  return absl::StrCat("P", static_cast<int>(severity));
}

bool MoreUrgent(Severity a, Severity b) {
  if (a == recovery::v1::SEVERITY_UNSPECIFIED) return false;
  if (b == recovery::v1::SEVERITY_UNSPECIFIED) return true;
  return static_cast<int>(a) < static_cast<int>(b);
}

}  // namespace recovery::common
