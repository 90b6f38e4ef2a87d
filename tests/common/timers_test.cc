// Durable timers on SQLite: the timers contract (timers_contract.cc), all on the manual clock.
#include <gtest/gtest.h>

#include "tests/common/timers_contract.h"

namespace recovery::common {
namespace {

using recovery::testing::TimersContractTest;

INSTANTIATE_TEST_SUITE_P(SQLite, TimersContractTest, ::testing::Values(recovery::testing::SqliteBackend()));

}  // namespace
}  // namespace recovery::common
