// Unit tests for loading and validating the escalation configuration from YAML.
#include "services/escalation/domain/config.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/escalation/domain/routing.h"
#include "tests/escalation/test_util.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

using ::testing::HasSubstr;
using testing_util::FakeResolver;
using testing_util::Utc;

constexpr const char* kMinimal = R"(
people:
  - id: alice
    time_zone: Europe/London
    contact_methods: [{channel: webhook, target: "https://h/alice"}]
calendars:
  - {id: cal, time_zone: Europe/London, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: s
    time_zone: Europe/London
    layers: [{participants: [alice], rotation: 1d, start_date: 2026-01-05, handoff_time: "09:00"}]
policies:
  - id: p
    tiers: [{targets: [{schedule: s}], ack_timeout: 5m}]
teams:
  - {id: t, calendar: cal, schedule: s, policy: p}
routing_rules:
  - {id: r, team: t}
)";

// Replaces the first occurrence of `from` in the minimal document and parses it.
absl::Status ParseWith(const std::string& from, const std::string& to) {
  std::string doc = kMinimal;
  const std::size_t at = doc.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) doc.replace(at, from.size(), to);
  return ParseEscalationConfig(YAML::Load(doc), FakeResolver()).status();
}

TEST(ConfigTest, ExampleYamlLoadsAndRoutes) {
  const YAML::Node root = YAML::LoadFile(std::string(RECOVERY_SOURCE_DIR) + "/services/escalation/domain/example.yaml");
  absl::StatusOr<EscalationConfig> config = ParseEscalationConfig(root, FakeResolver());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->people.size(), 5u);
  EXPECT_EQ(config->teams.size(), 2u);
  EXPECT_EQ(config->calendars.size(), 2u);
  ASSERT_NE(config->FindPolicy("oncall-then-lead"), nullptr);
  EXPECT_EQ(config->FindPolicy("oncall-then-lead")->tiers.size(), 2u);
  EXPECT_EQ(config->FindPerson("alice")->notification_rules[1].delay, absl::Minutes(2));
  const Schedule* s = config->FindSchedule("platform-oncall");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(WhoIsOnCallAt(*s, Utc(2026, 3, 29, 12)), ::testing::ElementsAre("bob"));  // override
  // Christmas Day: a low-severity billing case is held until the New York office reopens.
  CaseFacts facts{"c", "billing", recovery::v1::SEVERITY_P4, "", "", "", ""};
  absl::StatusOr<RoutingDecision> d =
      Route(config->routing_rules, config->teams, config->calendars, facts, nullptr, Utc(2026, 12, 25, 15));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->team_id, "accounts");
  EXPECT_EQ(d->mode, PageMode::kHold);
  EXPECT_EQ(*d->hold_until, Utc(2026, 12, 28, 13));  // Monday 08:00 EST
}

TEST(ConfigTest, MinimalConfigParses) {
  absl::StatusOr<EscalationConfig> config = ParseEscalationConfig(YAML::Load(kMinimal), FakeResolver());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->routing_rules[0].team_id, "t");
  EXPECT_EQ(config->teams[0].owner_ack_timeout, absl::Minutes(15));
}

TEST(ConfigTest, RuleNamingUnknownTeamIsRejectedWithPath) {
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: r, team: ghost}").message(),
              HasSubstr("routing_rules[0].team: unknown team 'ghost'"));
}

TEST(ConfigTest, BadTimeZoneIsRejectedWithPath) {
  EXPECT_THAT(ParseWith("time_zone: Europe/London\n    contact", "time_zone: Europe/Londn\n    contact").message(),
              HasSubstr("people[0].time_zone: unknown time zone 'Europe/Londn'"));
  EXPECT_THAT(ParseWith("  - id: s\n    time_zone: Europe/London", "  - id: s\n    time_zone: Nowhere").message(),
              HasSubstr("schedules[0].time_zone: unknown time zone"));
}

TEST(ConfigTest, TimeZonesAreIanaNamesOnlyNotPaths) {
  for (const char* zone : {"/usr/share/zoneinfo/Asia/Tokyo", "Europe/../Asia/Tokyo", "localtime"}) {
    EXPECT_THAT(
        ParseWith("time_zone: Europe/London\n    contact", absl::StrCat("time_zone: \"", zone, "\"\n    contact"))
            .message(),
        HasSubstr("people[0].time_zone: unknown time zone"))
        << zone;
  }
  EXPECT_TRUE(ParseEscalationConfig(YAML::Load(kMinimal), FakeResolver()).ok());
}

TEST(ConfigTest, TierWithoutTargetsIsRejected) {
  EXPECT_THAT(ParseWith("targets: [{schedule: s}]", "targets: []").message(),
              HasSubstr("policies[0].tiers[0].targets: a tier needs at least one target"));
}

