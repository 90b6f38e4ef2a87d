// Proto <-> domain translation for the action-plan service.
#include "services/action_plan/domain/codec.h"

#include <initializer_list>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::FromProto;
using recovery::common::ToProto;

std::optional<absl::Time> OptionalTime(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return FromProto(ts);
}

// Each domain enum beside its proto values, one table per enum, read both ways.
template <typename Domain, typename Wire>
using EnumTable = std::initializer_list<std::pair<Domain, Wire>>;

constexpr EnumTable<ItemStatus, v1::ItemStatus> kItemStatuses = {{ItemStatus::kOpen, v1::ITEM_STATUS_OPEN},
                                                                 {ItemStatus::kInProgress, v1::ITEM_STATUS_IN_PROGRESS},
                                                                 {ItemStatus::kDone, v1::ITEM_STATUS_DONE},
                                                                 {ItemStatus::kCancelled, v1::ITEM_STATUS_CANCELLED}};
constexpr EnumTable<CommitmentStatus, v1::CommitmentStatus> kCommitmentStatuses = {
    {CommitmentStatus::kOpen, v1::COMMITMENT_STATUS_OPEN},
    {CommitmentStatus::kKept, v1::COMMITMENT_STATUS_KEPT},
    {CommitmentStatus::kBroken, v1::COMMITMENT_STATUS_BROKEN},
    {CommitmentStatus::kRenegotiated, v1::COMMITMENT_STATUS_RENEGOTIATED}};
constexpr EnumTable<AmendsKind, v1::AmendsKind> kAmendsKinds = {
    {AmendsKind::kDiscount, v1::AMENDS_KIND_DISCOUNT},
    {AmendsKind::kCredit, v1::AMENDS_KIND_CREDIT},
    {AmendsKind::kFreeService, v1::AMENDS_KIND_FREE_SERVICE},
    {AmendsKind::kOther, v1::AMENDS_KIND_OTHER}};
constexpr EnumTable<WordingCategory, v1::WordingCategory> kWordingCategories = {
    {WordingCategory::kOverApologising, v1::WORDING_CATEGORY_OVER_APOLOGISING},
    {WordingCategory::kAcceptingLiability, v1::WORDING_CATEGORY_ACCEPTING_LIABILITY},
    {WordingCategory::kOverPromising, v1::WORDING_CATEGORY_OVER_PROMISING},
    {WordingCategory::kBlamingClient, v1::WORDING_CATEGORY_BLAMING_CLIENT},
    {WordingCategory::kDefensiveness, v1::WORDING_CATEGORY_DEFENSIVENESS},
    {WordingCategory::kMissingNextStep, v1::WORDING_CATEGORY_MISSING_NEXT_STEP}};
constexpr EnumTable<Severity, v1::FindingSeverity> kFindingSeverities = {
    {Severity::kInfo, v1::FINDING_SEVERITY_INFO},
    {Severity::kWarning, v1::FINDING_SEVERITY_WARNING},
    {Severity::kError, v1::FINDING_SEVERITY_ERROR}};

template <typename Domain, typename Wire>
Wire ToWire(EnumTable<Domain, Wire> table, Domain value, Wire unspecified) {
  for (const auto& [d, w] : table) {
    if (d == value) return w;
  }
  return unspecified;
}

// nullopt for UNSPECIFIED and unknown values.
template <typename Domain, typename Wire>
std::optional<Domain> FromWire(EnumTable<Domain, Wire> table, Wire value) {
  for (const auto& [d, w] : table) {
    if (w == value) return d;
  }
  return std::nullopt;
}

}  // namespace

v1::ItemStatus ItemStatusToProto(ItemStatus s) { return ToWire(kItemStatuses, s, v1::ITEM_STATUS_UNSPECIFIED); }
std::optional<ItemStatus> ItemStatusFromProto(v1::ItemStatus s) { return FromWire(kItemStatuses, s); }

v1::CommitmentStatus CommitmentStatusToProto(CommitmentStatus s) {
  return ToWire(kCommitmentStatuses, s, v1::COMMITMENT_STATUS_UNSPECIFIED);
}
std::optional<CommitmentStatus> CommitmentStatusFromProto(v1::CommitmentStatus s) {
  return FromWire(kCommitmentStatuses, s);
}

v1::AmendsKind AmendsKindToProto(AmendsKind k) { return ToWire(kAmendsKinds, k, v1::AMENDS_KIND_UNSPECIFIED); }
std::optional<AmendsKind> AmendsKindFromProto(v1::AmendsKind k) { return FromWire(kAmendsKinds, k); }

