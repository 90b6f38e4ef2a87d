// Test helper process: THREADS threads commit rows into DB as fast as they can (so SQLite
// groups their transactions) and, after each Commit() returned OK, print "ack <id>" on
// stdout (and now and then "counters <transactions> <commits>"). store_crash_test SIGKILLs
// it and checks that every acknowledged row is there.
#include <unistd.h>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "services/common/logging.h"
#include "services/common/store.h"

using namespace recovery::common;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: store_crash_writer DB THREADS FIRST_ID\n";
    return 2;
  }
  const std::string db = argv[1];
  const int threads = std::stoi(argv[2]);
  const int64_t first_id = std::stoll(argv[3]);
  InitLogging("store-crash-writer", "warn");
  auto store = OpenStore(db);
  if (!store.ok() || !(*store)
                          ->Migrate("writer", {"CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
                                               "CREATE TABLE log (id INTEGER NOT NULL, note TEXT NOT NULL)"})
                          .ok()) {
    std::cerr << "store failed\n";
    return 2;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int64_t i = 0;; ++i) {
        const int64_t id = first_id + int64_t{t} * 1'000'000 + i;
        auto s = InTransaction(**store, [&](Tx& tx) -> absl::Status {
          if (auto e = tx.Exec("INSERT INTO rows (id, body) VALUES (?, ?)", {id, std::string(200, 'x')}); !e.ok())
            return e;
          return tx.Exec("INSERT INTO log (id, note) VALUES (?, 'written')", {id});
        });
        if (!s.ok()) {
          std::cerr << "commit failed: " << s << "\n";
          std::_Exit(3);
        }
        // One write(2) per line: lines from different threads never interleave.
        std::string line = "ack " + std::to_string(id) + "\n";
        if (t == 0 && i % 20 == 0) {  // shows the test that transactions did share commits
          const StoreCounters c = (*store)->counters();
          line += "counters " + std::to_string(c.transactions) + " " + std::to_string(c.commits) + "\n";
        }
        if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(4);
      }
    });
  }
  for (auto& t : pool) t.join();
  return 0;
}
