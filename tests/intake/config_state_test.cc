// Intake's configuration as state, through recovery.v1.Configuration on the in-process
// fixture: the --config file imported (signal rules without an id named "rule-<n>"), export
// and apply, a kind's round trip reaching the running configuration, an invalid change
// refused with the message the same mistake gets in a file, and config.edit.
#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/str_replace.h"
#include "services/intake/module.h"
#include "tests/support/config_client.h"
#include "tests/support/service_fixture.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::ConfigClient;

// The second rule has no id: files written before rules had one still load.
constexpr char kConfig[] = R"(categories: [billing_error, communication, other]
dedup_window: 24h
signal_rules:
  - {id: low-survey, kind: survey_score, max_score: 2, severity: P3, category: communication}
  - {kind: missed_deadline, severity: P2, category: other}
)";

recovery::testing::FixtureOptions WithConfig(std::string db = "") {
  recovery::testing::FixtureOptions o;
  o.config_yaml = kConfig;
  o.db = std::move(db);
  return o;
}

class IntakeConfigStateTest : public ::testing::Test {
 protected:
  IntakeConfigStateTest() : fx_(module_, WithConfig()), admin_(fx_.channel()) {}

  std::shared_ptr<const IntakeConfig> Running() { return module_.app().config(); }

  IntakeModule module_;
  recovery::testing::ServiceFixture fx_;
  ConfigClient admin_;
};

TEST_F(IntakeConfigStateTest, TheFileIsImportedAndARuleWithoutAnIdIsNamedByItsPlace) {
  EXPECT_EQ(admin_.Ids("category"), (std::vector<std::string>{"billing_error", "communication", "other"}));
  EXPECT_EQ(admin_.Ids("signal_rule"), (std::vector<std::string>{"low-survey", "rule-2"}));
  v1::Resource settings;
  ASSERT_TRUE(admin_.Get("settings", "settings", &settings).ok());
  EXPECT_EQ(settings.spec().struct_value().fields().at("dedup_window").string_value(), "24h");
  ASSERT_EQ(Running()->signal_rules.size(), 2u);
  EXPECT_EQ(Running()->signal_rules[1].id, "rule-2");
}

TEST_F(IntakeConfigStateTest, ApplyingTheExportChangesNothing) {
  v1::ExportConfigurationResponse exported;
  ASSERT_TRUE(admin_.Export(&exported).ok());
  v1::ApplyConfigurationResponse applied;
  const grpc::Status s = admin_.Apply(exported.yaml(), &applied);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << exported.yaml();
  EXPECT_EQ(applied.changes_size(), 0) << exported.yaml();
  EXPECT_EQ(applied.generation(), exported.generation());
}