TEST(ConfigTest, NegativeOrZeroTimeoutIsRejected) {
  EXPECT_THAT(ParseWith("ack_timeout: 5m", "ack_timeout: -5m").message(),
              HasSubstr("policies[0].tiers[0].ack_timeout: must be positive"));
  EXPECT_THAT(ParseWith("ack_timeout: 5m", "ack_timeout: soon").message(),
              HasSubstr("policies[0].tiers[0].ack_timeout: invalid duration"));
}

TEST(ConfigTest, UnknownReferencesAreRejectedWithPath) {
  EXPECT_THAT(ParseWith("targets: [{schedule: s}]", "targets: [{person: zed}]").message(),
              HasSubstr("policies[0].tiers[0].targets[0].person: unknown person 'zed'"));
  EXPECT_THAT(ParseWith("participants: [alice]", "participants: [alice, zed]").message(),
              HasSubstr("schedules[0].layers[0].participants[1]: unknown person 'zed'"));
  EXPECT_THAT(ParseWith("calendar: cal", "calendar: nope").message(), HasSubstr("teams[0].calendar: unknown calendar"));
  EXPECT_THAT(ParseWith("policy: p}", "policy: q}").message(), HasSubstr("teams[0].policy: unknown policy 'q'"));
}

TEST(ConfigTest, MalformedValuesAreRejectedWithPath) {
  EXPECT_THAT(ParseWith("rotation: 1d", "rotation: daily").message(),
              HasSubstr("schedules[0].layers[0].rotation: invalid rotation 'daily'"));
  EXPECT_THAT(ParseWith("channel: webhook", "channel: pager").message(),
              HasSubstr("people[0].contact_methods[0].channel: unknown channel 'pager'"));
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: r, team: t, severities: [P9]}").message(),
              HasSubstr("routing_rules[0].severities[0]: unknown severity 'P9'"));
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: r, team: t, colour: red}").message(),
              HasSubstr("routing_rules[0].colour: unknown key"));
  EXPECT_THAT(ParseWith("weekly: {mon: [\"09:00-17:00\"]}", "weekly: {mon: [\"17:00-09:00\"]}").message(),
              HasSubstr("calendars[0].weekly.mon[0]: end before start"));
  EXPECT_THAT(ParseWith("{id: r, team: t}", "{id: t, team: t}\n  - {id: t, team: t}").message(),
              HasSubstr("routing_rules[1].id: duplicate routing rule id 't'"));
}

TEST(ConfigTest, NotificationRuleNeedsMatchingContactMethod) {
  EXPECT_THAT(ParseWith("contact_methods: [{channel: webhook, target: \"https://h/alice\"}]",
                        "contact_methods: [{channel: webhook, target: \"https://h/alice\"}]\n"
                        "    notification_rules: [{channel: email, delay: 1m}]")
                  .message(),
              HasSubstr("people[0].notification_rules[0].channel: no contact method for channel 'email'"));
}

// The minimal document with alice's webhook target set to `target`, `delivery` appended.
absl::Status ParseTarget(const std::string& target, const std::string& delivery = "",
                         const common::HostResolver& resolve = FakeResolver()) {
  std::string doc = kMinimal;
  const std::string from = "\"https://h/alice\"";
  doc.replace(doc.find(from), from.size(), absl::StrCat("\"", target, "\""));
  if (!delivery.empty()) absl::StrAppend(&doc, "delivery: ", delivery, "\n");
  return ParseEscalationConfig(YAML::Load(doc), resolve).status();
}

constexpr char kNotInternal[] =
    "; webhooks may not reach internal networks unless delivery.allowed_networks contains the address";

TEST(ConfigTest, TheCloudMetadataAddressIsRefusedAsAWebhookTarget) {
  const absl::Status s = ParseTarget("http://169.254.169.254/", "{allow_http: true}");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), absl::StrCat("people[0].contact_methods[0].target: 169.254.169.254 is a link-local address",
                                      " (the cloud metadata address)", kNotInternal));
  EXPECT_EQ(ParseTarget("https://[::ffff:169.254.169.254]/latest").message(),
            absl::StrCat("people[0].contact_methods[0].target: ::ffff:169.254.169.254 is a link-local address",
                         " (the cloud metadata address)", kNotInternal));
}

TEST(ConfigTest, HttpIsRefusedUnlessAllowedAndLoopbackUnlessItsNetworkIsAllowed) {
  EXPECT_EQ(ParseTarget("http://127.0.0.1:9/").message(),
            "people[0].contact_methods[0].target: http is not allowed (use https, or set delivery.allow_http)");
  EXPECT_EQ(ParseTarget("http://127.0.0.1:9/", "{allow_http: true}").message(),
            absl::StrCat("people[0].contact_methods[0].target: 127.0.0.1 is a loopback address", kNotInternal));
  EXPECT_TRUE(ParseTarget("http://127.0.0.1:9/", "{allow_http: true, allowed_networks: [127.0.0.0/8]}").ok());
  EXPECT_EQ(ParseTarget("http://127.0.0.2:9/", "{allow_http: true, allowed_networks: [127.0.0.1]}").message(),
            absl::StrCat("people[0].contact_methods[0].target: 127.0.0.2 is a loopback address", kNotInternal));
  EXPECT_TRUE(ParseTarget("https://hooks.example.com/a").ok()) << "a name that does not resolve now is accepted";
}

