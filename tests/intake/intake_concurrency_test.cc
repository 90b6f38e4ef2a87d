// Read-then-write races of intake (issue 15), on SQLite and on PostgreSQL's REPEATABLE READ:
// two reports of one client and category at the same moment open one case and link the
// other to it (the report_keys row is the conflict point: the loser aborts, runs again and
// finds the winner's case); two acknowledgements of one case at once make one transition;
// two notes at once are both kept, numbered 1 and 2. Each pair of calls is released together
// by a latch, on two threads with their own stubs.
#include <gtest/gtest.h>

#include <array>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/intake/module.h"
#include "tests/common/store_backend.h"
#include "tests/intake/requests.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::ContextWithDeadline;
using recovery::intake::testing::OpenRequest;
using recovery::testing::StoreBackendTest;

constexpr int kPairs = 20;

class IntakeConcurrencyTest : public StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    recovery::testing::FixtureOptions options;
    options.db = url();
    fx_ = std::make_unique<recovery::testing::ServiceFixture>(module_, options);
    ASSERT_TRUE(fx_->ok());
  }

  // Runs call(stub, k) for k = 0 and 1 on two threads released together by a latch, thread
  // k calling as person as[k].
  template <typename Call>
  void Twice(Call&& call,
             const std::array<std::string, 2>& as = {recovery::testing::kTestPerson, recovery::testing::kTestPerson}) {
    std::latch go(2);
    std::thread threads[2];
    for (int k = 0; k < 2; ++k) {
      threads[k] = std::thread([&, k] {
        auto stub = v1::Intake::NewStub(fx_->ChannelAs(as[k]));
        go.arrive_and_wait();
        call(*stub, k);
      });
    }
    for (auto& t : threads) t.join();
  }

  // A case opened by one plain call (for the tests that race on an existing case).
  std::string OpenOne(const std::string& client) {
    v1::OpenCaseResponse out;
    auto ctx = ContextWithDeadline(absl::Seconds(30));
    const grpc::Status s =
        v1::Intake::NewStub(fx_->channel())->OpenCase(ctx.get(), OpenRequest("open-" + client, client), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.case_().id();
  }

  v1::Case Get(const std::string& case_id) {
    v1::GetCaseRequest r;
    r.set_case_id(case_id);
    v1::GetCaseResponse out;
    auto ctx = ContextWithDeadline(absl::Seconds(30));
    const grpc::Status s = v1::Intake::NewStub(fx_->channel())->GetCase(ctx.get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.case_();
  }

  IntakeModule module_;
  std::unique_ptr<recovery::testing::ServiceFixture> fx_;
};

TEST_P(IntakeConcurrencyTest, TwentyPairsOfConcurrentRepeatReportsOpenTwentyCasesAndLinkTwenty) {
  std::set<std::string> case_ids;
  for (int i = 0; i < kPairs; ++i) {
    const std::string client = absl::StrCat("client-", i);
    grpc::Status status[2];
    v1::OpenCaseResponse out[2];
    Twice([&](v1::Intake::Stub& stub, int k) {
      auto ctx = ContextWithDeadline(absl::Seconds(30));
      status[k] = stub.OpenCase(ctx.get(), OpenRequest(absl::StrCat("open-", i, "-", k), client), &out[k]);
    });
    ASSERT_TRUE(status[0].ok()) << client << ": " << status[0].error_message();
    ASSERT_TRUE(status[1].ok()) << client << ": " << status[1].error_message();
    // One call opened the case, the other was linked to it.
    EXPECT_NE(out[0].linked_to_existing(), out[1].linked_to_existing()) << client;
    EXPECT_EQ(out[0].case_().id(), out[1].case_().id()) << client;
    const v1::OpenCaseResponse& linked = out[0].linked_to_existing() ? out[0] : out[1];
    EXPECT_EQ(linked.case_().repeat_reports(), 1) << client;
    case_ids.insert(out[0].case_().id());
  }
  EXPECT_EQ(case_ids.size(), static_cast<size_t>(kPairs));

  fx_->Quiesce();
  std::map<std::string, int> opened, repeats;
  for (const v1::Event& e : fx_->PublishedOfType("CaseOpened")) ++opened[e.case_id()];
  for (const v1::Event& e : fx_->PublishedOfType("ContactRecorded")) {
    // The event carries no repeat flag; the linked contact's summary says it.
    if (absl::StartsWith(e.contact_recorded().summary(), "Repeat report: ")) ++repeats[e.case_id()];
  }
  EXPECT_EQ(opened.size(), static_cast<size_t>(kPairs)) << "20 CaseOpened, one per pair";
  EXPECT_EQ(repeats.size(), static_cast<size_t>(kPairs)) << "20 repeat links, one per pair";
  for (const std::string& id : case_ids) {
    EXPECT_EQ(opened[id], 1) << id;
    EXPECT_EQ(repeats[id], 1) << id;
    const v1::Case c = Get(id);
    EXPECT_EQ(c.repeat_reports(), 1) << id;
    ASSERT_EQ(c.contacts_size(), 1) << id;
    EXPECT_TRUE(c.contacts(0).repeat_report()) << id;
  }

  // The store agrees: 20 cases in all, none beside the ones the calls answered.
  v1::ListCasesRequest list;
  list.set_page_size(100);
  v1::ListCasesResponse listed;
  auto ctx = ContextWithDeadline(absl::Seconds(30));
  ASSERT_TRUE(v1::Intake::NewStub(fx_->channel())->ListCases(ctx.get(), list, &listed).ok());
  EXPECT_EQ(listed.cases_size(), kPairs);
}

TEST_P(IntakeConcurrencyTest, TwoAcknowledgementsOfOneCaseAtOnceMakeOneTransition) {
  constexpr int kCases = 10;
  std::vector<std::string> case_ids;
  for (int i = 0; i < kCases; ++i) case_ids.push_back(OpenOne(absl::StrCat("client-", i)));
  fx_->Quiesce();
  fx_->ClearPublished();

  for (const std::string& id : case_ids) {
    grpc::Status status[2];
    Twice(
        [&](v1::Intake::Stub& stub, int k) {
          v1::AcknowledgeCaseRequest r;
          r.set_request_id(absl::StrCat("ack-", id, "-", k));
          r.set_case_id(id);
          r.set_message("We are on it and will call you by 5pm");
          v1::AcknowledgeCaseResponse out;
          auto ctx = ContextWithDeadline(absl::Seconds(30));
          status[k] = stub.AcknowledgeCase(ctx.get(), r, &out);
        },
        {"lead-1", "lead-2"});
    // One acknowledged it; the other is told the case is acknowledged already (not ABORTED,
    // not INTERNAL, not a second transition).
    EXPECT_EQ(status[0].ok() + status[1].ok(), 1) << status[0].error_message() << " / " << status[1].error_message();
    for (const grpc::Status& s : status) {
      if (!s.ok()) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
      }
    }
    const v1::Case c = Get(id);
    EXPECT_EQ(c.status(), v1::CASE_STATUS_ACKNOWLEDGED);
    ASSERT_EQ(c.transitions_size(), 2) << id << ": opened, then acknowledged once";
    EXPECT_EQ(c.transitions(1).to(), v1::CASE_STATUS_ACKNOWLEDGED);
  }
  fx_->Quiesce();
  std::map<std::string, int> acks;
  for (const v1::Event& e : fx_->PublishedOfType("CaseAcknowledged")) {
    ++acks[e.case_id()];
    // The one who won the race acknowledged it.
    const std::string& by = e.case_acknowledged().acknowledged_by();
    EXPECT_TRUE(by == "lead-1" || by == "lead-2") << by;
    EXPECT_EQ(e.actor(), "person:" + by);
  }
  EXPECT_EQ(acks.size(), case_ids.size());
  for (const auto& [id, n] : acks) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(fx_->published().size(), case_ids.size()) << "nothing but one CaseAcknowledged per case";
}

