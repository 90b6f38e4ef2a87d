// Appends every consumed event to the audit chain.
#include "services/audit/handlers.h"

#include "services/audit/store.h"
#include "services/common/events.h"
#include "services/common/logging.h"

namespace recovery::audit {

absl::Status RecordEvent(common::Tx& tx, const recovery::v1::Event& event, absl::Time now) {
  auto appended = AuditStore::Append(tx, event, now);
  if (!appended.ok()) return appended.status();
  if (!*appended)
    common::LogInfo("audit: event already recorded",
                    {{"event_id", event.event_id()}, {"type", common::EventTypeName(event)}});
  return absl::OkStatus();
}

}  // namespace recovery::audit
