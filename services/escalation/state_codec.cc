// EscalationState <-> EscalationInfo.
#include "services/escalation/state_codec.h"

#include "services/common/events.h"
#include "google/protobuf/util/time_util.h"

namespace recovery::escalation {
namespace {

google::protobuf::Duration DurationToProto(absl::Duration d) {
  return google::protobuf::util::TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(d));
}

absl::Duration DurationFromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

TargetKind KindFromProto(v1::TargetKind k) {
  switch (k) {
    case v1::TARGET_KIND_SCHEDULE: return TargetKind::kSchedule;
    case v1::TARGET_KIND_TEAM: return TargetKind::kTeam;
    default: return TargetKind::kPerson;
  }
}

EscalationStatus StatusFromProto(v1::EscalationStatus s) {
  switch (s) {
    case v1::ESCALATION_STATUS_HELD: return EscalationStatus::kHeld;
    case v1::ESCALATION_STATUS_PAGING: return EscalationStatus::kPaging;
    case v1::ESCALATION_STATUS_ACKNOWLEDGED: return EscalationStatus::kAcknowledged;
    case v1::ESCALATION_STATUS_RESOLVED: return EscalationStatus::kResolved;
    case v1::ESCALATION_STATUS_EXHAUSTED: return EscalationStatus::kExhausted;
    default: return EscalationStatus::kNew;
  }
}

}  // namespace

v1::EscalationStatus ToProto(EscalationStatus s) {
  switch (s) {
    case EscalationStatus::kNew: return v1::ESCALATION_STATUS_NEW;
    case EscalationStatus::kHeld: return v1::ESCALATION_STATUS_HELD;
    case EscalationStatus::kPaging: return v1::ESCALATION_STATUS_PAGING;
    case EscalationStatus::kAcknowledged: return v1::ESCALATION_STATUS_ACKNOWLEDGED;
    case EscalationStatus::kResolved: return v1::ESCALATION_STATUS_RESOLVED;
    case EscalationStatus::kExhausted: return v1::ESCALATION_STATUS_EXHAUSTED;
  }
  return v1::ESCALATION_STATUS_UNSPECIFIED;
}

v1::PageChannel ToProto(Channel c) {
  switch (c) {
    case Channel::kWebhook: return v1::PAGE_CHANNEL_WEBHOOK;
    case Channel::kEmail: return v1::PAGE_CHANNEL_EMAIL;
    case Channel::kLog: return v1::PAGE_CHANNEL_LOG;
  }
  return v1::PAGE_CHANNEL_UNSPECIFIED;
}

v1::TargetKind ToProto(TargetKind k) {
  switch (k) {
    case TargetKind::kPerson: return v1::TARGET_KIND_PERSON;
    case TargetKind::kSchedule: return v1::TARGET_KIND_SCHEDULE;
    case TargetKind::kTeam: return v1::TARGET_KIND_TEAM;
  }
  return v1::TARGET_KIND_UNSPECIFIED;
}

void ToProto(const Tier& tier, v1::TierInfo* out) {
  for (const Target& t : tier.targets) {
    auto* ref = out->add_targets();
    ref->set_kind(ToProto(t.kind));
    ref->set_id(t.id);
  }
  *out->mutable_ack_timeout() = DurationToProto(tier.ack_timeout);
}

void StateToInfo(const EscalationState& state, v1::EscalationInfo* info) {
  info->set_escalation_id(state.escalation_id);
  info->set_case_id(state.case_id);
  info->set_status(ToProto(state.status));
  info->set_tier(state.tier);
  info->set_round(state.round);
  if (state.ack_due) {
    *info->mutable_ack_due() = common::ToProto(*state.ack_due);
  } else {
    info->clear_ack_due();
  }
  if (state.hold_until) {
    *info->mutable_hold_until() = common::ToProto(*state.hold_until);
  } else {
    info->clear_hold_until();
  }
  info->set_acknowledged_by(state.acknowledged_by);
  auto* plan = info->mutable_plan();
  plan->Clear();
  plan->set_policy_id(state.plan.policy_id);
  plan->set_repeats(state.plan.repeats);
  plan->set_fallback_person_id(state.plan.fallback_person_id);
  for (const Tier& t : state.plan.tiers) ToProto(t, plan->add_tiers());
}

EscalationState InfoToState(const v1::EscalationInfo& info) {
  EscalationPlan plan;
  plan.policy_id = info.plan().policy_id();
  plan.repeats = info.plan().repeats();
  plan.fallback_person_id = info.plan().fallback_person_id();
  for (const v1::TierInfo& ti : info.plan().tiers()) {
    Tier t;
    for (const v1::TargetRef& ref : ti.targets()) t.targets.push_back(Target{KindFromProto(ref.kind()), ref.id()});
    t.ack_timeout = DurationFromProto(ti.ack_timeout());
    plan.tiers.push_back(std::move(t));
  }
  EscalationState s = NewEscalation(info.escalation_id(), info.case_id(), std::move(plan));
  s.status = StatusFromProto(info.status());
  s.tier = info.tier();
  s.round = info.round();
  if (info.has_ack_due()) s.ack_due = common::FromProto(info.ack_due());
  if (info.has_hold_until()) s.hold_until = common::FromProto(info.hold_until());
  s.acknowledged_by = info.acknowledged_by();
  return s;
}

Severity SeverityFromProto(v1::Severity s) {
  switch (s) {
    case v1::SEVERITY_P1: return Severity::kP1;
    case v1::SEVERITY_P2: return Severity::kP2;
    case v1::SEVERITY_P4: return Severity::kP4;
    default: return Severity::kP3;
  }
}

}  // namespace recovery::escalation
