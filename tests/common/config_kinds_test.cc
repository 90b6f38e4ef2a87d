// Every resource kind of every service through recovery.v1.Configuration, from one table (a
// row per kind: a spec to create, a changed spec to update it to, and an invalid spec with the
// key path its error must name), each service built through its module on the in-process
// fixture with a small --config the rows' specs fit (references resolve, nothing blocks):
//
//   - a kind with ids: the invalid spec is INVALID_ARGUMENT naming its key and stores nothing;
//     create, get, list, update with the current etag, update and delete with the stale one
//     (ABORTED, nothing changes), delete, the versions (1 created, 2 updated, 3 deleted), and a
//     re-created resource going on from version 4 with the etags of its first life stale;
//   - names (intake's categories) have no spec: an update of one is INVALID_ARGUMENT;
//   - settings (one resource, id "settings", from the file): get, update, stale etag, invalid,
//     an unknown key, delete (the keys go back to the service's defaults) and create again.
//
// ListKinds of each service must equal the table's kinds, so a new kind needs a row here.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "services/action_plan/module.h"
#include "services/common/config_state/yaml_value.h"
#include "services/escalation/module.h"
#include "services/follow_up/module.h"
#include "services/intake/module.h"
#include "tests/support/config_client.h"
#include "tests/support/service_fixture.h"

namespace recovery::common {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::ConfigClient;

// Each service's --config: what the rows' specs refer to (people, calendars, a policy and a
// team for escalation's; categories for intake's signal rules; a calendar for follow-up's
// default_calendar) and one resource of each kind, so that a new one goes after it.
constexpr char kEscalationConfig[] = R"(
people:
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
  - {id: priya, name: Priya, time_zone: UTC, contact_methods: [{channel: log, target: priya}]}
  - {id: jordan, name: Jordan, time_zone: UTC, contact_methods: [{channel: log, target: jordan}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: Europe/London
    layers:
      - {name: primary, participants: [sam, priya], rotation: 1w, start_date: 2026-11-02, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}], fallback: jordan}
teams:
  - {id: ops, name: Ops, members: [sam, priya], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

constexpr char kIntakeConfig[] = R"(
categories: [billing_error, communication, other]
dedup_window: 24h
signal_rules:
  - {id: low-survey, kind: survey_score, max_score: 2, severity: P3, category: communication}
)";

// No P4: an SLA policy is keyed by severity, so the row creates P4.
constexpr char kFollowUpConfig[] = R"(
sla:
  P1: {acknowledge: 15m, resolve: 4h}
  P2: {acknowledge: 1h, resolve: 24h}
  P3: {acknowledge: 4h, resolve: business 24h}
reminders: {lead: 1h, overdue_every: 4h, overdue_max: 6, manager_after: 2}
written_follow_up_after: 24h
satisfaction: {delay: 72h, low_threshold: 2}
managers: {alice: carol, bob: carol}
default_calendar: london-office
calendars:
  - {id: london-office, time_zone: Europe/London, weekly: {mon: ["09:00-17:30"]}}
)";

constexpr char kActionPlanConfig[] = R"(
playbooks:
  - id: generic.v1
    category: generic
    title: Service failure
    items:
      - {id: acknowledge, what: We call you, why: Acknowledge fast, how: Call, where: phone, owner_role: case_owner, due: 4h, client_visible: true}
wording_rules:
  - id: guarantee
    category: over_promising
    severity: warning
    reason: Do not guarantee what you cannot control.
    patterns:
      - regex: '\bguarantee(s|d)?\b'
calendars:
  - {id: acme-london, time_zone: Europe/London, weekly: {mon: ['09:00-17:00']}}
role_owners: {account_lead: lee}
)";

struct Service {
  std::string name;
  std::function<std::unique_ptr<ServiceModule>()> make;
  std::string config;
};

const std::vector<Service>& Services() {
  static const std::vector<Service> services = {
      {"escalation",
       [] {
         return std::make_unique<escalation::EscalationModule>(
             escalation::EscalationModule::Options{.start_delivery_worker = false});
       },
       kEscalationConfig},
      {"intake", [] { return std::make_unique<intake::IntakeModule>(); }, kIntakeConfig},
      {"follow_up", [] { return std::make_unique<follow_up::FollowUpModule>(); }, kFollowUpConfig},
      {"action_plan", [] { return std::make_unique<action_plan::ActionPlanModule>(); }, kActionPlanConfig},
  };
  return services;
}

