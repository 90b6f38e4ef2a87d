// recovery-bench-scenarios: benchmarks that start the real service binaries on the dev broker
// (loopback) and compare each with a baseline measured in the same run.
//
//   recovery-bench-scenarios intake           OpenCase via recovery-bench-loadgen vs its no-op server
//   recovery-bench-scenarios intake-pg        OpenCase on PostgreSQL (1 and 2 replicas) vs a raw libpq loop
//   recovery-bench-scenarios escalation       OpenCase -> webhook page latency (vs a bare Kafka hop)
//                                             and new escalations/s with 10,000 open
//   recovery-bench-scenarios escalation-slow  page latency at nine fast receivers with one slow (or
//                                             500-answering) receiver among ten vs all ten fast
//   recovery-bench-scenarios audit            replay rate of recovery-audit vs a raw consumer
//
// Results go to $BENCH_RESULTS (see bench_util.h).
#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafkacpp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/kafka_util.h"
#include "tests/support/dev_broker.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/kafka_produce.h"

namespace {

namespace rt = recovery::testing;
using recovery::bench::NowNanos;
using recovery::bench::Percentile;
using recovery::bench::Record;
using recovery::bench::Result;

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "scenario failed: " << what << "\n";
  std::exit(1);
}

// Starts services/<name>/recovery-<name> on the broker and flags.db (default: its own SQLite
// file in dir); its port and log files in dir are named after `tag` (default: the name).
std::unique_ptr<rt::ServiceProcess> StartService(const rt::TempDir& dir, const std::string& name,
                                                 const std::string& brokers, rt::ServiceFlags flags = {},
                                                 std::string tag = "") {
  if (tag.empty()) tag = name;
  if (flags.db.empty()) flags.db = dir.File(name + ".db");
  flags.brokers = brokers;
  auto p = std::make_unique<rt::ServiceProcess>("services/" + name + "/recovery-" + name, dir, tag, flags);
  if (!p->started()) Fail(name + " did not start; see " + p->log_path());
  return p;
}

// Runs fn(i) for i in [0, n), the i-th no earlier than i / rate seconds after the first.
void Paced(int n, double rate, const std::function<void(int)>& fn) {
  const int64_t t0 = NowNanos();
  for (int i = 0; i < n; ++i) {
    const int64_t at = t0 + static_cast<int64_t>(i * 1e9 / rate);
    while (NowNanos() < at) std::this_thread::sleep_for(std::chrono::microseconds(200));
    fn(i);
  }
}

double JsonNumber(const std::string& json, const std::string& key) {
  const auto pos = json.find("\"" + key + "\":");
  if (pos == std::string::npos) return 0;
  return std::strtod(json.c_str() + pos + key.size() + 3, nullptr);
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The loadgen calls as the test identity's integration (an API token) unless told otherwise.
std::string RunLoadgen(const rt::TempDir& dir, const std::string& target, const std::string& label, int concurrency,
                       double seconds, const std::string& method = "/recovery.v1.Intake/OpenCase",
                       const std::string& token = rt::kIntegrationToken, const std::string& tls_ca = "") {
  const std::string out = dir.File("loadgen-" + label + ".json");
  std::vector<std::string> args{"run",
                                "--target",
                                target,
                                "--method",
                                method,
                                "--concurrency",
                                std::to_string(concurrency),
                                "--seconds",
                                absl::StrCat(seconds),
                                "--warmup",
                                "1",
                                "--out",
                                out,
                                "--token",
                                token};
  if (!tls_ca.empty()) {
    args.push_back("--tls-ca");
    args.push_back(tls_ca);
  }
  rt::Process p(rt::BinaryPath("tools/bench/recovery-bench-loadgen"), args, dir.File("loadgen-" + label + ".log"));
  if (p.Wait(absl::Seconds(seconds + 60)) != 0) Fail("loadgen " + label + " failed; see its log in " + dir.path());
  return ReadAll(out);
}

int Intake(int concurrency, double seconds) {
  rt::TempDir dir;
  rt::DevBroker broker;
  auto intake = StartService(dir, "intake", broker.bootstrap());
  const std::string& intake_addr = intake->address();
  rt::Process noop;
  noop = rt::Process(rt::BinaryPath("tools/bench/recovery-bench-loadgen"),
                     {"serve-noop", "--port-file", dir.File("noop.port")}, dir.File("noop.log"));
  const std::string noop_addr = "127.0.0.1:" + rt::WaitForFile(dir.File("noop.port"));
  // Alternate baseline and intake so drift on a shared machine hits both.
  const std::string b1 = RunLoadgen(dir, noop_addr, "noop1", concurrency, seconds);
  const std::string s1 = RunLoadgen(dir, intake_addr, "intake1", concurrency, seconds);
  const std::string b2 = RunLoadgen(dir, noop_addr, "noop2", concurrency, seconds);
  const std::string s2 = RunLoadgen(dir, intake_addr, "intake2", concurrency, seconds);
  auto avg = [](const std::string& a, const std::string& b, const char* k) {
    return (JsonNumber(a, k) + JsonNumber(b, k)) / 2;
  };
  const double errors = JsonNumber(s1, "errors") + JsonNumber(s2, "errors");
  const std::string note =
      absl::StrCat(concurrency, " in flight, ", JsonNumber(s1, "request_bytes"), "-byte requests, 2 x ", seconds,
                   " s each, alternating; intake errors: ", errors,
                   errors > 0 ? " (first: " + s1.substr(s1.find("first_error")) + ")" : "");
  const double tput = avg(s1, s2, "throughput"), base = avg(b1, b2, "throughput");
  Record({"intake", "OpenCase throughput", "req/s", tput, "no-op generic gRPC server", base, true, ">= 0.5x baseline",
          tput >= 0.5 * base && errors == 0 ? 1 : 0, note});
  Record({"intake", "OpenCase latency p50", "ms", avg(s1, s2, "p50_us") / 1e3, "no-op p50", avg(b1, b2, "p50_us") / 1e3,
          false, "", -1, note});
  Record({"intake", "OpenCase latency p99", "ms", avg(s1, s2, "p99_us") / 1e3, "no-op p99", avg(b1, b2, "p99_us") / 1e3,
          false, "", -1, note});
  // Diagnostic: the same server and requests, sent to GetCase, where they fail validation
  // (their request_id is not a case id) before any store access: what the synchronous gRPC
  // server, interceptor and validation cost on their own, i.e. the ceiling for any RPC.
  const std::string r1 = RunLoadgen(dir, intake_addr, "rejected", concurrency, seconds, "/recovery.v1.Intake/GetCase");
  const double rejected = JsonNumber(r1, "requests") / seconds;
  Record({"intake", "framework only: requests rejected before the store", "req/s", rejected,
          "no-op generic gRPC server", base, true, "", -1,
          absl::StrCat("the same requests sent to GetCase, all INVALID_ARGUMENT (", JsonNumber(r1, "errors"), " of ",
                       JsonNumber(r1, "requests"), "): sync server + interceptor + validation, no store")});
  intake->process().Terminate();
  noop.Terminate();
  return 0;
}

// ---- intake on PostgreSQL ----

// One libpq connection; Fail()s when it cannot connect.
std::unique_ptr<PGconn, decltype(&PQfinish)> PgConnect(const std::string& url) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) Fail("connect " + url + ": " + PQerrorMessage(conn.get()));
  return conn;
}

