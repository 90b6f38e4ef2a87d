// The delivery worker loop: claim in one transaction, send outside, record in another.
#include "services/escalation/delivery/worker.h"

#include "absl/strings/str_cat.h"
#include "services/common/logging.h"

namespace recovery::escalation::delivery {

DeliveryWorker::DeliveryWorker(common::Store& store, common::Clock& clock, Hooks hooks,
                               std::map<Channel, Sender*> senders, BackoffPolicy backoff)
    : store_(store), clock_(clock), hooks_(std::move(hooks)), senders_(std::move(senders)), backoff_(backoff) {
  jump_listener_ = clock_.OnJump([this] { Wake(); });
}

DeliveryWorker::~DeliveryWorker() {
  clock_.RemoveOnJump(jump_listener_);
  Stop();
}

absl::Status DeliveryWorker::Recover() {
  return common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    auto n = RequeueInterrupted(tx, clock_.Now());
    if (!n.ok()) return n.status();
    if (*n > 0) common::LogWarn("requeued deliveries interrupted by a restart", {{"count", absl::StrCat(*n)}});
    return absl::OkStatus();
  });
}

void DeliveryWorker::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { Loop(); });
}

void DeliveryWorker::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

absl::StatusOr<DeliveryWorker::Claim> DeliveryWorker::ClaimNext(Delivery* out) {
  Claim claim = Claim::kNone;
  auto s = common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    claim = Claim::kNone;
    auto due = DueDeliveries(tx, clock_.Now(), 1);
    if (!due.ok()) return due.status();
    if (due->empty()) return absl::OkStatus();
    Delivery d = (*due)[0];
    bool wanted = true;
    if (hooks_.still_wanted) {
      auto w = hooks_.still_wanted(tx, d);
      if (!w.ok()) return w.status();
      wanted = *w;
    }
    if (!wanted) {
      d.status = kCancelled;
      claim = Claim::kSkipped;
    } else {
      d.status = kSending;
      d.attempts += 1;
      claim = Claim::kClaimed;
    }
    *out = d;
    return UpdateDelivery(tx, d);
  });
  if (!s.ok()) return s;
  return claim;
}

absl::Status DeliveryWorker::RecordOutcome(const Delivery& claimed, const SendResult& result) {
  return common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    auto current = LoadDelivery(tx, claimed.page_id);
    if (!current.ok()) return current.status();
    if (!current->has_value()) return absl::OkStatus();
    Delivery d = **current;
    if (d.status != kSending && d.status != kCancelled) return absl::OkStatus();  // already recorded
    if (result.ok) {
      // A row cancelled while it was on the wire did go out: record the truth.
      d.status = kDelivered;
      d.last_error.clear();
    } else if (d.status == kCancelled) {
      d.last_error = result.error;  // no retry: nobody wants it any more
    } else if (result.permanent || AttemptsExhausted(d.attempts, backoff_)) {
      d.status = kFailed;
      d.last_error = result.error;
    } else {
      d.status = kPending;
      d.last_error = result.error;
      d.next_attempt_at = clock_.Now() + BackoffDelay(d.attempts, backoff_);
    }
    if (auto s = UpdateDelivery(tx, d); !s.ok()) return s;
    if (hooks_.on_outcome) return hooks_.on_outcome(tx, d, result);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> DeliveryWorker::RunOnce() {
  int sent = 0;
  // Bounded so a flood of due rows cannot starve the stop check.
  for (int i = 0; i < 100; ++i) {
    Delivery d;
    auto claim = ClaimNext(&d);
    if (!claim.ok()) return claim.status();
    if (*claim == Claim::kNone) break;
    if (*claim == Claim::kSkipped) continue;
    SendResult result;
    auto it = senders_.find(d.channel);
    if (it == senders_.end() || it->second == nullptr) {
      result = {false, absl::StrCat("no sender for channel ", std::string(ChannelName(d.channel)))};
    } else {
      result = it->second->Send(d);
    }
    if (!result.ok) {
      common::LogWarn("delivery attempt failed", {{"page_id", d.page_id}, {"channel", std::string(ChannelName(d.channel))},
                                                  {"attempt", absl::StrCat(d.attempts)}, {"error", result.error}});
    }
    if (auto s = RecordOutcome(d, result); !s.ok()) return s;
    ++sent;
  }
  return sent;
}

void DeliveryWorker::Loop() {
  while (running_) {
    auto n = RunOnce();
    if (!n.ok()) common::LogError("delivery worker", {{"error", std::string(n.status().message())}});
    std::unique_lock<std::mutex> lock(mu_);
    // Commits and clock jumps wake us; the short bound covers real time passing a retry's due.
    cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return wake_ || !running_; });
    wake_ = false;
  }
}

}  // namespace recovery::escalation::delivery
