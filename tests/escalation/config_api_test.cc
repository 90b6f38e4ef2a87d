// The escalation configuration as state through recovery.v1.Configuration on the real
// runtime: resource round trips, etags, the same field-named errors as a YAML load, apply and
// export, an API change surviving a reload of the file, ConfigChanged with the authenticated
// actor, self-service and scheduler scopes, and the safety checks with a dry run's shift
// differences.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "recovery/v1/config.grpc.pb.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/config_state/yaml_value.h"
#include "services/common/grpc_util.h"
#include "services/common/proto_time.h"
#include "services/escalation/app.h"
#include "services/escalation/module.h"
#include "tests/support/service_fixture.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using google::protobuf::Value;

// sam and priya are responders, jordan a scheduler (tests/support/test_identity.cc).
constexpr char kYaml[] = R"(
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
  - id: billing-oncall
    name: Billing on call
    time_zone: UTC
    layers:
      - {name: primary, participants: [jordan], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
  - {id: billing, name: Billing, tiers: [{targets: [{schedule: billing-oncall}], ack_timeout: 5m}], fallback: jordan}
teams:
  - {id: ops, name: Ops, members: [sam, priya], calendar: office, schedule: oncall, policy: p}
  - {id: billing, name: Billing, members: [jordan], calendar: office, schedule: billing-oncall, policy: billing}
routing_rules:
  - {id: billing-errors, categories: [billing_error], team: billing}
  - {id: all, team: ops}
)";

recovery::testing::FixtureOptions Options() {
  recovery::testing::FixtureOptions options;
  options.config_yaml = kYaml;
  options.keep_config_events = true;
  return options;
}

Value Json(const std::string& json) {
  Value v;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &v).ok()) << json;
  return v;
}

class ConfigApiTest : public ::testing::Test {
 protected:
  std::unique_ptr<v1::Configuration::Stub> As(const std::string& person) {
    return v1::Configuration::NewStub(person.empty() ? fx_.channel() : fx_.ChannelAs(person));
  }

  grpc::Status Create(const std::string& kind, const std::string& id, const std::string& spec_json,
                      v1::ChangeResult* out, const std::string& as = "", bool validate_only = false, int position = 0) {
    v1::CreateResourceRequest req;
    req.mutable_resource()->set_kind(kind);
    req.mutable_resource()->set_id(id);
    req.mutable_resource()->set_position(position);
    *req.mutable_resource()->mutable_spec() = Json(spec_json);
    req.set_reason("test");
    req.set_validate_only(validate_only);
    auto ctx = common::ContextWithDeadline();
    return As(as)->CreateResource(ctx.get(), req, out);
  }

  grpc::Status Update(const std::string& kind, const std::string& id, const std::string& spec_json,
                      const std::vector<std::string>& mask, v1::ChangeResult* out, const std::string& as = "",
                      const std::string& etag = "", bool validate_only = false) {
    v1::UpdateResourceRequest req;
    req.mutable_resource()->set_kind(kind);
    req.mutable_resource()->set_id(id);
    req.mutable_resource()->set_etag(etag);
    *req.mutable_resource()->mutable_spec() = Json(spec_json);
    for (const std::string& p : mask) req.mutable_update_mask()->add_paths(p);
    req.set_reason("test");
    req.set_validate_only(validate_only);
    auto ctx = common::ContextWithDeadline();
    return As(as)->UpdateResource(ctx.get(), req, out);
  }

  v1::Resource Get(const std::string& kind, const std::string& id, grpc::Status* status = nullptr) {
    v1::GetResourceRequest req;
    req.set_kind(kind);
    req.set_id(id);
    v1::Resource out;
    auto ctx = common::ContextWithDeadline();
    grpc::Status st = As("")->GetResource(ctx.get(), req, &out);
    if (status != nullptr) {
      *status = st;
    } else {
      EXPECT_TRUE(st.ok()) << st.error_message();
    }
    return out;
  }