// Runs one statement; Fail()s unless it succeeds. Returns the result (text format).
std::unique_ptr<PGresult, decltype(&PQclear)> PgExec(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn, sql.c_str()), PQclear);
  const auto st = PQresultStatus(res.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) Fail(sql + ": " + PQresultErrorMessage(res.get()));
  return res;
}

// A case row and its first history row as recovery-intake wrote them for one OpenCase of the
// load generator; the raw baseline inserts copies of these (new ids of the same length).
struct SampleCase {
  std::string id, client_id, category, severity, status, owner, opened_at_us, updated_at_us, data;
  std::string from_status, to_status, at_us, actor, reason;
};

SampleCase ReadSampleCase(PGconn* conn) {
  auto res = PgExec(conn,
                    "SELECT c.id, c.client_id, c.category, c.severity, c.status, c.owner, c.opened_at_us, "
                    "c.updated_at_us, encode(c.data, 'hex'), t.from_status, t.to_status, t.at_us, t.actor, t.reason "
                    "FROM cases c JOIN case_transitions t ON t.case_id = c.id AND t.seq = 1 "
                    "WHERE c.client_id LIKE 'client-bench-%' ORDER BY c.id DESC LIMIT 1");
  if (PQntuples(res.get()) != 1) Fail("no case written by the load generator in the intake database");
  auto col = [&](int c) { return std::string(PQgetvalue(res.get(), 0, c), PQgetlength(res.get(), 0, c)); };
  SampleCase s{col(0), col(1), col(2), col(3),  col(4),  col(5),  col(6),
               col(7), "",     col(9), col(10), col(11), col(12), col(13)};
  const std::string hex = col(8);
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    s.data.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return s;
}

// `prefix` followed by n, zero-padded to `width` characters (ids as long as the service's).
std::string FixedWidth(const std::string& prefix, int64_t n, size_t width) {
  std::string digits = std::to_string(n);
  if (prefix.size() + digits.size() < width) digits.insert(0, width - prefix.size() - digits.size(), '0');
  return prefix + digits;
}

struct LoopResult {
  double throughput = 0, p50_us = 0, p99_us = 0;
  int64_t errors = 0;
  std::string first_error;
};

// The baseline: `threads` libpq connections, each inserting a copy of the sample's case row
// and its history row (the service's own INSERT statements, prepared once per connection) in
// one REPEATABLE READ transaction (the service's level) per iteration, into tables made LIKE
// the service's (same columns, keys and indexes). Counted like the load generator: what
// started after `warmup` and finished within the next `seconds`.
LoopResult RawInserts(const std::string& url, const SampleCase& s, int threads, double seconds, double warmup) {
  {
    auto conn = PgConnect(url);
    PgExec(conn.get(), "CREATE TABLE IF NOT EXISTS raw_cases (LIKE cases INCLUDING ALL)");
    PgExec(conn.get(), "CREATE TABLE IF NOT EXISTS raw_case_transitions (LIKE case_transitions INCLUDING ALL)");
  }
  const int64_t measure_from = NowNanos() + static_cast<int64_t>(warmup * 1e9);
  const int64_t measure_to = measure_from + static_cast<int64_t>(seconds * 1e9);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(threads));
  std::vector<int64_t> errors(static_cast<size_t>(threads), 0);
  std::vector<std::string> first_error(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  const std::string run = std::to_string(NowNanos() % 100000);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto conn = PgConnect(url);
      PgExec(conn.get(),
             "PREPARE ins_case (text, text, text, bigint, bigint, text, bigint, bigint, bytea) AS "
             "INSERT INTO raw_cases (id, client_id, category, severity, status, owner, opened_at_us, "
             "updated_at_us, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
      PgExec(conn.get(),
             "PREPARE ins_transition (text, bigint, bigint, bigint, text, text) AS "
             "INSERT INTO raw_case_transitions (case_id, seq, from_status, to_status, at_us, actor, reason) "
             "VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM raw_case_transitions WHERE case_id = $1), "
             "$2, $3, $4, $5, $6)");
      auto& lat = latencies[static_cast<size_t>(t)];
      const std::string prefix = absl::StrCat("raw-", run, "-", t, "-");
      for (int64_t n = 0;; ++n) {
        const int64_t start = NowNanos();
        if (start >= measure_to) break;
        const std::string id = FixedWidth(prefix, n, s.id.size());
        const std::string client = FixedWidth("c" + prefix, n, s.client_id.size());
        const char* case_values[] = {id.c_str(),       client.c_str(),  s.category.c_str(),     s.severity.c_str(),
                                     s.status.c_str(), s.owner.c_str(), s.opened_at_us.c_str(), s.updated_at_us.c_str(),
                                     s.data.data()};
        const int case_lengths[] = {0, 0, 0, 0, 0, 0, 0, 0, static_cast<int>(s.data.size())};
        const int case_formats[] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
        const char* transition_values[] = {id.c_str(),      s.from_status.c_str(), s.to_status.c_str(),
                                           s.at_us.c_str(), s.actor.c_str(),       s.reason.c_str()};
        std::string error;
        auto step = [&](PGresult* res) {
          if (error.empty() && PQresultStatus(res) != PGRES_COMMAND_OK) error = PQresultErrorMessage(res);
          PQclear(res);
        };
        step(PQexec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ"));
        step(PQexecPrepared(conn.get(), "ins_case", 9, case_values, case_lengths, case_formats, 0));
        step(PQexecPrepared(conn.get(), "ins_transition", 6, transition_values, nullptr, nullptr, 0));
        step(PQexec(conn.get(), error.empty() ? "COMMIT" : "ROLLBACK"));
        const int64_t end = NowNanos();
        if (start < measure_from || end > measure_to) continue;
        if (!error.empty()) {
          ++errors[static_cast<size_t>(t)];
          if (first_error[static_cast<size_t>(t)].empty()) first_error[static_cast<size_t>(t)] = error;
          continue;
        }
        lat.push_back(static_cast<double>(end - start) / 1e3);
      }
    });
  }
  for (auto& w : workers) w.join();
  LoopResult r;
  std::vector<double> all;
  for (int t = 0; t < threads; ++t) {
    all.insert(all.end(), latencies[static_cast<size_t>(t)].begin(), latencies[static_cast<size_t>(t)].end());
    r.errors += errors[static_cast<size_t>(t)];
    if (r.first_error.empty()) r.first_error = first_error[static_cast<size_t>(t)];
  }
  r.throughput = static_cast<double>(all.size()) / seconds;
  r.p50_us = Percentile(all, 50);
  r.p99_us = Percentile(all, 99);
  return r;
}

