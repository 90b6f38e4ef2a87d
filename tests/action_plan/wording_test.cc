// Wording review: every shipped rule with positive and negative examples, the
// rules-file errors, and two whole messages (one clean, one bad draft).
#include "services/action_plan/domain/wording.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/action_plan/test_util.h"

namespace recovery::action_plan {
namespace {

using ::recovery::action_plan::testing::ReadFileOrDie;
using ::recovery::action_plan::testing::SourcePath;
using ::testing::HasSubstr;

const WordingRules& ShippedRules() {
  static const WordingRules* rules = [] {
    const std::string path = SourcePath("services/action_plan/wording_rules.yaml");
    absl::StatusOr<WordingRules> r = ParseWordingRules(ReadFileOrDie(path), path);
    EXPECT_TRUE(r.ok()) << r.status();
    return new WordingRules(r.ok() ? *std::move(r) : WordingRules{});
  }();
  return *rules;
}

std::vector<Finding> FindingsOf(const std::string& text, const std::string& rule_id, ReviewContext ctx = {}) {
  std::vector<Finding> out;
  for (Finding& f : ReviewMessage(text, ShippedRules(), ctx)) {
    if (f.rule_id == rule_id) out.push_back(std::move(f));
  }
  return out;
}

// Every positive must trigger the rule at least once; every negative must not.
void ExpectRule(const std::string& rule_id, const std::vector<std::string>& positives,
                const std::vector<std::string>& negatives) {
  for (const std::string& text : positives) {
    EXPECT_FALSE(FindingsOf(text, rule_id).empty()) << rule_id << " missed: " << text;
  }
  for (const std::string& text : negatives) {
    EXPECT_TRUE(FindingsOf(text, rule_id).empty()) << rule_id << " false positive: " << text;
  }
}

std::set<WordingCategory> Categories(const std::vector<Finding>& findings) {
  std::set<WordingCategory> out;
  for (const Finding& f : findings) out.insert(f.category);
  return out;
}

TEST(ShippedWordingRulesTest, LoadAndCoverEveryCategory) {
  std::set<WordingCategory> categories;
  for (const WordingRule& r : ShippedRules().rules) categories.insert(r.category);
  EXPECT_EQ(categories,
            (std::set<WordingCategory>{WordingCategory::kOverApologising, WordingCategory::kAcceptingLiability,
                                       WordingCategory::kOverPromising, WordingCategory::kBlamingClient,
                                       WordingCategory::kDefensiveness, WordingCategory::kMissingNextStep}));
}

TEST(WordingRuleTest, RepeatedApologyIsOverApologising) {
  ExpectRule("apology_repeated",
             {"Sorry, so sorry for this.", "We apologise for the delay. Our apologies again.",
              "I am sorry. Please accept our apology.", "SORRY about that, really sorry."},
             {"I am sorry for the disruption this caused.", "We apologise for the delay.",
              "Thank you for your patience.", "Our Sorrymaker product is unaffected, sorry about the delay."});
}

TEST(WordingRuleTest, RepeatedApologyFlagsTheSecondApologyWithItsSpan) {
  const std::string text = "Sorry for the delay. We apologise again.";
  const std::vector<Finding> f = FindingsOf(text, "apology_repeated");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].category, WordingCategory::kOverApologising);
  EXPECT_EQ(f[0].begin, text.find("apologise"));
  EXPECT_EQ(f[0].end, text.find("apologise") + 9);
  EXPECT_EQ(f[0].excerpt, "apologise");
  EXPECT_FALSE(f[0].reason.empty());
}

TEST(WordingRuleTest, LiabilityAdmissionsAreFlagged) {
  ExpectRule(
      "liability_admission",
      {"This was entirely our fault.", "We are liable for the outage.", "We're fully liable.",
       "We will compensate all losses.", "We will compensate you for all your losses.",
       "We take full responsibility for all damages.", "We accept full responsibility for any resulting losses."},
      {"We take ownership of fixing this.", "We are reviewing what happened.",
       "We will compensate for the missed session with an extra one.", "Four faults were found in the fourth unit."});
}

TEST(WordingRuleTest, LiabilityFindingSpansThePhrase) {
  const std::string text = "Honestly, it was OUR FAULT.";
  const std::vector<Finding> f = FindingsOf(text, "liability_admission");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].excerpt, "OUR FAULT");
  EXPECT_EQ(f[0].begin, text.find("OUR FAULT"));
  EXPECT_EQ(f[0].severity, Severity::kError);
}

