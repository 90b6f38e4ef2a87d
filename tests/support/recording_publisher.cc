// RecordingPublisher: records deliveries, refuses what the test asked it to.
#include "tests/support/recording_publisher.h"

#include <gtest/gtest.h>

#include <set>

namespace recovery::testing {

using common::Delivery;
using common::OutboundEvent;
using common::PublishResult;

void RecordingPublisher::FailPermanently(Match match, std::string error) {
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(match), Delivery::kPermanent, -1, std::move(error)});
}

void RecordingPublisher::FailRetryably(Match match, int times, std::string error) {
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(match), Delivery::kRetryable, times, std::move(error)});
}

void RecordingPublisher::ClearFailures() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

bool RecordingPublisher::Matches(const Match& m, const OutboundEvent& e) {
  return (m.type.empty() || m.type == e.type) && (m.event_id.empty() || m.event_id == e.event_id);
}

std::vector<PublishResult> RecordingPublisher::Publish(const std::vector<OutboundEvent>& batch, std::stop_token) {
  std::lock_guard lock(mu_);
  std::vector<PublishResult> results;
  results.reserve(batch.size());
  std::set<std::string> held;  // keys with a retryable failure earlier in this batch
  for (const OutboundEvent& e : batch) {
    ++attempts_;
    if (held.count(e.key)) {
      ++retryable_;
      results.push_back({Delivery::kRetryable, "an earlier event of this case was not published"});
      continue;
    }
    PublishResult r{Delivery::kDelivered, ""};
    for (Rule& rule : rules_) {
      if (rule.remaining == 0 || !Matches(rule.match, e)) continue;
      if (rule.remaining > 0) --rule.remaining;
      r = {rule.delivery, rule.error};
      break;
    }
    switch (r.delivery) {
      case Delivery::kDelivered:
        delivered_.push_back(e);
        break;
      case Delivery::kPermanent:
        ++permanent_;
        break;
      case Delivery::kRetryable:
        ++retryable_;
        held.insert(e.key);
        break;
    }
    results.push_back(std::move(r));
  }
  return results;
}

std::vector<OutboundEvent> RecordingPublisher::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

size_t RecordingPublisher::delivered_count() const {
  std::lock_guard lock(mu_);
  return delivered_.size();
}

std::vector<recovery::v1::Event> RecordingPublisher::DeliveredEvents(size_t from) const {
  std::lock_guard lock(mu_);
  std::vector<recovery::v1::Event> out;
  for (size_t i = from; i < delivered_.size(); ++i) {
    recovery::v1::Event e;
    EXPECT_TRUE(e.ParseFromString(delivered_[i].value)) << "published record " << i << " does not parse";
    out.push_back(std::move(e));
  }
  return out;
}

int64_t RecordingPublisher::attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

int64_t RecordingPublisher::refused_permanently() const {
  std::lock_guard lock(mu_);
  return permanent_;
}

int64_t RecordingPublisher::refused_retryably() const {
  std::lock_guard lock(mu_);
  return retryable_;
}

}  // namespace recovery::testing