enum class Shape { kIds, kNames, kSettings };

// One kind. Specs are YAML as ConfigClient::Spec reads it; a list kind's spec names its id
// (so that Get returns exactly it). `invalid_spec` is created as `invalid_id` (for settings:
// an update) and `invalid_field` is the key path its message must name.
struct KindCase {
  std::string service;
  std::string kind;
  Shape shape = Shape::kIds;
  std::string id;
  std::string create_spec;
  std::string update_spec;  // kNames: none
  std::string invalid_id;
  std::string invalid_spec;
  std::string invalid_field;
};

std::ostream& operator<<(std::ostream& os, const KindCase& c) { return os << c.service << "/" << c.kind; }

const std::vector<KindCase>& Cases() {
  static const std::vector<KindCase> cases = {
      // escalation: each new resource is unreferenced, so it can be deleted again; the new
      // routing rule goes after the catch-all (a shadowed-rule warning, not a blocking one).
      {"escalation", "person", Shape::kIds, "zoe",
       "{id: zoe, name: Zoe, time_zone: Europe/Paris, contact_methods: [{channel: log, target: zoe}]}",
       "{id: zoe, name: Zoe B., time_zone: America/Chicago, contact_methods: [{channel: log, target: zoe-b}], "
       "handoff_reminder: 1h}",
       "zed", "{id: zed, name: Zed, time_zone: Mars/Olympus, contact_methods: [{channel: log, target: zed}]}",
       "people[3].time_zone"},
      {"escalation", "calendar", Shape::kIds, "weekend",
       "{id: weekend, time_zone: UTC, weekly: {sat: ['10:00-14:00']}}",
       "{id: weekend, time_zone: Europe/London, weekly: {sat: ['10:00-16:00'], sun: ['10:00-12:00']}}", "bad",
       "{id: bad, time_zone: UTC, weekly: {mon: ['17:00-09:00']}}", "calendars[1].weekly.mon[0]"},
      {"escalation", "schedule", Shape::kIds, "spare",
       "{id: spare, name: Spare, time_zone: UTC, layers: [{name: primary, participants: [jordan], rotation: 1w, "
       "start_date: 2026-11-02, handoff_time: '09:00'}]}",
       "{id: spare, name: Spare rota, time_zone: UTC, layers: [{name: primary, participants: [jordan, sam], "
       "rotation: 1d, start_date: 2026-11-02, handoff_time: '10:00'}]}",
       "bad",
       "{id: bad, time_zone: UTC, layers: [{name: primary, participants: [jordan], rotation: fortnightly, "
       "start_date: 2026-11-02}]}",
       "schedules[1].layers[0].rotation"},
      {"escalation", "policy", Shape::kIds, "spare",
       "{id: spare, name: Spare, tiers: [{targets: [{person: jordan}], ack_timeout: 5m}], fallback: sam}",
       "{id: spare, name: Spare, tiers: [{targets: [{person: jordan}], ack_timeout: 10m}, {targets: [{schedule: "
       "oncall}], ack_timeout: 5m}], repeats: 2, fallback: sam}",
       "bad", "{id: bad, tiers: [{targets: [{person: jordan}], ack_timeout: 0s}], fallback: sam}",
       "policies[1].tiers[0].ack_timeout"},
      {"escalation", "team", Shape::kIds, "billing",
       "{id: billing, name: Billing, members: [jordan], calendar: office, schedule: oncall, policy: p}",
       "{id: billing, name: Billing team, members: [jordan, sam], calendar: office, schedule: oncall, policy: p, "
       "owner_ack_timeout: 30m}",
       "bad", "{id: bad, name: Bad, members: [jordan], calendar: nowhere, policy: p}", "teams[1].calendar"},
      {"escalation", "routing_rule", Shape::kIds, "p1", "{id: p1, severities: [P1], team: ops}",
       "{id: p1, severities: [P1, P2], categories: [billing_error], team: ops, hold_until_business_hours: true}", "bad",
       "{id: bad, severities: [P9], team: ops}", "routing_rules[1].severities[0]"},

      // intake: a new category no rule uses; the settings are dedup_window.
      {"intake", "category", Shape::kNames, "refunds", "", "", std::string(65, 'x'), "", "categories[3]"},
      {"intake", "signal_rule", Shape::kIds, "late", "{id: late, kind: missed_deadline, severity: P2, category: other}",
       "{id: late, kind: missed_deadline, severity: P1, category: billing_error}", "bad",
       "{id: bad, kind: survey_score, severity: P9, category: communication}", "signal_rules[1].severity"},
      {"intake", "settings", Shape::kSettings, "settings", "{dedup_window: 6h}", "{dedup_window: 12h}", "settings",
       "{dedup_window: -1h}", "dedup_window"},

      // follow-up: P4 is the severity the file has no SLA for.
      {"follow_up", "sla_policy", Shape::kIds, "P4", "{acknowledge: next_business_day, resolve: business 40h}",
       "{acknowledge: 8h, resolve: none}", "P4", "{acknowledge: soon}", "sla.P4.acknowledge"},
      {"follow_up", "settings", Shape::kSettings, "settings", "{written_follow_up_after: 12h}",
       "{reminders: {lead: 2h, overdue_every: 8h, overdue_max: 3, manager_after: 1}, written_follow_up_after: 48h, "
       "satisfaction: {delay: 24h, low_threshold: 1}, default_calendar: london-office}",
       "settings", "{reminders: {overdue_every: 0s}}", "reminders.overdue_every"},
      {"follow_up", "manager", Shape::kIds, "erin", "carol", "dave", "erin", "[carol]", "managers.erin"},
      {"follow_up", "calendar", Shape::kIds, "tokyo",
       "{id: tokyo, time_zone: Asia/Tokyo, weekly: {mon: ['09:00-18:00']}}",
       "{id: tokyo, time_zone: Asia/Tokyo, weekly: {mon: ['10:00-18:00'], tue: ['10:00-18:00']}, holidays: [{date: "
       "2027-01-01, name: New Year}]}",
       "bad", "{id: bad, time_zone: Mars/Olympus, weekly: {mon: ['09:00-17:00']}}", "calendars[1].time_zone"},

      // action-plan: a playbook of a category no other playbook has.
      {"action_plan", "playbook", Shape::kIds, "billing.v1",
       "{id: billing.v1, category: billing_error, title: Billing error, items: [{id: correct, what: We correct the "
       "bill, why: Make it right, how: Credit note, where: billing, owner_role: account_lead, due: 2d, "
       "client_visible: true}]}",
       "{id: billing.v1, category: billing_error, title: Wrong bill, items: [{id: correct, what: We correct the bill, "
       "why: Make it right, how: Credit note, where: billing, owner_role: account_lead, due: 1d, client_visible: "
       "true}, {id: review, what: We review billing, why: Not again, how: Audit, where: billing, owner_role: "
       "case_owner, due: 5d, client_visible: false}]}",
       "bad.v1",
       "{id: bad.v1, category: Bad Category, title: Bad, items: [{id: x, what: w, why: w, how: h, where: w, "
       "owner_role: case_owner, client_visible: true}]}",
       "playbooks[1].category"},
      {"action_plan", "wording_rule", Shape::kIds, "right-away",
       "{id: right-away, category: over_promising, severity: warning, reason: Say when., patterns: [{phrase: right "
       "away}]}",
       "{id: right-away, category: over_promising, severity: error, reason: Say when instead., patterns: [{phrase: "
       "right away}, {phrase: immediately}]}",
       "bad", "{id: bad, category: over_promising, severity: fatal, reason: r, patterns: [{phrase: p}]}",
       "wording_rules[1].severity"},
      {"action_plan", "calendar", Shape::kIds, "acme-paris",
       "{id: acme-paris, time_zone: Europe/Paris, weekly: {mon: ['09:00-17:00']}}",
       "{id: acme-paris, time_zone: Europe/Paris, weekly: {mon: ['08:00-16:00'], fri: ['08:00-12:00']}}", "bad",
       "{id: bad, time_zone: Mars/Olympus, weekly: {mon: ['09:00-17:00']}}", "calendars[1].time_zone"},
      {"action_plan", "role_owner", Shape::kIds, "billing_lead", "kim", "lee", "case_owner", "lee",
       "role_owners.case_owner"},
  };
  return cases;
}

