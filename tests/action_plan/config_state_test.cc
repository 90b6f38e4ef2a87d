// Action-plan's configuration as state, through recovery.v1.Configuration on the in-process
// fixture: a --config of the old shape (playbooks and wording rules in their own files) made
// canonical with both inline, export and apply, a playbook's round trip reaching the running
// settings, an invalid change refused with the message the same mistake gets in a file, and
// plans.configure / config.edit.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "absl/strings/str_replace.h"
#include "services/action_plan/module.h"
#include "services/action_plan/shipped.h"
#include "tests/support/config_client.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::ConfigClient;

// The old shape: no playbooks_dir or wording_rules, so the shipped ones.
constexpr char kFileShape[] = R"(role_owners: {account_lead: lee}
calendars:
  - {id: acme-london, time_zone: Europe/London, weekly: {mon: ['09:00-17:00']}}
)";

// The canonical shape, as an export writes it.
constexpr char kCanonical[] = R"(playbooks:
  - id: generic.v1
    category: generic
    title: Service failure
    items:
      - {id: acknowledge, what: We call you, why: Acknowledge fast, how: Call, where: phone, owner_role: case_owner, due: 4h, client_visible: true}
  - id: refund.v1
    category: refund
    title: Refund
    items:
      - {id: refund, what: We refund you, why: Make amends, how: Credit note, where: billing, owner_role: account_lead, due: 2d, client_visible: true}
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

constexpr char kRefundSpec[] = R"({id: refund.v1, category: refund, title: Refund, items: [{id: refund,
  what: We refund you, why: Make amends, how: Credit note, where: billing, owner_role: account_lead,
  due: 2d, client_visible: true}]})";

