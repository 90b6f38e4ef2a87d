// A small in-code escalation configuration shared by routing and state-machine tests.
#pragma once

#include "services/escalation/domain/config.h"
#include "tests/escalation/test_util.h"

namespace recovery::escalation::testing_util {

// People: alice (webhook now, email after 2m), bob (webhook), dave (email), erin (log).
// Calendars: london (Mon-Fri 09-17 Europe/London), newyork (Mon-Fri 09-17 America/New_York).
// Schedule "oncall": daily rotation alice/bob handing off at 09:00 London from 2026-01-05.
// Policy "default": tier0 = schedule oncall (5m), tier1 = dave (10m); 1 repeat; fallback erin.
// Team "platform": london calendar, oncall schedule, default policy, owners = [dave].
inline EscalationConfig MakeFixture() {
  EscalationConfig c;
  c.people = {
      Person{"alice",
             "Alice",
             "Europe/London",
             {{Channel::kWebhook, "https://hooks/alice"}, {Channel::kEmail, "alice@example.com"}},
             {{Channel::kWebhook, absl::ZeroDuration()}, {Channel::kEmail, absl::Minutes(2)}}},
      Person{"bob", "Bob", "Europe/London", {{Channel::kWebhook, "https://hooks/bob"}}, {}},
      Person{"dave", "Dave", "America/New_York", {{Channel::kEmail, "dave@example.com"}}, {}},
      Person{"erin", "Erin", "UTC", {{Channel::kLog, "erin"}}, {}},
  };
  calendar::WeeklyHours hours;
  for (int d = 0; d < 5; ++d) hours[d] = {W(9, 0, 17, 0)};
  c.calendars.push_back(*calendar::Calendar::Create("london", "Europe/London", hours, {}));
  c.calendars.push_back(*calendar::Calendar::Create("newyork", "America/New_York", hours, {}));
  RotationLayer layer;
  layer.participants = {"alice", "bob"};
  layer.unit = RotationUnit::kDays;
  layer.length = 1;
  layer.start = absl::CivilSecond(2026, 1, 5, 9, 0, 0);
  c.schedules.push_back(*MakeSchedule("oncall", "On-call", "Europe/London", {layer}, {}));
  c.policies.push_back(EscalationPolicy{"default",
                                        "Default",
                                        {Tier{{Target{TargetKind::kSchedule, "oncall"}}, absl::Minutes(5)},
                                         Tier{{Target{TargetKind::kPerson, "dave"}}, absl::Minutes(10)}},
                                        1,
                                        "erin"});
  Team team;
  team.id = "platform";
  team.name = "Platform";
  team.members = {"alice", "bob"};
  team.calendar_id = "london";
  team.schedule_id = "oncall";
  team.policy_id = "default";
  team.owners = {Target{TargetKind::kPerson, "dave"}};
  team.owner_ack_timeout = absl::Minutes(15);
  c.teams.push_back(team);
  return c;
}

}  // namespace recovery::escalation::testing_util
