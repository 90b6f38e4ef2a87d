// The fan-out of consumed events to the console's SSE streams (live.h).
#include "services/console/live.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace recovery::console {

std::optional<std::string> LiveHub::Listener::Next(absl::Duration wait) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, absl::ToChronoMicroseconds(wait), [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty() || closed_) return std::nullopt;
  std::string message = std::move(queue_.front());
  queue_.pop_front();
  return message;
}

bool LiveHub::Listener::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

std::shared_ptr<LiveHub::Listener> LiveHub::Subscribe() {
  auto listener = std::make_shared<Listener>();
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.insert(listener);
  return listener;
}

void LiveHub::Unsubscribe(const std::shared_ptr<Listener>& listener) {
  {
    std::lock_guard<std::mutex> lock(listener->mu_);
    listener->closed_ = true;
  }
  listener->cv_.notify_all();
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.erase(listener);
}

std::string LiveHub::Message(const recovery::v1::Event& event) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(event, &json).ok()) json = "{}";
  // Protobuf's JSON printer writes one line; SSE data may not hold a bare newline anyway.
  return absl::StrCat("id: ", event.event_id(), "\nevent: event\ndata: ", json, "\n\n");
}

void LiveHub::Publish(const recovery::v1::Event& event) {
  // Configuration changes carry whole resource specs (people's contacts), and access records
  // say who read which case (for auditors, through ListCaseAccess): not for every screen.
  if (absl::StartsWith(event.case_id(), "config:") || absl::StartsWith(event.case_id(), "access:")) return;
  const std::string message = Message(event);
  std::lock_guard<std::mutex> lock(mu_);
  ++published_;
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    Listener& l = **it;
    bool overflow = false;
    {
      std::lock_guard<std::mutex> listener_lock(l.mu_);
      if (l.queue_.size() >= max_queue_) {
        l.closed_ = true;
        l.queue_.clear();
        overflow = true;
      } else {
        l.queue_.push_back(message);
      }
    }
    l.cv_.notify_one();
    if (overflow) {
      ++dropped_;
      it = listeners_.erase(it);
    } else {
      ++it;
    }
  }
}

void LiveHub::CloseAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& l : listeners_) {
    {
      std::lock_guard<std::mutex> listener_lock(l->mu_);
      l->closed_ = true;
    }
    l->cv_.notify_all();
  }
  listeners_.clear();
}

size_t LiveHub::listeners() const {
  std::lock_guard<std::mutex> lock(mu_);
  return listeners_.size();
}

int64_t LiveHub::published() const {
  std::lock_guard<std::mutex> lock(mu_);
  return published_;
}

int64_t LiveHub::dropped_listeners() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace recovery::console
