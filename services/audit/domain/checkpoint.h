// Signed checkpoints of the audit Merkle log: the C2SP checkpoint text (c2sp.org/tlog-checkpoint)
// in a C2SP signed note (c2sp.org/signed-note) with an Ed25519 signature.
//
// Checkpoint body (every line ends in "\n"):
//   <origin>                       the log's name, e.g. "recovery.example/audit"
//   <tree size>                    decimal, no leading zeros
//   <root hash>                    standard base64 (with padding) of the 32-byte RFC 9162 root
//   time <RFC 3339 UTC>            extension line: when audit signed it, e.g.
//                                  "time 2026-12-03T17:30:50.123456Z" (always 6 fraction digits)
// Signed note = body, an empty line, then one line per signature:
//   "\u2014 <key name> <base64(key id [4 bytes] || Ed25519 signature [64 bytes])>\n"
// The signature is over the body's exact bytes. key name = origin; key id = the first 4 bytes
// of SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key) (0x01: the Ed25519 type).
// Thread-safety: stateless functions; the keys are immutable and safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/crypto.h"

namespace recovery::audit {

struct Checkpoint {
  std::string origin;
  int64_t tree_size = 0;
  std::string root_hash;  // raw 32 bytes
  absl::Time time;        // microsecond precision
};

// When audit signs a checkpoint: every `every_records` records, and at the latest `every`
// (on the service's clock) after the first record that no checkpoint covers yet.
struct CheckpointPolicy {
  int64_t every_records = 1000;
  absl::Duration every = absl::Minutes(1);
};

enum class CheckpointStep {
  kNothing,   // the running timer (if any) or the record count will bring the next one
  kSign,      // sign one now, at the new tree size
  kArmTimer,  // the first record after a checkpoint: sign at the latest `every` from now
};

// The decision after the tree grew to tree_size, the last checkpoint being at checkpoint_size.
CheckpointStep StepAfterAppend(int64_t tree_size, int64_t checkpoint_size, const CheckpointPolicy& policy);

// The body text above.
std::string CheckpointBody(const Checkpoint& checkpoint);
// Parses a body; errors say which line is wrong.
absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body);

// Ed25519 keys: the common ones (services/common/crypto.h).
using PublicKey = common::Ed25519PublicKey;
using SigningKey = common::Ed25519SigningKey;

// The signed-note key id for `key` under `name` (4 bytes, big-endian as on the wire).
std::string NoteKeyId(const PublicKey& key, absl::string_view name);

// The signed note of a checkpoint: body, blank line, one signature line by `key` as `origin`.
std::string SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& key);

// Splits a signed note and verifies the signature of `key` (under the note's origin as key
// name). Errors start with "checkpoint signature invalid" when the signature is missing, made
// by another key, or does not verify; with "checkpoint unreadable" when the text is no note.
absl::StatusOr<Checkpoint> VerifyCheckpoint(absl::string_view note, const PublicKey& key);

// Hex of a key id, for display ("1a2b3c4d").
std::string KeyIdHex(absl::string_view key_id);

}  // namespace recovery::audit
