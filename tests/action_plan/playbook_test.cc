// Playbook parsing, the shipped defaults, and instantiation across time zones and DST.
#include "services/action_plan/domain/playbook.h"

#include <filesystem>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/action_plan/test_util.h"

namespace recovery::action_plan {
namespace {

using ::recovery::action_plan::testing::At;
using ::recovery::action_plan::testing::ReadFileOrDie;
using ::recovery::action_plan::testing::SourcePath;
using ::recovery::action_plan::testing::Zone;
using ::testing::HasSubstr;

constexpr char kMinimal[] = R"(
id: test.v1
category: missed_deadline
title: Test playbook
items:
  - id: acknowledge
    what: We call you
    why: Fast acknowledgement
    how: Phone
    where: phone
    owner_role: case_owner
    due: 2h
    client_visible: true
  - id: follow_up
    what: We follow up
    why: Confirm recovery
    how: Phone
    where: phone
    owner_role: case_owner
    due: 1d
    client_visible: true
  - id: review
    what: Internal review
    why: Learn
    how: Meeting
    where: internal
    owner_role: account_lead
    due: next business day 10:00
  - id: rework
    what: Rework when the feedback is in
    why: Fix
    how: Team
    where: internal
    owner_role: delivery_lead
    client_visible: true
)";

Playbook MustParse(const std::string& yaml) {
  absl::StatusOr<Playbook> p = ParsePlaybook(yaml, "test.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Playbook{};
}

std::string ParseError(const std::string& yaml) {
  absl::StatusOr<Playbook> p = ParsePlaybook(yaml, "bad.yaml");
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(p.status().message());
}

CaseFacts Facts(const std::string& zone, const std::string& owner = "") {
  return CaseFacts{"case-1", "missed_deadline", owner, Zone(zone)};
}

// ---- ParseRelativeDue ----

TEST(ParseRelativeDueTest, HoursAndMinutesAreAbsoluteDurations) {
  absl::StatusOr<RelativeDue> h = ParseRelativeDue("2h");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->kind, RelativeDue::Kind::kDuration);
  EXPECT_EQ(h->duration, absl::Hours(2));
  absl::StatusOr<RelativeDue> m = ParseRelativeDue(" 30m ");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->duration, absl::Minutes(30));
}

TEST(ParseRelativeDueTest, DaysAreCalendarDays) {
  absl::StatusOr<RelativeDue> d = ParseRelativeDue("3d");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, RelativeDue::Kind::kCalendarDays);
  EXPECT_EQ(d->days, 3);
}

TEST(ParseRelativeDueTest, NextBusinessDayCarriesLocalTime) {
  absl::StatusOr<RelativeDue> d = ParseRelativeDue("Next Business Day 09:30");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, RelativeDue::Kind::kNextBusinessDayAt);
  EXPECT_EQ(d->hour, 9);
  EXPECT_EQ(d->minute, 30);
}

TEST(ParseRelativeDueTest, RejectsMalformedDues) {
  for (const char* bad : {"", "h", "3x", "0h", "-1d", "1.5h", "2 h", "400d", "next business day",
                          "next business day 25:00", "next business day 10:7", "tomorrow"}) {
    absl::StatusOr<RelativeDue> d = ParseRelativeDue(bad);
    EXPECT_FALSE(d.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// ---- ParsePlaybook ----

TEST(ParsePlaybookTest, ParsesAllFieldsOfAValidPlaybook) {
  const Playbook p = MustParse(kMinimal);
  EXPECT_EQ(p.id, "test.v1");
  EXPECT_EQ(p.category, "missed_deadline");
  EXPECT_EQ(p.title, "Test playbook");
  ASSERT_EQ(p.items.size(), 4u);
  EXPECT_EQ(p.items[0].id, "acknowledge");
  EXPECT_EQ(p.items[0].what, "We call you");
  EXPECT_EQ(p.items[0].why, "Fast acknowledgement");
  EXPECT_EQ(p.items[0].how, "Phone");
  EXPECT_EQ(p.items[0].where, "phone");
  EXPECT_EQ(p.items[0].owner_role, "case_owner");
  ASSERT_TRUE(p.items[0].due.has_value());
  EXPECT_EQ(p.items[0].due->duration, absl::Hours(2));
  EXPECT_TRUE(p.items[0].client_visible);
  EXPECT_FALSE(p.items[2].client_visible) << "client_visible defaults to false";
  EXPECT_FALSE(p.items[3].due.has_value()) << "due is optional";
}

TEST(ParsePlaybookTest, MissingFieldErrorNamesFileAndKeyPath) {
  const std::string msg = ParseError(R"(
id: x
category: generic
title: T
items:
  - id: a
    why: w
    how: h
    where: p
    owner_role: case_owner
    client_visible: true
)");
  EXPECT_THAT(msg, HasSubstr("bad.yaml"));
  EXPECT_THAT(msg, HasSubstr("items[0].what"));
}

TEST(ParsePlaybookTest, BadDueErrorNamesItemIndexAndDue) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("due: 1d"), 7, "due: 1y");
  const std::string msg = ParseError(yaml);
  EXPECT_THAT(msg, HasSubstr("bad.yaml: items[1].due"));
  EXPECT_THAT(msg, HasSubstr("1y"));
}

TEST(ParsePlaybookTest, UnknownKeyIsRejectedWithItsPath) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("    how: Phone"), 0, "    owner_rol: typo\n");
  const std::string msg = ParseError(yaml);
  EXPECT_THAT(msg, HasSubstr("items[0].owner_rol"));
  EXPECT_THAT(msg, HasSubstr("unknown key"));
}

