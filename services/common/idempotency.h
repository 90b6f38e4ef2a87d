// request_id handling for every write RPC: a retry with the same id returns the first
// response and changes nothing; the same id with a different payload is ALREADY_EXISTS.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "services/common/store.h"

namespace recovery::common {

absl::Status MigrateIdempotency(Store& store);

// Looks up request_id inside tx. Returns the stored response bytes when this exact request
// was already handled, nullopt when it is new, ALREADY_EXISTS when the id was used for a
// different method or payload, INVALID_ARGUMENT when request_id is empty or too long.
absl::StatusOr<std::optional<std::string>> FindPriorResponse(Tx& tx, std::string_view method,
                                                             std::string_view request_id,
                                                             const google::protobuf::Message& request);

// Records the response of a handled request inside the same transaction as its effects.
absl::Status RecordResponse(Tx& tx, std::string_view method, std::string_view request_id,
                            const google::protobuf::Message& request, const google::protobuf::Message& response,
                            int64_t now_us);

// Runs a write RPC: validation has happened; `apply` performs the change in tx and fills
// the response. A replay parses the stored response instead of calling apply.
template <typename Response, typename Apply>
absl::Status RunIdempotent(Store& store, std::string_view method, std::string_view request_id,
                           const google::protobuf::Message& request, Response* response, int64_t now_us,
                           Apply&& apply) {
  return InTransaction(store, [&](Tx& tx) -> absl::Status {
    auto prior = FindPriorResponse(tx, method, request_id, request);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) {
      response->Clear();
      if (!response->ParseFromString(**prior)) return absl::InternalError("stored response is corrupt");
      return absl::OkStatus();
    }
    if (auto s = apply(tx); !s.ok()) return s;
    return RecordResponse(tx, method, request_id, request, *response, now_us);
  });
}

}  // namespace recovery::common
