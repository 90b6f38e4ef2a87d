// What the escalation integration tests (SQLite and PostgreSQL replicas) give the real binary:
// a two-tier configuration paging webhook receivers, and the CaseOpened that starts a page.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/events.h"
#include "tests/escalation/webhook_receiver.h"

namespace recovery::escalation::testing {

// Signs webhooks with `secret`; allows http to loopback (the receivers). alice is on call (tier 1, 5 min to
// acknowledge; webhook /alice and a log target), bob is tier 2 (10 min; webhook /bob). The office calendar is Mon-Fri
// 09-17 UTC, so the manual clock's Tuesday 22:00 start is after hours.
inline std::string IntegrationConfigYaml(const WebhookReceiver& rx, const std::string& secret) {
  return "webhook_secret: " + secret + R"(
# The receivers listen on http://127.0.0.1. (routing_rules stays last: tests append rules.)
delivery:
  allow_http: true
  allowed_networks: [127.0.0.0/8]
people:
  - id: alice
    name: Alice
    time_zone: UTC
    contact_methods:
      - {channel: webhook, target: ")" +
         rx.Url("/alice") + R"("}
      - {channel: log, target: alice}
  - id: bob
    name: Bob
    time_zone: UTC
    contact_methods:
      - {channel: webhook, target: ")" +
         rx.Url("/bob") + R"("}
calendars:
  - id: office
    time_zone: UTC
    weekly: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - name: primary
        participants: [alice]
        rotation: 1w
        start_date: 2026-01-05
        handoff_time: "09:00"
policies:
  - id: oncall-then-bob
    name: On call, then Bob
    tiers:
      - targets: [{schedule: oncall}]
        ack_timeout: 5m
      - targets: [{person: bob}]
        ack_timeout: 10m
    repeats: 0
teams:
  - id: ops
    name: Ops
    members: [alice, bob]
    calendar: office
    schedule: oncall
    policy: oncall-then-bob
routing_rules:
  - id: everything
    team: ops
)";
}

// A P2 outage CaseOpened from intake for client acme (gold), "client cannot log in".
inline recovery::v1::Event PagingCaseOpened(const std::string& case_id) {
  recovery::v1::Event e = common::NewEvent(absl::FromUnixSeconds(0), case_id, "intake", "tester", "req-" + case_id);
  auto* o = e.mutable_case_opened();
  o->set_severity(recovery::v1::SEVERITY_P2);
  o->set_category("outage");
  o->set_summary("client cannot log in");
  o->mutable_client()->set_id("acme");
  o->mutable_client()->set_tier("gold");
  return e;
}

}  // namespace recovery::escalation::testing
