// recovery-bench-outbox: what the transactional outbox costs on the real OpenCase handler.
// N distinct OpenCase calls run through IntakeService::OpenCase in process (validation,
// idempotency record, dedup lookup, case and history rows: the handler the gRPC server
// runs), `threads` at a time as the server's threads would, with the case's events going
//   - through the outbox: Outbox::Append in the handler's transaction, published by the
//     relay; timed until the relay has had every row acknowledged by the broker and deleted;
//   - straight to librdkafka from inside the handler's transaction (a dual write, the
//     benchmark-only baseline); timed until every delivery report arrived.
// Each run starts from a new database file; the producer settings are the relay's.
//
//   recovery-bench-outbox --brokers B [--topic T] --dir D [--events 20000] [--rounds 2]
//                         [--threads 1,16]
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "grpcpp/server_context.h"
#include "services/common/auth/access_control.h"
#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/idempotency.h"
#include "services/common/kafka_util.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/intake/app.h"
#include "services/intake/grpc_service.h"
#include "services/intake/store.h"
#include "tools/bench/bench_util.h"

namespace {

using recovery::bench::NowNanos;
namespace rc = recovery::common;
namespace v1 = recovery::v1;

void Check(const absl::Status& s, const std::string& what) {
  if (!s.ok()) {
    std::cerr << "outbox bench: " << what << ": " << s.message() << "\n";
    std::exit(1);
  }
}

std::vector<v1::OpenCaseRequest> MakeRequests(int64_t n) {
  static std::mt19937_64 rng(std::random_device{}());
  const std::string run = std::to_string(rng() % 1000000000);
  std::vector<v1::OpenCaseRequest> out(n);
  for (int64_t i = 0; i < n; ++i) {
    v1::OpenCaseRequest& r = out[i];
    r.set_request_id(absl::StrCat("bench-", run, "-", i));
    r.mutable_client()->set_id(absl::StrCat("client-", run, "-", i));  // never a repeat report
    r.mutable_client()->set_name("Client");
    r.mutable_contact()->set_name("Jane Client");
    r.mutable_contact()->set_email("jane@client.example");
    r.set_channel(v1::CHANNEL_PHONE);
    r.set_category("missed_deadline");
    r.set_severity(v1::SEVERITY_P2);
    r.set_summary("Quarterly report delivered two days late; client could not present to board");
    r.set_emotional_state(v1::EMOTIONAL_STATE_FRUSTRATED);
  }
  return out;
}

std::unique_ptr<rc::Store> FreshStore(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = rc::OpenSqliteStore(path);
  Check(store.status(), "open");
  Check(rc::Outbox::Migrate(**store), "migrate outbox");
  Check(rc::MigrateIdempotency(**store), "migrate idempotency");
  Check(recovery::intake::MigrateIntakeTables(**store), "migrate intake");
  return std::move(*store);
}

// The bench calls the handler object itself, as an integration would through the server.
rc::Caller BenchCaller() {
  rc::Caller caller;
  caller.principal.kind = rc::Principal::Kind::kIntegration;
  caller.principal.id = "bench";
  caller.principal.roles = {"integration"};
  caller.policy = rc::Policy::DefaultShared();
  return caller;
}

// Runs every request through OpenCase on `threads` threads; returns when all returned.
void CallOpenCase(rc::Store& store, recovery::intake::IntakeApp& actions,
                  const std::vector<v1::OpenCaseRequest>& requests, int threads) {
  recovery::intake::IntakeService service(store, rc::SystemClock::Instance(), actions);
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < requests.size();) {
        v1::OpenCaseResponse out;
        grpc::ServerContext ctx;
        const rc::InProcessCall admitted(&ctx, BenchCaller());
        const grpc::Status s = service.OpenCase(&ctx, &requests[i], &out);
        if (!s.ok()) Check(absl::InternalError(s.error_message()), "OpenCase");
      }
    });
  }
  for (auto& t : pool) t.join();
}

struct Run {
  double rate = 0;  // events/s until every event was acknowledged
  double transactions_per_commit = 0;
};

Run Finish(rc::Store& store, int64_t t0, int64_t n) {
  const rc::StoreCounters c = store.counters();
  return {static_cast<double>(n) / (static_cast<double>(NowNanos() - t0) / 1e9),
          c.commits > 0 ? static_cast<double>(c.transactions) / static_cast<double>(c.commits) : 0};
}

