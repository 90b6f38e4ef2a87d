// Intake domain configuration: defaults, YAML keys with errors naming the key, signal
// rules and the dedup window.
#include "services/intake/domain/config.h"

#include <gtest/gtest.h>

#include "services/common/config.h"
#include "tests/support/process.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;

absl::StatusOr<IntakeConfig> Parse(const std::string& yaml) { return ParseIntakeConfig(YAML::Load(yaml)); }

TEST(IntakeConfigTest, NoConfigGivesTheDefaults) {
  auto c = ParseIntakeConfig(YAML::Node());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->categories, (std::vector<std::string>{"missed_deadline", "deliverable_quality", "unreachable",
                                                     "billing_error", "communication", "other"}));
  EXPECT_EQ(c->dedup_window, absl::Hours(24));
  EXPECT_EQ(c->signal_rules.size(), 3u);
}

TEST(IntakeConfigTest, ReadsCategoriesWindowAndRules) {
  auto c = Parse(R"(
categories: [late, rude]
dedup_window: 90m
signal_rules:
  - {kind: survey_score, max_score: 3, severity: P4, category: rude}
  - {kind: negative_sentiment, severity: p2, category: late}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->categories, (std::vector<std::string>{"late", "rude"}));
  EXPECT_EQ(c->dedup_window, absl::Minutes(90));
  ASSERT_EQ(c->signal_rules.size(), 2u);
  EXPECT_EQ(c->signal_rules[0].kind, v1::SIGNAL_KIND_SURVEY_SCORE);
  EXPECT_EQ(*c->signal_rules[0].max_score, 3);
  EXPECT_EQ(c->signal_rules[1].severity, v1::SEVERITY_P2);
  EXPECT_FALSE(c->signal_rules[1].max_score.has_value());
}

TEST(IntakeConfigTest, ARuleMayHaveAnIdAndNeedNot) {
  auto c = Parse(R"(
categories: [late]
signal_rules:
  - {id: late-work, kind: missed_deadline, severity: P2, category: late}
  - {kind: survey_score, severity: P3, category: late}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->signal_rules[0].id, "late-work");
  EXPECT_EQ(c->signal_rules[1].id, "");
}

TEST(IntakeConfigTest, ExampleConfigEqualsTheDefaults) {
  auto yaml = recovery::common::LoadYamlFile(recovery::testing::SourcePath("services/intake/example.yaml"));
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  auto c = ParseIntakeConfig(*yaml);
  ASSERT_TRUE(c.ok()) << c.status();
  const IntakeConfig d = DefaultIntakeConfig();
  EXPECT_EQ(c->categories, d.categories);
  EXPECT_EQ(c->dedup_window, d.dedup_window);
  ASSERT_EQ(c->signal_rules.size(), d.signal_rules.size());
  for (size_t i = 0; i < d.signal_rules.size(); ++i) {
    EXPECT_EQ(c->signal_rules[i].kind, d.signal_rules[i].kind);
    EXPECT_EQ(c->signal_rules[i].max_score, d.signal_rules[i].max_score);
    EXPECT_EQ(c->signal_rules[i].severity, d.signal_rules[i].severity);
    EXPECT_EQ(c->signal_rules[i].category, d.signal_rules[i].category);
  }
}

TEST(IntakeConfigTest, ErrorsNameTheKey) {
  struct Case {
    std::string yaml, prefix;
  } cases[] = {
      {"categories: []", "categories:"},
      {"dedup_windw: 1h", "dedup_windw:"},
      {"signal_rules: [{kind: survey_score, severity: P1, category: other, maxscore: 2}]", "signal_rules[0].maxscore:"},
      {"signal_rules: [{kind: survey_score, severity: P5, category: other}]", "signal_rules[0].severity:"},
      {"categories: [a, a]", "categories[1]:"},
      {"dedup_window: soon", "dedup_window:"},
      {"signal_rules: {}", "signal_rules:"},
      {"signal_rules: [{kind: gossip, severity: P1, category: other}]", "signal_rules[0].kind:"},
      {"signal_rules: [{kind: survey_score, severity: P9, category: other}]", "signal_rules[0].severity:"},
      {"signal_rules: [{kind: survey_score, severity: P1, category: nope}]", "signal_rules[0].category:"},
      {"signal_rules: [{kind: survey_score, max_score: low, severity: P1, category: other}]",
       "signal_rules[0].max_score:"},
      {"signal_rules: [{id: '', kind: survey_score, severity: P1, category: other}]", "signal_rules[0].id:"},
      {"signal_rules: [{id: [a], kind: survey_score, severity: P1, category: other}]", "signal_rules[0].id:"},
      {"signal_rules: [{id: a, kind: survey_score, severity: P1, category: other},"
       " {id: a, kind: missed_deadline, severity: P2, category: other}]",
       "signal_rules[1].id: duplicate id 'a'"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(r.status().message()).rfind(c.prefix, 0), 0u) << r.status();
  }
}