  std::vector<std::string> Ids(const std::string& kind, int page_size = 0) {
    std::vector<std::string> ids;
    v1::ListResourcesRequest req;
    req.set_kind(kind);
    req.set_page_size(page_size);
    for (int pages = 0; pages < 20; ++pages) {
      v1::ListResourcesResponse out;
      auto ctx = common::ContextWithDeadline();
      grpc::Status st = As("")->ListResources(ctx.get(), req, &out);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& r : out.resources()) ids.push_back(r.id());
      if (out.next_page_token().empty()) break;
      req.set_page_token(out.next_page_token());
    }
    return ids;
  }

  v1::ApplyConfigurationResponse Apply(const std::string& yaml, bool validate_only, grpc::Status* status = nullptr) {
    v1::ApplyConfigurationRequest req;
    req.set_yaml(yaml);
    req.set_validate_only(validate_only);
    req.set_reason("apply test");
    v1::ApplyConfigurationResponse out;
    auto ctx = common::ContextWithDeadline();
    grpc::Status st = As("")->ApplyConfiguration(ctx.get(), req, &out);
    if (status != nullptr) {
      *status = st;
    } else {
      EXPECT_TRUE(st.ok()) << st.error_message();
    }
    return out;
  }

  std::string Export() {
    v1::ExportConfigurationResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(As("")->ExportConfiguration(ctx.get(), v1::ExportConfigurationRequest(), &out).ok());
    return out.yaml();
  }

  std::vector<std::string> DirectoryPeople() {
    auto stub = v1::Escalation::NewStub(fx_.channel());
    v1::Directory dir;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub->GetDirectory(ctx.get(), v1::GetDirectoryRequest(), &dir).ok());
    std::vector<std::string> ids;
    for (const auto& p : dir.people()) ids.push_back(p.id());
    return ids;
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, Options()};
};

TEST_F(ConfigApiTest, APersonGoesThroughCreateGetListUpdateAndDelete) {
  v1::ChangeResult created;
  ASSERT_TRUE(Create("person", "zoe", R"({"name": "Zoe", "time_zone": "Europe/Paris",
      "contact_methods": [{"channel": "log", "target": "zoe"}]})",
                     &created)
                  .ok());
  EXPECT_EQ(created.resource().version(), 1);
  EXPECT_EQ(created.change().type(), v1::CONFIG_CHANGE_TYPE_CREATED);
  EXPECT_EQ(created.resource().updated_by(), "person:tester");
  EXPECT_EQ(Get("person", "zoe").spec().struct_value().fields().at("id").string_value(), "zoe");
  EXPECT_EQ(Ids("person", 2), (std::vector<std::string>{"sam", "priya", "jordan", "zoe"}));
  // The running configuration has her at once.
  EXPECT_EQ(DirectoryPeople(), (std::vector<std::string>{"sam", "priya", "jordan", "zoe"}));

  v1::ChangeResult updated;
  ASSERT_TRUE(Update("person", "zoe", R"({"time_zone": "America/Chicago"})", {"time_zone"}, &updated, "",
                     created.resource().etag())
                  .ok());
  EXPECT_EQ(updated.resource().version(), 2);
  EXPECT_EQ(updated.resource().spec().struct_value().fields().at("time_zone").string_value(), "America/Chicago");
  EXPECT_EQ(updated.resource().spec().struct_value().fields().at("name").string_value(), "Zoe");  // untouched
  EXPECT_NE(updated.resource().etag(), created.resource().etag());

  v1::DeleteResourceRequest del;
  del.set_kind("person");
  del.set_id("zoe");
  del.set_etag(updated.resource().etag());
  v1::ChangeResult deleted;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As("")->DeleteResource(ctx.get(), del, &deleted).ok());
  grpc::Status gone;
  Get("person", "zoe", &gone);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(DirectoryPeople(), (std::vector<std::string>{"sam", "priya", "jordan"}));

  v1::ListResourceVersionsRequest vreq;
  vreq.set_kind("person");
  vreq.set_id("zoe");
  v1::ListResourceVersionsResponse versions;
  auto vctx = common::ContextWithDeadline();
  ASSERT_TRUE(As("")->ListResourceVersions(vctx.get(), vreq, &versions).ok());
  ASSERT_EQ(versions.versions_size(), 3);
  EXPECT_TRUE(versions.versions(0).deleted());
  EXPECT_EQ(versions.versions(0).version(), 3);
  EXPECT_EQ(versions.versions(2).version(), 1);
}

TEST_F(ConfigApiTest, AStaleEtagIsAbortedAndChangesNothing) {
  const v1::Resource sam = Get("person", "sam");
  v1::ChangeResult first, second;
  ASSERT_TRUE(Update("person", "sam", R"({"name": "Sam O."})", {"name"}, &first, "", sam.etag()).ok());
  const grpc::Status stale = Update("person", "sam", R"({"name": "Sam X."})", {"name"}, &second, "", sam.etag());
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED) << stale.error_message();
  EXPECT_EQ(stale.error_message().rfind("resource.etag: stale", 0), 0u) << stale.error_message();
  EXPECT_EQ(Get("person", "sam").spec().struct_value().fields().at("name").string_value(), "Sam O.");
}

