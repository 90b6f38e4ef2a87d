// Injectable time source: the system clock in production, a manual clock in tests.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace recovery::common {

// Thread-safe. Everything in the platform that needs "now" asks a Clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Registers a callback run after the clock jumps (manual clocks only); lets
  // timer loops wake at once instead of waiting for real time to pass. Returns an id for
  // RemoveOnJump; an object that registers must remove itself before it is destroyed.
  virtual int OnJump(std::function<void()> /*callback*/) { return 0; }
  virtual void RemoveOnJump(int /*id*/) {}
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  static SystemClock& Instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void Set(absl::Time t);
  void Advance(absl::Duration d);
  int OnJump(std::function<void()> callback) override;
  void RemoveOnJump(int id) override;

 private:
  void NotifyJump();
  mutable std::mutex mu_;
  absl::Time now_;
  std::mutex listeners_mu_;
  int next_id_ = 1;
  std::vector<std::pair<int, std::function<void()>>> listeners_;
};

}  // namespace recovery::common