TEST(ConfigTest, ANameResolvingToAPrivateAddressIsRefused) {
  const common::HostResolver dns = FakeResolver({{"pager.internal", {"10.20.0.4"}}});
  EXPECT_EQ(ParseTarget("https://pager.internal/hook", "", dns).message(),
            absl::StrCat("people[0].contact_methods[0].target: pager.internal resolves to 10.20.0.4, a private address",
                         kNotInternal));
  EXPECT_TRUE(ParseTarget("https://pager.internal/hook", "{allowed_networks: [10.20.0.0/16]}", dns).ok());
}

// The real resolver on /etc/hosts: localhost is loopback (127.0.0.1, and ::1 where listed).
TEST(ConfigTest, LocalhostIsResolvedAtValidationAndRefused) {
  const absl::Status s = ParseTarget("http://localhost:8080/hook", "{allow_http: true}", common::ResolveHost);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              ::testing::StartsWith("people[0].contact_methods[0].target: localhost resolves to "));
  EXPECT_THAT(std::string(s.message()), HasSubstr(absl::StrCat(", a loopback address", kNotInternal)));
  EXPECT_TRUE(ParseTarget("http://localhost:8080/hook", "{allow_http: true, allowed_networks: [127.0.0.0/8, ::1]}",
                          common::ResolveHost)
                  .ok());
}

TEST(ConfigTest, TheErrorNamesThePersonAndTheMethod) {
  std::string doc = kMinimal;
  const std::string from = "contact_methods: [{channel: webhook, target: \"https://h/alice\"}]";
  doc.replace(doc.find(from), from.size(),
              "contact_methods: [{channel: webhook, target: \"https://h/alice\"}]\n"
              "  - id: bob\n    time_zone: UTC\n    contact_methods: [{channel: log, target: bob}, "
              "{channel: webhook, target: \"https://192.168.0.10/x\"}]");
  EXPECT_EQ(ParseEscalationConfig(YAML::Load(doc), FakeResolver()).status().message(),
            absl::StrCat("people[1].contact_methods[1].target: 192.168.0.10 is a private address", kNotInternal));
}

TEST(ConfigTest, DeliveryKeyErrorsNameTheKey) {
  EXPECT_EQ(ParseTarget("https://h/a", "{allowed_networks: [10.0.0.0/8, 10.1.2.3/16]}").message(),
            "delivery.allowed_networks[1]: invalid network '10.1.2.3/16': host bits are set (the network is "
            "10.1.0.0/16) (CIDR such as 10.1.0.0/16 or fd00::/8)");
  EXPECT_THAT(ParseTarget("https://h/a", "{allow_htp: true}").message(), HasSubstr("delivery.allow_htp: unknown key"));
  EXPECT_THAT(ParseTarget("https://h/a", "{allow_http: maybe}").message(), HasSubstr("delivery.allow_http"));
}

TEST(ConfigTest, AllowedNetworksAreParsedIntoThePolicy) {
  std::string doc = absl::StrCat(kMinimal, "delivery: {allow_http: true, allowed_networks: [\"10.1.0.0/16\", ::1]}\n");
  absl::StatusOr<EscalationConfig> c = ParseEscalationConfig(YAML::Load(doc), FakeResolver());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->delivery.allow_http);
  ASSERT_EQ(c->delivery.allowed_networks.size(), 2u);
  EXPECT_EQ(c->delivery.allowed_networks[0].ToString(), "10.1.0.0/16");
  EXPECT_EQ(c->delivery.allowed_networks[1].ToString(), "::1/128");
}

TEST(ConfigTest, EmailTargetsMustLookLikeAnAddress) {
  const std::string from = "{channel: webhook, target: \"https://h/alice\"}";
  EXPECT_EQ(ParseWith(from, "{channel: email, target: \"alice@example.com\\r\\nBcc: eve@evil.example\"}").message(),
            "people[0].contact_methods[0].target: must not contain CR or LF");
  EXPECT_EQ(ParseWith(from, "{channel: email, target: \"alice at example\"}").message(),
            "people[0].contact_methods[0].target: must not contain spaces");
  EXPECT_EQ(ParseWith(from, "{channel: email, target: alice}").message(),
            "people[0].contact_methods[0].target: 'alice' is not an e-mail address (local@domain)");
  EXPECT_TRUE(ParseWith(from, "{channel: email, target: alice@example.com}").ok());
}

TEST(ConfigTest, NonMapDocumentIsAnErrorNotAnException) {
  EXPECT_EQ(ParseEscalationConfig(YAML::Load("- just\n- a list\n"), FakeResolver()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEscalationConfig(YAML::Node(), FakeResolver()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace recovery::escalation