std::string Replaced(const std::string& text, const std::string& from, const std::string& to) {
  EXPECT_NE(text.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(text, {{from, to}});
}

class ActionPlanConfigStateTest : public ::testing::Test {
 protected:
  explicit ActionPlanConfigStateTest(const char* config = kFileShape)
      : fx_(module_, Options(config)), admin_(fx_.channel()) {}
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  static recovery::testing::FixtureOptions Options(const char* config) {
    recovery::testing::FixtureOptions o;
    o.config_yaml = config;
    return o;
  }
  std::vector<std::string> RunningPlaybookIds() {
    std::vector<std::string> ids;
    for (const Playbook& p : module_.app().settings()->playbooks) ids.push_back(p.id);
    return ids;
  }

  ActionPlanModule module_;
  recovery::testing::ServiceFixture fx_;
  ConfigClient admin_;
};

class CanonicalConfigStateTest : public ActionPlanConfigStateTest {
 protected:
  CanonicalConfigStateTest() : ActionPlanConfigStateTest(kCanonical) {}
};

TEST_F(ActionPlanConfigStateTest, AFileOfTheOldShapeIsImportedWithTheShippedPlaybooksAndWordingRulesInline) {
  const std::vector<std::string> playbooks = admin_.Ids("playbook");
  EXPECT_EQ(playbooks, RunningPlaybookIds());
  EXPECT_NE(std::find(playbooks.begin(), playbooks.end(), "generic.v1"), playbooks.end());
  const std::vector<std::string> rules = admin_.Ids("wording_rule");
  ASSERT_FALSE(rules.empty());
  EXPECT_EQ(rules.front(), "apology_repeated");
  EXPECT_EQ(rules.size(), module_.app().settings()->wording_rules.rules.size());
  EXPECT_EQ(admin_.Ids("calendar"), std::vector<std::string>{"acme-london"});
  EXPECT_EQ(admin_.Ids("role_owner"), std::vector<std::string>{"account_lead"});
  const std::string exported = admin_.ExportedYaml();
  EXPECT_NE(exported.find("\nplaybooks:\n"), std::string::npos) << exported;
  EXPECT_EQ(exported.find("playbooks_dir"), std::string::npos) << exported;
}

class NoConfigFileStateTest : public ActionPlanConfigStateTest {
 protected:
  NoConfigFileStateTest() : ActionPlanConfigStateTest("") {}
};

TEST_F(NoConfigFileStateTest, TheShippedPlaybooksAndWordingRulesAreStoredAndAnApplyOfOtherKindsLeavesThem) {
  // Compiled in (shipped.h): stored on the first start like a file import.
  const std::vector<std::string> playbooks = admin_.Ids("playbook");
  EXPECT_EQ(playbooks.size(), ShippedPlaybooks().size());
  EXPECT_EQ(playbooks, RunningPlaybookIds());
  EXPECT_NE(std::find(playbooks.begin(), playbooks.end(), "generic.v1"), playbooks.end());
  EXPECT_EQ(admin_.Ids("wording_rule").size(), module_.app().settings()->wording_rules.rules.size());
  v1::ListResourceVersionsResponse versions;
  ASSERT_TRUE(admin_.Versions("playbook", "generic.v1", &versions).ok());
  ASSERT_EQ(versions.versions_size(), 1);
  EXPECT_EQ(versions.versions(0).origin(), "file");

  // The local stack's action_plan.yaml names calendars and role owners only.
  v1::ApplyConfigurationResponse applied;
  const grpc::Status s = admin_.Apply("role_owners: {billing: jordan}\ncalendars: []\n", &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(applied.changes_size(), 1);
  EXPECT_EQ(applied.changes(0).kind(), "role_owner");
  EXPECT_EQ(admin_.Ids("playbook"), playbooks);
  EXPECT_EQ(module_.app().settings()->role_owners.at("billing"), "jordan");
}

TEST_F(ActionPlanConfigStateTest, ApplyingTheExportChangesNothing) {
  v1::ExportConfigurationResponse exported;
  ASSERT_TRUE(admin_.Export(&exported).ok());
  v1::ApplyConfigurationResponse applied;
  const grpc::Status s = admin_.Apply(exported.yaml(), &applied);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << exported.yaml();
  EXPECT_EQ(applied.changes_size(), 0) << exported.yaml();
  EXPECT_EQ(applied.generation(), exported.generation());
}

TEST(ActionPlanConfigFileTest, TheCanonicalShapeIsKeptAsWrittenAndTheOldOneReadIn) {
  auto canonical = CanonicalConfig(YAML::Load(kCanonical), "/etc/recovery/action_plan.yaml");
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  EXPECT_EQ((*canonical)["playbooks"].size(), 2u);
  EXPECT_EQ((*canonical)["wording_rules"].size(), 1u);
  auto old = CanonicalConfig(YAML::Load(kFileShape), "");
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_TRUE((*old)["wording_rules"].IsSequence());
  EXPECT_EQ((*old)["wording_rules"][0]["id"].Scalar(), "apology_repeated");
  EXPECT_FALSE((*old)["playbooks_dir"].IsDefined());
  auto both = CanonicalConfig(YAML::Load("playbooks_dir: /x\nplaybooks: []\n"), "");
  EXPECT_EQ(both.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(both.status().message(), "playbooks: give either playbooks_dir or playbooks, not both");
  // The canonical parser reads no paths.
  EXPECT_EQ(ParseSettings(YAML::Load("playbooks_dir: /x\n")).status().message(), "playbooks_dir: unknown key");
}

TEST(ActionPlanConfigFileTest, APlaybooksDirIsReadIn) {
  recovery::testing::TempDir dir;
  std::filesystem::copy_file(recovery::testing::SourcePath("services/action_plan/playbooks/generic.yaml"),
                             dir.File("generic.yaml"));
  ActionPlanModule module;
  recovery::testing::FixtureOptions options;
  options.config_yaml = "playbooks_dir: " + dir.path() + "\n";
  recovery::testing::ServiceFixture fx(module, options);
  ASSERT_TRUE(fx.ok());
  EXPECT_EQ(ConfigClient(fx.channel()).Ids("playbook"), std::vector<std::string>{"generic.v1"});
  ASSERT_EQ(module.app().settings()->playbooks.size(), 1u);
}

TEST_F(CanonicalConfigStateTest, APlaybookIsCreatedReadUpdatedAndDeletedAndTheServiceRunsWithIt) {
  v1::ChangeResult created;
  const std::string spec = Replaced(Replaced(kRefundSpec, "refund", "credit"), "Refund", "Credit");
  const grpc::Status c = admin_.Create("playbook", "credit.v1", spec, &created);
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(created.resource().version(), 1);
  EXPECT_EQ(admin_.Ids("playbook"), (std::vector<std::string>{"generic.v1", "refund.v1", "credit.v1"}));
  EXPECT_EQ(RunningPlaybookIds(), (std::vector<std::string>{"credit.v1", "generic.v1", "refund.v1"}));  // by category

  v1::Resource got;
  ASSERT_TRUE(admin_.Get("playbook", "credit.v1", &got).ok());
  EXPECT_EQ(got.spec().struct_value().fields().at("category").string_value(), "credit");

  v1::ChangeResult updated;
  ASSERT_TRUE(admin_.Update("playbook", "credit.v1", "{title: Goodwill credit}", &updated, {"title"}).ok());
  EXPECT_EQ(updated.resource().version(), 2);
  EXPECT_EQ(module_.app().settings()->playbooks[0].title, "Goodwill credit");

  v1::ChangeResult deleted;
  ASSERT_TRUE(admin_.Delete("playbook", "credit.v1", &deleted).ok());
  EXPECT_EQ(RunningPlaybookIds(), (std::vector<std::string>{"generic.v1", "refund.v1"}));
  EXPECT_EQ(admin_.Get("playbook", "credit.v1", &got).error_code(), grpc::NOT_FOUND);
}

// One mistake made through the API and in a --config file: the same message (the file's with
// the runtime's "--config: " in front), and the API change leaves everything as it was.
TEST_F(CanonicalConfigStateTest, AnInvalidChangeIsRefusedWithTheMessageTheSameMistakeGetsInAFile) {
  const std::string base = kCanonical;
  const std::string generic =
      base.substr(base.find("  - id: generic.v1"), base.find("  - id: refund.v1") - base.find("  - id: generic.v1"));
  const std::string bad_rule =
      "  - {id: paren, category: over_promising, reason: r, patterns: [{regex: '(unclosed'}]}\n";
  const std::vector<recovery::testing::ConfigErrorCase> cases = {
      {"a due that is not one",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Update("playbook", "refund.v1", Replaced(kRefundSpec, "due: 2d", "due: soon"), &out);
       },
       Replaced(base, "due: 2d", "due: soon")},
      {"the generic playbook deleted",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Delete("playbook", "generic.v1", &out);
       },
       Replaced(base, generic, "")},
      {"a wording rule with a broken regex",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("wording_rule", "paren",
                         "{category: over_promising, reason: r, patterns: [{regex: '(unclosed'}]}", &out);
       },
       Replaced(base, "calendars:\n", bad_rule + "calendars:\n")},
      {"the case owner's role configured",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("role_owner", "case_owner", "lee", &out);
       },
       Replaced(base, "{account_lead: lee}", "{account_lead: lee, case_owner: lee}")},
      {"a calendar in a time zone that does not exist",
       [](ConfigClient& c) {
         v1::ChangeResult out;
         return c.Create("calendar", "mars", "{time_zone: Mars/Olympus}", &out);
       },
       Replaced(base, "role_owners:", "  - {id: mars, time_zone: Mars/Olympus}\nrole_owners:")},
  };
  recovery::testing::ExpectTheApiAndTheFileRefuseAlike<ActionPlanModule>(admin_, cases);
}

