// Playbooks: the agreed protocol for one failure category, as data (YAML), and
// their instantiation into a draft plan with absolute due instants.
//
// Due semantics (the choice, and why):
//   "<n>m" / "<n>h"  absolute durations from `now`. An acknowledgement promised
//                    "within 2 hours" means 2 elapsed hours, DST or not.
//   "<n>d"           the same local wall-clock time n calendar days later in the
//                    CLIENT's time zone (absl civil time). A follow-up "1d" after a
//                    10:00 call lands at 10:00 the next day as the client sees it,
//                    so across a DST change it is 23h or 25h of absolute time. If
//                    the local time does not exist (spring-forward gap) it lands
//                    at the moment the clocks change (01:30 -> 02:00 BST, as
//                    absl::FromCivil does); if it occurs twice, the earlier one.
//   "next business day HH:MM"
//                    HH:MM local time on the first business day strictly after
//                    today's local date (default Mon-Fri; the caller may pass a
//                    calendar predicate, e.g. one that knows holidays).
//   absent           no due yet ("a right answer later beats a wrong one now").
// Thread-safety: plain values and pure functions.
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_PLAYBOOK_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_PLAYBOOK_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/action_plan/domain/plan.h"

namespace YAML {
class Node;
}

namespace recovery::action_plan {

// The category used when no playbook matches a case's category.
inline constexpr absl::string_view kGenericCategory = "generic";

struct RelativeDue {
  enum class Kind { kDuration, kCalendarDays, kNextBusinessDayAt };
  Kind kind = Kind::kDuration;
  absl::Duration duration;  // kDuration
  int days = 0;             // kCalendarDays
  int hour = 0;             // kNextBusinessDayAt
  int minute = 0;           // kNextBusinessDayAt
  std::string text;         // as written, for messages
};

// Parses "30m", "2h", "1d", "next business day 10:00".
absl::StatusOr<RelativeDue> ParseRelativeDue(absl::string_view text);

struct PlaybookItem {
  std::string id;  // unique within the playbook; becomes the plan item id
  std::string what;
  std::string why;
  std::string how;
  std::string where;
  std::string owner_role;
  std::optional<RelativeDue> due;
  bool client_visible = false;
};

struct Playbook {
  std::string id;
  std::string category;
  std::string title;
  std::vector<PlaybookItem> items;
};

// Parses one playbook document. `source` (usually the file path) prefixes every
// error, followed by the key path, e.g. "missed_deadline.yaml: items[1].due: ...".
// Unknown keys are errors so that a typo never silently drops a step.
absl::StatusOr<Playbook> ParsePlaybook(absl::string_view yaml_text, absl::string_view source);
// The same checks on a playbook inside a larger document: errors start with `path`
// ("playbooks[2].items[1].due: ..."; an empty path: as ParsePlaybook without the source).
absl::StatusOr<Playbook> ParsePlaybookNode(const YAML::Node& node, const std::string& path);

// The playbook for `category`, else the generic one; NOT_FOUND if neither exists.
// The pointer refers into `playbooks`.
absl::StatusOr<const Playbook*> SelectPlaybook(const std::vector<Playbook>& playbooks, absl::string_view category);

// What the plan needs to know about the case.
struct CaseFacts {
  std::string case_id;
  std::string category;
  std::string owner;  // person id; empty until the case is acknowledged
  absl::TimeZone client_time_zone;
};

// Which local days are business days; nullptr means Monday to Friday.
using BusinessDayPredicate = std::function<bool(absl::CivilDay)>;

// Absolute instant for a relative due, per the semantics above.
absl::Time ResolveDue(const RelativeDue& due, absl::Time now, absl::TimeZone client_zone,
                      const BusinessDayPredicate& is_business_day = nullptr);

// Draft items, open, in playbook order; items with role case_owner get
// facts.owner when it is known.
absl::StatusOr<std::vector<ActionItem>> InstantiatePlaybook(const Playbook& playbook, const CaseFacts& facts,
                                                            absl::Time now,
                                                            const BusinessDayPredicate& is_business_day = nullptr);

// A whole draft plan for the case (items only; commitments come later).
absl::StatusOr<Plan> DraftPlan(std::string plan_id, const Playbook& playbook, const CaseFacts& facts, absl::Time now,
                               const BusinessDayPredicate& is_business_day = nullptr);

}  // namespace recovery::action_plan

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_PLAYBOOK_H_
