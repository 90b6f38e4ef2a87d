// Translation between the recovery.v1 API protos and the action-plan domain, in both
// directions: for responses, for event bodies, and (PlanToProto / PlanFromProto) for the
// stored form of a plan. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/common.pb.h"
#include "services/action_plan/domain/commitment_timing.h"
#include "services/action_plan/domain/plan.h"
#include "services/action_plan/domain/plan_record.h"
#include "services/action_plan/domain/playbook.h"
#include "services/action_plan/domain/wording.h"

namespace recovery::action_plan {

// Status enums: UNSPECIFIED maps to nullopt.
recovery::v1::ItemStatus ItemStatusToProto(ItemStatus s);
std::optional<ItemStatus> ItemStatusFromProto(recovery::v1::ItemStatus s);
recovery::v1::CommitmentStatus CommitmentStatusToProto(CommitmentStatus s);
std::optional<CommitmentStatus> CommitmentStatusFromProto(recovery::v1::CommitmentStatus s);
recovery::v1::AmendsKind AmendsKindToProto(AmendsKind k);
std::optional<AmendsKind> AmendsKindFromProto(recovery::v1::AmendsKind k);

recovery::v1::ActionItem ItemToProto(const ActionItem& item);
// The fields a caller may set on a new item (status and completion are not among them).
ActionItem NewItemFromProto(const recovery::v1::ActionItem& item);
recovery::v1::Commitment CommitmentToProto(const Commitment& c);
recovery::v1::Amends AmendsToProto(const Amends& a, const std::string& id);
ItemUpdate ItemUpdateFromProto(const recovery::v1::ItemPatch& patch);

recovery::v1::Plan PlanToProto(const PlanRecord& record);
// Inverse of PlanToProto (the stored form); INVALID_ARGUMENT on unknown enum values.
absl::StatusOr<PlanRecord> PlanFromProto(const recovery::v1::Plan& proto);

recovery::v1::TimingWarning TimingWarningToProto(const TimingWarning& w);
recovery::v1::Finding FindingToProto(const Finding& f);
recovery::v1::Playbook PlaybookToProto(const Playbook& p);

}  // namespace recovery::action_plan