// One table, both ways: the same mistake in a --config file and in an API call gives the same
// field-named message.
TEST_F(ConfigApiTest, InvalidInputNamesTheFieldExactlyAsTheYamlLoadDoes) {
  struct Case {
    std::string person_yaml;  // a fourth person, people[3]
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{id: zed, name: Zed, time_zone: Mars/Olympus, contact_methods: [{channel: log, target: z}]}",
       "people[3].time_zone"},
      {"{id: zed, name: Zed, time_zone: UTC, contact_methods: [{channel: pigeon, target: z}]}",
       "people[3].contact_methods[0].channel"},
      {"{id: zed, name: Zed, time_zone: UTC, contact_methods: [{channel: log, target: z}], shoe_size: 9}", "people[3]"},
  };
  for (const Case& c : cases) {
    YAML::Node file = YAML::Load(kYaml);
    file["people"].push_back(YAML::Load(c.person_yaml));
    const absl::Status from_file = ParseSettings(file).status();
    ASSERT_EQ(from_file.code(), absl::StatusCode::kInvalidArgument) << c.person_yaml;
    EXPECT_EQ(std::string(from_file.message()).rfind(c.message, 0), 0u) << from_file.message();

    const std::string spec_json = common::CanonicalJson(common::YamlToValue(YAML::Load(c.person_yaml)));
    v1::ChangeResult out;
    const grpc::Status from_api = Create("person", "zed", spec_json, &out);
    EXPECT_EQ(from_api.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.person_yaml;
    EXPECT_EQ(from_api.error_message(), std::string(from_file.message()));
  }
  EXPECT_EQ(DirectoryPeople().size(), 3u);  // nothing stored
}

TEST_F(ConfigApiTest, ApplyingTwiceChangesNothingTheSecondTimeAndAnExportAppliesAsItIs) {
  // The export of the imported file applies as a no-op.
  const std::string exported = Export();
  EXPECT_EQ(Apply(exported, /*validate_only=*/false).changes_size(), 0) << exported;

  YAML::Node next = YAML::Load(kYaml);
  next["people"][0]["name"] = "Sam Okafor";
  next["routing_rules"].push_back(YAML::Load("{id: p1, severities: [P1], team: ops}"));
  const std::string yaml = common::EmitYaml(next);
  const v1::ApplyConfigurationResponse diff = Apply(yaml, /*validate_only=*/true);
  ASSERT_EQ(diff.changes_size(), 2);
  EXPECT_EQ(Get("person", "sam").spec().struct_value().fields().at("name").string_value(), "Sam");  // dry run
  const v1::ApplyConfigurationResponse applied = Apply(yaml, false);
  ASSERT_EQ(applied.changes_size(), 2);
  EXPECT_EQ(Get("person", "sam").spec().struct_value().fields().at("name").string_value(), "Sam Okafor");
  EXPECT_EQ(Apply(yaml, false).changes_size(), 0);
  EXPECT_EQ(Apply(Export(), false).changes_size(), 0);
  EXPECT_EQ(Ids("routing_rule"), (std::vector<std::string>{"billing-errors", "all", "p1"}));
}

TEST_F(ConfigApiTest, AnApiChangeSurvivesAReloadOfTheOldFileWhileTheFilesOwnChangesApply) {
  v1::ChangeResult out;
  ASSERT_TRUE(Update("person", "sam", R"({"name": "Sam via API"})", {"name"}, &out).ok());
  // SIGHUP with the same file: nothing the file says changed, so the API change stays.
  ASSERT_TRUE(fx_.runtime().config_state()->ApplyFile(YAML::Load(kYaml)).ok());
  EXPECT_EQ(Get("person", "sam").spec().struct_value().fields().at("name").string_value(), "Sam via API");
  // The file changes priya: that applies; it changes sam too: a conflict, the API's stays.
  YAML::Node edited = YAML::Load(kYaml);
  edited["people"][1]["name"] = "Priya via file";
  edited["people"][0]["name"] = "Sam via file";
  ASSERT_TRUE(fx_.runtime().config_state()->ApplyFile(edited).ok());
  EXPECT_EQ(Get("person", "priya").spec().struct_value().fields().at("name").string_value(), "Priya via file");
  EXPECT_EQ(Get("person", "sam").spec().struct_value().fields().at("name").string_value(), "Sam via API");
  EXPECT_EQ(Get("person", "priya").origin(), "file");
  EXPECT_EQ(Get("person", "priya").updated_by(), "service:escalation");
}

