// Service configuration parsing and the reloadable, override-merged directory snapshot.
#include "services/escalation/settings.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

constexpr const char* kDeliveryKeys[] = {"webhook_secret", "smtp", "smtp_from"};

absl::StatusOr<std::string> OptionalScalar(const YAML::Node& root, const char* key) {
  const YAML::Node n = root[key];
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) return absl::InvalidArgumentError(absl::StrCat(key, ": must be a string"));
  return n.as<std::string>();
}

}  // namespace

absl::StatusOr<ServiceSettings> ParseServiceSettings(const YAML::Node& root) {
  ServiceSettings out;
  YAML::Node domain;
  try {
    if (root && !root.IsNull() && !root.IsMap()) return absl::InvalidArgumentError("(root): must be a map");
    domain = YAML::Clone(root);
    if (domain.IsMap()) {
      for (const char* key : kDeliveryKeys) domain.remove(key);
    }
    auto secret = OptionalScalar(root, "webhook_secret");
    if (!secret.ok()) return secret.status();
    auto smtp = OptionalScalar(root, "smtp");
    if (!smtp.ok()) return smtp.status();
    auto from = OptionalScalar(root, "smtp_from");
    if (!from.ok()) return from.status();
    out.delivery.webhook_secret = *secret;
    out.delivery.smtp_url = *smtp;
    if (!from->empty()) out.delivery.smtp_from = *from;
    if (!smtp->empty() && smtp->rfind("smtp://", 0) != 0 && smtp->rfind("smtps://", 0) != 0) {
      return absl::InvalidArgumentError("smtp: must be an smtp:// or smtps:// URL");
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("(root): malformed YAML: ", e.what()));
  }
  if (const char* env = std::getenv("RECOVERY_WEBHOOK_SECRET"); env != nullptr && *env != '\0') {
    out.delivery.webhook_secret = env;
  }
  auto directory = ParseEscalationConfig(domain);
  if (!directory.ok()) return directory.status();
  out.directory = std::move(*directory);
  return out;
}

void ConfigHolder::SetSettings(ServiceSettings settings) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_ = std::move(settings);
  Rebuild();
}

void ConfigHolder::SetOverrides(std::vector<StoredOverride> overrides) {
  std::lock_guard<std::mutex> lock(mu_);
  overrides_ = std::move(overrides);
  Rebuild();
}

void ConfigHolder::Rebuild() {
  auto merged = std::make_shared<EscalationConfig>(settings_.directory);
  for (const StoredOverride& o : overrides_) {
    if (merged->FindPerson(o.person_id) == nullptr) continue;
    for (Schedule& s : merged->schedules) {
      if (s.id == o.schedule_id) s.overrides.push_back(Override{o.person_id, o.start, o.end});
    }
  }
  merged_ = std::move(merged);
}

std::shared_ptr<const EscalationConfig> ConfigHolder::directory() const {
  std::lock_guard<std::mutex> lock(mu_);
  return merged_;
}

delivery::DeliverySettings ConfigHolder::delivery() const {
  std::lock_guard<std::mutex> lock(mu_);
  return settings_.delivery;
}

}  // namespace recovery::escalation
