// The store's contract tests (store_contract.cc), written once for every backend. A test binary
// runs them on its backend with
//   INSTANTIATE_TEST_SUITE_P(SQLite, StoreContractTest, ::testing::Values(SqliteBackend()));
#pragma once

#include "tests/common/store_backend.h"

namespace recovery::testing {

class StoreContractTest : public StoreBackendTest {};

}  // namespace recovery::testing