v1::ActionItem ItemToProto(const ActionItem& item) {
  v1::ActionItem p;
  p.set_id(item.id);
  p.set_what(item.what);
  p.set_owner(item.owner);
  p.set_owner_role(item.owner_role);
  p.set_where(item.where);
  if (item.due) *p.mutable_due() = ToProto(*item.due);
  p.set_why(item.why);
  p.set_how(item.how);
  p.set_status(ItemStatusToProto(item.status));
  p.set_client_visible(item.client_visible);
  p.set_completion_note(item.completion_note);
  return p;
}

ActionItem NewItemFromProto(const v1::ActionItem& p) {
  ActionItem item;
  item.id = p.id();
  item.what = p.what();
  item.owner = p.owner();
  item.owner_role = p.owner_role();
  item.where = p.where();
  item.due = OptionalTime(p.has_due(), p.due());
  item.why = p.why();
  item.how = p.how();
  item.client_visible = p.client_visible();
  return item;
}

v1::Commitment CommitmentToProto(const Commitment& c) {
  v1::Commitment p;
  p.set_id(c.id);
  p.set_text(c.text);
  p.set_owner(c.owner);
  *p.mutable_due() = ToProto(c.due);
  p.set_status(CommitmentStatusToProto(c.status));
  return p;
}

v1::Amends AmendsToProto(const Amends& a, const std::string& id) {
  v1::Amends p;
  p.set_amends_id(id);
  p.set_kind(AmendsKindToProto(a.kind));
  p.set_value_minor_units(a.value_minor_units);
  p.set_currency(a.currency);
  p.set_approver(a.approver);
  p.set_reason(a.reason);
  *p.mutable_recorded_at() = ToProto(a.recorded_at);
  return p;
}

ItemUpdate ItemUpdateFromProto(const v1::ItemPatch& patch) {
  ItemUpdate u;
  if (patch.has_what()) u.what = patch.what();
  if (patch.has_owner()) u.owner = patch.owner();
  if (patch.has_owner_role()) u.owner_role = patch.owner_role();
  if (patch.has_where()) u.where = patch.where();
  u.due = OptionalTime(patch.has_due(), patch.due());
  if (patch.has_why()) u.why = patch.why();
  if (patch.has_how()) u.how = patch.how();
  u.status = ItemStatusFromProto(patch.status());
  if (patch.has_client_visible()) u.client_visible = patch.client_visible();
  return u;
}

v1::Plan PlanToProto(const PlanRecord& r) {
  v1::Plan p;
  p.set_plan_id(r.plan.plan_id);
  p.set_case_id(r.plan.case_id);
  p.set_playbook_id(r.playbook_id);
  p.set_client_name(r.client_name);
  p.set_client_time_zone(r.client_time_zone);
  p.set_client_calendar_id(r.client_calendar_id);
  for (const auto& item : r.plan.items) {
    *p.add_items() = ItemToProto(item);
    if (item.completed_at || !item.cancellation_reason.empty()) {
      auto* h = p.add_item_history();
      h->set_item_id(item.id);
      if (item.completed_at) *h->mutable_completed_at() = ToProto(*item.completed_at);
      h->set_cancellation_reason(item.cancellation_reason);
    }
  }
  for (const auto& c : r.plan.commitments) {
    *p.add_commitments() = CommitmentToProto(c);
    if (c.renegotiations > 0) {
      auto* h = p.add_commitment_history();
      h->set_commitment_id(c.id);
      h->set_renegotiations(c.renegotiations);
    }
  }
  for (size_t i = 0; i < r.plan.amends.size(); ++i) {
    *p.add_amends() = AmendsToProto(r.plan.amends[i], i < r.amends_ids.size() ? r.amends_ids[i] : "");
  }
  auto* rc = p.mutable_root_cause();
  rc->set_client_view(r.plan.root_cause.client_view);
  rc->set_firm_view(r.plan.root_cause.firm_view);
  rc->set_agreed_explanation(r.plan.root_cause.agreed_explanation);
  rc->set_category(r.root_cause_category);
  for (size_t i = 0; i < r.plan.shared_versions.size(); ++i) {
    const auto& v = r.plan.shared_versions[i];
    auto* s = p.add_shared_versions();
    s->set_version(v.version);
    *s->mutable_shared_at() = ToProto(v.shared_at);
    s->set_summary_text(v.text);
    if (i < r.shared_markdown.size()) s->set_summary_markdown(r.shared_markdown[i]);
  }
  p.set_complete(r.completed);
  *p.mutable_created_at() = ToProto(r.created_at);
  *p.mutable_updated_at() = ToProto(r.updated_at);
  return p;
}

