// Durable timers' contract tests (timers_contract.cc), written once for every store backend and
// all on the manual clock. A test binary runs them on its backend with
//   INSTANTIATE_TEST_SUITE_P(SQLite, TimersContractTest, ::testing::Values(SqliteBackend()));
// and may derive backend-specific suites from the fixture.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/common/clock.h"
#include "services/common/timers.h"
#include "tests/common/store_backend.h"

namespace recovery::testing {

// A timer service on a fresh database whose "reminder" handler records "<key>:<payload>" in
// the table `fired`.
class TimersContractTest : public StoreBackendTest {
 protected:
  void SetUp() override;
  // Opens the database again with a new store and timer service, as a restarted process would.
  void Open();
  void Schedule(const std::string& key, absl::Duration in, const std::string& payload = "p");
  // The recorded firings in order.
  std::vector<std::string> Fired();

  common::ManualClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 29, 0, 30, 0), absl::UTCTimeZone())};
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<common::TimerService> timers_;

 private:
  // Services from before a restart stay allocated (stopped) until the test ends: the manual
  // clock may still hold their jump listeners.
  std::vector<std::unique_ptr<common::Store>> retired_stores_;
  std::vector<std::unique_ptr<common::TimerService>> retired_timers_;
};

}  // namespace recovery::testing
