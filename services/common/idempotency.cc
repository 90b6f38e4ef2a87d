// request_id bookkeeping.
#include "services/common/idempotency.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/common/status_macros.h"

namespace recovery::common {
namespace {
std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);  // map fields in a stable order
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
}

// PostgreSQL's lock_not_available (the claim waited longer than lock_timeout); the store
// reports its SQLSTATE in brackets.
bool IsLockTimeout(const absl::Status& s) {
  return s.code() == absl::StatusCode::kAborted && absl::StrContains(s.message(), "[55P03]");
}
}  // namespace

absl::Status MigrateIdempotency(Store& store) {
  return store.Migrate("idempotency",
                       {
                           "CREATE TABLE request_log (request_id TEXT PRIMARY KEY, method TEXT NOT NULL, "
                           "fingerprint TEXT NOT NULL, response BLOB NOT NULL, created_us INTEGER NOT NULL)",
                       });
}

absl::StatusOr<std::optional<std::string>> FindPriorResponse(Tx& tx, std::string_view method,
                                                             std::string_view request_id,
                                                             const google::protobuf::Message& request) {
  if (request_id.empty())
    return absl::InvalidArgumentError("request_id: required (a unique id per write, reused on retry)");
  if (request_id.size() > 128) return absl::InvalidArgumentError("request_id: at most 128 characters");
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT method, fingerprint, response FROM request_log WHERE request_id = ?",
                                       {std::string(request_id)}));
  if (rows.empty()) return std::optional<std::string>();
  const Row& r = rows[0];
  if (r.Str(0) != method || r.Str(1) != Fingerprint(request))
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: '", std::string(request_id), "' was already used for a different request"));
  return std::optional<std::string>(r.Str(2));
}

absl::StatusOr<std::optional<std::string>> ClaimRequest(Tx& tx, Dialect dialect, std::string_view method,
                                                        std::string_view request_id,
                                                        const google::protobuf::Message& request, int64_t now_us,
                                                        absl::Duration wait) {
  ASSIGN_OR_RETURN(std::optional<std::string> prior, FindPriorResponse(tx, method, request_id, request));
  if (prior.has_value()) return prior;
  const bool postgres = dialect == Dialect::kPostgres;
  // The claim waits on a row another transaction inserted and has not committed; bound it.
  if (postgres) {
    const int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(wait));
    RETURN_IF_ERROR(tx.Exec(absl::StrCat("SET LOCAL lock_timeout = ", ms)));
  }
  // Inserted with an empty response, filled in by RecordResponse before the commit; nobody
  // else ever sees it empty (the row is visible only once the effects commit with it).
  absl::Status s = tx.Exec(
      "INSERT INTO request_log (request_id, method, fingerprint, response, created_us) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING",
      {std::string(request_id), std::string(method), Fingerprint(request), Blob{}, now_us});
  if (IsLockTimeout(s)) {
    return absl::UnavailableError(
        absl::StrCat("request_id: an earlier call with '", std::string(request_id), "' is still running; retry later"));
  }
  // ABORTED here: the other transaction committed the id after this one's snapshot
  // (PostgreSQL's serialisation failure); InTransaction looks again and finds it.
  RETURN_IF_ERROR(s);
  if (tx.ChangedRows() == 0) return absl::AbortedError("request_id: claimed by a concurrent call; looking again");
  if (postgres) RETURN_IF_ERROR(tx.Exec("SET LOCAL lock_timeout TO DEFAULT"));
  return std::optional<std::string>();
}

absl::Status RecordResponse(Tx& tx, std::string_view request_id, const google::protobuf::Message& response) {
  std::string bytes;
  if (!response.SerializeToString(&bytes)) return absl::InternalError("response: serialisation failed");
  return tx.Exec("UPDATE request_log SET response = ? WHERE request_id = ?",
                 {Blob{std::move(bytes)}, std::string(request_id)});
}

}  // namespace recovery::common
