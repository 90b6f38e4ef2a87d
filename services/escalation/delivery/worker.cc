// The delivery worker: a dispatcher claims due rows within the concurrency bounds under a
// lease, a pool sends them, each outcome is recorded in its own transaction.
#include "services/escalation/delivery/worker.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/logging.h"

namespace recovery::escalation::delivery {
namespace {

double Random01() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

// Splits "<replica>/<pid>/<random>"; false for other shapes (rows of older versions).
bool ParseOwner(const std::string& owner, std::string* replica, pid_t* pid) {
  const size_t last = owner.rfind('/');
  if (last == std::string::npos || last == 0) return false;
  const size_t mid = owner.rfind('/', last - 1);
  if (mid == std::string::npos) return false;
  int64_t n = 0;
  if (!absl::SimpleAtoi(owner.substr(mid + 1, last - mid - 1), &n) || n <= 0) return false;
  *replica = owner.substr(0, mid);
  *pid = static_cast<pid_t>(n);
  return true;
}

bool ProcessGone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

std::string DefaultOwnerId() {
  std::string replica;
  if (const char* id = std::getenv("RECOVERY_REPLICA_ID"); id != nullptr && *id != '\0') {
    replica = id;
  } else {
    char host[256] = {};
    replica = ::gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0' ? host : "localhost";
  }
  std::random_device rd;
  return absl::StrCat(replica, "/", ::getpid(), "/", absl::Hex(rd(), absl::kZeroPad8));
}

DeliveryWorker::DeliveryWorker(common::Store& store, common::Clock& clock, Hooks hooks,
                               std::map<Channel, Sender*> senders, DeliveryOptions options)
    : store_(store),
      clock_(clock),
      hooks_(std::move(hooks)),
      senders_(std::move(senders)),
      options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = DefaultOwnerId();
  if (options_.max_in_flight < 1) options_.max_in_flight = 1;
  if (options_.per_host < 1) options_.per_host = 1;
  if (options_.metrics != nullptr) {
    // Exported at 0 from the start, so an alert on their rate has a series to watch.
    for (const char* reason : {"requeued", "lease_expired"})
      options_.metrics->Count("delivery_resends_total", reason, 0);
    for (const char* name :
         {"delivery_record_retries_total", "delivery_records_abandoned_total", "delivery_lease_lost_total"})
      options_.metrics->Count(name, "", 0);
  }
  for (int i = 0; i < options_.max_in_flight; ++i) pool_.emplace_back([this] { PoolLoop(); });
  jump_listener_ = clock_.OnJump([this] { Wake(); });
}

DeliveryWorker::~DeliveryWorker() {
  clock_.RemoveOnJump(jump_listener_);
  Stop();
  WaitIdle();
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : pool_) t.join();
}

absl::Status DeliveryWorker::Recover() {
  std::string my_replica;
  pid_t my_pid = 0;
  ParseOwner(options_.owner, &my_replica, &my_pid);
  int64_t requeued = 0;
  auto s = common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    requeued = 0;
    auto owners = SendingOwners(tx);
    if (!owners.ok()) return owners.status();
    for (const std::string& owner : *owners) {
      std::string replica;
      pid_t pid = 0;
      if (owner == options_.owner || !ParseOwner(owner, &replica, &pid) || replica != my_replica) continue;
      // This replica's previous process: the same pid (a container restarts as pid 1 again) or
      // a pid that is gone. A live other pid is another replica sharing the name: its lease holds.
      if (pid != my_pid && !ProcessGone(pid)) continue;
      auto n = RequeueOwner(tx, owner, clock_.Now());
      if (!n.ok()) return n.status();
      requeued += *n;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (requeued > 0) {
    common::LogWarn("requeued deliveries interrupted by a restart of this replica",
                    {{"count", absl::StrCat(requeued)}, {"owner", options_.owner}});
    std::lock_guard<std::mutex> lock(mu_);
    stats_.requeued += requeued;
  }
  if (options_.metrics != nullptr && requeued > 0) {
    options_.metrics->Count("delivery_resends_total", "requeued", static_cast<double>(requeued));
  }
  return absl::OkStatus();
}

void DeliveryWorker::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { Loop(); });
}

