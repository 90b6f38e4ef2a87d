// SQLite store: the store contract (store_contract.cc) plus what is SQLite's own.
#include "services/common/store.h"

#include <gtest/gtest.h>

#include "tests/common/store_contract.h"

namespace recovery::common {
namespace {

using recovery::testing::StoreContractTest;

INSTANTIATE_TEST_SUITE_P(SQLite, StoreContractTest, ::testing::Values(recovery::testing::SqliteBackend()));

TEST(StoreTest, UnopenablePathNamesTheFlag) {
  auto store = OpenStore("/nonexistent-dir/x/y.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("--db"), std::string::npos);
}

}  // namespace
}  // namespace recovery::common
