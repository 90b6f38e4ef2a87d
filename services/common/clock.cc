// Clock implementations.
#include "services/common/clock.h"

namespace recovery::common {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

absl::Time ManualClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void ManualClock::Set(absl::Time t) {
  {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  NotifyJump();
}

void ManualClock::Advance(absl::Duration d) {
  {
    std::lock_guard lock(mu_);
    now_ += d;
  }
  NotifyJump();
}

void ManualClock::OnJump(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(callback));
}

void ManualClock::NotifyJump() {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (auto& l : listeners) l();
}

}  // namespace recovery::common
