// The store backends that the common runtime's contract tests (store_contract.cc,
// timers_contract.cc, outbox_contract.cc) run against: SQLite in the unit and outbox
// integration tests, PostgreSQL (tests/postgres/pg_fixture.h) in postgres_integration_test.
// Each test binary instantiates the contract suites with its own backend.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>

#include "services/common/store.h"
#include "tests/support/process.h"

namespace recovery::testing {

struct StoreBackend {
  std::string name;
  common::Dialect dialect;
  // Points *url at a new empty database for one test; `scratch` is the test's own directory.
  // Skips the test (GTEST_SKIP) when the backend is not installed; a fatal failure when it is
  // but the database cannot be made.
  std::function<void(const TempDir& scratch, std::string* url)> fresh_database;
};

// Names the backend in test names and failure messages (ctest names carry the parameter).
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline StoreBackend SqliteBackend() {
  return {"SQLite", common::Dialect::kSqlite,
          [](const TempDir& scratch, std::string* url) { *url = scratch.File("store.db"); }};
}

// A test on a fresh database of the backend the suite was instantiated with.
class StoreBackendTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { GetParam().fresh_database(scratch_, &url_); }
  const std::string& url() const { return url_; }

 private:
  TempDir scratch_;
  std::string url_;
};

}  // namespace recovery::testing