int IntakePg(int concurrency, double seconds) {
  rt::PostgresServer pg("intake");
  if (!pg.available()) Fail("PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)");
  if (!pg.status().ok()) Fail("PostgreSQL did not start: " + pg.status().ToString());
  rt::TempDir dir;
  rt::DevBroker broker;
  // As many pooled connections as calls in flight, like the baseline's connections.
  const rt::ServiceFlags flags{.db = absl::StrCat(pg.url(), "?pool_size=", concurrency)};
  auto a = StartService(dir, "intake", broker.bootstrap(), flags, "intake-a");
  const std::string one = RunLoadgen(dir, a->address(), "pg-one-replica", concurrency, seconds);
  auto conn = PgConnect(pg.url());
  const SampleCase sample = ReadSampleCase(conn.get());
  const LoopResult raw = RawInserts(pg.url(), sample, concurrency, seconds, 1);
  if (raw.errors > 0) Fail("raw inserts failed: " + raw.first_error);
  // A second replica on the same database; the load generator's call slots alternate between them.
  auto b = StartService(dir, "intake", broker.bootstrap(), flags, "intake-b");
  const std::string two = RunLoadgen(dir, a->address() + "," + b->address(), "pg-two-replicas", concurrency, seconds);
  const std::string base_name =
      absl::StrCat("raw libpq: ", concurrency, " connections, case + history row per transaction");
  const std::vector<std::pair<std::string, std::string>> runs = {{"1 replica", one}, {"2 replicas", two}};
  for (const auto& [label, out] : runs) {
    const double errors = JsonNumber(out, "errors");
    const std::string note = absl::StrCat(
        concurrency, " in flight", label == "1 replica" ? "" : " (half on each replica)", ", ",
        JsonNumber(out, "request_bytes"), "-byte requests, ", seconds, " s (order: 1 replica, raw, 2 replicas); ",
        "--db pool_size=", concurrency, "; the service also writes the report key, request log and outbox rows ",
        "and its relay publishes; raw rows copied from the service's (record ", sample.data.size(),
        " bytes); intake errors: ", errors, errors > 0 ? " (first: " + out.substr(out.find("first_error")) + ")" : "");
    Record({"intake-pg", "OpenCase throughput, " + label, "req/s", JsonNumber(out, "throughput"), base_name,
            raw.throughput, true, "", -1, note});
    Record({"intake-pg", "OpenCase latency p50, " + label, "ms", JsonNumber(out, "p50_us") / 1e3, "raw transaction p50",
            raw.p50_us / 1e3, false, "", -1, note});
    Record({"intake-pg", "OpenCase latency p99, " + label, "ms", JsonNumber(out, "p99_us") / 1e3, "raw transaction p99",
            raw.p99_us / 1e3, false, "", -1, note});
  }
  // The replicas against each other: what the second replica added on this machine.
  Record({"intake-pg", "OpenCase throughput, 2 replicas vs 1", "req/s", JsonNumber(two, "throughput"),
          "1 replica, same database", JsonNumber(one, "throughput"), true, "", -1,
          absl::StrCat(concurrency, " in flight in both; one database, one primary")});
  b->process().Terminate();
  a->process().Terminate();
  return 0;
}

// ---- Kafka helpers ----

std::unique_ptr<RdKafka::Conf> Conf(const std::map<std::string, std::string>& kv) {
  auto conf = recovery::common::MakeKafkaConf(kv);
  if (!conf.ok()) Fail(std::string(conf.status().message()));
  return std::move(*conf);
}

std::unique_ptr<RdKafka::Producer> MakeProducer(const std::string& brokers, const std::string& linger = "1") {
  auto conf = Conf({{"bootstrap.servers", brokers},
                    {"enable.idempotence", "true"},
                    {"acks", "all"},
                    {"linger.ms", linger},
                    {"socket.nagle.disable", "true"}});
  std::string err;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  if (!p) Fail(err);
  return p;
}