TEST(ParsePlaybookTest, InvalidYamlReportsFileAndLine) {
  const std::string msg = ParseError("id: x\nitems: [unclosed\n");
  EXPECT_THAT(msg, HasSubstr("bad.yaml:"));
  EXPECT_THAT(msg, HasSubstr("invalid YAML"));
}

TEST(ParsePlaybookTest, MissingTopLevelKeysAreNamed) {
  EXPECT_THAT(ParseError("category: generic\ntitle: T\nitems: []\n"), HasSubstr("bad.yaml: id"));
  EXPECT_THAT(ParseError("id: x\ncategory: generic\ntitle: T\n"), HasSubstr("bad.yaml: items"));
  EXPECT_THAT(ParseError("id: x\ncategory: generic\ntitle: T\nitems: []\n"), HasSubstr("items"));
  EXPECT_THAT(ParseError("- just\n- a list\n"), HasSubstr("(document): expected a map"));
}

TEST(ParsePlaybookTest, DuplicateItemIdsAreRejected) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("id: follow_up"), 13, "id: acknowledge");
  EXPECT_THAT(ParseError(yaml), HasSubstr("items[1].id: duplicate item id 'acknowledge'"));
}

TEST(ParsePlaybookTest, NonBooleanClientVisibleIsRejected) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("client_visible: true"), 20, "client_visible: maybe");
  EXPECT_THAT(ParseError(yaml), HasSubstr("items[0].client_visible"));
}

TEST(ParsePlaybookTest, BadCategoryOrRoleIsRejected) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("category: missed_deadline"), 25, "category: Missed Deadline");
  EXPECT_THAT(ParseError(yaml), HasSubstr("bad.yaml: category"));
  yaml = kMinimal;
  yaml.replace(yaml.find("owner_role: account_lead"), 24, "owner_role: Account Lead");
  EXPECT_THAT(ParseError(yaml), HasSubstr("items[2].owner_role"));
}

TEST(ParsePlaybookTest, PlaybookWithoutClientVisibleItemsIsRejected) {
  const std::string msg = ParseError(R"(
id: x
category: generic
title: T
items:
  - {id: a, what: w, why: y, how: h, where: p, owner_role: case_owner, due: 1h}
)");
  EXPECT_THAT(msg, HasSubstr("client_visible"));
}

// ---- Shipped defaults ----

TEST(DefaultPlaybooksTest, EveryShippedPlaybookLoadsAndMatchesItsFileName) {
  const std::filesystem::path dir = SourcePath("services/action_plan/playbooks");
  std::set<std::string> categories;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    absl::StatusOr<Playbook> p = ParsePlaybook(ReadFileOrDie(entry.path().string()), entry.path().string());
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->category, entry.path().stem().string()) << "one file per category, named after it";
    for (const PlaybookItem& item : p->items) {
      EXPECT_TRUE(item.due.has_value()) << entry.path() << ": " << item.id << " should have a default due";
    }
    // The first step is a client-visible acknowledgement by a person who owns the relationship.
    EXPECT_TRUE(p->items.front().client_visible) << entry.path();
    EXPECT_THAT(p->items.front().owner_role, ::testing::AnyOf("case_owner", "account_lead")) << entry.path();
    EXPECT_EQ(p->items.back().id, "follow_up") << entry.path() << ": every protocol ends with a follow-up";
    categories.insert(p->category);
  }
  EXPECT_EQ(categories, (std::set<std::string>{"billing_error", "communication", "deliverable_quality", "generic",
                                               "missed_deadline", "unreachable"}));
}

