// absl::Time / absl::Duration <-> google.protobuf.Timestamp / Duration, written once.
// Thread-safety: pure functions.
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace recovery::common {

// Microsecond precision (what every store keeps); times before 1970 round toward the past.
google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& ts);

google::protobuf::Duration ToProtoDuration(absl::Duration d);
absl::Duration FromProtoDuration(const google::protobuf::Duration& d);

}  // namespace recovery::common
