// Prometheus metrics of one service process: RPCs, outbox backlog, consumer lag, timers.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace recovery::common {

// Thread-safe. Metric updates are cheap (atomic counters behind prometheus-cpp).
class Metrics {
 public:
  explicit Metrics(std::string service);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Serves the Prometheus text format on http://addr/metrics.
  absl::Status Serve(const std::string& addr);

  void ObserveRpc(std::string_view method, std::string_view code, double seconds);
  void SetOutboxBacklog(double n);
  void CountPublished(double n);
  void SetConsumerLag(double n);
  void CountConsumed(std::string_view outcome);  // handled, duplicate, malformed, dead_letter, retry, rejected
  // An event the consumer parked in dead_letters: malformed, invalid, handler_failed (alert on it).
  void CountConsumerDeadLetter(std::string_view reason);
  void SetTimersPending(double n);
  void CountTimerFired(std::string_view kind);
  // A timer that kept failing and was set aside (alert on it).
  void CountTimerFailed(std::string_view kind);
  // A service's own counter, e.g. pages_delivered_total.
  void Count(std::string_view name, std::string_view label_value = "", double n = 1);
  // A counter kept elsewhere and read at every scrape (e.g. the store's transactions and
  // commits), named recovery_<name>. `read` is called from the scraping thread until
  // StopReading().
  void CountFrom(std::string_view name, std::string_view help, std::function<double()> read);
  // Stops every CountFrom source: call before what they read is destroyed.
  void StopReading();

  // Current text exposition (for tests and the bench).
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace recovery::common