TEST_F(CanonicalConfigStateTest, PlaybooksNeedPlansConfigureAndTheOtherKindsConfigEdit) {
  v1::ChangeResult out;
  ConfigClient responder(fx_.ChannelAs("sam"));  // config.write, neither plans.configure nor config.edit
  const grpc::Status refused = responder.Update("playbook", "refund.v1", "{title: Money back}", &out, {"title"});
  EXPECT_EQ(refused.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_NE(refused.error_message().find("plans.configure"), std::string::npos) << refused.error_message();
  EXPECT_EQ(responder.Delete("wording_rule", "guarantee", &out).error_code(), grpc::PERMISSION_DENIED);

  ConfigClient case_manager(fx_.ChannelAs("lee"));  // plans.configure, not config.edit
  const grpc::Status allowed = case_manager.Update("playbook", "refund.v1", "{title: Money back}", &out, {"title"});
  ASSERT_TRUE(allowed.ok()) << allowed.error_message();
  EXPECT_EQ(out.resource().updated_by(), "person:lee");
  const grpc::Status owners = case_manager.Update("role_owner", "account_lead", "mia", &out);
  EXPECT_EQ(owners.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_NE(owners.error_message().find("config.edit"), std::string::npos) << owners.error_message();
  EXPECT_EQ(module_.app().settings()->role_owners.at("account_lead"), "lee");
}

}  // namespace
}  // namespace recovery::action_plan
