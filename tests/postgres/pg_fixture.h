// One throwaway PostgreSQL cluster per test process; each test takes a fresh database.
#pragma once

#include <unistd.h>

#include <atomic>
#include <string>

#include "tests/common/store_backend.h"
#include "tests/support/postgres.h"

namespace recovery::testing {

inline PostgresServer& SharedPostgres() {
  static PostgresServer server("recovery");
  return server;
}

// A new empty database on the shared cluster; its URL ("" when it could not be created).
inline std::string FreshDatabaseUrl() {
  static std::atomic<int> counter{0};
  const std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  if (!SharedPostgres().CreateDatabase(name).ok()) return "";
  return SharedPostgres().UrlFor(name);
}

// The contract suites' PostgreSQL backend: a fresh database on the shared cluster per test.
inline StoreBackend PostgresBackend() {
  return {"PostgreSQL", common::Dialect::kPostgres, [](const TempDir&, std::string* url) {
            RECOVERY_REQUIRE_POSTGRES(SharedPostgres());
            *url = FreshDatabaseUrl();
            ASSERT_FALSE(url->empty());
          }};
}

}  // namespace recovery::testing

// In a test body: skip without PostgreSQL, then bind `url` to a fresh database.
#define RECOVERY_FRESH_POSTGRES_DB(url)                             \
  RECOVERY_REQUIRE_POSTGRES(::recovery::testing::SharedPostgres()); \
  const std::string url = ::recovery::testing::FreshDatabaseUrl();  \
  ASSERT_FALSE(url.empty())