TEST(WordingRuleTest, GuaranteesAreOverPromising) {
  ExpectRule("guarantee", {"We guarantee delivery.", "This is guaranteed.", "Our guarantees cover it."},
             {"We will deliver on Friday.", "The warranty terms are attached."});
}

TEST(WordingRuleTest, NeverAgainIsOverPromising) {
  ExpectRule("never_again", {"This will never happen again.", "It can never occur again.", "Never happen again!"},
             {"We have changed the rota so that one person is always on call.", "We never share your data."});
}

TEST(WordingRuleTest, AbsoluteDeadlineWithoutCommitmentIsOverPromising) {
  ExpectRule("unbacked_deadline",
             {"You will have it by tomorrow.", "Fixed by end of day.", "Done by Friday.", "Ready by 5pm.",
              "by 17:30 today", "We will reply within 2 hours."},
             {"I will call you on Wednesday at 10:00.", "We will agree a date with you.", "Stand by for an update.",
              "Delivered by courier."});
}

TEST(WordingRuleTest, DeadlineBackedByRecordedCommitmentIsAccepted) {
  const std::string text = "You will have the corrected invoice by Friday.";
  EXPECT_FALSE(FindingsOf(text, "unbacked_deadline").empty());
  EXPECT_TRUE(FindingsOf(text, "unbacked_deadline", ReviewContext{.commitment_recorded = true}).empty());
}

TEST(WordingRuleTest, BlamingTheClientIsFlagged) {
  ExpectRule("blame_client",
             {"You should have called the emergency line.", "You failed to send the files.",
              "As we already told you, the cut-off is noon.", "As I have already explained to you, it is closed.",
              "As you were told, the office is shut."},
             {"We should have called you sooner.", "We failed to send the files on time.",
              "As we discussed, I will send the files.", "Thank you for telling us."});
}

TEST(WordingRuleTest, DefensivenessIsFlagged) {
  ExpectRule("defensive_policy",
             {"Per our policy, refunds take 30 days.", "As per our policy we cannot.",
              "According to our terms this is excluded.", "As stated in the contract, support ends at 18:00.",
              "as set out in the agreement"},
             {"We have a clear process and I will walk you through it.", "The contract renewal is attached.",
              "I will check what we can do for you."});
}

TEST(WordingRuleTest, MissingNextStepIsFlaggedWithoutSpan) {
  const std::vector<Finding> f = FindingsOf("Thank you for your message. We hope this helps.", "missing_next_step");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].category, WordingCategory::kMissingNextStep);
  EXPECT_FALSE(f[0].has_span());
  EXPECT_EQ(f[0].begin, Finding::kNoSpan);
  EXPECT_TRUE(f[0].excerpt.empty());
}

TEST(WordingRuleTest, AnyOwnershipOrNextStepStatementSatisfiesTheRule) {
  ExpectRule("missing_next_step", {"Thanks for your note.", "We hope this helps.", "Willow will be in touch."},
             {"I will call you.", "We will send the report.", "I'll call you.", "We\xE2\x80\x99ll be in touch.",
              "I am going to check.", "The next step is a call.", "Agreed next steps are below.",
              "Expect the report by Thursday.", "You will hear from me by 10:00."});
}

TEST(ReviewMessageTest, CleanGoodMessageHasNoFindings) {
  const std::string message =
      "Dear Ms Patel,\n\n"
      "Thank you for telling us about the missed delivery date, and for explaining what it meant for your team. "
      "I am sorry for the disruption this caused.\n\n"
      "I have asked our delivery lead to prioritise the remaining work today. I will call you on Wednesday at "
      "10:00 to agree a new timeline that we are confident we can keep, and I will confirm it to you in writing "
      "afterwards.\n\nKind regards,\nSam";
  const std::vector<Finding> findings = ReviewMessage(message, ShippedRules());
  for (const Finding& f : findings) ADD_FAILURE() << f.rule_id << ": '" << f.excerpt << "'";
  EXPECT_TRUE(findings.empty());
}

