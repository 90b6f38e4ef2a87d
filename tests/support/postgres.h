// A throwaway PostgreSQL cluster for integration tests: initdb + pg_ctl in a temp dir,
// listening on 127.0.0.1 at a free port, fsync off. initdb refuses to run as root, so
// when the tests run as root (CI) the cluster runs as the `postgres` system user (created
// by Debian's postgresql package) through runuser.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace recovery::testing {

class PostgresServer {
 public:
  // Starts the cluster and creates `database`. Check available() / status() before use.
  explicit PostgresServer(const std::string& database = "recovery");
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // False when the PostgreSQL server binaries are not installed (tests skip then).
  bool available() const { return available_; }
  // Why the cluster did not start (binaries present but initdb/pg_ctl failed).
  const absl::Status& status() const { return status_; }

  // "postgresql://recovery@127.0.0.1:PORT/<database>"
  const std::string& url() const { return url_; }
  std::string UrlFor(const std::string& database) const;
  int port() const { return port_; }
  // Creates another database on the cluster.
  absl::Status CreateDatabase(const std::string& name);
  // Runs one statement as the superuser on `database` (e.g. "postgres" for statements about
  // another database).
  absl::Status Exec(const std::string& database, const std::string& sql);

  // Faults for the tests of what survives them:
  // The database refuses every new connection (ALLOW_CONNECTIONS false) and its open sessions
  // are terminated, as when it is unreachable; AllowConnections ends that.
  absl::Status RefuseConnections(const std::string& database);
  absl::Status AllowConnections(const std::string& database);
  // `pg_ctl stop -m immediate`: the postmaster and every backend die at once, as in a crash.
  // The cluster commits with synchronous_commit off, so the last commits could be lost: a test
  // that crashes it sets synchronous_commit on for its database first (ALTER DATABASE ... SET);
  // then every commit survives (fsync=off is fine: the OS keeps the files).
  absl::Status Crash();
  // Starts the server again on the same data directory and port (crash recovery runs).
  absl::Status Restart();

 private:
  absl::Status Start(const std::string& database);
  // pg_ctl start on port_; false when it failed (the log is in dir_).
  bool StartServer();
  void StartWatchdog();
  std::string AsOwner(const std::string& cmd) const;

  bool available_ = false;
  absl::Status status_;
  bool as_postgres_user_ = false;
  std::string bin_;
  std::string dir_;
  int port_ = 0;
  std::string url_;
  bool started_ = false;
  int watchdog_fd_ = -1;
  int watchdog_pid_ = -1;
};

}  // namespace recovery::testing

// Skips the test when PostgreSQL is not installed, fails it when it did not start.
#define RECOVERY_REQUIRE_POSTGRES(server)                                                  \
  do {                                                                                     \
    if (!(server).available()) GTEST_SKIP() << "PostgreSQL server binaries not installed"; \
    ASSERT_TRUE((server).status().ok()) << (server).status();                              \
  } while (0)