TEST(DefaultPlaybooksTest, ShippedPlaybooksContainTheAgreedSteps) {
  auto ids = [](const std::string& name) {
    const std::string path = SourcePath("services/action_plan/playbooks/" + name + ".yaml");
    absl::StatusOr<Playbook> p = ParsePlaybook(ReadFileOrDie(path), path);
    EXPECT_TRUE(p.ok()) << p.status();
    std::set<std::string> out;
    if (p.ok()) {
      for (const PlaybookItem& i : p->items) out.insert(i.id);
    }
    return out;
  };
  EXPECT_THAT(ids("missed_deadline"), ::testing::IsSupersetOf({"acknowledge", "apologise_once", "new_timeline",
                                                               "expedite", "goodwill_gesture", "follow_up"}));
  EXPECT_THAT(ids("deliverable_quality"),
              ::testing::IsSupersetOf({"acknowledge", "specific_feedback", "rework", "goodwill_gesture", "follow_up"}));
  EXPECT_THAT(ids("unreachable"), ::testing::IsSupersetOf({"emotional_repair_call", "after_hours_plan", "follow_up"}));
  EXPECT_THAT(ids("billing_error"), ::testing::IsSupersetOf({"acknowledge", "verify_invoice", "correct_invoice",
                                                             "credit_note", "confirm_in_writing", "follow_up"}));
}

// ---- SelectPlaybook ----

TEST(SelectPlaybookTest, PicksTheCategoryElseFallsBackToGeneric) {
  std::vector<Playbook> books(2);
  books[0].category = "generic";
  books[1].category = "billing_error";
  absl::StatusOr<const Playbook*> exact = SelectPlaybook(books, "billing_error");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, &books[1]);
  absl::StatusOr<const Playbook*> fallback = SelectPlaybook(books, "something_new");
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(*fallback, &books[0]);
}

TEST(SelectPlaybookTest, WithoutGenericAnUnknownCategoryIsNotFound) {
  std::vector<Playbook> books(1);
  books[0].category = "billing_error";
  EXPECT_EQ(SelectPlaybook(books, "unreachable").status().code(), absl::StatusCode::kNotFound);
}

// ---- Instantiation ----

TEST(InstantiatePlaybookTest, CopiesItemsOpenAndAssignsCaseOwnerRoleOnly) {
  const Playbook p = MustParse(kMinimal);
  const absl::Time now = At("Europe/London", 2026, 7, 15, 9, 0);
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Europe/London", "u-42"), now);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 4u);
  const ActionItem& first = (*items)[0];
  EXPECT_EQ(first.id, "acknowledge");
  EXPECT_EQ(first.what, "We call you");
  EXPECT_EQ(first.why, "Fast acknowledgement");
  EXPECT_EQ(first.how, "Phone");
  EXPECT_EQ(first.where, "phone");
  EXPECT_EQ(first.owner, "u-42");
  EXPECT_EQ(first.status, ItemStatus::kOpen);
  EXPECT_TRUE(first.client_visible);
  EXPECT_EQ((*items)[2].owner, "") << "account_lead items wait for AssignOwners or a person";
  EXPECT_FALSE((*items)[3].due.has_value());
}

TEST(InstantiatePlaybookTest, HourDuesAreAbsoluteEvenAcrossDstChange) {
  const Playbook p = MustParse(kMinimal);
  // 00:30 BST on the night the clocks go back (01:00 GMT at 02:00 BST).
  const absl::Time now = At("Europe/London", 2026, 10, 25, 0, 30);
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Europe/London"), now);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(*(*items)[0].due - now, absl::Hours(2));
  EXPECT_EQ(absl::FormatTime("%H:%M %Z", *(*items)[0].due, Zone("Europe/London")), "01:30 GMT")
      << "two elapsed hours read as one on the wall clock";
}

TEST(InstantiatePlaybookTest, OneDayAcrossAutumnDstChangeIsSameLocalTimeAnd25Hours) {
  const Playbook p = MustParse(kMinimal);
  const absl::Time now = At("Europe/London", 2026, 10, 24, 10, 0);
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Europe/London"), now);
  ASSERT_TRUE(items.ok());
  const absl::Time due = *(*items)[1].due;
  EXPECT_EQ(due - now, absl::Hours(25));
  EXPECT_EQ(due, At("Europe/London", 2026, 10, 25, 10, 0));
}