TEST(ReviewMessageTest, BadDraftOverApologisesAndAcceptsLiability) {
  const std::string draft =
      "We are so sorry. Sorry again for this mess, it was entirely our fault and we apologise. "
      "We take full responsibility for all damages.";
  const std::vector<Finding> findings = ReviewMessage(draft, ShippedRules());
  const std::set<WordingCategory> categories = Categories(findings);
  EXPECT_TRUE(categories.count(WordingCategory::kOverApologising));
  EXPECT_TRUE(categories.count(WordingCategory::kAcceptingLiability));
  for (const Finding& f : findings) {
    if (!f.has_span()) continue;
    EXPECT_EQ(draft.substr(f.begin, f.end - f.begin), f.excerpt) << "offsets are byte offsets into the text";
  }
  // Ordered by position, span-less findings last.
  for (size_t i = 1; i < findings.size(); ++i) {
    if (findings[i].has_span()) {
      EXPECT_LE(findings[i - 1].begin, findings[i].begin);
    }
  }
}

TEST(ReviewMessageTest, OffsetsAreBytesInUtf8Text) {
  const std::string text = "Caf\xC3\xA9 d\xC3\xA9j\xC3\xA0 vu: it was our fault.";
  const std::vector<Finding> f = FindingsOf(text, "liability_admission");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].begin, text.find("our fault"));
}

// ---- Rules file errors ----

std::string RulesError(const std::string& yaml) {
  absl::StatusOr<WordingRules> r = ParseWordingRules(yaml, "rules.yaml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

TEST(ParseWordingRulesTest, InvalidRegexNamesItsPath) {
  EXPECT_THAT(RulesError(R"(
rules:
  - {id: a, category: defensiveness, reason: r, patterns: [{phrase: ok}, {regex: '(unclosed'}]}
)"),
              HasSubstr("rules.yaml: rules[0].patterns[1].regex"));
}

TEST(ParseWordingRulesTest, UnknownCategoryAndSeverityAreRejected) {
  EXPECT_THAT(RulesError("rules:\n  - {id: a, category: rudeness, reason: r, patterns: [{phrase: x}]}\n"),
              HasSubstr("rules[0].category"));
  EXPECT_THAT(
      RulesError("rules:\n  - {id: a, category: defensiveness, severity: fatal, reason: r, patterns: [{phrase: x}]}\n"),
      HasSubstr("rules[0].severity"));
}

TEST(ParseWordingRulesTest, StructuralErrorsNameTheKey) {
  EXPECT_THAT(RulesError("rules: []\n"), HasSubstr("rules.yaml: rules"));
  EXPECT_THAT(RulesError("rules:\n  - {id: a, category: defensiveness, reason: r}\n"), HasSubstr("rules[0].patterns"));
  EXPECT_THAT(RulesError("rules:\n  - {category: defensiveness, reason: r, patterns: [{phrase: x}]}\n"),
              HasSubstr("rules[0].id"));
  EXPECT_THAT(
      RulesError("rules:\n  - {id: a, category: defensiveness, reason: r, patterns: [{phrase: x, regex: y}]}\n"),
      HasSubstr("rules[0].patterns[0]"));
  EXPECT_THAT(RulesError("rules:\n  - {id: a, category: defensiveness, reason: r, trigger: more_than, "
                         "patterns: [{phrase: x}]}\n"),
              HasSubstr("rules[0].max"));
  EXPECT_THAT(RulesError("rules:\n  - {id: a, category: defensiveness, reason: r, unless: weather, "
                         "patterns: [{phrase: x}]}\n"),
              HasSubstr("rules[0].unless"));
  EXPECT_THAT(RulesError("rules:\n  - {id: a, category: defensiveness, reason: r, patterns: [{phrase: x}], "
                         "colour: red}\n"),
              HasSubstr("rules[0].colour"));
  EXPECT_THAT(RulesError("rules:\n  - {id: a, category: defensiveness, reason: r, patterns: [{phrase: x}]}\n"
                         "  - {id: a, category: defensiveness, reason: r, patterns: [{phrase: y}]}\n"),
              HasSubstr("rules[1].id: duplicate"));
}

TEST(ParseWordingRulesTest, PhrasesMatchWholeWordsCaseInsensitively) {
  absl::StatusOr<WordingRules> r = ParseWordingRules(
      "rules:\n  - {id: p, category: defensiveness, reason: r, patterns: [{phrase: per policy}]}\n", "inline");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(ReviewMessage("PER POLICY we cannot", *r).size(), 1u);
  EXPECT_TRUE(ReviewMessage("super policy", *r).empty());
  EXPECT_TRUE(ReviewMessage("per policyholder", *r).empty());
}

}  // namespace
}  // namespace recovery::action_plan
