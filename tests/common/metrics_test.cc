// Metrics rendering: the common families, a service's own counters, and counters read from
// elsewhere at each scrape (the store's transactions and commits).
#include "services/common/metrics.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/common/store.h"
#include "tests/support/process.h"

namespace recovery::common {
namespace {

TEST(MetricsTest, RendersRpcsAndAServicesOwnCounters) {
  Metrics m("intake");
  m.ObserveRpc("/recovery.v1.Intake/OpenCase", "0", 0.002);
  m.Count("pages_delivered_total", "webhook", 2);
  const std::string text = m.Render();
  EXPECT_TRUE(absl::StrContains(
      text, R"(recovery_rpc_total{service="intake",code="0",method="/recovery.v1.Intake/OpenCase"} 1)"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, R"(recovery_pages_delivered_total{service="intake",kind="webhook"} 2)")) << text;
}

TEST(MetricsTest, CountFromReadsTheSourceAtEveryRenderUntilStopped) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("m.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (x INTEGER)"}).ok());
  Metrics m("audit");
  Store* s = store->get();
  m.CountFrom("store_transactions_total", "store transactions committed",
              [s] { return static_cast<double>(s->counters().transactions); });
  const double before = static_cast<double>(s->counters().transactions);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(InTransaction(*s, [&](Tx& tx) { return tx.Exec("INSERT INTO t VALUES (1)"); }).ok());
  const std::string text = m.Render();
  EXPECT_TRUE(absl::StrContains(text, "# TYPE recovery_store_transactions_total counter")) << text;
  EXPECT_TRUE(absl::StrContains(
      text, "recovery_store_transactions_total{service=\"audit\"} " + std::to_string(static_cast<int>(before) + 3)))
      << text;
  m.StopReading();
  EXPECT_FALSE(absl::StrContains(m.Render(), "recovery_store_transactions_total")) << "a stopped source is not read";
}

}  // namespace
}  // namespace recovery::common
