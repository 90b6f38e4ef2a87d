// UUIDv7 identifiers: time-ordered, so ids sort by creation time.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace recovery::common {

// Thread-safe. Ids made from the same generator are strictly increasing even within one
// millisecond (RFC 9562 method 1: a 12-bit counter in rand_a, reseeded each millisecond).
class IdGenerator {
 public:
  std::string NewUuidV7(absl::Time now);
};

// Process-wide generator.
std::string NewId(absl::Time now);

// True for a canonical lowercase or uppercase 8-4-4-4-12 hex UUID.
bool IsUuid(std::string_view s);

}  // namespace recovery::common