void DeliveryWorker::Stop() {
  if (running_.exchange(false)) {
    Wake();
    if (thread_.joinable()) thread_.join();
  }
  WaitIdle();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

DeliveryWorker::Stats DeliveryWorker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void DeliveryWorker::Count(std::string_view name, std::string_view label) {
  if (options_.metrics != nullptr) options_.metrics->Count(name, label);
}

absl::StatusOr<int> DeliveryWorker::Dispatch() {
  std::set<std::string> busy;
  std::map<std::string, int> hosts;
  std::map<Channel, int> channels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    busy = in_flight_;
    hosts = host_load_;
    channels = channel_load_;
  }
  const int free = options_.max_in_flight - static_cast<int>(busy.size());
  if (free <= 0) return 0;
  const auto channel_bound = [&](Channel c) {
    auto it = options_.per_channel.find(c);
    return it == options_.per_channel.end() ? options_.max_in_flight : std::max(1, it->second);
  };
  std::vector<std::string> skip_hosts, skip_channels;
  for (const auto& [host, n] : hosts)
    if (n >= options_.per_host) skip_hosts.push_back(host);
  for (const auto& [channel, n] : channels)
    if (n >= channel_bound(channel)) skip_channels.push_back(std::string(ChannelName(channel)));

  std::vector<Delivery> claimed;
  std::vector<bool> reclaimed;
  const absl::Time now = clock_.Now();
  auto s = common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    claimed.clear();
    reclaimed.clear();
    std::map<std::string, int> host_load = hosts;
    std::map<Channel, int> channel_load = channels;
    auto rows = ClaimableDeliveries(tx, now, 4 * free + static_cast<int>(busy.size()), skip_hosts, skip_channels);
    if (!rows.ok()) return rows.status();
    for (Delivery& d : *rows) {
      if (static_cast<int>(claimed.size()) >= free) break;
      if (busy.count(d.page_id) > 0) continue;  // on the wire here; its lease ran out on a clock jump
      if (host_load[d.target_host] >= options_.per_host || channel_load[d.channel] >= channel_bound(d.channel)) {
        continue;
      }
      bool wanted = true;
      if (hooks_.still_wanted) {
        auto w = hooks_.still_wanted(tx, d);
        if (!w.ok()) return w.status();
        wanted = *w;
      }
      if (!wanted) {
        d.status = kCancelled;
        if (auto u = UpdateDelivery(tx, d); !u.ok()) return u;
        continue;
      }
      const bool was_sending = d.status == kSending;
      auto ok = ClaimDelivery(tx, d, options_.owner, now, now + options_.lease);
      if (!ok.ok()) return ok.status();
      if (!*ok) continue;
      ++host_load[d.target_host];
      ++channel_load[d.channel];
      claimed.push_back(d);
      reclaimed.push_back(was_sending);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < claimed.size(); ++i) {
      const Delivery& d = claimed[i];
      in_flight_.insert(d.page_id);
      ++host_load_[d.target_host];
      ++channel_load_[d.channel];
      ++stats_.claimed;
      if (reclaimed[i]) ++stats_.resent;
      jobs_.push_back(d);
    }
  }
  for (size_t i = 0; i < claimed.size(); ++i) {
    if (!reclaimed[i]) continue;
    common::LogWarn("delivery lease expired; sending again under the same idempotency key",
                    {{"page_id", claimed[i].page_id}, {"attempt", absl::StrCat(claimed[i].attempts)}});
    Count("delivery_resends_total", "lease_expired");
  }
  work_cv_.notify_all();
  return static_cast<int>(claimed.size());
}

void DeliveryWorker::PoolLoop() {
  for (;;) {
    Delivery d;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // shutdown with nothing left
      d = std::move(jobs_.front());
      jobs_.pop_front();
    }
    SendAndRecord(d);
  }
}

void DeliveryWorker::SendAndRecord(const Delivery& d) {
  SendResult result;
  auto it = senders_.find(d.channel);
  if (it == senders_.end() || it->second == nullptr) {
    result = {false, absl::StrCat("no sender for channel ", std::string(ChannelName(d.channel)))};
  } else {
    result = it->second->Send(d);
  }
  if (!result.ok) {
    common::LogWarn("delivery attempt failed", {{"page_id", d.page_id},
                                                {"channel", std::string(ChannelName(d.channel))},
                                                {"attempt", absl::StrCat(d.attempts)},
                                                {"error", result.error}});
  }
  RecordWithRetry(d, result);
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(d.page_id);
    --host_load_[d.target_host];
    --channel_load_[d.channel];
    if (host_load_[d.target_host] <= 0) host_load_.erase(d.target_host);
    if (channel_load_[d.channel] <= 0) channel_load_.erase(d.channel);
    wake_ = true;
  }
  idle_cv_.notify_all();
  cv_.notify_all();
}

