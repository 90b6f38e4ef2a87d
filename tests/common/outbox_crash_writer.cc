// Test helper process: appends events seq 0..N-1 through the outbox (10 per transaction,
// resuming after the last committed one) while the relay publishes; exits 0 once every
// event is appended and published. The crash test SIGKILLs it at random points.
#include <chrono>
#include <iostream>
#include <thread>

#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/common/store.h"

using namespace recovery::common;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: outbox_crash_writer DB BROKERS TOPIC N\n";
    return 2;
  }
  const std::string db = argv[1], brokers = argv[2], topic = argv[3];
  const int n = std::stoi(argv[4]);
  InitLogging("crash-writer", "warn");
  auto store = OpenStore(db);
  if (!store.ok() || !Outbox::Migrate(**store).ok() ||
      !(*store)->Migrate("writer", {"CREATE TABLE progress (seq INTEGER PRIMARY KEY)"}).ok()) {
    std::cerr << "store failed\n";
    return 2;
  }
  Outbox outbox(**store);
  if (auto s = outbox.Start({brokers, topic, "", 10}); !s.ok()) {
    std::cerr << s << "\n";
    return 2;
  }
  for (;;) {
    int64_t next = 0;
    auto s = InTransaction(**store, [&](Tx& tx) -> absl::Status {
      auto rows = tx.Query("SELECT COALESCE(MAX(seq) + 1, 0) FROM progress");
      if (!rows.ok()) return rows.status();
      next = (*rows)[0].Int(0);
      for (int64_t seq = next; seq < std::min<int64_t>(next + 10, n); ++seq) {
        if (auto e = tx.Exec("INSERT INTO progress (seq) VALUES (?)", {seq}); !e.ok()) return e;
        auto event =
            NewEvent(SystemClock::Instance().Now(), "case-" + std::to_string(seq % 7), "crash-writer", "test", "");
        event.mutable_signal_recorded()->set_signal_id(std::to_string(seq));
        if (auto e = outbox.Append(tx, event); !e.ok()) return e;
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      std::cerr << s << "\n";
      return 2;
    }
    if (next >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!outbox.WaitDrained(absl::Seconds(60))) return 3;
  outbox.Stop();
  return 0;
}
