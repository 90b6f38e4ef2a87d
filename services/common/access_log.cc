// AccessLog: aggregated reads written as CaseDataRead events once per window.
#include "services/common/access_log.h"

#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/outbox.h"
#include "services/common/proto_time.h"
#include "services/common/store.h"

namespace recovery::common {

AccessLog::AccessLog(std::string service, Store& store, Outbox& outbox, Clock& clock, Metrics* metrics,
                     absl::Duration window)
    : service_(std::move(service)), store_(store), outbox_(outbox), clock_(clock), metrics_(metrics), window_(window) {}

AccessLog::~AccessLog() {
  // Without a final write: the runtime calls Stop() while the store and outbox still run.
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void AccessLog::Record(std::string_view actor, std::string_view method, const std::vector<std::string>& case_ids) {
  const absl::Time now = clock_.Now();
  const std::vector<std::string> none = {""};
  std::lock_guard lock(mu_);
  for (const std::string& case_id : case_ids.empty() ? none : case_ids) {
    Reads& r = pending_[Key{std::string(actor), std::string(method), case_id}];
    if (r.count == 0) r.first = now;
    ++r.count;
    r.last = now;
  }
}

void AccessLog::Merge(std::map<Key, Reads> batch) {
  std::lock_guard lock(mu_);
  for (auto& [key, reads] : batch) {
    Reads& r = pending_[key];
    if (r.count == 0 || reads.first < r.first) r.first = reads.first;
    if (reads.last > r.last) r.last = reads.last;
    r.count += reads.count;
  }
}

absl::Status AccessLog::Flush() {
  std::map<Key, Reads> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return absl::OkStatus();
  const absl::Time now = clock_.Now();
  const absl::Status s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
    for (const auto& [key, reads] : batch) {
      const auto& [actor, method, case_id] = key;
      recovery::v1::Event e =
          NewEvent(now, absl::StrCat("access:", case_id.empty() ? "*" : case_id), service_, actor, "");
      auto* body = e.mutable_case_data_read();
      body->set_method(method);
      body->set_case_id(case_id);
      body->set_reads(reads.count);
      *body->mutable_first_at() = ToProto(reads.first);
      *body->mutable_last_at() = ToProto(reads.last);
      if (absl::Status appended = outbox_.Append(tx, e); !appended.ok()) return appended;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    Merge(std::move(batch));  // kept for the next window
    LogWarn("access records not written; kept for the next window", {{"error", std::string(s.message())}});
    return s;
  }
  if (metrics_) metrics_->Count("access_records_written_total", "", static_cast<double>(batch.size()));
  return absl::OkStatus();
}

size_t AccessLog::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

void AccessLog::Start() {
  if (writer_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  writer_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, absl::ToChronoNanoseconds(window_), [this] { return stopping_; });
      lock.unlock();
      (void)Flush();
      lock.lock();
    }
  });
}

void AccessLog::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  (void)Flush();
}

}  // namespace recovery::common
