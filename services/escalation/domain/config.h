// The escalation service's configuration as one validated value, and its YAML loader.
//
// YAML shape (unknown keys are errors; see example.yaml beside this file):
//
//   people:
//     - id: alice                       # required, unique
//       name: Alice Smith
//       time_zone: Europe/London        # IANA, required
//       contact_methods:                # at least one
//         - {channel: webhook, target: "https://hooks.example/alice"}   # webhook|email|log
//         - {channel: email, target: alice@example.com}
//       notification_rules:             # optional; default = every method at 0s
//         - {channel: webhook, delay: 0s}
//         - {channel: email, delay: 2m}
//   calendars: [...]                    # recovery::calendar::ParseCalendarList shape
//   schedules:
//     - id: platform-oncall
//       name: Platform on-call
//       time_zone: Europe/London
//       layers:                         # later layers win where active
//         - name: primary
//           participants: [alice, bob]
//           rotation: 1w                # <n>h | <n>d | <n>w
//           start_date: 2026-01-05      # local date of the first handoff
//           handoff_time: "09:00"       # local time of every handoff
//           restrictions: {mon: ["18:00-24:00"], tue: ["00:00-09:00"]}   # optional weekly map
//       overrides:
//         - {person: carol, from: "2026-03-28T09:00:00Z", to: "2026-03-30T09:00:00Z"}
//   policies:
//     - id: platform-default
//       name: Platform default
//       tiers:                          # at least one; each with at least one target
//         - targets: [{schedule: platform-oncall}]     # exactly one of person|schedule|team
//           ack_timeout: 5m             # > 0
//         - targets: [{person: dave}]
//           ack_timeout: 10m
//       repeats: 1                      # extra passes, >= 0
//       fallback: erin                  # optional person id
//   teams:
//     - id: platform
//       name: Platform
//       members: [alice, bob]
//       calendar: london-office         # required
//       schedule: platform-oncall       # optional
//       policy: platform-default        # required
//       owners: [{person: dave}]        # business-hours first tier (optional)
//       owner_ack_timeout: 15m
//   routing_rules:                      # first match wins; absent criteria match anything
//     - id: p1-anything
//       severities: [P1]                # or max_severity: P3 (= P1..P3)
//       categories: [outage]
//       client_tiers: [gold]
//       client_ids: [acme]
//       team: platform
//       hold_until_business_hours: false
//
// Errors are InvalidArgument with the key path: "routing_rules[2].team: unknown team 'x'".
// Thread-safety: an EscalationConfig is a plain value; const use is safe from any thread.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/calendar/calendar.h"
#include "services/escalation/domain/model.h"
#include "services/escalation/domain/schedule.h"

namespace YAML {
class Node;
}

namespace recovery::escalation {

struct EscalationConfig {
  std::vector<Person> people;
  std::vector<calendar::Calendar> calendars;
  std::vector<Schedule> schedules;
  std::vector<EscalationPolicy> policies;
  std::vector<Team> teams;
  std::vector<RoutingRule> routing_rules;

  // Linear lookups: configurations hold tens of entries, not thousands. nullptr if absent.
  const Person* FindPerson(absl::string_view id) const;
  const calendar::Calendar* FindCalendar(absl::string_view id) const;
  const Schedule* FindSchedule(absl::string_view id) const;
  const EscalationPolicy* FindPolicy(absl::string_view id) const;
  const Team* FindTeam(absl::string_view id) const;
};

// Cross-reference and value checks (unique ids, every referenced id exists, tiers have targets,
// timeouts positive, repeats >= 0, notification rules use a channel the person has).
absl::Status ValidateEscalationConfig(const EscalationConfig& config);

// Parses and validates the whole document. yaml-cpp exceptions never escape.
absl::StatusOr<EscalationConfig> ParseEscalationConfig(const YAML::Node& root);

}  // namespace recovery::escalation
