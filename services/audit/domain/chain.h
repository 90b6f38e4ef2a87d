// The audit hash chain: how a record's hashes are computed and how a sequence of stored
// records is verified. Pure logic (no I/O); the store feeds records in seq order.
//
// Record format (hashes are stored as lowercase hex, hashed as raw bytes):
//   event_sha256 = SHA256(event_bytes)
//   record_hash  = SHA256(prev_hash[32] || event_sha256[32] || seq as 8-byte big-endian || event_id UTF-8)
// The first record's prev_hash is 32 zero bytes (GenesisHash()).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "recovery/v1/events.pb.h"

namespace recovery::audit {

// One stored record of the append-only log. The indexed columns (event_id, case_id,
// type, source, occurred_us) are copies of what the event bytes say.
struct ChainRecord {
  int64_t seq = 0;
  int64_t case_seq = 0;
  std::string event_id;
  std::string case_id;
  std::string type;
  std::string source;
  int64_t occurred_us = 0;
  std::string event_bytes;
  std::string event_sha256;  // hex
  std::string prev_hash;     // hex
  std::string record_hash;   // hex
};

// kMerkle: the Merkle log disagrees with the records (a leaf is not the hash of its record's
// bytes, the stored subtrees give another root, or a kept checkpoint signed another root).
enum class ChainCheck { kSequence, kEventHash, kPrevLink, kRecordHash, kEventContent, kCaseSequence, kHead, kMerkle };
std::string ChainCheckName(ChainCheck check);

struct ChainBreak {
  int64_t seq = 0;
  std::string event_id;  // empty when the record is missing
  ChainCheck check = ChainCheck::kSequence;
  std::string detail;
};

// Lowercase hex SHA-256 of bytes.
std::string Sha256Hex(std::string_view bytes);
// 64 hex zeros: the prev_hash of record 1.
const std::string& GenesisHash();
// record_hash as hex, from hex prev_hash and event_sha256.
std::string RecordHash(std::string_view prev_hash_hex, std::string_view event_sha256_hex, int64_t seq,
                       std::string_view event_id);

// Serialises the event deterministically; these bytes are what the chain hashes and stores.
std::string EventBytes(const recovery::v1::Event& event);

// The chain's recorded head: the last record's seq and record_hash.
struct ChainHead {
  int64_t seq = 0;
  std::string hash;  // GenesisHash() while seq is 0
};

// The next record after a head (seq, hash); head_seq 0 with GenesisHash() for the first.
ChainRecord NextRecord(int64_t head_seq, std::string_view head_hash, int64_t case_seq, const recovery::v1::Event& event,
                       std::string event_bytes);

// Verifies records fed in ascending seq order. Not thread-safe.
class ChainVerifier {
 public:
  // Checks one record against its predecessor; returns the first failed check.
  std::optional<ChainBreak> Add(const ChainRecord& record);
  // After the last record: the stored head must be the last record seen.
  std::optional<ChainBreak> Finish(int64_t head_seq, std::string_view head_hash) const;

  int64_t checked() const { return checked_; }
  int64_t last_seq() const { return last_seq_; }
  // record_hash of the last record ("" before any).
  const std::string& head_hash() const { return last_hash_; }

 private:
  int64_t checked_ = 0;
  int64_t last_seq_ = 0;
  std::string last_hash_;
  std::map<std::string, int64_t> case_seq_;
};

}  // namespace recovery::audit
