// Plan operations: validation, legal and illegal transitions, all-or-nothing updates.
#include "services/action_plan/domain/plan.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recovery::action_plan {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

ActionItem Item(const std::string& id, bool client_visible = true) {
  ActionItem item;
  item.id = id;
  item.what = "Call the client";
  item.owner_role = "case_owner";
  item.due = kNow + absl::Hours(2);
  item.client_visible = client_visible;
  return item;
}

Commitment Promise(const std::string& id) {
  return Commitment{id, "New timeline by Friday", "u-7", kNow + absl::Hours(48), CommitmentStatus::kOpen, 0};
}

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_.plan_id = "plan-1";
    plan_.case_id = "case-1";
    ASSERT_TRUE(AddItem(plan_, Item("call"), kNow).ok());
    ASSERT_TRUE(AddItem(plan_, Item("internal", /*client_visible=*/false), kNow).ok());
  }
  void ExpectCode(const absl::Status& s, absl::StatusCode code, const std::string& field) {
    EXPECT_EQ(s.code(), code) << s;
    EXPECT_THAT(s.message(), HasSubstr(field)) << s;
  }
  Plan plan_;
};

// ---- AddItem ----

TEST_F(PlanTest, AddItemAppendsAnOpenItem) {
  ASSERT_TRUE(AddItem(plan_, Item("third"), kNow).ok());
  ASSERT_EQ(plan_.items.size(), 3u);
  EXPECT_EQ(plan_.items[2].id, "third");
  EXPECT_EQ(plan_.items[2].status, ItemStatus::kOpen);
}

TEST_F(PlanTest, AddItemRejectsDuplicateId) {
  ExpectCode(AddItem(plan_, Item("call"), kNow), absl::StatusCode::kAlreadyExists, "item.id");
  EXPECT_EQ(plan_.items.size(), 2u);
}

TEST_F(PlanTest, AddItemValidatesEachField) {
  ActionItem no_id = Item("");
  ExpectCode(AddItem(plan_, no_id, kNow), absl::StatusCode::kInvalidArgument, "item.id");
  ActionItem no_what = Item("x");
  no_what.what = "  ";
  ExpectCode(AddItem(plan_, no_what, kNow), absl::StatusCode::kInvalidArgument, "item.what");
  ActionItem nobody = Item("x");
  nobody.owner_role.clear();
  ExpectCode(AddItem(plan_, nobody, kNow), absl::StatusCode::kInvalidArgument, "item.owner");
  ActionItem past = Item("x");
  past.due = kNow - absl::Minutes(1);
  ExpectCode(AddItem(plan_, past, kNow), absl::StatusCode::kInvalidArgument, "item.due");
  ActionItem done = Item("x");
  done.status = ItemStatus::kDone;
  ExpectCode(AddItem(plan_, done, kNow), absl::StatusCode::kInvalidArgument, "item.status");
  ActionItem noted = Item("x");
  noted.completion_note = "already done";
  ExpectCode(AddItem(plan_, noted, kNow), absl::StatusCode::kInvalidArgument, "item.completion_note");
  EXPECT_EQ(plan_.items.size(), 2u);
}

TEST_F(PlanTest, AddItemAcceptsNamedOwnerWithoutRoleAndNoDue) {
  ActionItem item = Item("x");
  item.owner_role.clear();
  item.owner = "u-9";
  item.due.reset();
  EXPECT_TRUE(AddItem(plan_, item, kNow).ok());
}

// ---- UpdateItem ----

TEST_F(PlanTest, UpdateItemChangesOnlyTheGivenFields) {
  ItemUpdate update;
  update.what = "Call the client's CFO";
  update.due = kNow + absl::Hours(5);
  update.status = ItemStatus::kInProgress;
  ASSERT_TRUE(UpdateItem(plan_, "call", update, kNow).ok());
  const ActionItem* item = FindItem(plan_, "call");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->what, "Call the client's CFO");
  EXPECT_EQ(item->due, kNow + absl::Hours(5));
  EXPECT_EQ(item->status, ItemStatus::kInProgress);
  EXPECT_EQ(item->owner_role, "case_owner");
  EXPECT_TRUE(item->client_visible);
}

