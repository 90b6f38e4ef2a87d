// The escalation state machine (see escalation.h for the semantics).
#include "services/escalation/domain/escalation.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace recovery::escalation {
namespace {

struct Machine {
  const EscalationConfig& directory;
  absl::Time now;
  EscalationState state;
  std::vector<Effect> effects;

  void PagePerson(const std::string& person_id, int tier, int round) {
    const Person* person = directory.FindPerson(person_id);
    if (person == nullptr) return;
    std::vector<NotificationRule> rules = person->notification_rules;
    if (rules.empty()) {
      for (const ContactMethod& m : person->contact_methods) rules.push_back({m.channel, absl::ZeroDuration()});
    }
    int n = 0;
    for (const NotificationRule& rule : rules) {
      for (const ContactMethod& m : person->contact_methods) {
        if (m.channel != rule.channel) continue;
        effects.push_back(PageTarget{person_id, m.channel, m.target, now + std::max(rule.delay, absl::ZeroDuration()),
                                     tier, round,
                                     absl::StrCat(state.escalation_id, "/r", round, "/t", tier, "/", person_id, "/",
                                                  ChannelName(m.channel), "/", n++)});
      }
    }
  }

  void Exhaust() {
    state.status = EscalationStatus::kExhausted;
    state.ack_due.reset();
    if (!state.plan.fallback_person_id.empty()) PagePerson(state.plan.fallback_person_id, kFallbackTier, state.round);
    effects.push_back(EscalationExhausted{state.plan.fallback_person_id});
  }

  // Pages (tier, round); tiers that resolve to nobody are skipped at once. Bounded: each
  // iteration moves strictly forward through at most tiers * (repeats + 1) positions.
  void EnterTier(int tier, int round) {
    const int tiers = static_cast<int>(state.plan.tiers.size());
    while (true) {
      if (tiers == 0 || round > state.plan.repeats) {
        state.tier = tier;
        state.round = std::min(round, state.plan.repeats);
        Exhaust();
        return;
      }
      state.tier = tier;
      state.round = round;
      const Tier& t = state.plan.tiers[tier];
      const std::vector<std::string> people = ResolveTargets(directory, t.targets, now);
      if (!people.empty()) {
        state.status = EscalationStatus::kPaging;
        for (const std::string& p : people) PagePerson(p, tier, round);
        state.ack_due = now + t.ack_timeout;
        effects.push_back(ArmAckTimer{*state.ack_due, tier, round});
        return;
      }
      auto [next_tier, next_round] = Next(tier, round);
      if (next_round <= state.plan.repeats) {
        effects.push_back(TierAdvanced{tier, round, next_tier, next_round, AdvanceReason::kNoOneToPage});
      }
      tier = next_tier;
      round = next_round;
    }
  }

  std::pair<int, int> Next(int tier, int round) const {
    if (tier + 1 < static_cast<int>(state.plan.tiers.size())) return {tier + 1, round};
    return {0, round + 1};
  }

  StepResult Ignore(EscalationError error, std::string detail = "") {
    return StepResult{std::move(state), {}, true, Refusal{error, std::move(detail)}};
  }
  StepResult Done() {
    return StepResult{std::move(state), std::move(effects), false, {EscalationError::kNotStarted, ""}};
  }

  StepResult operator()(const Start& in) {
    if (state.status != EscalationStatus::kNew) return Ignore(EscalationError::kAlreadyStarted);
    effects.push_back(EscalationStarted{static_cast<int>(state.plan.tiers.size()), state.plan.repeats});
    if (in.hold_until && *in.hold_until > now) {
      state.status = EscalationStatus::kHeld;
      state.hold_until = in.hold_until;
      effects.push_back(EscalationHeld{*in.hold_until});
      effects.push_back(ArmHoldTimer{*in.hold_until});
      return Done();
    }
    EnterTier(0, 0);
    return Done();
  }

  StepResult operator()(const HoldElapsed&) {
    if (state.status != EscalationStatus::kHeld) return Ignore(EscalationError::kNotHeld);
    state.hold_until.reset();
    EnterTier(0, 0);
    return Done();
  }