TEST_F(ConfigApiTest, EveryChangeIsAConfigChangedEventWithTheAuthenticatedActor) {
  fx_.Quiesce();
  fx_.ClearPublished();
  v1::ChangeResult out;
  ASSERT_TRUE(Update("person", "sam", R"({"name": "Sam O."})", {"name"}, &out, "mia").ok());
  fx_.Quiesce();
  const std::vector<v1::Event> events = fx_.PublishedOfType("ConfigChanged");
  ASSERT_EQ(events.size(), 1u);
  const v1::Event& e = events[0];
  EXPECT_EQ(e.actor(), "person:mia");
  EXPECT_EQ(e.case_id(), "config:escalation");
  EXPECT_EQ(e.source(), "escalation");
  EXPECT_EQ(e.config_changed().kind(), "person");
  EXPECT_EQ(e.config_changed().id(), "sam");
  EXPECT_EQ(e.config_changed().version(), 2);
  EXPECT_EQ(e.config_changed().type(), v1::CONFIG_CHANGE_TYPE_UPDATED);
  EXPECT_EQ(e.config_changed().before().struct_value().fields().at("name").string_value(), "Sam");
  EXPECT_EQ(e.config_changed().after().struct_value().fields().at("name").string_value(), "Sam O.");
  EXPECT_EQ(e.config_changed().reason(), "test");
}

TEST_F(ConfigApiTest, APersonEditsTheirOwnContactMethodsButNothingElse) {
  v1::ChangeResult out;
  const grpc::Status own = Update("person", "sam", R"({"contact_methods": [{"channel": "email",
      "target": "sam@example.com"}]})",
                                  {"contact_methods"}, &out, "sam");
  EXPECT_TRUE(own.ok()) << own.error_message();
  const grpc::Status name = Update("person", "sam", R"({"name": "Samuel"})", {"name"}, &out, "sam");
  EXPECT_EQ(name.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(name.error_message().rfind("permission people.edit needed to change person 'sam'", 0), 0u)
      << name.error_message();
  const grpc::Status other = Update("person", "priya", R"({"contact_methods": [{"channel": "log",
      "target": "x"}]})",
                                    {"contact_methods"}, &out, "sam");
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status create = Create("person", "sam2", R"({"name": "S", "time_zone": "UTC",
      "contact_methods": [{"channel": "log", "target": "s"}]})",
                                     &out, "sam");
  EXPECT_EQ(create.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A viewer may not write at all: the policy refuses before the service looks.
  const grpc::Status viewer = Update("person", "sam", R"({"name": "V"})", {"name"}, &out, "vic");
  EXPECT_EQ(viewer.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(viewer.error_message().find("config.write"), std::string::npos) << viewer.error_message();
}

TEST_F(ConfigApiTest, ASchedulerEditsOnlyTheSchedulesOfTheirOwnTeams) {
  v1::ChangeResult out;
  const grpc::Status own = Update("schedule", "billing-oncall",
                                  R"({"layers": [{"name": "primary", "participants": ["jordan"], "rotation": "1w",
                                      "start_date": "2026-01-05", "handoff_time": "10:00"}]})",
                                  {"layers"}, &out, "jordan");
  EXPECT_TRUE(own.ok()) << own.error_message();
  const grpc::Status other = Update("schedule", "oncall",
                                    R"({"layers": [{"name": "primary", "participants": ["priya", "sam"],
                                        "rotation": "1w", "start_date": "2026-11-02", "handoff_time": "09:00"}]})",
                                    {"layers"}, &out, "jordan");
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(other.error_message().rfind("permission schedules.edit_any needed", 0), 0u) << other.error_message();
  const grpc::Status policy = Update("policy", "billing", R"({"repeats": 2})", {"repeats"}, &out, "jordan");
  EXPECT_EQ(policy.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(policy.error_message().rfind("permission config.edit needed", 0), 0u) << policy.error_message();
}

TEST_F(ConfigApiTest, AChangeThatLeavesAPolicyReachingNobodyIsRefusedListingTheProblem) {
  // Policy p has no fallback and one tier: the oncall schedule. Restricting it to Monday
  // office hours leaves the rest of the week with nobody to page.
  v1::ChangeResult out;
  const grpc::Status st = Update("schedule", "oncall",
                                 R"({"layers": [{"name": "primary", "participants": ["sam", "priya"], "rotation":
                                     "1w", "start_date": "2026-11-02", "handoff_time": "09:00",
                                     "restrictions": {"mon": ["09:00-17:00"]}}]})",
                                 {"layers"}, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_NE(st.error_message().find("coverage_gap at policies[0]"), std::string::npos) << st.error_message();
  EXPECT_EQ(Get("schedule", "oncall").version(), 1);  // nothing changed
}