// A consumer assigned to every partition of the topic (no group: no 3 s join), from the
// beginning or the end.
std::unique_ptr<RdKafka::KafkaConsumer> MakeReader(const std::string& brokers, const std::string& topic, int partitions,
                                                   bool from_end) {
  auto conf = Conf({{"bootstrap.servers", brokers},
                    {"group.id", "bench-reader-" + std::to_string(NowNanos())},
                    {"enable.auto.commit", "false"},
                    {"fetch.wait.max.ms", "10"},
                    {"socket.nagle.disable", "true"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c) Fail(err);
  std::vector<RdKafka::TopicPartition*> parts;
  for (int i = 0; i < partitions; ++i)
    parts.push_back(RdKafka::TopicPartition::create(
        topic, i, from_end ? RdKafka::Topic::OFFSET_END : RdKafka::Topic::OFFSET_BEGINNING));
  c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  return c;
}

std::string HeaderValue(RdKafka::Message& m, const std::string& name) {
  RdKafka::Headers* h = m.headers();
  if (!h) return "";
  for (const auto& hd : h->get(name)) return std::string(static_cast<const char*>(hd.value()), hd.value_size());
  return "";
}

void Produce(RdKafka::Producer& p, const std::string& topic, const recovery::v1::Event& e) {
  if (const std::string error = recovery::bench::ProduceEvent(p, topic, e); !error.empty()) Fail(error);
}

void Flush(RdKafka::Producer& p) {
  if (p.flush(60000) != RdKafka::ERR_NO_ERROR) Fail("producer flush timed out");
}

recovery::v1::Event CaseOpenedEvent(int64_t i, const std::string& run) {
  const absl::Time now = absl::Now();
  auto e = recovery::common::NewEvent(now, recovery::common::NewId(now), "intake", "bench", "bench-" + run);
  auto* b = e.mutable_case_opened();
  b->mutable_client()->set_id(absl::StrCat("client-", run, "-", i));
  b->mutable_client()->set_name("Client");
  b->set_channel(recovery::v1::CHANNEL_PHONE);
  b->set_category("missed_deadline");
  b->set_severity(recovery::v1::SEVERITY_P2);
  b->set_summary("Report late");
  return e;
}

// ---- audit ----

int Audit(int64_t events, int partitions) {
  const std::string topic = "recovery.case-events";
  rt::TempDir dir;
  rt::DevBroker broker(topic, partitions);
  {
    auto p = MakeProducer(broker.bootstrap(), "5");
    const std::string run = std::to_string(NowNanos() % 100000);
    for (int64_t i = 0; i < events; ++i) Produce(*p, topic, CaseOpenedEvent(i, run));
    Flush(*p);
  }
  const size_t event_bytes = CaseOpenedEvent(0, "00000").ByteSizeLong();
  // Baseline: a raw consumer reading the same topic from the beginning.
  double raw_rate;
  {
    auto c = MakeReader(broker.bootstrap(), topic, partitions, false);
    int64_t n = 0, t_first = 0;
    const int64_t deadline = NowNanos() + int64_t{120} * 1000000000;
    while (n < events && NowNanos() < deadline) {
      std::unique_ptr<RdKafka::Message> m(c->consume(100));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      if (n++ == 0) t_first = NowNanos();
    }
    if (n < events) Fail(absl::StrCat("raw consumer read only ", n, " of ", events, " (retention cap?)"));
    raw_rate = static_cast<double>(n - 1) / (static_cast<double>(NowNanos() - t_first) / 1e9);
    c->close();
  }
  auto audit = StartService(dir, "audit", broker.bootstrap(), {.topic = topic});
  auto stub = recovery::v1::Audit::NewStub(audit->channel());
  int64_t first_count = 0, t_first = 0, total = 0;
  const int64_t deadline = NowNanos() + int64_t{600} * 1000000000;
  while (total < events && NowNanos() < deadline) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    recovery::v1::GetStatsRequest req;
    recovery::v1::GetStatsResponse resp;
    if (stub->GetStats(&ctx, req, &resp).ok()) {
      total = resp.events_total();
      if (total > 0 && t_first == 0) {
        t_first = NowNanos();
        first_count = total;
      }
    }
    // GetStats counts only what was recorded since the previous call, so polling costs
    // little; 250 ms of resolution on a run of several seconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (total < events) Fail(absl::StrCat("audit recorded only ", total, " of ", events));
  const double rate = static_cast<double>(total - first_count) / (static_cast<double>(NowNanos() - t_first) / 1e9);
  Record({"audit", "replay rate (consume + chain)", "events/s", rate, "raw librdkafka consumer, same topic", raw_rate,
          true, ">= 0.5x baseline", rate >= 0.5 * raw_rate ? 1 : 0,
          absl::StrCat(events, " events of ", event_bytes, " bytes over ", partitions,
                       " partitions (what fits comfortably under the dev broker's 5 MiB/partition cap at this run's "
                       "time budget); rate from the first recorded event, GetStats polled every 250 ms")});
  audit->process().Terminate();
  return 0;
}

// ---- escalation ----

// Accepts webhook POSTs on loopback (one thread per connection), records when each case's
// first page arrived, and answers each request after `delay` with `status` (200 at once unless
// Behave() says otherwise).
class PageReceiver {
 public:
  PageReceiver() {
    fd_ = rt::ListenOnLoopback(&port_, 512);
    if (fd_ < 0) Fail("webhook receiver bind");
    thread_ = std::thread([this] { Loop(); });
  }
  ~PageReceiver() {
    running_ = false;
    thread_.join();
    while (live_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::close(fd_);
  }
  int port() const { return port_; }
  std::map<std::string, int64_t> arrivals() {
    std::lock_guard lock(mu_);
    return arrivals_;
  }
  // When the page of this case first arrived (steady clock ns), or 0.
  int64_t ArrivalOf(const std::string& case_id) {
    std::lock_guard lock(mu_);
    auto it = arrivals_.find(case_id);
    return it == arrivals_.end() ? 0 : it->second;
  }
  int64_t pages() const { return pages_; }
  // How later requests are answered: after `delay_ms`, with HTTP `status`.
  void Behave(int delay_ms, int status) {
    delay_ms_ = delay_ms;
    status_ = status;
  }

 private:
  void Loop() {
    while (running_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++live_;
      std::thread([this, c] {
        Serve(c);
        ::close(c);
        --live_;
      }).detach();
    }
  }
  void Serve(int c) {
    std::string buf;
    char tmp[8192];
    for (;;) {  // keep-alive: serve requests until the peer closes
      size_t header_end;
      while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
        pollfd p{c, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        const ssize_t n = ::read(c, tmp, sizeof(tmp));
        if (n <= 0) return;
        buf.append(tmp, static_cast<size_t>(n));
      }
      size_t length = 0;
      std::string lower = buf.substr(0, header_end);
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto pos = lower.find("content-length:"); pos != std::string::npos)
        length = std::strtoul(lower.c_str() + pos + 15, nullptr, 10);
      while (buf.size() < header_end + 4 + length) {
        pollfd p{c, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        const ssize_t n = ::read(c, tmp, sizeof(tmp));
        if (n <= 0) return;
        buf.append(tmp, static_cast<size_t>(n));
      }
      const int64_t now = NowNanos();
      const std::string body = buf.substr(header_end + 4, length);
      buf.erase(0, header_end + 4 + length);
      if (auto pos = body.find("\"case_id\""); pos != std::string::npos) {
        const auto q1 = body.find('"', body.find(':', pos) + 1);
        const auto q2 = body.find('"', q1 + 1);
        if (q1 != std::string::npos && q2 != std::string::npos) {
          std::lock_guard lock(mu_);
          arrivals_.emplace(body.substr(q1 + 1, q2 - q1 - 1), now);
        }
      }
      ++pages_;
      // The receiver's own slowness (what is measured is how it delays pages to others).
      if (const int delay = delay_ms_; delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      static const char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      static const char kError[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
      const bool ok = status_ == 200;
      if (::write(c, ok ? kOk : kError, (ok ? sizeof(kOk) : sizeof(kError)) - 1) < 0) return;
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> running_{true};
  std::atomic<int> live_{0};
  std::atomic<int64_t> pages_{0};
  std::atomic<int> delay_ms_{0};
  std::atomic<int> status_{200};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, int64_t> arrivals_;
};

// Opens an after-hours case on intake for client "client-<key>" of tier `tier` (which the
// escalation configurations below route on). Returns the case id; *committed_ns is when the
// response (the commit) came back.
std::string OpenCase(recovery::v1::Intake::Stub& stub, const std::string& key, const std::string& tier,
                     int64_t* committed_ns) {
  recovery::v1::OpenCaseRequest r;
  r.set_request_id("e2e-" + key);
  r.mutable_client()->set_id("client-" + key);
  r.mutable_client()->set_name("Client");
  r.mutable_client()->set_tier(tier);
  r.set_channel(recovery::v1::CHANNEL_PHONE);
  r.set_category("missed_deadline");
  r.set_severity(recovery::v1::SEVERITY_P2);
  r.set_summary("Quarterly report delivered late");
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  recovery::v1::OpenCaseResponse resp;
  auto s = stub.OpenCase(&ctx, r, &resp);
  if (!s.ok()) Fail("OpenCase: " + s.error_message());
  *committed_ns = NowNanos();
  return resp.case_().id();
}

std::string EscalationYaml(int port) {
  return absl::StrCat(R"(# Benchmark: every case is after hours (the calendar is open one minute a week) and pages
# the one on-call person by webhook at once; the ack timeout is long so escalations stay open.
people:
  - id: oncall
    name: Bench On-call
    time_zone: UTC
    contact_methods:
      - {channel: webhook, target: "http://127.0.0.1:)",
                      port, R"(/pages/oncall"}
calendars:
  - id: closed
    time_zone: UTC
    weekly: {sun: ["03:00-03:01"]}
schedules:
  - id: bench-oncall
    name: Bench on-call
    time_zone: UTC
    layers:
      - name: all
        participants: [oncall]
        rotation: 1w
        start_date: 2026-01-05
        handoff_time: "00:00"
policies:
  - id: bench
    name: Bench
    tiers:
      - targets: [{schedule: bench-oncall}]
        ack_timeout: 6h
    repeats: 0
teams:
  - id: bench
    name: Bench
    members: [oncall]
    calendar: closed
    schedule: bench-oncall
    policy: bench
routing_rules:
  - id: all
    team: bench
delivery: {allow_http: true, allowed_networks: [127.0.0.0/8]}
)");
}

// Baseline of the end-to-end latency: one bare producer -> consumer hop (fetch.wait.max.ms=10).
std::vector<double> KafkaHop(const std::string& brokers, const std::string& topic, int partitions, int count,
                             double rate) {
  auto c = MakeReader(brokers, topic, partitions, true);
  for (int i = 0; i < 20; ++i) std::unique_ptr<RdKafka::Message>(c->consume(50));  // settle the assignment
  auto p = MakeProducer(brokers);
  std::vector<double> lat_ms;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done || lat_ms.size() < static_cast<size_t>(count)) {
      std::unique_ptr<RdKafka::Message> m(c->consume(50));
      if (m->err() != RdKafka::ERR_NO_ERROR) {
        if (done && m->err() == RdKafka::ERR__TIMED_OUT && lat_ms.size() >= static_cast<size_t>(count)) break;
        continue;
      }
      if (HeaderValue(*m, "type") != "hop") continue;
      const int64_t sent = std::strtoll(static_cast<const char*>(m->payload()), nullptr, 10);
      lat_ms.push_back(static_cast<double>(NowNanos() - sent) / 1e6);
      if (lat_ms.size() >= static_cast<size_t>(count)) break;
    }
  });
  Paced(count, rate, [&](int i) {
    const std::string payload = std::to_string(NowNanos()) + std::string(200, ' ');
    const std::string key = "hop-" + std::to_string(i);
    RdKafka::Headers* h = RdKafka::Headers::create();
    h->add("type", "hop");
    p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(payload.data()),
               payload.size(), key.data(), key.size(), 0, h, nullptr);
    p->poll(0);
  });
  Flush(*p);
  done = true;
  reader.join();
  c->close();
  return lat_ms;
}

int Escalation(int cases, double rate, int open_target, int burst) {
  const std::string topic = "recovery.case-events";
  const int partitions = 4;
  rt::TempDir dir;
  rt::DevBroker broker(topic, partitions);
  PageReceiver receiver;
  std::ofstream(dir.File("escalation.yaml")) << EscalationYaml(receiver.port());
  auto intake = StartService(dir, "intake", broker.bootstrap());
  auto escalation = StartService(dir, "escalation", broker.bootstrap(), {.config = dir.File("escalation.yaml")});
  auto stub = recovery::v1::Intake::NewStub(intake->channel());
  std::map<std::string, int64_t> committed;
  auto open_case = [&](int64_t i, const std::string& run) {
    int64_t at = 0;
    const std::string id = OpenCase(*stub, absl::StrCat(run, "-", i), "", &at);
    committed[id] = at;
    return id;
  };
  // Warm-up: the escalation consumer's first group join takes ~3 s.
  const std::string run = std::to_string(NowNanos() % 1000000);
  const std::string warm = open_case(-1, run);
  const int64_t warm_deadline = NowNanos() + int64_t{60} * 1000000000;
  while (receiver.arrivals().count(warm) == 0) {
    if (NowNanos() > warm_deadline) Fail("no page arrived for the warm-up case; see " + dir.File("escalation.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  committed.clear();
  Paced(cases, rate, [&](int i) { open_case(i, run); });
  const int64_t page_deadline = NowNanos() + int64_t{60} * 1000000000;
  std::map<std::string, int64_t> arrivals;
  for (;;) {
    arrivals = receiver.arrivals();
    size_t got = 0;
    for (const auto& [id, t] : committed) got += arrivals.count(id);
    if (got >= committed.size() || NowNanos() > page_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<double> e2e_ms;
  for (const auto& [id, t] : committed)
    if (auto it = arrivals.find(id); it != arrivals.end()) e2e_ms.push_back(static_cast<double>(it->second - t) / 1e6);
  const size_t delivered = e2e_ms.size();
  auto hop = KafkaHop(broker.bootstrap(), topic, partitions, 1000, rate);
  const std::string note = absl::StrCat(delivered, "/", cases, " pages for after-hours cases at ", rate,
                                        "/s; baseline: bare producer->consumer hop (fetch.wait.max.ms=10), ",
                                        hop.size(), " msgs at the same rate");
  const double p50 = Percentile(e2e_ms, 50), p99 = Percentile(e2e_ms, 99), mx = e2e_ms.empty() ? 0 : e2e_ms.back();
  const double h50 = Percentile(hop, 50), h99 = Percentile(hop, 99), hmx = hop.empty() ? 0 : hop.back();
  Record({"e2e", "OpenCase committed -> page delivered p50", "ms", p50, "Kafka hop p50", h50, false, "", -1, note});
  Record({"e2e", "OpenCase committed -> page delivered p99", "ms", p99, "Kafka hop p99", h99, false, "< 50 ms",
          p99 < 50 && delivered == static_cast<size_t>(cases) ? 1 : 0, note});
  Record({"e2e", "OpenCase committed -> page delivered max", "ms", mx, "Kafka hop max", hmx, false, "", -1, note});

  // Throughput with `open_target` open escalations (ack timers armed): fill up with CaseOpened
  // events on the topic, then publish a burst and time the EscalationStarted events it causes.
  auto reader = MakeReader(broker.bootstrap(), topic, partitions, true);
  for (int i = 0; i < 20; ++i) std::unique_ptr<RdKafka::Message>(reader->consume(50));
  auto producer = MakeProducer(broker.bootstrap(), "5");
  const int fill = std::max(0, open_target - cases - 1);
  auto count_started = [&](int64_t want, int64_t* first_ns, int64_t* input_first, int64_t* input_n,
                           int64_t* input_last) {
    int64_t n = 0;
    const int64_t deadline = NowNanos() + int64_t{300} * 1000000000;
    while (n < want && NowNanos() < deadline) {
      std::unique_ptr<RdKafka::Message> m(reader->consume(100));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      const std::string type = HeaderValue(*m, "type");
      if (type == "EscalationStarted") {
        if (n++ == 0 && first_ns) *first_ns = NowNanos();
      } else if (type == "CaseOpened" && input_n) {
        if ((*input_n)++ == 0) *input_first = NowNanos();
        *input_last = NowNanos();
      }
    }
    return n;
  };
  const std::string fill_run = run + "f";
  for (int i = 0; i < fill; ++i) Produce(*producer, topic, CaseOpenedEvent(i, fill_run));
  Flush(*producer);
  if (count_started(fill, nullptr, nullptr, nullptr, nullptr) < fill) Fail("fill escalations did not all start");
  const std::string burst_run = run + "b";
  std::vector<recovery::v1::Event> burst_events;
  for (int i = 0; i < burst; ++i) burst_events.push_back(CaseOpenedEvent(i, burst_run));
  const int64_t t_publish = NowNanos();
  for (const auto& e : burst_events) Produce(*producer, topic, e);
  Flush(*producer);
  int64_t first = 0, in_first = 0, in_n = 0, in_last = 0;
  const int64_t started = count_started(burst, &first, &in_first, &in_n, &in_last);
  const double secs = static_cast<double>(NowNanos() - t_publish) / 1e9;
  const double esc_rate = static_cast<double>(started) / secs;
  // Baseline: the same burst read back raw from the topic by a plain consumer.
  double raw_rate = 0;
  {
    auto c = MakeReader(broker.bootstrap(), topic, partitions, false);
    int64_t n = 0, t_first = 0, t_last = 0;
    const int64_t deadline = NowNanos() + int64_t{60} * 1000000000;
    while (n < burst && NowNanos() < deadline) {
      std::unique_ptr<RdKafka::Message> m(c->consume(100));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      if (HeaderValue(*m, "type") != "CaseOpened") continue;
      const std::string key(static_cast<const char*>(m->key_pointer()), m->key_len());
      (void)key;
      recovery::v1::Event e;
      e.ParseFromArray(m->payload(), static_cast<int>(m->len()));
      if (e.case_opened().client().id().rfind(absl::StrCat("client-", burst_run, "-"), 0) != 0) continue;
      if (n++ == 0) t_first = NowNanos();
      t_last = NowNanos();
    }
    raw_rate = n > 1 ? static_cast<double>(n - 1) / (static_cast<double>(t_last - t_first) / 1e9) : 0;
    c->close();
  }
  Record({"escalation", "new escalations/s with open escalations + armed timers", "escalations/s", esc_rate,
          "raw consumer of the same CaseOpened burst", raw_rate, true, ">= 2000/s absolute",
          esc_rate >= 2000 && started == burst ? 1 : 0,
          absl::StrCat(started, "/", burst, " EscalationStarted on the topic, ", secs, " s from first publish; ",
                       cases + 1 + fill, " escalations open before the burst (ack timeout 6h, timers armed); pages ",
                       "to the webhook continue meanwhile")});
  reader->close();
  intake->process().Terminate();
  escalation->process().Terminate();
  return 0;
}

// ---- one slow receiver among ten ----

// Ten people, each paged by webhook on a receiver of their own (its own host:port, hence its
// own per-host bound in the delivery worker); a case of client tier "t<N>" pages person r<N>.
// Every case is after hours (the calendar of every team is open one minute a week) and the
// ack timeout is long, so each case is exactly one page.
std::string TenReceiversYaml(const std::vector<std::unique_ptr<PageReceiver>>& receivers) {
  std::string people, policies, teams, rules;
  for (size_t i = 0; i < receivers.size(); ++i) {
    absl::StrAppend(&people, "  - id: r", i, "\n    name: Receiver ", i,
                    "\n    time_zone: UTC\n    contact_methods:\n      - {channel: webhook, target: "
                    "\"http://127.0.0.1:",
                    receivers[i]->port(), "/pages/r", i, "\"}\n");
    absl::StrAppend(&policies, "  - id: p", i, "\n    name: Policy ", i, "\n    tiers:\n      - targets: [{person: r",
                    i, "}]\n        ack_timeout: 6h\n    repeats: 0\n");
    absl::StrAppend(&teams, "  - id: team", i, "\n    name: Team ", i, "\n    members: [r", i,
                    "]\n    calendar: closed\n    policy: p", i, "\n");
    absl::StrAppend(&rules, "  - id: tier", i, "\n    client_tiers: [t", i, "]\n    team: team", i, "\n");
  }
  return absl::StrCat("# Benchmark: ten people on ten webhook receivers; client tier t<N> pages r<N>.\n", "people:\n",
                      people, "calendars:\n  - id: closed\n    time_zone: UTC\n    weekly: {sun: [\"03:00-03:01\"]}\n",
                      "policies:\n", policies, "teams:\n", teams, "routing_rules:\n", rules,
                      "delivery: {allow_http: true, allowed_networks: [127.0.0.0/8]}\n");
}

struct PagePhase {
  std::vector<double> fast_ms;  // page latencies at receivers 1..9
  size_t fast_expected = 0;
  std::vector<double> odd_ms;  // at receiver 0, those that had arrived when the fast ones had
  size_t odd_expected = 0;
  int64_t odd_requests = 0;          // requests receiver 0 answered meanwhile (retries included)
  std::vector<std::string> odd_ids;  // the cases paging receiver 0
};

// Opens `cases` cases at `rate`, case i paging receiver i % 10, and waits (up to 60 s) until
// every page to receivers 1..9 has arrived.
PagePhase RunPagePhase(recovery::v1::Intake::Stub& stub, std::vector<std::unique_ptr<PageReceiver>>& receivers,
                       const std::string& run, int cases, double rate) {
  const size_t n = receivers.size();
  const int64_t odd_before = receivers[0]->pages();
  std::vector<std::pair<std::string, int64_t>> opened(static_cast<size_t>(cases));
  Paced(cases, rate, [&](int i) {
    auto& [id, at] = opened[static_cast<size_t>(i)];
    id = OpenCase(stub, absl::StrCat(run, "-", i), absl::StrCat("t", static_cast<size_t>(i) % n), &at);
  });
  PagePhase phase;
  const int64_t deadline = NowNanos() + int64_t{60} * 1000000000;
  std::vector<bool> seen(opened.size(), false);
  size_t pending = 0;
  for (size_t i = 0; i < opened.size(); ++i) pending += i % n != 0;
  phase.fast_expected = pending;
  phase.odd_expected = opened.size() - pending;
  while (pending > 0 && NowNanos() < deadline) {
    for (size_t i = 0; i < opened.size(); ++i) {
      if (i % n == 0 || seen[i]) continue;
      if (const int64_t t = receivers[i % n]->ArrivalOf(opened[i].first); t != 0) {
        seen[i] = true;
        --pending;
        phase.fast_ms.push_back(static_cast<double>(t - opened[i].second) / 1e6);
      }
    }
    if (pending > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (size_t i = 0; i < opened.size(); i += n) {
    phase.odd_ids.push_back(opened[i].first);
    if (const int64_t t = receivers[0]->ArrivalOf(opened[i].first); t != 0)
      phase.odd_ms.push_back(static_cast<double>(t - opened[i].second) / 1e6);
  }
  phase.odd_requests = receivers[0]->pages() - odd_before;
  return phase;
}

int EscalationSlow(int cases, double rate, int slow_ms) {
  constexpr int kReceivers = 10;
  rt::TempDir dir;
  rt::DevBroker broker;
  std::vector<std::unique_ptr<PageReceiver>> receivers;
  for (int i = 0; i < kReceivers; ++i) receivers.push_back(std::make_unique<PageReceiver>());
  std::ofstream(dir.File("escalation.yaml")) << TenReceiversYaml(receivers);
  auto intake = StartService(dir, "intake", broker.bootstrap());
  auto escalation = StartService(dir, "escalation", broker.bootstrap(), {.config = dir.File("escalation.yaml")});
  auto stub = recovery::v1::Intake::NewStub(intake->channel());
  const std::string run = std::to_string(NowNanos() % 1000000);
  // Warm-up: one page to every receiver (the escalation consumer's first group join takes ~3 s,
  // and the webhook sender opens its connections).
  {
    std::vector<std::string> warm;
    for (int i = 0; i < kReceivers; ++i) {
      int64_t at = 0;
      warm.push_back(OpenCase(*stub, absl::StrCat(run, "-warm-", i), absl::StrCat("t", i), &at));
    }
    if (!rt::PollUntil(
            [&] {
              for (int i = 0; i < kReceivers; ++i)
                if (receivers[static_cast<size_t>(i)]->ArrivalOf(warm[static_cast<size_t>(i)]) == 0) return false;
              return true;
            },
            absl::Seconds(60), absl::Milliseconds(20)))
      Fail("the warm-up pages did not all arrive; see " + dir.File("escalation.log"));
  }
  // All fast, one slow, all fast again (the baseline is both all-fast phases), one failing.
  // The slow receiver is made fast again as soon as the fast pages are in, so its backlog is
  // drained at once before the next phase; the failing one's retries fall after the last phase.
  const PagePhase fast1 = RunPagePhase(*stub, receivers, run + "-a", cases, rate);
  receivers[0]->Behave(slow_ms, 200);
  const PagePhase slow = RunPagePhase(*stub, receivers, run + "-b", cases, rate);
  receivers[0]->Behave(0, 200);
  if (!rt::PollUntil(
          [&] {
            for (const std::string& id : slow.odd_ids)
              if (receivers[0]->ArrivalOf(id) == 0) return false;
            return true;
          },
          absl::Seconds(60), absl::Milliseconds(20)))
    Fail("the slow receiver's backlog was not delivered within 60 s; see " + dir.File("escalation.log"));
  const PagePhase fast2 = RunPagePhase(*stub, receivers, run + "-c", cases, rate);
  receivers[0]->Behave(0, 500);
  const PagePhase failing = RunPagePhase(*stub, receivers, run + "-d", cases, rate);

  std::vector<double> base = fast1.fast_ms;
  base.insert(base.end(), fast2.fast_ms.begin(), fast2.fast_ms.end());
  std::vector<double> f1 = fast1.fast_ms, f2 = fast2.fast_ms;
  const double b50 = Percentile(base, 50), b99 = Percentile(base, 99);
  const std::string common_note =
      absl::StrCat(cases, " after-hours cases per phase at ", rate, "/s, case i paging person i mod 10, each person ",
                   "a webhook receiver on its own port; phases: all fast, one slow, all fast, one failing; baseline ",
                   "= both all-fast phases (", base.size(), " pages; p99 ", Percentile(f1, 99), " ms and ",
                   Percentile(f2, 99), " ms)");
  auto record = [&](const std::string& label, const PagePhase& phase, const std::string& odd) {
    std::vector<double> fast = phase.fast_ms, odd_ms = phase.odd_ms;
    const bool complete =
        phase.fast_ms.size() == phase.fast_expected && base.size() == fast1.fast_expected + fast2.fast_expected;
    const std::string note =
        absl::StrCat(phase.fast_ms.size(), "/", phase.fast_expected, " fast pages; ", odd, ": ", phase.odd_ms.size(),
                     "/", phase.odd_expected, " of its pages in by then (p50 ", Percentile(odd_ms, 50), " ms), ",
                     phase.odd_requests, " requests answered; ", common_note);
    Record({"escalation-slow", "page latency p50 at the 9 fast receivers, " + label, "ms", Percentile(fast, 50),
            "all ten fast, p50", b50, false, "", -1, note});
    const double p99 = Percentile(fast, 99);
    Record({"escalation-slow", "page latency p99 at the 9 fast receivers, " + label, "ms", p99, "all ten fast, p99",
            b99, false, "within noise of all-fast (<= 1.5x)", complete && p99 <= 1.5 * b99 ? 1 : 0, note});
  };
  record(absl::StrCat("one receiver answers after ", slow_ms, " ms"), slow, "slow receiver");
  record("one receiver answers 500", failing, "failing receiver (retried with backoff)");
  escalation->process().Terminate();
  intake->process().Terminate();
  return 0;
}

}  // namespace

// OpenCase over TLS with a JWT on every call (verified once by signature, then from the
// verification cache until it expires) against the same service over plaintext with an API
// token (one hash per call), alternating in one run: the price of transport security and of
// an identity provider's tokens.
int IntakeAuth(int concurrency, double seconds) {
  rt::TempDir dir;
  rt::DevBroker broker;
  const std::string certs = dir.File("tls");
  const std::string make = std::string(RECOVERY_SOURCE_DIR) + "/tools/make_certs.sh " + certs + " >/dev/null 2>&1";
  if (std::system(make.c_str()) != 0) Fail("tools/make_certs.sh failed");
  auto plain = StartService(dir, "intake", broker.bootstrap(), {}, "intake-plain");
  rt::ServiceFlags tls_flags;
  tls_flags.db = dir.File("intake-tls.db");
  tls_flags.extra = {"--tls-cert", certs + "/server.pem", "--tls-key", certs + "/server-key.pem"};
  auto tls = StartService(dir, "intake", broker.bootstrap(), tls_flags, "intake-tls");
  rt::TokenSpec spec;
  spec.sub = "bench-person";
  spec.groups = {"case-managers"};
  const std::string jwt = rt::TestIdentity::Shared().Mint(spec);
  const std::string ca = certs + "/ca.pem";
  const std::string method = "/recovery.v1.Intake/OpenCase";
  const std::string p1 = RunLoadgen(dir, plain->address(), "plain1", concurrency, seconds);
  const std::string t1 = RunLoadgen(dir, tls->address(), "tls1", concurrency, seconds, method, jwt, ca);
  const std::string p2 = RunLoadgen(dir, plain->address(), "plain2", concurrency, seconds);
  const std::string t2 = RunLoadgen(dir, tls->address(), "tls2", concurrency, seconds, method, jwt, ca);
  auto avg = [](const std::string& a, const std::string& b, const char* k) {
    return (JsonNumber(a, k) + JsonNumber(b, k)) / 2;
  };
  const double errors =
      JsonNumber(t1, "errors") + JsonNumber(t2, "errors") + JsonNumber(p1, "errors") + JsonNumber(p2, "errors");
  const std::string note =
      absl::StrCat(concurrency, " in flight, 2 x ", seconds, " s each, alternating; errors: ", errors,
                   errors > 0 ? " (first: " + t1.substr(t1.find("first_error")) + ")" : "");
  const double t = avg(t1, t2, "throughput"), base = avg(p1, p2, "throughput");
  Record({"intake-auth", "OpenCase throughput, TLS + JWT", "req/s", t, "plaintext + API token", base, true,
          ">= 0.9x baseline", t >= 0.9 * base && errors == 0 ? 1 : 0, note});
  Record({"intake-auth", "OpenCase latency p99, TLS + JWT", "ms", avg(t1, t2, "p99_us") / 1e3,
          "plaintext + API token p99", avg(p1, p2, "p99_us") / 1e3, false, "", -1, note});
  plain->process().Terminate();
  tls->process().Terminate();
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"scenario benchmarks on the dev broker"};
  app.require_subcommand(1);
  int concurrency = 16, partitions = 16, cases = 2000, open_target = 10000, burst = 5000;
  int phase_cases = 500, slow_ms = 1000;
  double seconds = 5, rate = 100;
  int64_t events = 100000;
  auto* intake = app.add_subcommand("intake");
  intake->add_option("--concurrency", concurrency);
  intake->add_option("--seconds", seconds);
  auto* intake_auth = app.add_subcommand("intake-auth");
  intake_auth->add_option("--concurrency", concurrency);
  intake_auth->add_option("--seconds", seconds);
  auto* intake_pg = app.add_subcommand("intake-pg");
  intake_pg->add_option("--concurrency", concurrency);
  intake_pg->add_option("--seconds", seconds);
  auto* audit = app.add_subcommand("audit");
  audit->add_option("--events", events);
  audit->add_option("--partitions", partitions);
  auto* esc = app.add_subcommand("escalation");
  esc->add_option("--cases", cases);
  esc->add_option("--rate", rate);
  esc->add_option("--open", open_target);
  esc->add_option("--burst", burst);
  auto* esc_slow = app.add_subcommand("escalation-slow");
  esc_slow->add_option("--cases", phase_cases, "cases per phase");
  esc_slow->add_option("--rate", rate);
  esc_slow->add_option("--slow-ms", slow_ms, "how long the slow receiver takes to answer");
  CLI11_PARSE(app, argc, argv);
  if (*intake) return Intake(concurrency, seconds);
  if (*intake_pg) return IntakePg(concurrency, seconds);
  if (*intake_auth) return IntakeAuth(concurrency, seconds);
  if (*esc_slow) return EscalationSlow(phase_cases, rate, slow_ms);
  if (*audit) return Audit(events, partitions);
  return Escalation(cases, rate, open_target, burst);
}
