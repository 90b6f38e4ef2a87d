// request_id bookkeeping.
#include "services/common/idempotency.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "absl/strings/str_cat.h"

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
}  // namespace

absl::Status MigrateIdempotency(Store& store) {
  return store.Migrate("idempotency", {
                                          "CREATE TABLE request_log (request_id TEXT PRIMARY KEY, method TEXT NOT NULL, "
                                          "fingerprint TEXT NOT NULL, response BLOB NOT NULL, created_us INTEGER NOT NULL)",
                                      });
}

absl::StatusOr<std::optional<std::string>> FindPriorResponse(Tx& tx, std::string_view method,
                                                             std::string_view request_id,
                                                             const google::protobuf::Message& request) {
  if (request_id.empty()) return absl::InvalidArgumentError("request_id: required (a unique id per write, reused on retry)");
  if (request_id.size() > 128) return absl::InvalidArgumentError("request_id: at most 128 characters");
  auto rows = tx.Query("SELECT method, fingerprint, response FROM request_log WHERE request_id = ?",
                       {std::string(request_id)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  const Row& r = (*rows)[0];
  if (r.Str(0) != method || r.Str(1) != Fingerprint(request))
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: '", std::string(request_id), "' was already used for a different request"));
  return std::optional<std::string>(r.Str(2));
}

absl::Status RecordResponse(Tx& tx, std::string_view method, std::string_view request_id,
                            const google::protobuf::Message& request, const google::protobuf::Message& response,
                            int64_t now_us) {
  std::string bytes;
  response.SerializeToString(&bytes);
  return tx.Exec("INSERT INTO request_log (request_id, method, fingerprint, response, created_us) VALUES (?, ?, ?, ?, ?)",
                 {std::string(request_id), std::string(method), Fingerprint(request), Blob{std::move(bytes)}, now_us});
}

}  // namespace recovery::common
