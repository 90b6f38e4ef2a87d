// An in-memory stand-in for the follow-up store, timers and outbox, driving the pure domain
// with a manual clock: events in, timers fired in due order, published events collected.
// (The service itself, store and runtime included, is tested through FollowUpModule on
// tests/support/service_fixture.h: grpc_service_test.cc.)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/common/events.h"
#include "services/follow_up/domain/follow_up.h"

namespace recovery::follow_up::testing {

class DomainDriver {
 public:
  DomainDriver(FollowUpConfig cfg, absl::Time now) : cfg_(std::move(cfg)), now_(now) {}

  absl::Time now() const { return now_; }
  const FollowUpConfig& cfg() const { return cfg_; }
  const std::map<std::pair<std::string, std::string>, absl::Time>& timers() const { return timers_; }
  std::vector<recovery::v1::Event>& published() { return published_; }
  CaseState& Case(const std::string& id) {
    auto& c = cases_[id];
    c.case_id = id;
    return c;
  }
  std::vector<ReminderTrack> TracksOf(const std::string& case_id) const {
    std::vector<ReminderTrack> out;
    for (const auto& [id, t] : tracks_)
      if (t.case_id == case_id) out.push_back(t);
    return out;
  }

  // An event as another service would publish it, occurring now.
  recovery::v1::Event NewEvent(const std::string& case_id) const {
    return common::NewEvent(now_, case_id, "test", "tester", "req");
  }

  Outcome Deliver(const recovery::v1::Event& e) {
    Outcome out = OnEvent(cfg_, Case(e.case_id()), TracksOf(e.case_id()), e, now_);
    Apply(out);
    return out;
  }

  // Applies an RPC outcome.
  void Apply(const Outcome& out) {
    if (out.rows.case_state) cases_[out.rows.case_state->case_id] = *out.rows.case_state;
    for (const auto& id : out.rows.delete_reminders) tracks_.erase(id);
    for (const auto& t : out.rows.upsert_reminders) tracks_[t.reminder_id] = t;
    for (const auto& op : out.timers) {
      if (op.op == TimerOp::Op::kArm)
        timers_[{op.kind, op.key}] = op.due;
      else
        timers_.erase({op.kind, op.key});
    }
    published_.insert(published_.end(), out.events.begin(), out.events.end());
  }

  // Moves the clock to `t`, firing every timer due on the way in due order (each at its due).
  void AdvanceTo(absl::Time t) {
    for (;;) {
      auto next = timers_.end();
      for (auto it = timers_.begin(); it != timers_.end(); ++it)
        if (it->second <= t && (next == timers_.end() || it->second < next->second)) next = it;
      if (next == timers_.end()) break;
      const auto [kind, key] = next->first;
      now_ = std::max(now_, next->second);
      timers_.erase(next);
      Fire(kind, key);
    }
    now_ = std::max(now_, t);
  }
  void Advance(absl::Duration d) { AdvanceTo(now_ + d); }

  std::vector<recovery::v1::Event> Published(recovery::v1::Event::BodyCase type) const {
    std::vector<recovery::v1::Event> out;
    for (const auto& e : published_)
      if (e.body_case() == type) out.push_back(e);
    return out;
  }

 private:
  void Fire(const std::string& kind, const std::string& key) {
    const std::string cause = "timer:" + kind + "/" + key;
    if (kind == kSlaTimer) {
      const auto slash = key.rfind('/');
      const auto sla =
          key.substr(slash) == "/ack" ? recovery::v1::SLA_KIND_ACKNOWLEDGE : recovery::v1::SLA_KIND_RESOLVE;
      Apply(OnSlaTimer(cfg_, Case(key.substr(0, slash)), sla, now_, cause));
    } else if (kind == kReminderTimer) {
      auto it = tracks_.find(key);
      if (it == tracks_.end()) return;
      const ReminderTrack track = it->second;
      Apply(OnReminderTimer(cfg_, Case(track.case_id), track, now_, cause));
    } else if (kind == kSatisfactionTimer) {
      Apply(OnSatisfactionTimer(Case(key), now_, cause));
    }
  }

  FollowUpConfig cfg_;
  absl::Time now_;
  std::map<std::string, CaseState> cases_;
  std::map<std::string, ReminderTrack> tracks_;
  std::map<std::pair<std::string, std::string>, absl::Time> timers_;
  std::vector<recovery::v1::Event> published_;
};

}  // namespace recovery::follow_up::testing