TEST_F(IntakeConfigStateTest, AnApplyReplacesTheKindsItNamesAndLeavesTheOthers) {
  v1::ApplyConfigurationResponse applied;
  grpc::Status s =
      admin_.Apply("signal_rules: [{id: only, kind: missed_deadline, severity: P2, category: other}]\n", &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(applied.changes_size(), 3);  // only created, low-survey and rule-2 deleted
  EXPECT_EQ(admin_.Ids("signal_rule"), (std::vector<std::string>{"only"}));
  EXPECT_EQ(admin_.Ids("category"), (std::vector<std::string>{"billing_error", "communication", "other"}));
  EXPECT_EQ(admin_.Ids("settings"), (std::vector<std::string>{"settings"}));

  // An empty list names the kind: every rule goes, the categories stay.
  s = admin_.Apply("signal_rules: []\n", &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(admin_.Ids("signal_rule"), std::vector<std::string>{});
  EXPECT_EQ(admin_.Ids("category"), (std::vector<std::string>{"billing_error", "communication", "other"}));
  EXPECT_TRUE(Running()->signal_rules.empty());

  // The export names the empty kind, so applying it deletes a rule made since.
  const std::string exported = admin_.ExportedYaml();
  EXPECT_NE(exported.find("signal_rules: []"), std::string::npos) << exported;
  v1::ChangeResult created;
  s = admin_.Create("signal_rule", "later", "{kind: missed_deadline, severity: P2, category: other}", &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = admin_.Apply(exported, &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(applied.changes_size(), 1);
  EXPECT_EQ(applied.changes(0).id(), "later");
  EXPECT_EQ(applied.changes(0).type(), v1::CONFIG_CHANGE_TYPE_DELETED);
  EXPECT_EQ(admin_.Ids("signal_rule"), std::vector<std::string>{});
}

TEST_F(IntakeConfigStateTest, SignalRulesMoveAndCategoriesWhoseOrderMeansNothingDoNot) {
  v1::ChangeResult moved;
  grpc::Status s = admin_.Update("signal_rule", "rule-2", "", &moved, {"position"}, "", 1);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(admin_.Ids("signal_rule"), (std::vector<std::string>{"rule-2", "low-survey"}));
  s = admin_.Update("category", "other", "", &moved, {"position"}, "", 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("resource.position: ", 0), 0u) << s.error_message();
  EXPECT_EQ(admin_.Ids("category"), (std::vector<std::string>{"billing_error", "communication", "other"}));
}

TEST_F(IntakeConfigStateTest, ASignalRuleIsCreatedReadUpdatedAndDeletedAndTheServiceRunsWithIt) {
  // First place: it matches before the file's rules (first match wins).
  v1::ChangeResult created;
  ASSERT_TRUE(admin_
                  .Create("signal_rule", "billing", "{kind: missed_deadline, severity: P1, category: billing_error}",
                          &created, /*position=*/1)
                  .ok());
  EXPECT_EQ(created.resource().version(), 1);
  EXPECT_EQ(created.resource().position(), 1);
  EXPECT_EQ(created.change().type(), v1::CONFIG_CHANGE_TYPE_CREATED);
  EXPECT_EQ(admin_.Ids("signal_rule"), (std::vector<std::string>{"billing", "low-survey", "rule-2"}));
  const SignalRule* match = MatchSignalRule(*Running(), v1::SIGNAL_KIND_MISSED_DEADLINE, 0);
  ASSERT_NE(match, nullptr);
  EXPECT_EQ(match->id, "billing");
  EXPECT_EQ(match->severity, v1::SEVERITY_P1);

  v1::Resource got;
  ASSERT_TRUE(admin_.Get("signal_rule", "billing", &got).ok());
  EXPECT_EQ(got.spec().struct_value().fields().at("category").string_value(), "billing_error");
  EXPECT_EQ(got.updated_by(), "person:tester");

  v1::ChangeResult updated;
  const grpc::Status u = admin_.Update("signal_rule", "billing", "{severity: P2}", &updated, {"severity"});
  ASSERT_TRUE(u.ok()) << u.error_message();
  EXPECT_EQ(updated.resource().version(), 2);
  EXPECT_EQ(updated.resource().spec().struct_value().fields().at("kind").string_value(), "missed_deadline");
  EXPECT_EQ(MatchSignalRule(*Running(), v1::SIGNAL_KIND_MISSED_DEADLINE, 0)->severity, v1::SEVERITY_P2);

  v1::ChangeResult deleted;
  ASSERT_TRUE(admin_.Delete("signal_rule", "billing", &deleted).ok());
  EXPECT_EQ(deleted.change().type(), v1::CONFIG_CHANGE_TYPE_DELETED);
  EXPECT_EQ(admin_.Ids("signal_rule"), (std::vector<std::string>{"low-survey", "rule-2"}));
  EXPECT_EQ(MatchSignalRule(*Running(), v1::SIGNAL_KIND_MISSED_DEADLINE, 0)->id, "rule-2");
  EXPECT_EQ(admin_.Get("signal_rule", "billing", &got).error_code(), grpc::NOT_FOUND);
}

// One mistake made through the API and in a --config file: the same message (the file's with
// the runtime's "--config: " in front), and the API change leaves everything as it was.
TEST_F(IntakeConfigStateTest, AnInvalidChangeIsRefusedWithTheMessageTheSameMistakeGetsInAFile) {
  const std::string new_rule = "  - {id: r9, kind: survey_score, severity: P9, category: communication}\n";
  const std::string typo_rule = "  - {id: r9, kind: survey_score, severity: P3, category: other, score: 1}\n";
  const std::vector<recovery::testing::ConfigErrorCase> cases = {
      {"unknown severity",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("signal_rule", "r9", "{kind: survey_score, severity: P9, category: communication}", &out);
       },
       std::string(kConfig) + new_rule},
      {"unknown key in a rule",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("signal_rule", "r9", "{kind: survey_score, severity: P3, category: other, score: 1}", &out);
       },
       std::string(kConfig) + typo_rule},
      {"negative dedup window",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Update("settings", "settings", "{dedup_window: -1h}", &out);
       },
       absl::StrReplaceAll(kConfig, {{"dedup_window: 24h", "dedup_window: -1h"}})},
      {"a category a rule still uses",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Delete("category", "communication", &out);
       },
       absl::StrReplaceAll(kConfig, {{"[billing_error, communication, other]", "[billing_error, other]"}})},
  };
  recovery::testing::ExpectTheApiAndTheFileRefuseAlike<IntakeModule>(admin_, cases);
}

TEST_F(IntakeConfigStateTest, ACallerWithoutConfigEditMayReadButNotChange) {
  ConfigClient responder(fx_.ChannelAs("sam"));  // config.read and config.write, not config.edit
  EXPECT_EQ(responder.Ids("category").size(), 3u);
  v1::ChangeResult out;
  const grpc::Status s = responder.Create("category", "refunds", "", &out);
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("config.edit"), std::string::npos) << s.error_message();
  ConfigClient viewer(fx_.ChannelAs("vic"));  // config.read only: refused by the policy
  EXPECT_EQ(viewer.Delete("signal_rule", "low-survey", &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(admin_.Ids("category"), (std::vector<std::string>{"billing_error", "communication", "other"}));
  EXPECT_FALSE(Running()->HasCategory("refunds"));
}

TEST(IntakeConfigRestartTest, AnApiChangeSurvivesARestartWithTheSameFileWithoutRuleIds) {
  recovery::testing::TempDir dir;
  const std::string db = dir.File("intake.db");
  {
    IntakeModule module;
    recovery::testing::ServiceFixture fx(module, WithConfig(db));
    ASSERT_TRUE(fx.ok());
    v1::ChangeResult out;
    ASSERT_TRUE(ConfigClient(fx.channel()).Update("signal_rule", "rule-2", "{severity: P1}", &out, {"severity"}).ok());
  }
  IntakeModule module;
  recovery::testing::ServiceFixture fx(module, WithConfig(db));
  ASSERT_TRUE(fx.ok());
  EXPECT_EQ(ConfigClient(fx.channel()).Ids("signal_rule"), (std::vector<std::string>{"low-survey", "rule-2"}));
  EXPECT_EQ(module.app().config()->signal_rules[1].severity, v1::SEVERITY_P1);
}

}  // namespace
}  // namespace recovery::intake
