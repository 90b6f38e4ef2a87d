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
  // timer loops wake at once instead of waiting for real time to pass.
  virtual void OnJump(std::function<void()> /*callback*/) {}
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
  void OnJump(std::function<void()> callback) override;

 private:
  void NotifyJump();
  mutable std::mutex mu_;
  absl::Time now_;
  std::vector<std::function<void()>> listeners_;
};

}  // namespace recovery::common
