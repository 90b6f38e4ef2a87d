// Throwaway PostgreSQL cluster for tests.
#include "tests/support/postgres.h"

#include <errno.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/process.h"

namespace recovery::testing {
namespace {

constexpr char kSuperuser[] = "recovery";

// The newest installed server's bin dir ("" when none).
std::string FindPostgresBin() {
  std::error_code ec;
  std::string best;
  int best_version = -1;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = entry.path().string() + "/bin";
    if (!std::filesystem::exists(bin + "/initdb") || !std::filesystem::exists(bin + "/pg_ctl")) continue;
    int version = 0;
    try {
      version = std::stoi(entry.path().filename().string());
    } catch (...) {
      continue;
    }
    if (version > best_version) {
      best_version = version;
      best = bin;
    }
  }
  return best;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

PostgresServer::PostgresServer(const std::string& database) {
  bin_ = FindPostgresBin();
  available_ = !bin_.empty();
  if (!available_) return;
  status_ = Start(database);
}

std::string PostgresServer::AsOwner(const std::string& cmd) const {
  // The command runs through sh -c so redirections happen as the cluster's owner.
  if (!as_postgres_user_) return cmd;
  return "runuser -u postgres -- sh -c '" + cmd + "'";
}

absl::Status PostgresServer::Start(const std::string& database) {
  as_postgres_user_ = geteuid() == 0;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (as_postgres_user_) {
    const passwd* pw = getpwnam("postgres");
    if (!pw) return absl::FailedPreconditionError("running as root and there is no 'postgres' user for initdb");
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  // As root, under /tmp (world-traversable) so the postgres user reaches it.
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(!as_postgres_user_ && base && *base ? base : "/tmp") + "/recovery-pg-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return absl::InternalError("mkdtemp failed");
  dir_ = buf.data();
  if (as_postgres_user_ && chown(dir_.c_str(), uid, gid) != 0)
    return absl::InternalError(absl::StrCat("chown ", dir_, " failed"));

  int st = 0;
  RunCommand(AsOwner(absl::StrCat(bin_, "/initdb -D ", dir_, "/data -U ", kSuperuser,
                                  " --auth=trust --encoding=UTF8 --locale=C --no-sync > ", dir_, "/initdb.log 2>&1")),
             &st);
  if (st != 0) return absl::InternalError(absl::StrCat("initdb failed: ", ReadFile(dir_ + "/initdb.log")));

  for (int attempt = 0; attempt < 3 && !started_; ++attempt) {
    port_ = FreePort();
    started_ = StartServer();
  }
  if (!started_)
    return absl::InternalError(
        absl::StrCat("pg_ctl start failed: ", ReadFile(dir_ + "/pg_ctl.log"), ReadFile(dir_ + "/server.log")));
  StartWatchdog();
  url_ = UrlFor(database);
  return CreateDatabase(database);
}

bool PostgresServer::StartServer() {
  const std::string opts =
      absl::StrCat("-p ", port_, " -c listen_addresses=127.0.0.1 -c unix_socket_directories=", dir_,
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off", " -c max_connections=200");
  int st = 0;
  RunCommand(AsOwner(absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -l ", dir_, "/server.log -w -t 60 -o \"", opts,
                                  "\" start < /dev/null > ", dir_, "/pg_ctl.log 2>&1")),
             &st);
  return st == 0;
}

// A child that outlives a crashed or killed test process: when the pipe closes without
// the "done" byte (the test died), it stops the cluster and removes its directory, so no
// postmaster is left behind by a ctest timeout.
void PostgresServer::StartWatchdog() {
  int fds[2];
  if (pipe(fds) != 0) return;
  const std::string cleanup =
      AsOwner(absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -m immediate -w stop > /dev/null 2>&1")) + "; rm -rf " +
      dir_;
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    close(fds[1]);
    char c;
    ssize_t n;
    while ((n = read(fds[0], &c, 1)) < 0 && errno == EINTR) {
    }
    if (n == 1) _exit(0);  // the test cleaned up itself
    execl("/bin/sh", "sh", "-c", cleanup.c_str(), static_cast<char*>(nullptr));
    _exit(1);
  }
  close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

PostgresServer::~PostgresServer() {
  if (watchdog_fd_ >= 0) {
    const char done = 'q';
    (void)!write(watchdog_fd_, &done, 1);
    close(watchdog_fd_);
    waitpid(watchdog_pid_, nullptr, 0);
  }
  if (started_) {
    int st = 0;
    RunCommand(AsOwner(absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -m immediate -w stop > /dev/null 2>&1")), &st);
  }
  if (!dir_.empty() && !std::getenv("RECOVERY_KEEP_TMP")) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PostgresServer::UrlFor(const std::string& database) const {
  return absl::StrCat("postgresql://", kSuperuser, "@127.0.0.1:", port_, "/", database);
}

absl::Status PostgresServer::CreateDatabase(const std::string& name) {
  PGconn* conn = PQconnectdb(UrlFor("postgres").c_str());
  absl::Status s;
  if (PQstatus(conn) != CONNECTION_OK) {
    s = absl::UnavailableError(absl::StrCat("connect: ", PQerrorMessage(conn)));
  } else {
    PGresult* res = PQexec(conn, absl::StrCat("CREATE DATABASE \"", name, "\"").c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      s = absl::InternalError(absl::StrCat("CREATE DATABASE ", name, ": ", PQresultErrorMessage(res)));
    PQclear(res);
  }
  PQfinish(conn);
  return s;
}

absl::Status PostgresServer::Exec(const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(UrlFor(database).c_str());
  absl::Status s;
  if (PQstatus(conn) != CONNECTION_OK) {
    s = absl::UnavailableError(absl::StrCat("connect: ", PQerrorMessage(conn)));
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
      s = absl::InternalError(absl::StrCat(sql, ": ", PQresultErrorMessage(res)));
    PQclear(res);
  }
  PQfinish(conn);
  return s;
}

absl::Status PostgresServer::RefuseConnections(const std::string& database) {
  if (auto s = Exec("postgres", absl::StrCat("ALTER DATABASE \"", database, "\" ALLOW_CONNECTIONS false")); !s.ok())
    return s;
  return Exec("postgres", absl::StrCat("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '",
                                       database, "' AND pid <> pg_backend_pid()"));
}

absl::Status PostgresServer::AllowConnections(const std::string& database) {
  return Exec("postgres", absl::StrCat("ALTER DATABASE \"", database, "\" ALLOW_CONNECTIONS true"));
}

absl::Status PostgresServer::Crash() {
  if (!started_) return absl::FailedPreconditionError("the server is not running");
  int st = 0;
  RunCommand(
      AsOwner(absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -m immediate -w stop > ", dir_, "/pg_ctl.log 2>&1")), &st);
  if (st != 0)
    return absl::InternalError(absl::StrCat("pg_ctl stop -m immediate failed: ", ReadFile(dir_ + "/pg_ctl.log")));
  started_ = false;
  return absl::OkStatus();
}

absl::Status PostgresServer::Restart() {
  if (started_) return absl::FailedPreconditionError("the server is running");
  started_ = StartServer();
  if (!started_)
    return absl::InternalError(
        absl::StrCat("pg_ctl start failed: ", ReadFile(dir_ + "/pg_ctl.log"), ReadFile(dir_ + "/server.log")));
  return absl::OkStatus();
}

}  // namespace recovery::testing
