// The service's configuration: the domain directory (people, calendars, schedules, policies,
// teams, routing rules) plus delivery settings, with store-held overrides merged into the
// schedules. Reloadable: readers take a snapshot (shared_ptr) that stays valid while they use it.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/escalation/delivery/senders.h"
#include "services/escalation/domain/config.h"

namespace YAML {
class Node;
}

namespace recovery::escalation {

struct ServiceSettings {
  EscalationConfig directory;
  delivery::DeliverySettings delivery;
};

// Parses the --config YAML: the domain keys (ParseEscalationConfig) plus `webhook_secret`,
// `smtp` and `smtp_from`. RECOVERY_WEBHOOK_SECRET, when set, wins over `webhook_secret`.
// Errors name the key.
absl::StatusOr<ServiceSettings> ParseServiceSettings(const YAML::Node& root);

// An override added through AddOverride, kept in the store.
struct StoredOverride {
  std::string override_id;
  std::string schedule_id;
  std::string person_id;
  absl::Time start;
  absl::Time end;
  std::string reason;
};

class ConfigHolder {
 public:
  void SetSettings(ServiceSettings settings);
  void SetOverrides(std::vector<StoredOverride> overrides);
  // The directory with stored overrides appended to their schedules (so they win over the
  // YAML's, which win over layers). Overrides naming an unknown schedule or person are skipped.
  std::shared_ptr<const EscalationConfig> directory() const;
  delivery::DeliverySettings delivery() const;

 private:
  void Rebuild();  // mu_ held

  mutable std::mutex mu_;
  ServiceSettings settings_;
  std::vector<StoredOverride> overrides_;
  std::shared_ptr<const EscalationConfig> merged_ = std::make_shared<EscalationConfig>();
};

}  // namespace recovery::escalation