TEST_F(PlanTest, UpdateItemCanMoveBackFromInProgressToOpen) {
  ItemUpdate start;
  start.status = ItemStatus::kInProgress;
  ASSERT_TRUE(UpdateItem(plan_, "call", start, kNow).ok());
  ItemUpdate reopen;
  reopen.status = ItemStatus::kOpen;
  ASSERT_TRUE(UpdateItem(plan_, "call", reopen, kNow).ok());
  EXPECT_EQ(FindItem(plan_, "call")->status, ItemStatus::kOpen);
}

TEST_F(PlanTest, UpdateItemFailureLeavesItemUnchanged) {
  ItemUpdate update;
  update.what = "Changed";
  update.due = kNow - absl::Hours(1);
  ExpectCode(UpdateItem(plan_, "call", update, kNow), absl::StatusCode::kInvalidArgument, "update.due");
  EXPECT_EQ(FindItem(plan_, "call")->what, "Call the client");
}

TEST_F(PlanTest, UpdateItemRejectsInvalidFields) {
  ItemUpdate blank;
  blank.what = "";
  ExpectCode(UpdateItem(plan_, "call", blank, kNow), absl::StatusCode::kInvalidArgument, "update.what");
  ItemUpdate orphan;
  orphan.owner_role = "";
  ExpectCode(UpdateItem(plan_, "call", orphan, kNow), absl::StatusCode::kInvalidArgument, "update.owner");
  ItemUpdate finish;
  finish.status = ItemStatus::kDone;
  ExpectCode(UpdateItem(plan_, "call", finish, kNow), absl::StatusCode::kInvalidArgument, "update.status");
  ExpectCode(UpdateItem(plan_, "nope", ItemUpdate{}, kNow), absl::StatusCode::kNotFound, "item_id");
}

TEST_F(PlanTest, UpdateOfFinishedItemIsFailedPrecondition) {
  ASSERT_TRUE(CompleteItem(plan_, "call", "Called at 10:05", kNow).ok());
  ItemUpdate update;
  update.what = "Changed";
  ExpectCode(UpdateItem(plan_, "call", update, kNow), absl::StatusCode::kFailedPrecondition, "item_id");
  ASSERT_TRUE(CancelItem(plan_, "internal", "Not needed").ok());
  ExpectCode(UpdateItem(plan_, "internal", update, kNow), absl::StatusCode::kFailedPrecondition, "item_id");
}

// ---- CompleteItem / CancelItem ----

TEST_F(PlanTest, CompleteItemRecordsNoteAndTime) {
  ASSERT_TRUE(CompleteItem(plan_, "call", "Spoke to Ms Patel", kNow + absl::Hours(1)).ok());
  const ActionItem* item = FindItem(plan_, "call");
  EXPECT_EQ(item->status, ItemStatus::kDone);
  EXPECT_EQ(item->completion_note, "Spoke to Ms Patel");
  EXPECT_EQ(item->completed_at, kNow + absl::Hours(1));
}

TEST_F(PlanTest, CompleteItemNeedsANote) {
  ExpectCode(CompleteItem(plan_, "call", " ", kNow), absl::StatusCode::kInvalidArgument, "completion_note");
  EXPECT_EQ(FindItem(plan_, "call")->status, ItemStatus::kOpen);
}

TEST_F(PlanTest, CompletingACancelledItemIsFailedPrecondition) {
  ASSERT_TRUE(CancelItem(plan_, "call", "Client withdrew the request").ok());
  ExpectCode(CompleteItem(plan_, "call", "done", kNow), absl::StatusCode::kFailedPrecondition, "cancelled");
  EXPECT_EQ(FindItem(plan_, "call")->status, ItemStatus::kCancelled);
}

TEST_F(PlanTest, CompletingTwiceIsFailedPrecondition) {
  ASSERT_TRUE(CompleteItem(plan_, "call", "done", kNow).ok());
  ExpectCode(CompleteItem(plan_, "call", "again", kNow), absl::StatusCode::kFailedPrecondition, "done");
  EXPECT_EQ(FindItem(plan_, "call")->completion_note, "done");
}

TEST_F(PlanTest, CancellingADoneItemIsFailedPrecondition) {
  ASSERT_TRUE(CompleteItem(plan_, "call", "done", kNow).ok());
  ExpectCode(CancelItem(plan_, "call", "oops"), absl::StatusCode::kFailedPrecondition, "item_id");
  EXPECT_EQ(FindItem(plan_, "call")->status, ItemStatus::kDone);
}

