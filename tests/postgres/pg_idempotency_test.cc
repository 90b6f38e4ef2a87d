// request_id handling on PostgreSQL: the concurrent contract (idempotency_contract.cc), where
// REPEATABLE READ let two calls with one id both miss the lookup and race to the insert.
#include <gtest/gtest.h>

#include "tests/common/idempotency_contract.h"
#include "tests/postgres/pg_fixture.h"

namespace recovery::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(PostgreSQL, IdempotencyContractTest, ::testing::Values(PostgresBackend()));

}  // namespace
}  // namespace recovery::testing
