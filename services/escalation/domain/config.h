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
//       handoff_reminder: 15m           # optional; told this long before each shift starts
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
//   delivery:                           # optional: where webhook targets may point
//     allow_http: false                 # default false: webhook targets must be https
//     allowed_networks: ["10.1.0.0/16", "127.0.0.1"]   # CIDR (a bare address = one host); default none
//
// Contact-method targets come from people, so they are checked (target_policy.h): a webhook
// target is an https URL (http only with delivery.allow_http), without user information, whose
// host is not loopback, link-local (169.254.169.254 included), private, unspecified, multicast
// or reserved, nor an IPv4-mapped IPv6 form of one, unless an allowed network contains the
// address. A literal address is checked as it is; a host name is resolved (the `resolve`
// argument: getaddrinfo in the service) and every address it resolves to is checked. A name
// that does not resolve at validation time is accepted (DNS may be down at start-up); the
// webhook sender resolves and checks again at every delivery and connects only to the address
// it checked. An e-mail target must look like local@domain (no spaces, CR or LF).
//
// Errors are InvalidArgument with the key path: "routing_rules[2].team: unknown team 'x'",
// "people[1].contact_methods[0].target: 169.254.169.254 is a link-local address (...)".
// Thread-safety: an EscalationConfig is a plain value; const use is safe from any thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/calendar/calendar.h"
#include "services/common/network.h"
#include "services/escalation/domain/model.h"
#include "services/escalation/domain/schedule.h"
#include "services/escalation/domain/target_policy.h"

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
  WebhookTargetPolicy delivery;  // the `delivery:` key
  // people[i].handoff_reminder: how long before each of their shifts a person is told it
  // starts (domain/handoff.h); people without one are not told.
  std::map<std::string, absl::Duration> handoff_reminders;

  // Linear lookups: configurations hold tens of entries, not thousands. nullptr if absent.
  const Person* FindPerson(absl::string_view id) const;
  const calendar::Calendar* FindCalendar(absl::string_view id) const;
  const Schedule* FindSchedule(absl::string_view id) const;
  const EscalationPolicy* FindPolicy(absl::string_view id) const;
  const Team* FindTeam(absl::string_view id) const;
};

// Cross-reference and value checks (unique ids, every referenced id exists, tiers have targets,
// timeouts positive, repeats >= 0, notification rules use a channel the person has) and the
// contact-method target checks above. `resolve` resolves webhook host names (the service
// passes common::ResolveHost; tests a fake); each name is resolved once per call. Blocks for
// as long as `resolve` does.
absl::Status ValidateEscalationConfig(const EscalationConfig& config, const common::HostResolver& resolve);

// Parses and validates the whole document. yaml-cpp exceptions never escape.
absl::StatusOr<EscalationConfig> ParseEscalationConfig(const YAML::Node& root, const common::HostResolver& resolve);

}  // namespace recovery::escalation