TEST_F(PlanTest, CancelItemNeedsAReasonAndRecordsIt) {
  ExpectCode(CancelItem(plan_, "call", ""), absl::StatusCode::kInvalidArgument, "reason");
  ASSERT_TRUE(CancelItem(plan_, "call", "Duplicate of another step").ok());
  EXPECT_EQ(FindItem(plan_, "call")->cancellation_reason, "Duplicate of another step");
}

TEST_F(PlanTest, InProgressItemCanBeCompleted) {
  ItemUpdate start;
  start.status = ItemStatus::kInProgress;
  ASSERT_TRUE(UpdateItem(plan_, "call", start, kNow).ok());
  EXPECT_TRUE(CompleteItem(plan_, "call", "done", kNow).ok());
}

TEST_F(PlanTest, UnknownItemIsNotFound) {
  ExpectCode(CompleteItem(plan_, "nope", "x", kNow), absl::StatusCode::kNotFound, "item_id");
  ExpectCode(CancelItem(plan_, "nope", "x"), absl::StatusCode::kNotFound, "item_id");
}

// ---- AssignOwners ----

TEST_F(PlanTest, AssignOwnersFillsOnlyUnownedCaseOwnerItems) {
  ActionItem owned = Item("owned");
  owned.owner = "u-1";
  ASSERT_TRUE(AddItem(plan_, owned, kNow).ok());
  ActionItem billing = Item("billing");
  billing.owner_role = "billing";
  ASSERT_TRUE(AddItem(plan_, billing, kNow).ok());
  absl::StatusOr<int> n = AssignOwners(plan_, "u-42");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(FindItem(plan_, "call")->owner, "u-42");
  EXPECT_EQ(FindItem(plan_, "internal")->owner, "u-42");
  EXPECT_EQ(FindItem(plan_, "owned")->owner, "u-1");
  EXPECT_EQ(FindItem(plan_, "billing")->owner, "");
  absl::StatusOr<int> again = AssignOwners(plan_, "u-43");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0) << "already-owned items keep their owner";
}

TEST_F(PlanTest, AssignRoleOwnersFillsUnownedItemsOfConfiguredRoles) {
  ActionItem billing = Item("billing");
  billing.owner_role = "billing";
  ASSERT_TRUE(AddItem(plan_, billing, kNow).ok());
  ActionItem owned = Item("owned-billing");
  owned.owner_role = "billing";
  owned.owner = "u-1";
  ASSERT_TRUE(AddItem(plan_, owned, kNow).ok());
  EXPECT_EQ(AssignRoleOwners(plan_, {{"billing", "jordan"}, {"nobody-has-this", "x"}}), 1);
  EXPECT_EQ(FindItem(plan_, "billing")->owner, "jordan");
  EXPECT_EQ(FindItem(plan_, "owned-billing")->owner, "u-1") << "an owner is never replaced";
  EXPECT_EQ(FindItem(plan_, "call")->owner, "") << "case_owner items wait for the case owner";
}