void DeliveryWorker::RecordWithRetry(const Delivery& claimed, const SendResult& result) {
  // Until the lease ends (by the service clock, and by real time for a manual clock that does
  // not move): then another claim will send the row again, so recording now would be wrong.
  const absl::Time real_deadline = absl::Now() + (claimed.lease_until - clock_.Now());
  const common::BackoffPolicy retry{absl::Milliseconds(50), absl::Seconds(2), 2.0, 0.3};
  for (int attempt = 1;; ++attempt) {
    absl::Status s = RecordOutcome(claimed, result);
    if (s.ok()) return;
    const absl::Duration wait = retry.Delay(attempt, Random01());
    const bool time_left = clock_.Now() + wait < claimed.lease_until && absl::Now() + wait < real_deadline;
    if (!time_left || (!running_ && attempt >= 3)) {
      common::LogError("delivery outcome not recorded; the row is sent again when its lease expires",
                       {{"page_id", claimed.page_id}, {"error", std::string(s.message())}});
      Count("delivery_records_abandoned_total", "");
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.records_abandoned;
      return;
    }
    common::LogWarn(
        "recording a delivery outcome failed; retrying",
        {{"page_id", claimed.page_id}, {"attempt", absl::StrCat(attempt)}, {"error", std::string(s.message())}});
    Count("delivery_record_retries_total", "");
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.record_retries;
    }
    absl::SleepFor(wait);
  }
}

absl::Status DeliveryWorker::RecordOutcome(const Delivery& claimed, const SendResult& result) {
  bool lost = false;
  auto s = common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    lost = false;
    auto current = LoadDelivery(tx, claimed.page_id);
    if (!current.ok()) return current.status();
    if (!current->has_value()) return absl::OkStatus();
    Delivery d = **current;
    if (d.owner != options_.owner || d.attempts != claimed.attempts ||
        (d.status != kSending && d.status != kCancelled)) {
      lost = d.owner != options_.owner || d.attempts != claimed.attempts;  // claimed again meanwhile
      return absl::OkStatus();
    }
    d.lease_until = absl::UnixEpoch();
    if (result.ok) {
      // A row cancelled while it was on the wire did go out: record the truth.
      d.status = kDelivered;
      d.last_error.clear();
    } else if (d.status == kCancelled) {
      d.last_error = result.error;  // no retry: nobody wants it any more
    } else if (d.superseded) {
      d.status = kCancelled;  // its one attempt: the escalation has moved on
      d.last_error = absl::StrCat("superseded: the escalation moved on; last attempt: ", result.error);
    } else if (result.permanent || (options_.max_attempts > 0 && d.attempts >= options_.max_attempts)) {
      d.status = kFailed;
      d.last_error = result.error;
    } else {
      d.status = kPending;
      d.last_error = result.error;
      d.next_attempt_at = clock_.Now() + options_.backoff.Delay(d.attempts, Random01());
    }
    if (auto u = UpdateDelivery(tx, d); !u.ok()) return u;
    if (hooks_.on_outcome) return hooks_.on_outcome(tx, d, result);
    return absl::OkStatus();
  });
  if (s.ok() && lost) {
    common::LogWarn("delivery outcome dropped: the row's lease had expired and it was claimed again",
                    {{"page_id", claimed.page_id}, {"sent", result.ok ? "true" : "false"}});
    Count("delivery_lease_lost_total", "");
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.lease_lost;
  }
  return s;
}

void DeliveryWorker::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return in_flight_.empty(); });
}

absl::StatusOr<int> DeliveryWorker::RunOnce() {
  int sent = 0;
  // Bounded so a flood of due rows cannot loop forever.
  for (int i = 0; i < 100; ++i) {
    auto n = Dispatch();
    if (!n.ok()) return n.status();
    WaitIdle();
    if (*n == 0) break;
    sent += *n;
  }
  return sent;
}

void DeliveryWorker::Loop() {
  while (running_) {
    auto n = Dispatch();
    if (!n.ok()) common::LogError("delivery worker", {{"error", std::string(n.status().message())}});
    std::unique_lock<std::mutex> lock(mu_);
    // Commits, finished sends and clock jumps wake us; the short bound covers real time
    // passing a retry's due time or a lease's end.
    cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return wake_ || !running_; });
    wake_ = false;
  }
}

}  // namespace recovery::escalation::delivery
