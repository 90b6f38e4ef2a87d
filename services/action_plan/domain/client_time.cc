// Client-facing rendering of instants.
#include "services/action_plan/domain/client_time.h"

#include "absl/strings/str_cat.h"

namespace recovery::action_plan {

std::string FormatClientTime(absl::Time t, absl::TimeZone zone) {
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone);
  // %e would pad with a space and %-d is a glibc extension, so the day is built here.
  return absl::StrCat(absl::FormatTime("%a ", t, zone), local.day(), absl::FormatTime(" %b %Y, %H:%M %Z", t, zone));
}

}  // namespace recovery::action_plan
