// Follow-up's configuration as state, through recovery.v1.Configuration on the in-process
// fixture with example.yaml as --config: export and apply, a kind's round trip reaching the
// running configuration, an SLA change applying to the next case, an invalid change refused
// with the message the same mistake gets in a file, and config.edit.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "services/common/events.h"
#include "services/common/proto_time.h"
#include "services/follow_up/module.h"
#include "tests/support/config_client.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"

namespace recovery::follow_up {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::ConfigClient;

const absl::Time kT0 = absl::FromUnixSeconds(1795514400);  // 2026-11-24T10:00:00Z

std::string ExampleYaml() {
  std::ifstream in(recovery::testing::SourcePath("services/follow_up/example.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with `from` (which must occur) replaced by `to`.
std::string Replaced(const std::string& text, const std::string& from, const std::string& to) {
  EXPECT_NE(text.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(text, {{from, to}});
}

class FollowUpConfigStateTest : public ::testing::Test {
 protected:
  FollowUpConfigStateTest() : fx_(module_, Options()), admin_(fx_.channel()) {}
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  static recovery::testing::FixtureOptions Options() {
    recovery::testing::FixtureOptions o;
    o.start = kT0;
    o.config_yaml = ExampleYaml();
    return o;
  }

  FollowUpModule module_;
  recovery::testing::ServiceFixture fx_;
  ConfigClient admin_;
};

TEST_F(FollowUpConfigStateTest, TheExampleFileIsImportedAsItsKinds) {
  EXPECT_EQ(admin_.Ids("sla_policy"), (std::vector<std::string>{"P1", "P2", "P3", "P4"}));
  EXPECT_EQ(admin_.Ids("manager"), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(admin_.Ids("calendar"), (std::vector<std::string>{"london-office", "new-york"}));
  v1::Resource settings;
  ASSERT_TRUE(admin_.Get("settings", "settings", &settings).ok());
  EXPECT_EQ(settings.spec().struct_value().fields().at("default_calendar").string_value(), "london-office");
  EXPECT_EQ(settings.spec().struct_value().fields().count("reminders"), 1u);
}

TEST_F(FollowUpConfigStateTest, ApplyingTheExportChangesNothing) {
  v1::ExportConfigurationResponse exported;
  ASSERT_TRUE(admin_.Export(&exported).ok());
  v1::ApplyConfigurationResponse applied;
  const grpc::Status s = admin_.Apply(exported.yaml(), &applied);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << exported.yaml();
  EXPECT_EQ(applied.changes_size(), 0) << exported.yaml();
  EXPECT_EQ(applied.generation(), exported.generation());
}

TEST_F(FollowUpConfigStateTest, AManagerIsCreatedReadUpdatedAndDeletedAndTheServiceRunsWithIt) {
  v1::ChangeResult created;
  ASSERT_TRUE(admin_.Create("manager", "erin", "carol", &created).ok());
  EXPECT_EQ(created.resource().version(), 1);
  EXPECT_EQ(module_.config()->managers.at("erin"), "carol");

  v1::Resource got;
  ASSERT_TRUE(admin_.Get("manager", "erin", &got).ok());
  EXPECT_EQ(got.spec().string_value(), "carol");
  EXPECT_EQ(admin_.Ids("manager"), (std::vector<std::string>{"alice", "bob", "carol", "erin"}));

  v1::ChangeResult updated;
  ASSERT_TRUE(admin_.Update("manager", "erin", "dave", &updated, {}, got.etag()).ok());
  EXPECT_EQ(updated.resource().version(), 2);
  EXPECT_EQ(module_.config()->managers.at("erin"), "dave");
  // The etag of version 1 is stale now.
  EXPECT_EQ(admin_.Update("manager", "erin", "frank", &updated, {}, got.etag()).error_code(), grpc::ABORTED);

  v1::ChangeResult deleted;
  ASSERT_TRUE(admin_.Delete("manager", "erin", &deleted).ok());
  EXPECT_EQ(admin_.Ids("manager"), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(module_.config()->managers.count("erin"), 0u);
  EXPECT_EQ(admin_.Get("manager", "erin", &got).error_code(), grpc::NOT_FOUND);
}

TEST_F(FollowUpConfigStateTest, AnSlaChangeAppliesToTheNextCase) {
  v1::ChangeResult out;
  ASSERT_TRUE(admin_.Update("sla_policy", "P1", "{acknowledge: 30m}", &out, {"acknowledge"}).ok());
  v1::Event e = common::NewEvent(fx_.clock().Now(), "c1", "intake", "t", "r");
  e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
  e.mutable_case_opened()->mutable_client()->set_id("acme");
  ASSERT_TRUE(fx_.Deliver(e).ok());
  fx_.Advance(absl::Minutes(29));
  EXPECT_TRUE(fx_.PublishedOfType("SlaBreached").empty());
  fx_.Advance(absl::Minutes(1));
  const auto breached = fx_.PublishedOfType("SlaBreached");
  ASSERT_EQ(breached.size(), 1u);
  EXPECT_EQ(common::FromProto(breached[0].sla_breached().due()), kT0 + absl::Minutes(30));
}

// One mistake made through the API and in a --config file: the same message (the file's with
// the runtime's "--config: " in front), and the API change leaves everything as it was.
TEST_F(FollowUpConfigStateTest, AnInvalidChangeIsRefusedWithTheMessageTheSameMistakeGetsInAFile) {
  const std::string example = ExampleYaml();
  const std::string london = example.substr(example.find("  - id: london-office"),
                                            example.find("  - id: new-york") - example.find("  - id: london-office"));
  const std::vector<recovery::testing::ConfigErrorCase> cases = {
      {"a target that is not one",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Update("sla_policy", "P1", "{acknowledge: soon, resolve: 4h}", &out);
       },
       Replaced(example, "P1: {acknowledge: 15m, resolve: 4h}", "P1: {acknowledge: soon, resolve: 4h}")},
      {"a severity that does not exist",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("sla_policy", "P5", "{acknowledge: 15m, resolve: 4h}", &out);
       },
       Replaced(example, "  P4: {acknowledge: next_business_day, resolve: business 40h}\n",
                "  P4: {acknowledge: next_business_day, resolve: business 40h}\n  P5: {acknowledge: 15m, resolve: "
                "4h}\n")},
      {"a manager that is not a person id",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("manager", "erin", "[carol, dave]", &out);
       },
       Replaced(example, "  carol: dave\n", "  carol: dave\n  erin: [carol, dave]\n")},
      {"an unknown default calendar",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Update("settings", "settings", "{default_calendar: tokyo}", &out, {"default_calendar"});
       },
       Replaced(example, "default_calendar: london-office", "default_calendar: tokyo")},
      {"the default calendar deleted",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Delete("calendar", "london-office", &out);
       },
       Replaced(example, london, "")},
  };
  recovery::testing::ExpectTheApiAndTheFileRefuseAlike<FollowUpModule>(admin_, cases);
}

TEST_F(FollowUpConfigStateTest, ACallerWithoutConfigEditMayReadButNotChange) {
  ConfigClient responder(fx_.ChannelAs("sam"));  // config.read and config.write, not config.edit
  EXPECT_EQ(responder.Ids("sla_policy").size(), 4u);
  v1::ChangeResult out;
  const grpc::Status s = responder.Update("sla_policy", "P1", "{acknowledge: 1m}", &out, {"acknowledge"});
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("config.edit"), std::string::npos) << s.error_message();
  EXPECT_EQ(module_.config()->sla.at(v1::SEVERITY_P1).acknowledge.duration, absl::Minutes(15));
}

}  // namespace
}  // namespace recovery::follow_up
