// The audit export's JSON lines and the offline verifier over them (srctl audit verify;
// tools/audit_verify.py is the independent second implementation and must give the same
// verdicts, word for word). Trusts nothing of the service: recomputes the chain's record
// hashes, the Merkle leaves and root from the exported bytes, checks each checkpoint's
// signature against the auditor's copy of the public key and the export's root at each
// checkpoint's size.
//
// Export line (one JSON object per line, in seq order):
//   {"seq":S,"case_seq":C,"record_hash":"<hex>","leaf_index":S-1,
//    "event_bytes":"<base64 of the stored event bytes: the Merkle leaf bytes>","event":{...}}
// "event" is the event's protobuf JSON mapping (field names as in the .proto), a rendering of
// event_bytes; the verifiers check that it says what the bytes say.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "recovery/v1/events.pb.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/checkpoint.h"

namespace recovery::audit {

std::string ExportLine(const ChainRecord& record, const recovery::v1::Event& event);

struct ExportVerifyOptions {
  // Records after the newest checkpoint are a note rather than a problem (an export taken a
  // moment after the last checkpoint always has some).
  bool allow_tail = false;
};

struct ExportVerifyReport {
  bool ok = false;
  int64_t records = 0;
  std::string root_hex;  // the export's Merkle root over all its records
  // Highest checkpoint that matched (0: none); a later online consistency check starts there.
  int64_t verified_size = 0;
  std::vector<Checkpoint> checkpoints;  // the valid ones, ascending by size
  std::vector<std::string> problems;    // what broke, first the most telling
  std::vector<std::string> notes;
  // The report as both verifiers print it: "OK: ..." or "FAIL: ...", then "problem: " and
  // "note: " lines.
  std::string Text() const;
};

// `lines`: the export file's lines; `public_key`: null when none was given; `checkpoints`:
// signed notes (the files' contents), in the order given.
ExportVerifyReport VerifyExport(const std::vector<std::string>& lines, const PublicKey* public_key,
                                const std::vector<std::string>& checkpoints, const ExportVerifyOptions& options = {});

}  // namespace recovery::audit
