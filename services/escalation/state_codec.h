// Translation between the domain's EscalationState and recovery.v1.EscalationInfo, which is
// both the stored form of an escalation and its API view. Pure functions.
#pragma once

#include "recovery/v1/escalation.pb.h"
#include "services/escalation/domain/escalation.h"

namespace recovery::escalation {

namespace v1 = recovery::v1;

v1::EscalationStatus ToProto(EscalationStatus s);
v1::PageChannel ToProto(Channel c);
v1::TargetKind ToProto(TargetKind k);
void ToProto(const Tier& tier, v1::TierInfo* out);

// Writes the state's fields (status, tier, round, timers, plan, acknowledged_by) into `info`,
// leaving its metadata (team, rule, reason, times) alone.
void StateToInfo(const EscalationState& state, v1::EscalationInfo* info);
EscalationState InfoToState(const v1::EscalationInfo& info);

// "P1".."P4" severity <-> proto; unspecified maps to P3.
Severity SeverityFromProto(v1::Severity s);

}  // namespace recovery::escalation
