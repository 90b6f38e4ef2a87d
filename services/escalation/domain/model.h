// Plain value types of the escalation domain: people, teams, targets, policies, routing rules.
// No behaviour lives here beyond trivial name conversions; values are copied freely and are
// safe to share read-only between threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/severity.h"

namespace recovery::escalation {

enum class Channel { kWebhook, kEmail, kLog };
absl::string_view ChannelName(Channel c);  // "webhook", "email", "log"
std::optional<Channel> ParseChannel(absl::string_view name);

// Where a person can be reached on one channel: a URL, an address, a log label.
struct ContactMethod {
  Channel channel = Channel::kLog;
  std::string target;
};

// "Notify me on <channel> <delay> after I am paged." A person with no rules is notified on every
// contact method at once.
struct NotificationRule {
  Channel channel = Channel::kLog;
  absl::Duration delay = absl::ZeroDuration();
};

struct Person {
  std::string id;
  std::string name;
  std::string time_zone;  // IANA name, validated at load; informational for the domain
  std::vector<ContactMethod> contact_methods;
  std::vector<NotificationRule> notification_rules;
};

enum class TargetKind { kPerson, kSchedule, kTeam };
absl::string_view TargetKindName(TargetKind k);  // "person", "schedule", "team"

// Something a tier pages, resolved to people at page time:
//   person   -> that person;
//   schedule -> whoever is on call on it at that instant;
//   team     -> the team schedule's on-call if the team has one, else every member.
struct Target {
  TargetKind kind = TargetKind::kPerson;
  std::string id;
  friend bool operator==(const Target&, const Target&) = default;
};

struct Team {
  std::string id;
  std::string name;
  std::vector<std::string> members;  // person ids
  std::string calendar_id;           // business hours of the team
  std::string schedule_id;           // after-hours on-call schedule (optional)
  std::string policy_id;             // escalation policy (required)
  // Paged first during business hours ("owner tier"), before the policy's tiers.
  std::vector<Target> owners;
  absl::Duration owner_ack_timeout = absl::Minutes(15);
};

struct Tier {
  std::vector<Target> targets;
  absl::Duration ack_timeout = absl::Minutes(5);
};

struct EscalationPolicy {
  std::string id;
  std::string name;
  std::vector<Tier> tiers;
  // How many times the whole policy is run again after the first pass: 0 = once, 2 = 3 passes.
  int repeats = 0;
  std::string fallback_person_id;  // paged when every pass went unacknowledged (optional)
};

// The one Severity (services/common/severity.h): P1 is the most severe, there is no P5.
using Severity = common::Severity;

// What the service knows about a case from intake's events: what routing needs, and what a
// page says about the case.
struct CaseFacts {
  std::string case_id;
  std::string category;
  Severity severity = recovery::v1::SEVERITY_UNSPECIFIED;  // routing reads unspecified as P3
  std::string client_tier;
  std::string client_id;
  std::string client_calendar_id;  // the client's business hours, when configured
  std::string summary;
};

// A routing rule; every empty/absent criterion matches anything. Rules are tried in order and
// the first match wins.
struct RoutingRule {
  std::string id;
  std::vector<std::string> categories;
  std::vector<Severity> severities;      // exact set
  std::optional<Severity> max_severity;  // "up to P3" = P1, P2 or P3
  std::vector<std::string> client_tiers;
  std::vector<std::string> client_ids;
  std::string team_id;
  // Outside business hours, wait for the next business window instead of paging on-call.
  // Never applies to P1.
  bool hold_until_business_hours = false;
};

}  // namespace recovery::escalation