Run RunOutbox(const std::string& path, const rc::KafkaSettings& settings, int64_t n, int threads) {
  auto store = FreshStore(path);
  rc::Outbox outbox(*store);
  Check(outbox.Start(settings), "outbox start");
  rc::TimerService timers(*store, rc::SystemClock::Instance());
  recovery::intake::IntakeApp actions(timers, outbox, recovery::intake::DefaultIntakeConfig());
  const auto requests = MakeRequests(n);
  const int64_t t0 = NowNanos();
  CallOpenCase(*store, actions, requests, threads);
  while (outbox.Backlog() != 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
  Run r = Finish(*store, t0, n);
  outbox.Stop();
  return r;
}

struct Delivered : public RdKafka::DeliveryReportCb {
  std::atomic<int64_t> ok{0}, failed{0};
  void dr_cb(RdKafka::Message& m) override { (m.err() == RdKafka::ERR_NO_ERROR ? ok : failed)++; }
};

Run RunDirect(const std::string& path, const rc::KafkaSettings& settings, int64_t n, int threads) {
  auto store = FreshStore(path);
  Delivered dr;
  auto conf = rc::MakeKafkaConf({{"bootstrap.servers", settings.brokers},
                                 {"enable.idempotence", "true"},
                                 {"acks", "all"},
                                 {"linger.ms", "1"},
                                 {"socket.nagle.disable", "true"},
                                 {"message.timeout.ms", "15000"},
                                 {"client.id", "bench-direct"}});
  Check(conf.status(), "producer settings");
  std::string err;
  (*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&dr), err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), err));
  if (!producer) Check(absl::InternalError(err), "producer");
  // The dual write: produce inside the handler's transaction, before it commits.
  recovery::intake::IntakeApp actions(
      [&](rc::Tx&, const rc::Effects& effects) -> absl::Status {
        for (const v1::Event& e : effects.events) {
          const std::string bytes = e.SerializeAsString();
          for (;;) {
            RdKafka::Headers* h = RdKafka::Headers::create();
            h->add("type", rc::EventTypeName(e));
            h->add("event_id", e.event_id());
            auto r = producer->produce(settings.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                       const_cast<char*>(bytes.data()), bytes.size(), e.case_id().data(),
                                       e.case_id().size(), 0, h, nullptr);
            if (r == RdKafka::ERR_NO_ERROR) break;
            delete h;
            if (r != RdKafka::ERR__QUEUE_FULL) return absl::InternalError(RdKafka::err2str(r));
            producer->poll(10);
          }
          producer->poll(0);
        }
        return absl::OkStatus();
      },
      recovery::intake::DefaultIntakeConfig());
  const auto requests = MakeRequests(n);
  const int64_t t0 = NowNanos();
  CallOpenCase(*store, actions, requests, threads);
  while (dr.ok + dr.failed < n) producer->poll(1);
  if (dr.failed > 0) Check(absl::InternalError(absl::StrCat(dr.failed.load(), " failed deliveries")), "direct");
  return Finish(*store, t0, n);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"outbox cost benchmark"};
  std::string brokers, topic = "recovery.case-events", dir;
  int64_t events = 20000;
  int rounds = 2;
  std::vector<int> thread_counts{1, 16};
  app.add_option("--brokers", brokers)->required();
  app.add_option("--topic", topic);
  app.add_option("--dir", dir)->required();
  app.add_option("--events", events);
  app.add_option("--rounds", rounds);
  app.add_option("--threads", thread_counts)->delimiter(',');
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/outbox.db";
  rc::KafkaSettings settings;
  settings.brokers = brokers;
  settings.topic = topic;
  // Warm-up: connections, metadata, page cache.
  RunDirect(path, settings, 1000, 1);
  RunOutbox(path, settings, 1000, 1);
  for (int threads : thread_counts) {
    double outbox_sum = 0, direct_sum = 0, outbox_tpc = 0, direct_tpc = 0;
    for (int r = 0; r < rounds; ++r) {  // alternating, so drift on a shared machine hits both
      const Run d = RunDirect(path, settings, events, threads);
      const Run o = RunOutbox(path, settings, events, threads);
      std::cerr << "threads " << threads << " round " << r << ": direct " << d.rate << "/s, outbox " << o.rate
                << "/s\n";
      direct_sum += d.rate;
      outbox_sum += o.rate;
      direct_tpc += d.transactions_per_commit;
      outbox_tpc += o.transactions_per_commit;
    }
    const double outbox_rate = outbox_sum / rounds, direct_rate = direct_sum / rounds;
    recovery::bench::Record(
        {"outbox",
         absl::StrCat("OpenCase handler, ", threads, threads == 1 ? " call" : " calls",
                      " at a time: via outbox + relay"),
         "events/s", outbox_rate, "same handler producing directly (dual write)", direct_rate, true, ">= 0.8x baseline",
         outbox_rate >= 0.8 * direct_rate ? 1 : 0,
         absl::StrCat(events, " OpenCase x ", rounds, " rounds, new SQLite file each, until the broker acked all; ",
                      "transactions per commit: outbox ", outbox_tpc / rounds, ", direct ", direct_tpc / rounds)});
  }
  return 0;
}