TEST(InstantiatePlaybookTest, OneDayAcrossSpringDstChangeIs23Hours) {
  const Playbook p = MustParse(kMinimal);
  const absl::Time now = At("Europe/London", 2026, 3, 28, 10, 0);
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Europe/London"), now);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(*(*items)[1].due - now, absl::Hours(23));
}

TEST(InstantiatePlaybookTest, DayDuesFollowTheClientsZoneNotOurs) {
  // The same instant: New York changes clock that night, London does not.
  const Playbook p = MustParse(kMinimal);
  const absl::Time now = At("America/New_York", 2026, 10, 31, 12, 0);
  absl::StatusOr<std::vector<ActionItem>> ny = InstantiatePlaybook(p, Facts("America/New_York"), now);
  absl::StatusOr<std::vector<ActionItem>> london = InstantiatePlaybook(p, Facts("Europe/London"), now);
  ASSERT_TRUE(ny.ok() && london.ok());
  EXPECT_EQ(*(*ny)[1].due - now, absl::Hours(25));
  EXPECT_EQ(*(*london)[1].due - now, absl::Hours(24));
}

TEST(InstantiatePlaybookTest, SkippedLocalTimeLandsWhenTheClocksChange) {
  // 01:30 on 29 Mar 2026 does not exist in London (01:00 GMT -> 02:00 BST).
  const Playbook p = MustParse(kMinimal);
  const absl::Time now = At("Europe/London", 2026, 3, 28, 1, 30);
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Europe/London"), now);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M %Z", *(*items)[1].due, Zone("Europe/London")), "2026-03-29 02:00 BST");
  EXPECT_EQ(*(*items)[1].due - now, absl::Hours(23) + absl::Minutes(30));
}

TEST(InstantiatePlaybookTest, NextBusinessDaySkipsWeekendInClientZone) {
  const Playbook p = MustParse(kMinimal);
  // Friday 15:00 in Tokyo is still Friday morning in London: the client's zone decides.
  const absl::Time now = At("Asia/Tokyo", 2026, 11, 27, 15, 0);
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Asia/Tokyo"), now);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(*(*items)[2].due, At("Asia/Tokyo", 2026, 11, 30, 10, 0));
}

TEST(InstantiatePlaybookTest, NextBusinessDayUsesClientsLocalDate) {
  const Playbook p = MustParse(kMinimal);
  // Thursday 23:30 UTC is already Friday 08:30 in Tokyo, so the next business day is Monday.
  const absl::Time now = absl::FromCivil(absl::CivilMinute(2026, 11, 26, 23, 30), absl::UTCTimeZone());
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Asia/Tokyo"), now);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(*(*items)[2].due, At("Asia/Tokyo", 2026, 11, 30, 10, 0));
}

TEST(InstantiatePlaybookTest, NextBusinessDayHonoursACallerCalendar) {
  const Playbook p = MustParse(kMinimal);
  const absl::Time now = At("Europe/London", 2026, 12, 24, 12, 0);  // Thursday
  const BusinessDayPredicate holidays = [](absl::CivilDay d) {
    const absl::Weekday wd = absl::GetWeekday(d);
    if (wd == absl::Weekday::saturday || wd == absl::Weekday::sunday) return false;
    return !(d.month() == 12 && (d.day() == 25 || d.day() == 28));  // Christmas and Boxing Day (substitute)
  };
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, Facts("Europe/London"), now, holidays);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(*(*items)[2].due, At("Europe/London", 2026, 12, 29, 10, 0));
}

TEST(InstantiatePlaybookTest, RejectsEmptyCaseId) {
  const Playbook p = MustParse(kMinimal);
  CaseFacts facts = Facts("Europe/London");
  facts.case_id = " ";
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(p, facts, absl::UnixEpoch());
  EXPECT_EQ(items.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(items.status().message(), HasSubstr("case_id"));
}

TEST(DraftPlanTest, BuildsAPlanForTheCase) {
  const Playbook p = MustParse(kMinimal);
  absl::StatusOr<Plan> plan = DraftPlan("plan-1", p, Facts("Europe/London", "u-1"), absl::UnixEpoch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->plan_id, "plan-1");
  EXPECT_EQ(plan->case_id, "case-1");
  EXPECT_EQ(plan->items.size(), 4u);
  EXPECT_TRUE(plan->commitments.empty());
  EXPECT_EQ(DraftPlan("", p, Facts("Europe/London"), absl::UnixEpoch()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace recovery::action_plan