TEST_F(PlanTest, AssignOwnersRejectsEmptyOwner) {
  EXPECT_EQ(AssignOwners(plan_, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FindItem(plan_, "call")->owner, "");
}

// ---- Commitments ----

TEST_F(PlanTest, AddCommitmentAddsAnOpenPromise) {
  ASSERT_TRUE(AddCommitment(plan_, Promise("c1"), kNow).ok());
  ASSERT_NE(FindCommitment(plan_, "c1"), nullptr);
  EXPECT_EQ(FindCommitment(plan_, "c1")->status, CommitmentStatus::kOpen);
}

TEST_F(PlanTest, AddCommitmentValidatesFields) {
  ASSERT_TRUE(AddCommitment(plan_, Promise("c1"), kNow).ok());
  ExpectCode(AddCommitment(plan_, Promise("c1"), kNow), absl::StatusCode::kAlreadyExists, "commitment.id");
  ExpectCode(AddCommitment(plan_, Promise(""), kNow), absl::StatusCode::kInvalidArgument, "commitment.id");
  Commitment no_text = Promise("c2");
  no_text.text = "";
  ExpectCode(AddCommitment(plan_, no_text, kNow), absl::StatusCode::kInvalidArgument, "commitment.text");
  Commitment no_owner = Promise("c2");
  no_owner.owner = "";
  ExpectCode(AddCommitment(plan_, no_owner, kNow), absl::StatusCode::kInvalidArgument, "commitment.owner");
  Commitment past = Promise("c2");
  past.due = kNow;
  ExpectCode(AddCommitment(plan_, past, kNow), absl::StatusCode::kInvalidArgument, "commitment.due");
  Commitment kept = Promise("c2");
  kept.status = CommitmentStatus::kKept;
  ExpectCode(AddCommitment(plan_, kept, kNow), absl::StatusCode::kInvalidArgument, "commitment.status");
  EXPECT_EQ(plan_.commitments.size(), 1u);
}

TEST_F(PlanTest, RenegotiatingMovesDueAndCountsIt) {
  ASSERT_TRUE(AddCommitment(plan_, Promise("c1"), kNow).ok());
  CommitmentUpdate update;
  update.due = kNow + absl::Hours(72);
  ASSERT_TRUE(UpdateCommitment(plan_, "c1", update, kNow).ok());
  const Commitment* c = FindCommitment(plan_, "c1");
  EXPECT_EQ(c->status, CommitmentStatus::kRenegotiated);
  EXPECT_EQ(c->due, kNow + absl::Hours(72));
  EXPECT_EQ(c->renegotiations, 1);
  CommitmentUpdate kept;
  kept.status = CommitmentStatus::kKept;
  ASSERT_TRUE(UpdateCommitment(plan_, "c1", kept, kNow).ok()) << "a renegotiated promise can still be kept";
  EXPECT_EQ(c->status, CommitmentStatus::kKept);
}

TEST_F(PlanTest, MarkingBrokenIsFinal) {
  ASSERT_TRUE(AddCommitment(plan_, Promise("c1"), kNow).ok());
  CommitmentUpdate broken;
  broken.status = CommitmentStatus::kBroken;
  ASSERT_TRUE(UpdateCommitment(plan_, "c1", broken, kNow).ok());
  CommitmentUpdate renegotiate;
  renegotiate.due = kNow + absl::Hours(1);
  ExpectCode(UpdateCommitment(plan_, "c1", renegotiate, kNow), absl::StatusCode::kFailedPrecondition, "commitment_id");
  CommitmentUpdate kept;
  kept.status = CommitmentStatus::kKept;
  ExpectCode(UpdateCommitment(plan_, "c1", kept, kNow), absl::StatusCode::kFailedPrecondition, "broken");
}

TEST_F(PlanTest, UpdateCommitmentRejectsInconsistentUpdates) {
  ASSERT_TRUE(AddCommitment(plan_, Promise("c1"), kNow).ok());
  ExpectCode(UpdateCommitment(plan_, "c1", CommitmentUpdate{}, kNow), absl::StatusCode::kInvalidArgument, "update");
  CommitmentUpdate due_and_kept{kNow + absl::Hours(1), CommitmentStatus::kKept};
  ExpectCode(UpdateCommitment(plan_, "c1", due_and_kept, kNow), absl::StatusCode::kInvalidArgument, "update.status");
  CommitmentUpdate past{kNow - absl::Hours(1), std::nullopt};
  ExpectCode(UpdateCommitment(plan_, "c1", past, kNow), absl::StatusCode::kInvalidArgument, "update.due");
  CommitmentUpdate renegotiated_without_due{std::nullopt, CommitmentStatus::kRenegotiated};
  ExpectCode(UpdateCommitment(plan_, "c1", renegotiated_without_due, kNow), absl::StatusCode::kInvalidArgument,
             "update.due");
  CommitmentUpdate reopen{std::nullopt, CommitmentStatus::kOpen};
  ExpectCode(UpdateCommitment(plan_, "c1", reopen, kNow), absl::StatusCode::kInvalidArgument, "update.status");
  ExpectCode(UpdateCommitment(plan_, "nope", reopen, kNow), absl::StatusCode::kNotFound, "commitment_id");
  EXPECT_EQ(FindCommitment(plan_, "c1")->status, CommitmentStatus::kOpen);
  EXPECT_EQ(FindCommitment(plan_, "c1")->due, kNow + absl::Hours(48));
}

// ---- Amends ----

TEST_F(PlanTest, RecordAmendsStoresApprovedGesture) {
  Amends credit{AmendsKind::kCredit, 15000, "GBP", "u-lead", "Missed go-live date", absl::InfinitePast()};
  ASSERT_TRUE(RecordAmends(plan_, credit, kNow).ok());
  ASSERT_EQ(plan_.amends.size(), 1u);
  EXPECT_EQ(plan_.amends[0].value_minor_units, 15000);
  EXPECT_EQ(plan_.amends[0].recorded_at, kNow);
  Amends free_service{AmendsKind::kFreeService, 0, "", "u-lead", "Extra training session", absl::InfinitePast()};
  EXPECT_TRUE(RecordAmends(plan_, free_service, kNow).ok());
}

TEST_F(PlanTest, RecordAmendsValidatesFields) {
  const Amends ok{AmendsKind::kDiscount, 1000, "EUR", "u-lead", "Goodwill", absl::InfinitePast()};
  Amends a = ok;
  a.value_minor_units = 0;
  ExpectCode(RecordAmends(plan_, a, kNow), absl::StatusCode::kInvalidArgument, "amends.value");
  a = ok;
  a.value_minor_units = -5;
  ExpectCode(RecordAmends(plan_, a, kNow), absl::StatusCode::kInvalidArgument, "amends.value");
  a = ok;
  a.currency = "euro";
  ExpectCode(RecordAmends(plan_, a, kNow), absl::StatusCode::kInvalidArgument, "amends.currency");
  a = ok;
  a.approver = "";
  ExpectCode(RecordAmends(plan_, a, kNow), absl::StatusCode::kInvalidArgument, "amends.approver");
  a = ok;
  a.reason = "";
  ExpectCode(RecordAmends(plan_, a, kNow), absl::StatusCode::kInvalidArgument, "amends.reason");
  EXPECT_TRUE(plan_.amends.empty());
}

// ---- Root cause and shared versions ----

TEST_F(PlanTest, SetRootCauseNeedsBothViews) {
  ExpectCode(SetRootCause(plan_, RootCause{"", "Staff shortage", ""}), absl::StatusCode::kInvalidArgument,
             "root_cause.client_view");
  ExpectCode(SetRootCause(plan_, RootCause{"Nobody told us", "", ""}), absl::StatusCode::kInvalidArgument,
             "root_cause.firm_view");
  ASSERT_TRUE(SetRootCause(plan_, RootCause{"Nobody told us", "Handover missed", ""}).ok());
  EXPECT_EQ(plan_.root_cause.firm_view, "Handover missed");
}

TEST_F(PlanTest, SharedVersionsIncreaseByOne) {
  ASSERT_TRUE(RecordSharedVersion(plan_, 1, "summary v1", kNow).ok());
  ExpectCode(RecordSharedVersion(plan_, 3, "summary v3", kNow), absl::StatusCode::kFailedPrecondition, "version");
  ExpectCode(RecordSharedVersion(plan_, 2, "", kNow), absl::StatusCode::kInvalidArgument, "text");
  ASSERT_TRUE(RecordSharedVersion(plan_, 2, "summary v2", kNow + absl::Hours(1)).ok());
  EXPECT_EQ(plan_.shared_versions.back().shared_at, kNow + absl::Hours(1));
}

// ---- IsComplete ----

TEST_F(PlanTest, NotCompleteWhileAClientVisibleItemIsOpen) {
  EXPECT_FALSE(IsComplete(plan_));
  ASSERT_TRUE(CompleteItem(plan_, "internal", "done", kNow).ok());
  EXPECT_FALSE(IsComplete(plan_)) << "internal items do not complete a plan";
}

TEST_F(PlanTest, CompleteWhenClientVisibleItemsAreDoneEvenIfInternalOpen) {
  ASSERT_TRUE(CompleteItem(plan_, "call", "done", kNow).ok());
  EXPECT_TRUE(IsComplete(plan_));
}

TEST_F(PlanTest, AllCancelledIsNotComplete) {
  ASSERT_TRUE(CancelItem(plan_, "call", "Superseded").ok());
  EXPECT_FALSE(IsComplete(plan_)) << "at least one client-visible item must be done";
  ASSERT_TRUE(AddItem(plan_, Item("second"), kNow).ok());
  ASSERT_TRUE(CompleteItem(plan_, "second", "done", kNow).ok());
  EXPECT_TRUE(IsComplete(plan_)) << "cancelled items count as finished once one is done";
}

TEST(PlanIsCompleteTest, EmptyPlanIsNotComplete) { EXPECT_FALSE(IsComplete(Plan{})); }

}  // namespace
}  // namespace recovery::action_plan
