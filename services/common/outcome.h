// The one Outcome: what a domain decision changes. A domain function returns it, pure;
// the service's app applies it once, inside the transaction that commits it (ApplyOutcome in
// services/common/apply.h). Rows are the service's own row changes (a struct of its store);
// events and timer operations are the same for every service.
// Thread-safety: value types.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"

namespace recovery::common {

struct TimerOp {
  enum class Op { kArm, kCancel, kCancelPrefix };
  Op op = Op::kArm;
  std::string kind;
  std::string key;  // for kCancelPrefix: the key prefix
  absl::Time due = absl::InfinitePast();
  std::string payload;

  static TimerOp Arm(std::string kind, std::string key, absl::Time due, std::string payload = "") {
    return {Op::kArm, std::move(kind), std::move(key), due, std::move(payload)};
  }
  static TimerOp Cancel(std::string kind, std::string key) {
    return {Op::kCancel, std::move(kind), std::move(key), absl::InfinitePast(), ""};
  }
  static TimerOp CancelPrefix(std::string kind, std::string prefix) {
    return {Op::kCancelPrefix, std::move(kind), std::move(prefix), absl::InfinitePast(), ""};
  }
  friend bool operator==(const TimerOp&, const TimerOp&) = default;
};

// Events to publish (through the outbox) and timers to arm or cancel.
struct Effects {
  std::vector<recovery::v1::Event> events;
  std::vector<TimerOp> timers;

  bool empty() const { return events.empty() && timers.empty(); }
  void Merge(Effects other) {
    for (auto& e : other.events) events.push_back(std::move(e));
    for (auto& t : other.timers) timers.push_back(std::move(t));
  }
};

// Effects plus the service's own row changes.
template <typename Rows>
struct Outcome : Effects {
  Rows rows;
};

}  // namespace recovery::common
