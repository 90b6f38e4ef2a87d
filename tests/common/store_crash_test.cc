// Group commit under SIGKILL: a writer process with 8 threads commits rows (its transactions
// share COMMITs) and acknowledges each one after Commit() returned; it is killed at arbitrary
// points, five times on the same file. Every acknowledged row must be there afterwards, the
// database must be intact, and each row's two statements must have landed together.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "services/common/store.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"

namespace recovery::common {
namespace {

// The last "counters <transactions> <commits>" line of the writer's output.
std::pair<int64_t, int64_t> LastCounters(const std::string& log) {
  std::ifstream in(log);
  std::pair<int64_t, int64_t> out{0, 0};
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "counters ")) continue;
    std::istringstream fields(line.substr(9));
    fields >> out.first >> out.second;
  }
  return out;
}

// The ids the writer acknowledged so far (lines "ack <id>" in its output).
std::set<int64_t> Acked(const std::string& log) {
  std::ifstream in(log);
  std::set<int64_t> out;
  std::string line;
  while (std::getline(in, line)) {
    int64_t id = 0;
    if (absl::StartsWith(line, "ack ") && absl::SimpleAtoi(line.substr(4), &id)) out.insert(id);
  }
  return out;
}

TEST(StoreCrashTest, EveryCommitThatReturnedSurvivesSigkillOfAGroupCommittingWriter) {
  testing::TempDir dir;
  const std::string db = dir.File("crash.db");
  std::set<int64_t> acked_total;
  int64_t transactions_total = 0, commits_total = 0;
  for (int round = 0; round < 5; ++round) {
    const std::string log = dir.File("writer-" + std::to_string(round) + ".log");
    testing::Process writer(testing::BinaryPath("tests/common/store_crash_writer"),
                            {db, "8", std::to_string(int64_t{round} * 100'000'000)}, log);
    // Kill once it has acknowledged a few hundred commits (a different point every round).
    const size_t target = 200 + 150 * static_cast<size_t>(round);
    ASSERT_TRUE(
        testing::PollUntil([&] { return Acked(log).size() >= target; }, absl::Seconds(60), absl::Milliseconds(1)))
        << "writer made no progress; see " << log;
    writer.Kill(SIGKILL);
    writer.Wait();
    const std::set<int64_t> acked = Acked(log);  // read after death: nothing more can be added
    acked_total.insert(acked.begin(), acked.end());
    const auto [transactions, commits] = LastCounters(log);
    transactions_total += transactions;
    commits_total += commits;

    auto store = OpenStore(db);
    ASSERT_TRUE(store.ok()) << store.status();
    auto tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    auto check = (*tx)->Query("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok());
    EXPECT_EQ((*check)[0].Str(0), "ok");
    auto rows = (*tx)->Query("SELECT id FROM rows");
    ASSERT_TRUE(rows.ok());
    std::set<int64_t> present;
    for (const Row& r : *rows) present.insert(r.Int(0));
    size_t missing = 0;
    for (int64_t id : acked_total) missing += present.count(id) == 0;
    EXPECT_EQ(missing, 0u) << "acknowledged commits lost after kill " << round + 1;
    EXPECT_GE(present.size(), acked_total.size());  // committed but not yet acknowledged is fine
    auto halves = (*tx)->Query(
        "SELECT (SELECT COUNT(*) FROM rows WHERE id NOT IN (SELECT id FROM log)), "
        "(SELECT COUNT(*) FROM log WHERE id NOT IN (SELECT id FROM rows))");
    ASSERT_TRUE(halves.ok());
    EXPECT_EQ((*halves)[0].Int(0), 0) << "a row without its log line: a transaction was split";
    EXPECT_EQ((*halves)[0].Int(1), 0) << "a log line without its row: a transaction was split";
  }
  EXPECT_GE(acked_total.size(), 2000u);
  // The kills hit a writer whose transactions were being grouped (else this tests nothing new).
  EXPECT_GT(transactions_total, commits_total) << "no commit was shared";
}

}  // namespace
}  // namespace recovery::common
