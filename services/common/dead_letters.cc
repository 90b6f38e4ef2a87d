// The dead_letters table.
#include "services/common/dead_letters.h"

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/status_macros.h"

namespace recovery::common {

absl::Status MigrateDeadLetters(Store& store) {
  return store.Migrate("dead_letters",
                       {"CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL, "
                        "event_id TEXT NOT NULL, case_id TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL, "
                        "reason TEXT NOT NULL, attempts INTEGER NOT NULL, parked_us INTEGER NOT NULL)"});
}

absl::Status RecordDeadLetter(Tx& tx, const DeadLetter& l) {
  return tx.Exec(
      "INSERT INTO dead_letters (origin, event_id, case_id, type, payload, reason, attempts, parked_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {l.origin, l.event_id, l.case_id, l.type, Blob{l.payload}, l.reason, static_cast<int64_t>(l.attempts),
       absl::ToUnixMicros(l.parked_at)});
}

absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(Tx& tx, absl::string_view origin, int limit) {
  ASSIGN_OR_RETURN(auto rows,
                   tx.Query("SELECT id, origin, event_id, case_id, type, payload, reason, attempts, parked_us "
                            "FROM dead_letters WHERE ? = '' OR origin = ? ORDER BY id DESC LIMIT ?",
                            {std::string(origin), std::string(origin), static_cast<int64_t>(limit)}));
  std::vector<DeadLetter> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    out.push_back({r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6), static_cast<int>(r.Int(7)),
                   absl::FromUnixMicros(r.Int(8))});
  }
  return out;
}

}  // namespace recovery::common