TEST(SignalRulesTest, SurveyScoreAtOrBelowTwoOpensP3Communication) {
  const IntakeConfig c = DefaultIntakeConfig();
  for (double score : {0.0, 1.0, 2.0}) {
    const SignalRule* r = MatchSignalRule(c, v1::SIGNAL_KIND_SURVEY_SCORE, score);
    ASSERT_NE(r, nullptr) << score;
    EXPECT_EQ(r->severity, v1::SEVERITY_P3);
    EXPECT_EQ(r->category, "communication");
  }
  EXPECT_EQ(MatchSignalRule(c, v1::SIGNAL_KIND_SURVEY_SCORE, 2.5), nullptr);
  EXPECT_EQ(MatchSignalRule(c, v1::SIGNAL_KIND_SURVEY_SCORE, 5), nullptr);
}

TEST(SignalRulesTest, MissedDeadlineOpensP2MissedDeadline) {
  const SignalRule* r = MatchSignalRule(DefaultIntakeConfig(), v1::SIGNAL_KIND_MISSED_DEADLINE, 0);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->severity, v1::SEVERITY_P2);
  EXPECT_EQ(r->category, "missed_deadline");
}

TEST(SignalRulesTest, SignalWithoutARuleIsOnlyStored) {
  EXPECT_EQ(MatchSignalRule(DefaultIntakeConfig(), v1::SIGNAL_KIND_NEGATIVE_SENTIMENT, 0), nullptr);
  auto c = Parse("signal_rules: []");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(MatchSignalRule(*c, v1::SIGNAL_KIND_MISSED_DEADLINE, 0), nullptr);
}

TEST(SignalRulesTest, FirstMatchingRuleWins) {
  auto c = Parse(R"(
signal_rules:
  - {kind: survey_score, max_score: 1, severity: P2, category: communication}
  - {kind: survey_score, max_score: 3, severity: P4, category: communication}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(MatchSignalRule(*c, v1::SIGNAL_KIND_SURVEY_SCORE, 1)->severity, v1::SEVERITY_P2);
  EXPECT_EQ(MatchSignalRule(*c, v1::SIGNAL_KIND_SURVEY_SCORE, 3)->severity, v1::SEVERITY_P4);
  EXPECT_EQ(MatchSignalRule(*c, v1::SIGNAL_KIND_SURVEY_SCORE, 4), nullptr);
}

TEST(DedupWindowTest, ActiveCaseInsideTheWindowIsARepeat) {
  const absl::Time opened = absl::FromUnixSeconds(1'800'000'000);
  const absl::Duration w = absl::Hours(24);
  EXPECT_TRUE(IsRepeatReport(v1::CASE_STATUS_OPEN, opened, opened, w));
  EXPECT_TRUE(IsRepeatReport(v1::CASE_STATUS_ACKNOWLEDGED, opened, opened + absl::Hours(24), w));
  EXPECT_TRUE(IsRepeatReport(v1::CASE_STATUS_PLANNED, opened, opened + absl::Hours(1), w));
  EXPECT_TRUE(IsRepeatReport(v1::CASE_STATUS_REOPENED, opened, opened + absl::Hours(1), w));
}

TEST(DedupWindowTest, OutsideTheWindowOrInactiveIsANewCase) {
  const absl::Time opened = absl::FromUnixSeconds(1'800'000'000);
  const absl::Duration w = absl::Hours(24);
  EXPECT_FALSE(IsRepeatReport(v1::CASE_STATUS_OPEN, opened, opened + absl::Hours(24) + absl::Seconds(1), w));
  EXPECT_FALSE(IsRepeatReport(v1::CASE_STATUS_RESOLVED, opened, opened + absl::Minutes(1), w));
  EXPECT_FALSE(IsRepeatReport(v1::CASE_STATUS_CLOSED, opened, opened + absl::Minutes(1), w));
}

}  // namespace
}  // namespace recovery::intake
