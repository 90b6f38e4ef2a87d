// Metrics on prometheus-cpp.
#include "services/common/metrics.h"

#include <map>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace recovery::common {
namespace {

// Counters whose values live elsewhere, read when Prometheus scrapes.
class ReadCounters final : public prometheus::Collectable {
 public:
  explicit ReadCounters(std::string service) : service_(std::move(service)) {}

  void Add(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(mu_);
    sources_.push_back({std::move(name), std::move(help), std::move(read)});
  }
  void Clear() {
    std::lock_guard lock(mu_);
    sources_.clear();
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard lock(mu_);
    std::vector<prometheus::MetricFamily> out;
    for (const Source& s : sources_) {
      prometheus::ClientMetric m;
      m.label.push_back({"service", service_});
      m.counter.value = s.read();
      out.push_back({s.name, s.help, prometheus::MetricType::Counter, {m}});
    }
    return out;
  }

 private:
  struct Source {
    std::string name, help;
    std::function<double()> read;
  };
  const std::string service_;
  mutable std::mutex mu_;
  std::vector<Source> sources_;
};

}  // namespace

struct Metrics::Impl {
  std::string service;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  prometheus::Family<prometheus::Counter>* rpc_total;
  prometheus::Family<prometheus::Histogram>* rpc_seconds;
  prometheus::Gauge* outbox_backlog;
  prometheus::Counter* published;
  prometheus::Gauge* consumer_lag;
  prometheus::Family<prometheus::Counter>* consumed;
  prometheus::Gauge* timers_pending;
  prometheus::Family<prometheus::Counter>* timers_fired;
  prometheus::Family<prometheus::Counter>* consumer_dead_letters;
  prometheus::Family<prometheus::Counter>* timers_failed;
  std::mutex mu;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> custom;
  std::shared_ptr<ReadCounters> read;
};

Metrics::Metrics(std::string service) : impl_(std::make_unique<Impl>()) {
  impl_->service = service;
  impl_->read = std::make_shared<ReadCounters>(service);
  auto& r = *impl_->registry;
  const std::map<std::string, std::string> labels{{"service", service}};
  impl_->rpc_total =
      &prometheus::BuildCounter().Name("recovery_rpc_total").Help("RPCs handled").Labels(labels).Register(r);
  impl_->rpc_seconds =
      &prometheus::BuildHistogram().Name("recovery_rpc_seconds").Help("RPC latency").Labels(labels).Register(r);
  impl_->outbox_backlog = &prometheus::BuildGauge()
                               .Name("recovery_outbox_backlog")
                               .Help("events committed but not yet published")
                               .Labels(labels)
                               .Register(r)
                               .Add({});
  impl_->published = &prometheus::BuildCounter()
                          .Name("recovery_outbox_published_total")
                          .Help("events published")
                          .Labels(labels)
                          .Register(r)
                          .Add({});
  impl_->consumer_lag = &prometheus::BuildGauge()
                             .Name("recovery_consumer_lag")
                             .Help("messages behind the partition end")
                             .Labels(labels)
                             .Register(r)
                             .Add({});
  impl_->consumed = &prometheus::BuildCounter()
                         .Name("recovery_events_consumed_total")
                         .Help("events consumed")
                         .Labels(labels)
                         .Register(r);
  impl_->timers_pending = &prometheus::BuildGauge()
                               .Name("recovery_timers_pending")
                               .Help("durable timers waiting")
                               .Labels(labels)
                               .Register(r)
                               .Add({});
  impl_->timers_fired =
      &prometheus::BuildCounter().Name("recovery_timers_fired_total").Help("timers fired").Labels(labels).Register(r);
  impl_->consumer_dead_letters = &prometheus::BuildCounter()
                                      .Name("recovery_consumer_dead_letters_total")
                                      .Help("events the consumer parked in dead_letters")
                                      .Labels(labels)
                                      .Register(r);
  impl_->timers_failed = &prometheus::BuildCounter()
                              .Name("recovery_timers_failed_total")
                              .Help("timers set aside after their handler kept failing")
                              .Labels(labels)
                              .Register(r);
}

Metrics::~Metrics() = default;

absl::Status Metrics::Serve(const std::string& addr) {
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(addr);
    impl_->exposer->RegisterCollectable(impl_->registry);
    impl_->exposer->RegisterCollectable(impl_->read);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("--metrics-listen: ", e.what()));
  }
  return absl::OkStatus();
}

void Metrics::ObserveRpc(std::string_view method, std::string_view code, double seconds) {
  impl_->rpc_total->Add({{"method", std::string(method)}, {"code", std::string(code)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,   0.1,   0.25,   0.5,   1,    2.5};
  impl_->rpc_seconds->Add({{"method", std::string(method)}}, kBuckets).Observe(seconds);
}

void Metrics::SetOutboxBacklog(double n) { impl_->outbox_backlog->Set(n); }
void Metrics::CountPublished(double n) { impl_->published->Increment(n); }
void Metrics::SetConsumerLag(double n) { impl_->consumer_lag->Set(n); }
void Metrics::CountConsumed(std::string_view outcome) {
  impl_->consumed->Add({{"outcome", std::string(outcome)}}).Increment();
}
void Metrics::SetTimersPending(double n) { impl_->timers_pending->Set(n); }
void Metrics::CountTimerFired(std::string_view kind) {
  impl_->timers_fired->Add({{"kind", std::string(kind)}}).Increment();
}

void Metrics::CountConsumerDeadLetter(std::string_view reason) {
  impl_->consumer_dead_letters->Add({{"reason", std::string(reason)}}).Increment();
}
void Metrics::CountTimerFailed(std::string_view kind) {
  impl_->timers_failed->Add({{"kind", std::string(kind)}}).Increment();
}

void Metrics::Count(std::string_view name, std::string_view label_value, double n) {
  prometheus::Family<prometheus::Counter>* family;
  {
    std::lock_guard lock(impl_->mu);
    auto& f = impl_->custom[std::string(name)];
    if (!f) {
      f = &prometheus::BuildCounter()
               .Name(absl::StrCat("recovery_", std::string(name)))
               .Help(std::string(name))
               .Labels({{"service", impl_->service}})
               .Register(*impl_->registry);
    }
    family = f;
  }
  if (label_value.empty())
    family->Add({}).Increment(n);
  else
    family->Add({{"kind", std::string(label_value)}}).Increment(n);
}

void Metrics::CountFrom(std::string_view name, std::string_view help, std::function<double()> read) {
  impl_->read->Add(absl::StrCat("recovery_", std::string(name)), std::string(help), std::move(read));
}

void Metrics::StopReading() { impl_->read->Clear(); }

std::string Metrics::Render() const {
  prometheus::TextSerializer serializer;
  std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
  for (auto& f : impl_->read->Collect()) families.push_back(std::move(f));
  return serializer.Serialize(families);
}

}  // namespace recovery::common