TEST_P(IntakeConcurrencyTest, TwoNotesOnOneCaseAtOnceAreBothKeptInOrder) {
  const std::string id = OpenOne("client-notes");
  fx_->Quiesce();
  fx_->ClearPublished();
  grpc::Status status[2];
  Twice([&](v1::Intake::Stub& stub, int k) {
    v1::AddNoteRequest r;
    r.set_request_id(absl::StrCat("note-", k));
    r.set_case_id(id);
    r.set_text(absl::StrCat("note ", k));
    v1::AddNoteResponse out;
    auto ctx = ContextWithDeadline(absl::Seconds(30));
    status[k] = stub.AddNote(ctx.get(), r, &out);
  });
  ASSERT_TRUE(status[0].ok()) << status[0].error_message();
  ASSERT_TRUE(status[1].ok()) << status[1].error_message();
  const v1::Case c = Get(id);
  ASSERT_EQ(c.notes_size(), 2);
  EXPECT_NE(c.notes(0).text(), c.notes(1).text());
  fx_->Quiesce();
  EXPECT_EQ(fx_->PublishedOfType("NoteAdded").size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Stores, IntakeConcurrencyTest,
                         ::testing::Values(recovery::testing::SqliteBackend(), recovery::testing::PostgresBackend()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace recovery::intake