absl::StatusOr<PlanRecord> PlanFromProto(const v1::Plan& p) {
  PlanRecord r;
  r.plan.plan_id = p.plan_id();
  r.plan.case_id = p.case_id();
  r.playbook_id = p.playbook_id();
  r.client_name = p.client_name();
  r.client_time_zone = p.client_time_zone();
  r.client_calendar_id = p.client_calendar_id();
  std::map<std::string, const v1::ItemHistory*> item_history;
  for (const auto& h : p.item_history()) item_history[h.item_id()] = &h;
  for (int i = 0; i < p.items_size(); ++i) {
    const auto& pi = p.items(i);
    ActionItem item = NewItemFromProto(pi);
    auto status = ItemStatusFromProto(pi.status());
    if (!status) return absl::InvalidArgumentError(absl::StrCat("items[", i, "].status: unknown"));
    item.status = *status;
    item.completion_note = pi.completion_note();
    if (auto it = item_history.find(item.id); it != item_history.end()) {
      item.completed_at = OptionalTime(it->second->has_completed_at(), it->second->completed_at());
      item.cancellation_reason = it->second->cancellation_reason();
    }
    r.plan.items.push_back(std::move(item));
  }
  std::map<std::string, int> renegotiations;
  for (const auto& h : p.commitment_history()) renegotiations[h.commitment_id()] = h.renegotiations();
  for (int i = 0; i < p.commitments_size(); ++i) {
    const auto& pc = p.commitments(i);
    auto status = CommitmentStatusFromProto(pc.status());
    if (!status) return absl::InvalidArgumentError(absl::StrCat("commitments[", i, "].status: unknown"));
    Commitment c{pc.id(), pc.text(), pc.owner(), FromProto(pc.due()), *status, 0};
    if (auto it = renegotiations.find(c.id); it != renegotiations.end()) c.renegotiations = it->second;
    r.plan.commitments.push_back(std::move(c));
  }
  for (int i = 0; i < p.amends_size(); ++i) {
    const auto& pa = p.amends(i);
    auto kind = AmendsKindFromProto(pa.kind());
    if (!kind) return absl::InvalidArgumentError(absl::StrCat("amends[", i, "].kind: unknown"));
    r.plan.amends.push_back(
        Amends{*kind, pa.value_minor_units(), pa.currency(), pa.approver(), pa.reason(), FromProto(pa.recorded_at())});
    r.amends_ids.push_back(pa.amends_id());
  }
  r.plan.root_cause =
      RootCause{p.root_cause().client_view(), p.root_cause().firm_view(), p.root_cause().agreed_explanation()};
  r.root_cause_category = p.root_cause().category();
  for (const auto& s : p.shared_versions()) {
    r.plan.shared_versions.push_back(SharedVersion{s.version(), FromProto(s.shared_at()), s.summary_text()});
    r.shared_markdown.push_back(s.summary_markdown());
  }
  r.completed = p.complete();
  r.created_at = FromProto(p.created_at());
  r.updated_at = FromProto(p.updated_at());
  return r;
}

v1::TimingWarning TimingWarningToProto(const TimingWarning& w) {
  v1::TimingWarning p;
  p.set_code(w.code == TimingWarning::Code::kWeekend ? v1::TIMING_WARNING_CODE_WEEKEND
                                                     : v1::TIMING_WARNING_CODE_OUTSIDE_BUSINESS_HOURS);
  p.set_message(w.message);
  return p;
}

v1::Finding FindingToProto(const Finding& f) {
  v1::Finding p;
  p.set_rule_id(f.rule_id);
  p.set_category(ToWire(kWordingCategories, f.category, v1::WORDING_CATEGORY_UNSPECIFIED));
  p.set_severity(ToWire(kFindingSeverities, f.severity, v1::FINDING_SEVERITY_UNSPECIFIED));
  p.set_has_span(f.has_span());
  if (f.has_span()) {
    p.set_begin(static_cast<int32_t>(f.begin));
    p.set_end(static_cast<int32_t>(f.end));
  }
  p.set_excerpt(f.excerpt);
  p.set_reason(f.reason);
  return p;
}

v1::Playbook PlaybookToProto(const Playbook& pb) {
  v1::Playbook p;
  p.set_id(pb.id);
  p.set_category(pb.category);
  p.set_title(pb.title);
  for (const auto& item : pb.items) {
    auto* pi = p.add_items();
    pi->set_id(item.id);
    pi->set_what(item.what);
    pi->set_why(item.why);
    pi->set_how(item.how);
    pi->set_where(item.where);
    pi->set_owner_role(item.owner_role);
    if (item.due) pi->set_due(item.due->text);
    pi->set_client_visible(item.client_visible);
  }
  return p;
}

}  // namespace recovery::action_plan