TEST_F(ConfigApiTest, ADryRunOfARotationChangeListsWhoWouldBeOnCallDifferently) {
  // oncall: weekly sam, priya from Monday 2026-11-02 09:00 London; now is 2026-11-24T22:00Z
  // (priya's week: 23 Nov - 30 Nov). Swapping the order swaps every week.
  v1::ChangeResult out;
  const grpc::Status st = Update("schedule", "oncall",
                                 R"({"layers": [{"name": "primary", "participants": ["priya", "sam"], "rotation":
                                     "1w", "start_date": "2026-11-02", "handoff_time": "09:00"}]})",
                                 {"layers"}, &out, "", "", /*validate_only=*/true);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(out.validate_only());
  ASSERT_GE(out.shift_differences_size(), 2);
  const v1::ShiftDifference& first = out.shift_differences(0);
  EXPECT_EQ(first.schedule_id(), "oncall");
  EXPECT_EQ(common::FromProto(first.start()), fx_.clock().Now());
  EXPECT_EQ(common::FromProto(first.end()), absl::FromCivil(absl::CivilHour(2026, 11, 30, 9), absl::UTCTimeZone()));
  EXPECT_EQ(std::vector<std::string>(first.before().begin(), first.before().end()), std::vector<std::string>{"priya"});
  EXPECT_EQ(std::vector<std::string>(first.after().begin(), first.after().end()), std::vector<std::string>{"sam"});
  EXPECT_EQ(Get("schedule", "oncall").version(), 1);  // a dry run
}

TEST_F(ConfigApiTest, AnUpdateThatChangesNothingMakesNoVersionAndNoEvent) {
  fx_.Quiesce();
  fx_.ClearPublished();
  v1::ChangeResult out;
  ASSERT_TRUE(Update("person", "sam", R"({"name": "Sam"})", {"name"}, &out).ok());
  EXPECT_FALSE(out.has_change());
  EXPECT_EQ(out.resource().version(), 1);
  fx_.Quiesce();
  EXPECT_TRUE(fx_.PublishedOfType("ConfigChanged").empty());
}

TEST_F(ConfigApiTest, RoutingRulesKeepTheirOrderAndANewOneCanGoFirst) {
  v1::ChangeResult out;
  ASSERT_TRUE(Create("routing_rule", "p1", R"({"severities": ["P1"], "team": "ops"})", &out, "", false, 1).ok());
  EXPECT_EQ(Ids("routing_rule"), (std::vector<std::string>{"p1", "billing-errors", "all"}));
  EXPECT_EQ(Get("routing_rule", "all").position(), 3);
}

TEST_F(ConfigApiTest, UnknownKindsAndMalformedRequestsNameTheField) {
  v1::ChangeResult out;
  const grpc::Status kind = Create("spaceship", "x", "{}", &out);
  EXPECT_EQ(kind.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(kind.error_message().rfind("resource.kind: unknown kind 'spaceship'", 0), 0u) << kind.error_message();
  const grpc::Status id = Create("person", "", "{}", &out);
  EXPECT_EQ(id.error_message(), "resource.id: required");
  const grpc::Status mismatch = Create("person", "a", R"({"id": "b"})", &out);
  EXPECT_EQ(mismatch.error_message(), "resource.spec.id: differs from resource.id");
  grpc::Status bad_yaml;
  Apply("people: [", false, &bad_yaml);
  EXPECT_EQ(bad_yaml.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad_yaml.error_message().rfind("yaml: line", 0), 0u) << bad_yaml.error_message();
  grpc::Status secret;
  Apply("webhook_secret: x\n", false, &secret);
  EXPECT_EQ(secret.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(secret.error_message().rfind("webhook_secret: is read from the service's --config file only", 0), 0u)
      << secret.error_message();
}

TEST_F(ConfigApiTest, WithoutACredentialEveryConfigurationCallIsUnauthenticated) {
  auto stub = v1::Configuration::NewStub(fx_.ChannelWithToken(""));
  v1::ListKindsResponse kinds;
  auto ctx = common::ContextWithDeadline();
  EXPECT_EQ(stub->ListKinds(ctx.get(), v1::ListKindsRequest(), &kinds).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::ChangeResult out;
  v1::CreateResourceRequest req;
  req.mutable_resource()->set_kind("person");
  auto ctx2 = common::ContextWithDeadline();
  EXPECT_EQ(stub->CreateResource(ctx2.get(), req, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace recovery::escalation
