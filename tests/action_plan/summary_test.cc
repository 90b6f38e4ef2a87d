// Client summary: only client-facing content, dates in the client's zone, no leaks.
#include "services/action_plan/domain/summary.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/action_plan/domain/client_time.h"
#include "tests/action_plan/test_util.h"

namespace recovery::action_plan {
namespace {

using ::recovery::action_plan::testing::At;
using ::recovery::action_plan::testing::Zone;
using ::testing::HasSubstr;
using ::testing::Not;

// A plan full of internal detail that must never reach the client.
Plan PlanWithSecrets() {
  Plan plan;
  plan.plan_id = "plan-SECRET-ID";
  plan.case_id = "case-9";
  ActionItem call;
  call.id = "acknowledge";
  call.what = "We call you to agree a new delivery date";
  call.owner = "u-1234 Alice Smith";
  call.owner_role = "case_owner";
  call.where = "WHERE-SECRET desk phone";
  call.why = "WHY-SECRET client threatens to churn";
  call.how = "HOW-SECRET use retention script";
  call.due = At("Europe/London", 2026, 11, 25, 10, 0);
  call.client_visible = true;
  call.status = ItemStatus::kDone;
  call.completion_note = "NOTE-SECRET client was furious";
  plan.items.push_back(call);

  ActionItem credit = call;
  credit.id = "credit_note";
  credit.what = "We issue a credit note";
  credit.owner = "u-5678 Bob Jones";
  credit.owner_role = "billing";
  credit.status = ItemStatus::kOpen;
  credit.completion_note.clear();
  credit.due = At("Europe/London", 2026, 7, 15, 14, 30);
  plan.items.push_back(credit);

  ActionItem internal = call;
  internal.id = "blame_review";
  internal.what = "INTERNAL-SECRET find who dropped the ball";
  internal.client_visible = false;
  internal.status = ItemStatus::kOpen;
  plan.items.push_back(internal);

  ActionItem cancelled = call;
  cancelled.id = "dropped";
  cancelled.what = "CANCELLED-SECRET onsite visit";
  cancelled.status = ItemStatus::kCancelled;
  cancelled.cancellation_reason = "CANCEL-REASON-SECRET too expensive";
  plan.items.push_back(cancelled);

  plan.commitments.push_back(Commitment{"c1", "Revised plan sent to you", "u-1234 Alice Smith",
                                        At("Europe/London", 2026, 11, 27, 16, 0), CommitmentStatus::kOpen, 0});
  plan.commitments.push_back(Commitment{"c2", "Invoice corrected", "u-5678 Bob Jones",
                                        At("Europe/London", 2026, 11, 20, 12, 0), CommitmentStatus::kKept, 0});
  plan.commitments.push_back(Commitment{"c3", "BROKEN-SECRET promise", "u-5678 Bob Jones",
                                        At("Europe/London", 2026, 11, 19, 12, 0), CommitmentStatus::kBroken, 0});
  plan.amends.push_back(Amends{AmendsKind::kCredit, 99999, "GBP", "APPROVER-SECRET u-999",
                               "AMENDS-REASON-SECRET avoid legal claim", absl::UnixEpoch()});
  plan.root_cause = RootCause{"CLIENT-VIEW-SECRET you ignored us", "FIRM-VIEW-SECRET understaffed weekend",
                              "A handover between teams was missed."};
  return plan;
}

TEST(FormatClientTimeTest, RendersInClientZoneWithAbbreviation) {
  const absl::Time t = At("Europe/London", 2026, 11, 25, 10, 0);
  EXPECT_EQ(FormatClientTime(t, Zone("Europe/London")), "Wed 25 Nov 2026, 10:00 GMT");
  EXPECT_EQ(FormatClientTime(t, Zone("America/New_York")), "Wed 25 Nov 2026, 05:00 EST");
  EXPECT_EQ(FormatClientTime(At("Europe/London", 2026, 7, 5, 9, 0), Zone("Europe/London")), "Sun 5 Jul 2026, 09:00 BST")
      << "no padding on the day; summer time named";
}

TEST(RenderSummaryTest, ShowsClientVisibleItemsWithDatesInClientZone) {
  const ClientSummary s = RenderSummary(PlanWithSecrets(), "Acme Ltd", Zone("Europe/London"), 3);
  for (const std::string& out : {s.markdown, s.text}) {
    EXPECT_THAT(out, HasSubstr("Acme Ltd"));
    EXPECT_THAT(out, HasSubstr("Version 3"));
    EXPECT_THAT(out, HasSubstr("We call you to agree a new delivery date"));
    EXPECT_THAT(out, HasSubstr("Wed 25 Nov 2026, 10:00 GMT"));
    EXPECT_THAT(out, HasSubstr("We issue a credit note"));
    EXPECT_THAT(out, HasSubstr("Wed 15 Jul 2026, 14:30 BST"));
    EXPECT_THAT(out, HasSubstr("done"));
    EXPECT_THAT(out, HasSubstr("our billing team"));
    EXPECT_THAT(out, HasSubstr("your account team"));
  }
}

TEST(RenderSummaryTest, DatesFollowTheClientsZone) {
  const ClientSummary s = RenderSummary(PlanWithSecrets(), "Acme Inc", Zone("America/New_York"), 1);
  EXPECT_THAT(s.text, HasSubstr("Wed 25 Nov 2026, 05:00 EST"));
  EXPECT_THAT(s.text, Not(HasSubstr("GMT")));
  EXPECT_THAT(s.text, HasSubstr("America/New_York"));
}

TEST(RenderSummaryTest, ShowsOpenAndKeptCommitmentsButNotBrokenOnes) {
  const ClientSummary s = RenderSummary(PlanWithSecrets(), "Acme Ltd", Zone("Europe/London"), 1);
  for (const std::string& out : {s.markdown, s.text}) {
    EXPECT_THAT(out, HasSubstr("Revised plan sent to you"));
    EXPECT_THAT(out, HasSubstr("Fri 27 Nov 2026, 16:00 GMT"));
    EXPECT_THAT(out, HasSubstr("Invoice corrected"));
    EXPECT_THAT(out, HasSubstr("(kept)"));
    EXPECT_THAT(out, Not(HasSubstr("BROKEN-SECRET")));
  }
}

TEST(RenderSummaryTest, ShowsOnlyTheAgreedExplanation) {
  const ClientSummary s = RenderSummary(PlanWithSecrets(), "Acme Ltd", Zone("Europe/London"), 1);
  EXPECT_THAT(s.text, HasSubstr("A handover between teams was missed."));
  EXPECT_THAT(s.markdown, HasSubstr("A handover between teams was missed."));
}

TEST(RenderSummaryTest, NothingInternalLeaks) {
  const ClientSummary s = RenderSummary(PlanWithSecrets(), "Acme Ltd", Zone("Europe/London"), 1);
  for (const std::string& out : {s.markdown, s.text}) {
    for (const char* secret : {"SECRET", "u-1234", "u-5678", "u-999", "Alice", "Smith", "Bob", "Jones", "99999",
                               "999.99", "case_owner", "acknowledge", "credit_note", "blame_review", "c1", "case-9"}) {
      EXPECT_THAT(out, Not(HasSubstr(secret))) << "leaked '" << secret << "' in:\n" << out;
    }
  }
}

TEST(RenderSummaryTest, MarkdownInFreeTextCannotBreakTheTable) {
  Plan plan;
  ActionItem item;
  item.id = "x";
  item.what = "Fix | the *table*\n# heading";
  item.owner_role = "case_owner";
  item.client_visible = true;
  plan.items.push_back(item);
  const ClientSummary s = RenderSummary(plan, "Acme", Zone("Europe/London"), 1);
  EXPECT_THAT(s.markdown, HasSubstr("Fix \\| the \\*table\\* \\# heading"));
  EXPECT_THAT(s.markdown, HasSubstr("date to be confirmed"));
  EXPECT_THAT(s.text, HasSubstr("Fix | the *table* # heading"));
}

TEST(ClientFacingRoleTest, RolesNeverExposeInternalNames) {
  EXPECT_EQ(ClientFacingRole("case_owner"), "your account team");
  EXPECT_EQ(ClientFacingRole("account_lead"), "your account lead");
  EXPECT_EQ(ClientFacingRole("billing"), "our billing team");
  EXPECT_EQ(ClientFacingRole("some_new_internal_role"), "your account team");
}

}  // namespace
}  // namespace recovery::action_plan
