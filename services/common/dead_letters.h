// The dead-letter table every service has: events the runtime gave up on, with the reason,
// so nothing is dropped silently. The consumer parks events it cannot handle (malformed, or
// a handler that kept failing); the outbox relay parks rows the broker refuses for good
// (e.g. over message.max.bytes). Operators list them (metrics, the Operations RPCs, srctl).
// Thread-safety: stateless functions over a Tx.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/store.h"

namespace recovery::common {

struct DeadLetter {
  int64_t id = 0;
  std::string origin;  // "consumer" | "outbox"
  std::string event_id;
  std::string case_id;
  std::string type;     // the event's body type, "" when it did not parse
  std::string payload;  // the bytes as received or as they were to be published
  std::string reason;   // why it was parked, e.g. "malformed: ..." or "handler failed 5 times: ..."
  int attempts = 0;
  absl::Time parked_at = absl::InfinitePast();
};

inline constexpr char kDeadLetterConsumer[] = "consumer";
inline constexpr char kDeadLetterOutbox[] = "outbox";

absl::Status MigrateDeadLetters(Store& store);

// Parks one event in tx (the caller's transaction, so parking and skipping commit together).
absl::Status RecordDeadLetter(Tx& tx, const DeadLetter& letter);

// The newest first, at most `limit`; origin "" lists both.
absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(Tx& tx, absl::string_view origin, int limit);

}  // namespace recovery::common
