// recovery-bench-outbox: what the transactional outbox costs. The same handler (one store
// write in a transaction) publishes N CaseOpened events either through Outbox::Append + the
// relay (measured until the relay has had every row acknowledged and deleted) or by producing
// directly with librdkafka from inside the handler (a dual write, benchmark-only baseline,
// measured until every delivery report arrived). Same producer settings as the relay.
//
//   recovery-bench-outbox --brokers B [--topic T] --dir D [--events 20000] [--rounds 2]
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/time/clock.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "tools/bench/bench_util.h"

namespace {

using recovery::bench::NowNanos;
namespace rc = recovery::common;

void Check(const absl::Status& s, const std::string& what) {
  if (!s.ok()) {
    std::cerr << "outbox bench: " << what << ": " << s.message() << "\n";
    std::exit(1);
  }
}

recovery::v1::Event MakeEvent(int64_t i) {
  const absl::Time now = absl::Now();
  auto e = rc::NewEvent(now, rc::NewId(now), "bench", "bench", "req-" + std::to_string(i));
  auto* b = e.mutable_case_opened();
  b->mutable_client()->set_id("client-" + std::to_string(i));
  b->mutable_client()->set_name("Client");
  b->set_category("missed_deadline");
  b->set_severity(recovery::v1::SEVERITY_P2);
  b->set_summary("Quarterly report delivered late");
  return e;
}

absl::Status StoreWrite(rc::Tx& tx, const recovery::v1::Event& e) {
  return tx.Exec("INSERT INTO bench_cases (id, body) VALUES (?, ?)", {e.case_id(), rc::Blob{e.SerializeAsString()}});
}

struct Delivered : public RdKafka::DeliveryReportCb {
  std::atomic<int64_t> ok{0}, failed{0};
  void dr_cb(RdKafka::Message& m) override { (m.err() == RdKafka::ERR_NO_ERROR ? ok : failed)++; }
};

double RunOutbox(rc::Store& store, const rc::KafkaSettings& settings, int64_t n) {
  rc::Outbox outbox(store);
  Check(outbox.Start(settings), "outbox start");
  std::vector<recovery::v1::Event> events;
  for (int64_t i = 0; i < n; ++i) events.push_back(MakeEvent(i));
  const int64_t t0 = NowNanos();
  for (const auto& e : events) {
    Check(rc::InTransaction(store,
                            [&](rc::Tx& tx) -> absl::Status {
                              if (auto s = StoreWrite(tx, e); !s.ok()) return s;
                              return outbox.Append(tx, e);
                            }),
          "outbox tx");
  }
  const int64_t t_handlers = NowNanos();
  while (outbox.Backlog() != 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
  const double secs = static_cast<double>(NowNanos() - t0) / 1e9;
  std::cerr << "outbox: handlers done after " << static_cast<double>(t_handlers - t0) / 1e6 << " ms, drained after "
            << secs * 1e3 << " ms\n";
  outbox.Stop();
  return static_cast<double>(n) / secs;
}

double RunDirect(rc::Store& store, const rc::KafkaSettings& settings, int64_t n) {
  Delivered dr;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : std::map<std::string, std::string>{{"bootstrap.servers", settings.brokers},
                                                               {"enable.idempotence", "true"},
                                                               {"acks", "all"},
                                                               {"linger.ms", "1"},
                                                               {"socket.nagle.disable", "true"},
                                                               {"message.timeout.ms", "15000"},
                                                               {"client.id", "bench-direct"}})
    conf->set(k, v, err);
  conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&dr), err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) {
    std::cerr << err << "\n";
    std::exit(1);
  }
  std::vector<recovery::v1::Event> events;
  for (int64_t i = 0; i < n; ++i) events.push_back(MakeEvent(i));
  const int64_t t0 = NowNanos();
  for (const auto& e : events) {
    Check(rc::InTransaction(store,
                            [&](rc::Tx& tx) -> absl::Status {
                              if (auto s = StoreWrite(tx, e); !s.ok()) return s;
                              const std::string bytes = e.SerializeAsString();
                              for (;;) {
                                RdKafka::Headers* h = RdKafka::Headers::create();
                                h->add("type", rc::EventTypeName(e));
                                h->add("event_id", e.event_id());
                                auto r = producer->produce(settings.topic, RdKafka::Topic::PARTITION_UA,
                                                           RdKafka::Producer::RK_MSG_COPY,
                                                           const_cast<char*>(bytes.data()), bytes.size(),
                                                           e.case_id().data(), e.case_id().size(), 0, h, nullptr);
                                if (r == RdKafka::ERR_NO_ERROR) break;
                                delete h;
                                if (r != RdKafka::ERR__QUEUE_FULL) return absl::InternalError(RdKafka::err2str(r));
                                producer->poll(10);
                              }
                              producer->poll(0);
                              return absl::OkStatus();
                            }),
          "direct tx");
  }
  const int64_t t_handlers = NowNanos();
  while (dr.ok + dr.failed < n) producer->poll(1);
  std::cerr << "direct: handlers done after " << static_cast<double>(t_handlers - t0) / 1e6 << " ms, acked after "
            << static_cast<double>(NowNanos() - t0) / 1e6 << " ms\n";
  const double secs = static_cast<double>(NowNanos() - t0) / 1e9;
  if (dr.failed > 0) std::cerr << "direct: " << dr.failed << " failed deliveries\n";
  return static_cast<double>(n) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"outbox cost benchmark"};
  std::string brokers, topic = "recovery.case-events", dir;
  int64_t events = 20000;
  int rounds = 2;
  app.add_option("--brokers", brokers)->required();
  app.add_option("--topic", topic);
  app.add_option("--dir", dir)->required();
  app.add_option("--events", events);
  app.add_option("--rounds", rounds);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/outbox.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = rc::OpenSqliteStore(path);
  Check(store.status(), "open");
  Check(rc::Outbox::Migrate(**store), "migrate");
  Check((*store)->Migrate("bench", {"CREATE TABLE bench_cases (id TEXT PRIMARY KEY, body BLOB NOT NULL)"}), "migrate");
  rc::KafkaSettings settings;
  settings.brokers = brokers;
  settings.topic = topic;
  // Warm-up: connections, metadata, page cache.
  RunDirect(**store, settings, 1000);
  RunOutbox(**store, settings, 1000);
  double outbox_sum = 0, direct_sum = 0;
  for (int r = 0; r < rounds; ++r) {
    direct_sum += RunDirect(**store, settings, events);
    outbox_sum += RunOutbox(**store, settings, events);
  }
  const double outbox_rate = outbox_sum / rounds, direct_rate = direct_sum / rounds;
  recovery::bench::Record({"outbox", "handler publish rate via outbox + relay", "events/s", outbox_rate,
                           "direct librdkafka produce in the handler", direct_rate, true, ">= 0.8x baseline",
                           outbox_rate >= 0.8 * direct_rate ? 1 : 0,
                           std::to_string(events) + " events x " + std::to_string(rounds) +
                               " rounds, same store write, until broker acked"});
  return 0;
}
