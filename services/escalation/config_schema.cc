// The escalation configuration's kinds, checks and scopes (config_schema.h).
#include "services/escalation/config_schema.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/auth/access_control.h"
#include "services/common/config_state/yaml_value.h"
#include "services/escalation/app.h"
#include "services/escalation/domain/safety.h"

namespace recovery::escalation {

using common::ConfigKind;

std::vector<ConfigKind> EscalationConfigSchema::ConfigKinds() const {
  using Shape = ConfigKind::Shape;
  return {
      ConfigKind::Of(Shape::kList, "person", "people", "people.edit"),
      ConfigKind::Of(Shape::kList, "calendar", "calendars"),
      ConfigKind::Of(Shape::kList, "schedule", "schedules", "schedules.edit"),
      ConfigKind::Of(Shape::kList, "policy", "policies"),
      ConfigKind::Of(Shape::kList, "team", "teams"),
      ConfigKind::Of(Shape::kList, "routing_rule", "routing_rules").Ordered(),
  };
}

std::vector<std::string> EscalationConfigSchema::FileOnlySections() const {
  // Secrets and where deliveries may go: an operator's file, never an API call.
  return {"webhook_secret", "webhook_previous_secrets", "webhook_signatures", "smtp", "smtp_from", "webhook_timeout",
          "delivery"};
}

absl::Status EscalationConfigSchema::ValidateConfig(const YAML::Node& document) const {
  return ParseSettings(document).status();
}

absl::Status EscalationConfigSchema::InstallConfig(const YAML::Node& document) {
  EscalationApp* app = app_();
  if (app == nullptr) return absl::FailedPreconditionError("escalation is not initialised");
  absl::StatusOr<EscalationSettings> settings = ParseSettings(document);
  if (!settings.ok()) return settings.status();
  app->SetSettings(*std::move(settings));
  app->LogCoverageGaps();
  // Runs after the change committed (its transaction and lock are done): its own transaction.
  return app->EnsureHandoffRearm();
}

namespace {

std::vector<common::ConfigFinding> Findings(const std::vector<SafetyProblem>& problems) {
  std::vector<common::ConfigFinding> out;
  for (const SafetyProblem& p : problems) out.push_back({p.code, p.path, p.message});
  return out;
}

}  // namespace

common::ConfigCheck EscalationConfigSchema::CheckConfig(const YAML::Node& before, const YAML::Node& after,
                                                        absl::Time now) const {
  common::ConfigCheck check;
  // Both were validated (host names resolved) already: parse without resolving again.
  absl::StatusOr<EscalationSettings> b = ParseSettings(before, common::HostResolver());
  absl::StatusOr<EscalationSettings> a = ParseSettings(after, common::HostResolver());
  if (!a.ok()) return check;  // validated before this runs
  std::vector<StoredOverride> overrides;
  if (EscalationApp* app = app_()) overrides = app->overrides();
  const EscalationConfig after_dir = MergeOverrides(a->directory, overrides);
  const SafetyReport report = CheckSafety(after_dir, now);
  // Block only on what the change brings: a problem the live configuration already has is a
  // warning here, so that the change that fixes something else is not refused for it.
  std::set<std::pair<std::string, std::string>> existing;
  std::optional<EscalationConfig> before_dir;
  if (b.ok()) {
    before_dir = MergeOverrides(b->directory, overrides);
    for (const SafetyProblem& p : CheckSafety(*before_dir, now).blocking) existing.insert({p.code, p.path});
  }
  for (const SafetyProblem& p : report.blocking) {
    if (existing.count({p.code, p.path}) > 0) {
      check.warnings.push_back({p.code, p.path, absl::StrCat(p.message, " (already so before this change)")});
    } else {
      check.blocking.push_back({p.code, p.path, p.message});
    }
  }
  for (const common::ConfigFinding& f : Findings(report.warnings)) check.warnings.push_back(f);
  if (before_dir) {
    for (const ShiftDifference& d : DiffShifts(*before_dir, after_dir, now, now + kSafetyHorizon)) {
      check.shift_changes.push_back({d.schedule_id, d.start, d.end, d.before_people, d.after_people});
    }
  }
  return check;
}

namespace {

// The top-level keys whose values differ between two maps (a null node counts as empty).
std::set<std::string> ChangedKeys(const YAML::Node& before, const YAML::Node& after) {
  std::set<std::string> keys, changed;
  for (const YAML::Node* n : {&before, &after})
    if (n->IsMap())
      for (auto it = n->begin(); it != n->end(); ++it) keys.insert(it->first.Scalar());
  for (const std::string& k : keys) {
    const std::string b = before.IsMap() && before[k] ? common::CanonicalJson(common::YamlToValue(before[k])) : "";
    const std::string a = after.IsMap() && after[k] ? common::CanonicalJson(common::YamlToValue(after[k])) : "";
    if (a != b) changed.insert(k);
  }
  return changed;
}

absl::Status Denied(const std::string& permission, const common::ConfigEdit& edit, const std::string& why) {
  return absl::PermissionDeniedError(
      absl::StrCat("permission ", permission, " needed to change ", edit.kind->kind, " '", edit.id, "'", why));
}

}  // namespace

absl::Status EscalationConfigSchema::AuthorizeEdit(const common::Caller& caller, const common::ConfigEdit& edit,
                                                   const YAML::Node& live) const {
  const std::string& kind = edit.kind->kind;
  if (kind == "person") {
    if (caller.Holds("people.edit")) return absl::OkStatus();
    static const std::set<std::string> kSelfService = {"contact_methods", "notification_rules", "time_zone",
                                                       "handoff_reminder"};
    const std::string me = caller.principal.PersonId();
    if (!me.empty() && me == edit.id && edit.type == recovery::v1::CONFIG_CHANGE_TYPE_UPDATED) {
      bool own_settings_only = true;
      for (const std::string& k : ChangedKeys(edit.before, edit.after)) own_settings_only &= kSelfService.count(k) > 0;
      if (own_settings_only) return absl::OkStatus();
    }
    return Denied("people.edit", edit,
                  " (without it a person may change their own contact_methods, notification_rules and time_zone)");
  }
  if (kind == "schedule") {
    if (caller.Holds("schedules.edit_any")) return absl::OkStatus();
    if (!caller.Holds("schedules.edit")) return Denied("schedules.edit", edit, "");
    if (edit.type == recovery::v1::CONFIG_CHANGE_TYPE_CREATED) return absl::OkStatus();
    const std::string me = caller.principal.PersonId();
    if (live["teams"].IsSequence()) {
      for (const YAML::Node& team : live["teams"]) {
        if (!team["schedule"] || team["schedule"].Scalar() != edit.id || !team["members"].IsSequence()) continue;
        for (const YAML::Node& m : team["members"])
          if (m.IsScalar() && m.Scalar() == me) return absl::OkStatus();
      }
    }
    return Denied("schedules.edit_any", edit, " (schedules.edit covers the schedules of the caller's own teams)");
  }
  return ConfigSchema::AuthorizeEdit(caller, edit, live);
}

}  // namespace recovery::escalation
