// LiveHub: the fan-out behind the console's Server-Sent Events (GET /api/events). The console
// consumes the topic in its own consumer group; each event becomes one SSE message (its
// protobuf JSON, once, whatever the number of listeners) queued to every open stream.
//
// A listener that falls behind by more than `max_queue` messages is closed (its browser's
// EventSource reconnects and the screen refetches), so one slow phone cannot hold memory or
// slow the others. Thread-safety: Publish from the consumer's thread, Subscribe/Next/Close
// from the HTTP workers, all at once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"

namespace recovery::console {

class LiveHub {
 public:
  class Listener {
   public:
    // The next SSE message, waiting at most `wait`; nullopt on timeout (send a keep-alive) or
    // once closed (closed() says which).
    std::optional<std::string> Next(absl::Duration wait);
    bool closed() const;

   private:
    friend class LiveHub;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
    bool closed_ ABSL_GUARDED_BY(mu_) = false;
  };

  explicit LiveHub(size_t max_queue = 1000) : max_queue_(max_queue) {}

  std::shared_ptr<Listener> Subscribe();
  void Unsubscribe(const std::shared_ptr<Listener>& listener);
  // Queues the event to every listener (configuration changes and access records, keyed
  // "config:" and "access:", are not sent).
  void Publish(const recovery::v1::Event& event);
  // Closes every stream (the console stops).
  void CloseAll();

  size_t listeners() const;
  int64_t published() const;
  int64_t dropped_listeners() const;

  // The SSE message of an event: "id: <event id>\nevent: event\ndata: <JSON>\n\n".
  static std::string Message(const recovery::v1::Event& event);

 private:
  const size_t max_queue_;
  mutable std::mutex mu_;
  std::set<std::shared_ptr<Listener>> listeners_ ABSL_GUARDED_BY(mu_);
  int64_t published_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace recovery::console
