// Checkpoint text and signed notes.
#include "services/audit/domain/checkpoint.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/audit/domain/merkle.h"

namespace recovery::audit {
namespace {

constexpr char kEmDash[] = "\xe2\x80\x94";  // U+2014, what starts a signature line
constexpr char kTimeFormat[] = "%Y-%m-%d%ET%H:%M:%E6SZ";

}  // namespace

CheckpointStep StepAfterAppend(int64_t tree_size, int64_t checkpoint_size, const CheckpointPolicy& policy) {
  if (tree_size <= checkpoint_size) return CheckpointStep::kNothing;
  if (tree_size - checkpoint_size >= policy.every_records) return CheckpointStep::kSign;
  if (tree_size == checkpoint_size + 1) return CheckpointStep::kArmTimer;
  return CheckpointStep::kNothing;
}

std::string CheckpointBody(const Checkpoint& c) {
  return absl::StrCat(c.origin, "\n", c.tree_size, "\n", absl::Base64Escape(c.root_hash), "\ntime ",
                      absl::FormatTime(kTimeFormat, c.time, absl::UTCTimeZone()), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body) {
  if (body.empty() || body.back() != '\n') return absl::InvalidArgumentError("checkpoint unreadable: no final newline");
  std::vector<absl::string_view> lines = absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 3) return absl::InvalidArgumentError("checkpoint unreadable: fewer than 3 lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return absl::InvalidArgumentError("checkpoint unreadable: line 1 (origin) is empty");
  const absl::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0') || !absl::SimpleAtoi(size, &c.tree_size) || c.tree_size < 0)
    return absl::InvalidArgumentError("checkpoint unreadable: line 2 (tree size) is not a decimal number");
  if (!absl::Base64Unescape(lines[2], &c.root_hash) || c.root_hash.size() != 32 ||
      absl::Base64Escape(c.root_hash) != lines[2])
    return absl::InvalidArgumentError("checkpoint unreadable: line 3 (root hash) is not base64 of 32 bytes");
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].substr(0, 5) != "time ") continue;  // other extension lines are ignored
    std::string err;
    if (!absl::ParseTime(kTimeFormat, lines[i].substr(5), absl::UTCTimeZone(), &c.time, &err))
      return absl::InvalidArgumentError(absl::StrCat("checkpoint unreadable: line ", i + 1, " (time)"));
  }
  return c;
}

std::string NoteKeyId(const PublicKey& key, absl::string_view name) {
  std::string buf(name);
  buf.push_back('\n');
  buf.push_back('\x01');
  buf += key.raw();
  return merkle::Sha256(buf).substr(0, 4);
}

std::string SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& key) {
  const std::string body = CheckpointBody(checkpoint);
  const std::string sig = NoteKeyId(key.public_key(), checkpoint.origin) + key.Sign(body);
  return absl::StrCat(body, "\n", kEmDash, " ", checkpoint.origin, " ", absl::Base64Escape(sig), "\n");
}

absl::StatusOr<Checkpoint> VerifyCheckpoint(absl::string_view note, const PublicKey& key) {
  const size_t split = note.find("\n\n");
  if (split == absl::string_view::npos)
    return absl::InvalidArgumentError("checkpoint unreadable: no blank line before the signatures");
  const absl::string_view body = note.substr(0, split + 1);
  auto checkpoint = ParseCheckpointBody(body);
  if (!checkpoint.ok()) return checkpoint.status();
  const std::string want_id = NoteKeyId(key, checkpoint->origin);
  std::vector<std::string> other_ids;
  for (absl::string_view line : absl::StrSplit(note.substr(split + 2), '\n', absl::SkipEmpty())) {
    const std::string prefix = absl::StrCat(kEmDash, " ", checkpoint->origin, " ");
    if (line.substr(0, prefix.size()) != prefix) continue;
    std::string sig;
    if (!absl::Base64Unescape(line.substr(prefix.size()), &sig) || sig.size() != 68) continue;
    if (sig.substr(0, 4) != want_id) {
      other_ids.push_back(KeyIdHex(sig.substr(0, 4)));
      continue;
    }
    if (!key.Verify(body, sig.substr(4)))
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint signature invalid: the signature of key ", KeyIdHex(want_id), " does not verify"));
    return checkpoint;
  }
  if (!other_ids.empty())
    return absl::InvalidArgumentError(absl::StrCat("checkpoint signature invalid: signed by key ",
                                                   absl::StrJoin(other_ids, ", "), ", not by the given key ",
                                                   KeyIdHex(want_id)));
  return absl::InvalidArgumentError(
      absl::StrCat("checkpoint signature invalid: no signature for ", checkpoint->origin));
}

std::string KeyIdHex(absl::string_view key_id) { return absl::BytesToHexString(key_id); }

}  // namespace recovery::audit