  StepResult operator()(const AckTimeout& in) {
    if (state.status != EscalationStatus::kPaging) return Ignore(EscalationError::kNotActive);
    if (in.tier != state.tier || in.round != state.round) {
      return Ignore(EscalationError::kStaleTimeout, absl::StrCat("for tier ", in.tier, " round ", in.round));
    }
    auto [next_tier, next_round] = Next(state.tier, state.round);
    if (next_round <= state.plan.repeats) {
      effects.push_back(TierAdvanced{state.tier, state.round, next_tier, next_round, AdvanceReason::kAckTimeout});
    }
    state.ack_due.reset();
    EnterTier(next_tier, next_round);
    return Done();
  }

  void Stop() {
    if (state.status == EscalationStatus::kPaging) effects.push_back(CancelAckTimer{});
    if (state.status == EscalationStatus::kHeld) effects.push_back(CancelHoldTimer{});
    effects.push_back(CancelPendingPages{});
    state.ack_due.reset();
    state.hold_until.reset();
  }

  StepResult operator()(const Acknowledge& in) {
    switch (state.status) {
      case EscalationStatus::kHeld:
      case EscalationStatus::kPaging:
      case EscalationStatus::kExhausted:
        break;
      case EscalationStatus::kNew:
        return Ignore(EscalationError::kNotStarted);
      case EscalationStatus::kAcknowledged:
        return Ignore(EscalationError::kAlreadyAcknowledged);
      case EscalationStatus::kResolved:
        return Ignore(EscalationError::kAlreadyResolved);
    }
    Stop();
    state.status = EscalationStatus::kAcknowledged;
    state.acknowledged_by = in.person_id;
    effects.push_back(EscalationAcknowledged{in.person_id, state.tier, state.round});
    return Done();
  }

  StepResult operator()(const Resolve& in) {
    if (state.status == EscalationStatus::kResolved) return Ignore(EscalationError::kAlreadyResolved);
    if (state.status != EscalationStatus::kAcknowledged) Stop();
    state.status = EscalationStatus::kResolved;
    state.resolved_by = in.by;
    effects.push_back(EscalationResolved{in.by});
    return Done();
  }
};

}  // namespace

absl::string_view AdvanceReasonName(AdvanceReason reason) {
  switch (reason) {
    case AdvanceReason::kAckTimeout:
      return "ack timeout";
    case AdvanceReason::kNoOneToPage:
      return "no one to page";
    case AdvanceReason::kSlaBreached:
      return "sla breached";
  }
  return "unknown";
}

EscalationState NewEscalation(std::string escalation_id, std::string case_id, EscalationPlan plan) {
  EscalationState s;
  s.escalation_id = std::move(escalation_id);
  s.case_id = std::move(case_id);
  s.plan = std::move(plan);
  return s;
}

std::vector<std::string> ResolveTargets(const EscalationConfig& directory, const std::vector<Target>& targets,
                                        absl::Time now) {
  std::vector<std::string> out;
  auto add = [&](const std::string& id) {
    if (directory.FindPerson(id) != nullptr && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (const Target& t : targets) {
    switch (t.kind) {
      case TargetKind::kPerson:
        add(t.id);
        break;
      case TargetKind::kSchedule:
        if (const Schedule* s = directory.FindSchedule(t.id)) {
          for (const std::string& p : WhoIsOnCallAt(*s, now)) add(p);
        }
        break;
      case TargetKind::kTeam:
        if (const Team* team = directory.FindTeam(t.id)) {
          const Schedule* s = team->schedule_id.empty() ? nullptr : directory.FindSchedule(team->schedule_id);
          if (s != nullptr) {
            for (const std::string& p : WhoIsOnCallAt(*s, now)) add(p);
          } else {
            for (const std::string& p : team->members) add(p);
          }
        }
        break;
    }
  }
  return out;
}

StepResult Step(const EscalationConfig& directory, const EscalationState& state, const Input& input, absl::Time now) {
  Machine m{directory, now, state, {}};
  return std::visit(m, input);
}

}  // namespace recovery::escalation
