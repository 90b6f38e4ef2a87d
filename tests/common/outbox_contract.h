// The outbox relay's contract tests (outbox_contract.cc, on the dev broker), written once for
// every store backend, and the helpers backend-specific outbox tests share with them. A test
// binary runs them on its backend with
//   INSTANTIATE_TEST_SUITE_P(SQLite, OutboxContractTest, ::testing::Values(SqliteBackend()));
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/common/outbox.h"
#include "tests/common/store_backend.h"
#include "tests/support/topic_reader.h"

namespace recovery::testing {

class OutboxContractTest : public StoreBackendTest {};

// Appends a CaseOpened for `case_id` whose summary is `summary`, in its own transaction.
absl::Status AppendOpened(common::Store& store, common::Outbox& outbox, const std::string& case_id,
                          const std::string& summary);

// Expects each case's messages in order: their summaries are increasing numbers.
void ExpectCaseOrder(const std::vector<TopicMessage>& msgs);

}  // namespace recovery::testing
