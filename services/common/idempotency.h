// request_id handling for every write RPC: a retry with the same id returns the first
// response and changes nothing; the same id with a different payload is ALREADY_EXISTS.
//
// Under concurrency (PostgreSQL, several replicas, a client retrying while its first call
// still runs) the id is claimed before the request's effects: the claim inserts the
// request_log row, so a second transaction with the same id waits on that row until the
// first commits (then it answers the first's response) or rolls back (then it runs the
// request itself). A unique violation on request_log never reaches the caller. On SQLite
// the single writer serialises the two calls, with the same answers.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "services/common/store.h"

namespace recovery::common {

// How long the second of two concurrent calls with one request_id waits for the first
// before answering UNAVAILABLE (retry later).
inline constexpr absl::Duration kRequestIdWait = absl::Seconds(10);

absl::Status MigrateIdempotency(Store& store);

// Looks up request_id inside tx. Returns the stored response bytes when this exact request
// was already handled, nullopt when it is new, ALREADY_EXISTS when the id was used for a
// different method or payload, INVALID_ARGUMENT when request_id is empty or too long.
absl::StatusOr<std::optional<std::string>> FindPriorResponse(Tx& tx, std::string_view method,
                                                             std::string_view request_id,
                                                             const google::protobuf::Message& request);

// FindPriorResponse, then, when the id is new, claims it for tx (before the request's
// effects): nullopt means tx holds the id and must RecordResponse before committing. When
// another transaction holds it: waits for it up to `wait` on PostgreSQL and answers
// UNAVAILABLE past that; ABORTED when it committed meanwhile (InTransaction runs the
// transaction again, which then finds its response or its different payload).
absl::StatusOr<std::optional<std::string>> ClaimRequest(Tx& tx, Dialect dialect, std::string_view method,
                                                        std::string_view request_id,
                                                        const google::protobuf::Message& request, int64_t now_us,
                                                        absl::Duration wait);

// Stores the response of the request whose id tx claimed, in the transaction of its effects.
absl::Status RecordResponse(Tx& tx, std::string_view request_id, const google::protobuf::Message& response);

// Runs a write RPC: validation has happened; `apply` performs the change in tx and fills
// the response. A replay parses the stored response instead of calling apply; a concurrent
// call with the same id waits for the first up to `wait`.
template <typename Response, typename Apply>
absl::Status RunIdempotent(Store& store, std::string_view method, std::string_view request_id,
                           const google::protobuf::Message& request, Response* response, int64_t now_us,
                           absl::Duration wait, Apply&& apply) {
  return InTransaction(store, [&](Tx& tx) -> absl::Status {
    // No status macros here: this header is included where services defined their own.
    absl::StatusOr<std::optional<std::string>> prior =
        ClaimRequest(tx, store.dialect(), method, request_id, request, now_us, wait);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) {
      response->Clear();
      if (!response->ParseFromString(**prior)) return absl::InternalError("stored response is corrupt");
      return absl::OkStatus();
    }
    if (absl::Status s = apply(tx); !s.ok()) return s;
    return RecordResponse(tx, request_id, *response);
  });
}

template <typename Response, typename Apply>
absl::Status RunIdempotent(Store& store, std::string_view method, std::string_view request_id,
                           const google::protobuf::Message& request, Response* response, int64_t now_us,
                           Apply&& apply) {
  return RunIdempotent(store, method, request_id, request, response, now_us, kRequestIdWait,
                       std::forward<Apply>(apply));
}

}  // namespace recovery::common
