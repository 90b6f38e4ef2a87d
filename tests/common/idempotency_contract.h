// request_id handling under concurrency, written once for every store backend
// (idempotency_contract.cc). A test binary runs them on its backend with
//   INSTANTIATE_TEST_SUITE_P(SQLite, IdempotencyContractTest, ::testing::Values(SqliteBackend()));
#pragma once

#include "tests/common/store_backend.h"

namespace recovery::testing {

class IdempotencyContractTest : public StoreBackendTest {};

}  // namespace recovery::testing
