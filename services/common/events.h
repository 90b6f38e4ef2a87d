// Helpers for building and naming recovery.v1.Event envelopes.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/common/proto_time.h"

namespace recovery::common {

// The body's message type name, e.g. "CaseOpened"; "" when the body is unset.
std::string EventTypeName(const recovery::v1::Event& event);

// A new envelope with a fresh UUIDv7 id, the given case, source, actor and cause.
recovery::v1::Event NewEvent(absl::Time now, std::string_view case_id, std::string_view source, std::string_view actor,
                             std::string_view causation_id);

// Compact one-line JSON of an event (proto3 JSON mapping).
std::string EventToJson(const recovery::v1::Event& event);

}  // namespace recovery::common
