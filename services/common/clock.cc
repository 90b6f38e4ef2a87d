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

int ManualClock::OnJump(std::function<void()> callback) {
  std::lock_guard lock(listeners_mu_);
  const int id = next_id_++;
  listeners_.emplace_back(id, std::move(callback));
  return id;
}

void ManualClock::RemoveOnJump(int id) {
  std::lock_guard lock(listeners_mu_);
  std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

void ManualClock::NotifyJump() {
  // Listeners run under the listeners' lock so RemoveOnJump cannot return while one of them
  // still runs; a listener may read the time but must not (un)register.
  std::lock_guard lock(listeners_mu_);
  for (auto& [id, l] : listeners_) l();
}

}  // namespace recovery::common