std::string Json(const google::protobuf::Value& v) { return CanonicalJson(v); }
std::string Json(const std::string& spec_yaml) { return CanonicalJson(ConfigClient::Spec(spec_yaml)); }

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class ConfigKindsTest : public ::testing::TestWithParam<KindCase> {
 protected:
  void SetUp() override {
    const Service* service = nullptr;
    for (const Service& s : Services())
      if (s.name == GetParam().service) service = &s;
    ASSERT_NE(service, nullptr) << GetParam().service;
    module_ = service->make();
    recovery::testing::FixtureOptions options;
    options.config_yaml = service->config;
    fx_ = std::make_unique<recovery::testing::ServiceFixture>(*module_, options);
    ASSERT_TRUE(fx_->ok());
    admin_ = std::make_unique<ConfigClient>(fx_->channel());  // kTestPerson: an admin
  }
  void TearDown() override {
    admin_.reset();
    fx_.reset();
  }

  // The resource as Get returns it (a failed Get is a test failure and an empty resource).
  v1::Resource Got(const std::string& id) {
    v1::Resource r;
    const grpc::Status s = admin_->Get(GetParam().kind, id, &r);
    EXPECT_TRUE(s.ok()) << "Get " << id << ": " << s.error_message();
    return r;
  }
  grpc::StatusCode GetCode(const std::string& id) {
    v1::Resource r;
    return admin_->Get(GetParam().kind, id, &r).error_code();
  }
  // Versions newest first as "<version><d if deleted>", e.g. {"3d", "2", "1"}.
  std::vector<std::string> VersionList(const std::string& id) {
    v1::ListResourceVersionsResponse out;
    const grpc::Status s = admin_->Versions(GetParam().kind, id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> v;
    for (const v1::Resource& r : out.versions()) v.push_back(std::to_string(r.version()) + (r.deleted() ? "d" : ""));
    return v;
  }

  // The invalid spec is INVALID_ARGUMENT naming its key path, and nothing was stored.
  void ExpectTheInvalidSpecRefused() {
    const KindCase& c = GetParam();
    const std::string before = admin_->ExportedYaml();
    ASSERT_FALSE(before.empty());
    v1::ChangeResult out;
    const grpc::Status s = c.shape == Shape::kSettings ? admin_->Update(c.kind, c.invalid_id, c.invalid_spec, &out)
                                                       : admin_->Create(c.kind, c.invalid_id, c.invalid_spec, &out);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
    EXPECT_NE(s.error_message().find(c.invalid_field), std::string::npos)
        << "'" << s.error_message() << "' does not name " << c.invalid_field;
    EXPECT_EQ(admin_->ExportedYaml(), before);  // the generation too: no change at all
    if (c.shape != Shape::kSettings) {
      EXPECT_EQ(GetCode(c.invalid_id), grpc::NOT_FOUND);
      v1::ListResourceVersionsResponse versions;
      EXPECT_EQ(admin_->Versions(c.kind, c.invalid_id, &versions).error_code(), grpc::NOT_FOUND);
    }
  }

  std::unique_ptr<ServiceModule> module_;
  std::unique_ptr<recovery::testing::ServiceFixture> fx_;
  std::unique_ptr<ConfigClient> admin_;
};

class ResourceKindTest : public ConfigKindsTest {};
class SettingsKindTest : public ConfigKindsTest {};

TEST_P(ResourceKindTest, RoundTripStaleEtagAndInvalidInput) {
  const KindCase& c = GetParam();
  ExpectTheInvalidSpecRefused();
  const std::vector<std::string> before = admin_->Ids(c.kind);
  ASSERT_FALSE(Contains(before, c.id));

  // Create: version 1 with an etag; Get returns the same spec and List has it.
  v1::ChangeResult created;
  grpc::Status s = admin_->Create(c.kind, c.id, c.create_spec, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string etag1 = created.resource().etag();
  EXPECT_FALSE(etag1.empty());
  EXPECT_EQ(created.resource().version(), 1);
  EXPECT_EQ(created.change().type(), v1::CONFIG_CHANGE_TYPE_CREATED);
  v1::Resource got = Got(c.id);
  EXPECT_EQ(Json(got.spec()), Json(c.create_spec));
  EXPECT_EQ(got.etag(), etag1);
  EXPECT_EQ(got.updated_by(), "person:tester");
  std::vector<std::string> listed = admin_->Ids(c.kind);
  EXPECT_TRUE(Contains(listed, c.id)) << c.id;
  EXPECT_EQ(listed.size(), before.size() + 1);

  std::string current = etag1;
  std::vector<std::string> versions = {"1"};
  v1::ChangeResult out;
  if (c.shape == Shape::kNames) {
    // A name has no spec to change.
    s = admin_->Update(c.kind, c.id, "{x: 1}", &out, {"x"}, etag1);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(s.error_message().rfind("update_mask:", 0), 0u) << s.error_message();
    EXPECT_EQ(Got(c.id).version(), 1);
  } else {
    // Update with the current etag: a new spec and a new etag.
    v1::ChangeResult updated;
    s = admin_->Update(c.kind, c.id, c.update_spec, &updated, {}, etag1);
    ASSERT_TRUE(s.ok()) << s.error_message();
    current = updated.resource().etag();
    EXPECT_NE(current, etag1);
    EXPECT_EQ(updated.resource().version(), 2);
    EXPECT_EQ(updated.change().type(), v1::CONFIG_CHANGE_TYPE_UPDATED);
    got = Got(c.id);
    EXPECT_EQ(Json(got.spec()), Json(c.update_spec));
    EXPECT_EQ(got.etag(), current);
    versions = {"2", "1"};

    // The etag of version 1 is stale: ABORTED, for an update and a delete, and nothing changes.
    s = admin_->Update(c.kind, c.id, c.create_spec, &out, {}, etag1);
    EXPECT_EQ(s.error_code(), grpc::ABORTED) << s.error_message();
    EXPECT_EQ(s.error_message().rfind("resource.etag: stale", 0), 0u) << s.error_message();
    s = admin_->Delete(c.kind, c.id, &out, etag1);
    EXPECT_EQ(s.error_code(), grpc::ABORTED) << s.error_message();
    got = Got(c.id);
    EXPECT_EQ(Json(got.spec()), Json(c.update_spec));
    EXPECT_EQ(got.version(), 2);
    EXPECT_EQ(got.etag(), current);
  }

  // Delete with the current etag: gone from Get and List.
  v1::ChangeResult deleted;
  s = admin_->Delete(c.kind, c.id, &deleted, current);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(deleted.change().type(), v1::CONFIG_CHANGE_TYPE_DELETED);
  EXPECT_EQ(GetCode(c.id), grpc::NOT_FOUND);
  EXPECT_EQ(admin_->Ids(c.kind), before);
  versions.insert(versions.begin(), std::to_string(versions.size() + 1) + "d");
  EXPECT_EQ(VersionList(c.id), versions);
  v1::ListResourceVersionsResponse history;
  ASSERT_TRUE(admin_->Versions(c.kind, c.id, &history).ok());
  ASSERT_EQ(history.versions_size(), static_cast<int>(versions.size()));
  EXPECT_EQ(Json(history.versions(history.versions_size() - 1).spec()), Json(c.create_spec));
  if (c.shape != Shape::kNames) {
    EXPECT_EQ(Json(history.versions(1).spec()), Json(c.update_spec));
  }

  // Created again, it goes on from the next version; an etag of its first life is stale.
  v1::ChangeResult again;
  s = admin_->Create(c.kind, c.id, c.create_spec, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.resource().version(), static_cast<int64_t>(versions.size()) + 1);
  EXPECT_NE(again.resource().etag(), etag1);
  s = admin_->Delete(c.kind, c.id, &out, etag1);
  EXPECT_EQ(s.error_code(), grpc::ABORTED) << s.error_message();
  EXPECT_EQ(Got(c.id).etag(), again.resource().etag());
}

// The one settings resource comes from the file. Create refuses it while it exists (and any
// other id); delete removes its keys, so the service runs on its defaults, and a create
// brings it back.
TEST_P(SettingsKindTest, TheSettingsResource) {
  const KindCase& c = GetParam();
  EXPECT_EQ(admin_->Ids(c.kind), std::vector<std::string>{"settings"});
  const v1::Resource file = Got("settings");
  EXPECT_EQ(file.version(), 1);
  EXPECT_EQ(file.origin(), "file");
  const std::string etag1 = file.etag();
  ASSERT_FALSE(etag1.empty());

  v1::ChangeResult out;
  grpc::Status s = admin_->Create(c.kind, "settings", c.create_spec, &out);
  EXPECT_EQ(s.error_code(), grpc::ALREADY_EXISTS) << s.error_message();
  s = admin_->Create(c.kind, "other", c.create_spec, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("resource.id:", 0), 0u) << s.error_message();

  ExpectTheInvalidSpecRefused();
  // A key the kind does not hold.
  s = admin_->Update(c.kind, "settings", "{bogus: 1}", &out, {}, etag1);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("resource.spec.bogus"), std::string::npos) << s.error_message();
  EXPECT_EQ(Got("settings").etag(), etag1);

  v1::ChangeResult updated;
  s = admin_->Update(c.kind, "settings", c.update_spec, &updated, {}, etag1);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string etag2 = updated.resource().etag();
  EXPECT_NE(etag2, etag1);
  EXPECT_EQ(updated.resource().version(), 2);
  EXPECT_EQ(Json(Got("settings").spec()), Json(c.update_spec));

  s = admin_->Update(c.kind, "settings", c.create_spec, &out, {}, etag1);
  EXPECT_EQ(s.error_code(), grpc::ABORTED) << s.error_message();
  s = admin_->Delete(c.kind, "settings", &out, etag1);
  EXPECT_EQ(s.error_code(), grpc::ABORTED) << s.error_message();
  EXPECT_EQ(Json(Got("settings").spec()), Json(c.update_spec));
  EXPECT_EQ(Got("settings").etag(), etag2);

  v1::ChangeResult deleted;
  s = admin_->Delete(c.kind, "settings", &deleted, etag2);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(GetCode("settings"), grpc::NOT_FOUND);
  EXPECT_TRUE(admin_->Ids(c.kind).empty());
  const YAML::Node exported = YAML::Load(admin_->ExportedYaml());
  const YAML::Node keys = YAML::Load(c.update_spec);
  for (auto it = keys.begin(); it != keys.end(); ++it)
    EXPECT_FALSE(exported[it->first.Scalar()].IsDefined()) << it->first.Scalar() << " still exported";
  EXPECT_EQ(VersionList("settings"), (std::vector<std::string>{"3d", "2", "1"}));

  s = admin_->Create(c.kind, "settings", "{bogus: 1}", &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("resource.spec.bogus"), std::string::npos) << s.error_message();
  v1::ChangeResult again;
  s = admin_->Create(c.kind, "settings", c.create_spec, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.resource().version(), 4);
  EXPECT_EQ(Json(Got("settings").spec()), Json(c.create_spec));
}

std::vector<KindCase> CasesOf(bool settings) {
  std::vector<KindCase> out;
  for (const KindCase& c : Cases())
    if ((c.shape == Shape::kSettings) == settings) out.push_back(c);
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<KindCase>& info) {
  return info.param.service + "_" + info.param.kind;
}

INSTANTIATE_TEST_SUITE_P(EveryKind, ResourceKindTest, ::testing::ValuesIn(CasesOf(false)), CaseName);
INSTANTIATE_TEST_SUITE_P(EveryKind, SettingsKindTest, ::testing::ValuesIn(CasesOf(true)), CaseName);

// The table has a row for every kind each service holds, in ListKinds' order.
TEST(ConfigKindsTableTest, EveryKindOfEveryServiceHasARow) {
  for (const Service& service : Services()) {
    SCOPED_TRACE(service.name);
    std::unique_ptr<ServiceModule> module = service.make();
    recovery::testing::FixtureOptions options;
    options.config_yaml = service.config;
    recovery::testing::ServiceFixture fx(*module, options);
    ASSERT_TRUE(fx.ok());
    v1::ListKindsResponse kinds;
    const grpc::Status s = ConfigClient(fx.channel()).ListKinds(&kinds);
    ASSERT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> served, rows;
    for (const v1::ResourceKind& k : kinds.kinds()) served.push_back(k.kind());
    for (const KindCase& c : Cases())
      if (c.service == service.name) rows.push_back(c.kind);
    EXPECT_EQ(rows, served);
  }
}

}  // namespace
}  // namespace recovery::common
