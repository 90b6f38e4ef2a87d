// Hash-chain computation and verification for the audit log.
#include "services/audit/domain/chain.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/audit/domain/merkle.h"
#include "services/common/events.h"

namespace recovery::audit {
namespace {

// One SHA-256 for the chain and the Merkle log (merkle.cc fetches the algorithm once).
std::string Sha256Raw(std::string_view bytes) { return merkle::Sha256(absl::string_view(bytes.data(), bytes.size())); }

// Hex that is not 64 lowercase hex digits decodes to "", which can never match.
std::string HexToRaw(std::string_view hex) {
  if (hex.size() != 64) return "";
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  return absl::HexStringToBytes(std::string(hex));
}

std::string Short(std::string_view hex) { return std::string(hex.substr(0, 16)); }

}  // namespace

std::string ChainCheckName(ChainCheck check) {
  switch (check) {
    case ChainCheck::kSequence:
      return "sequence";
    case ChainCheck::kEventHash:
      return "event_hash";
    case ChainCheck::kPrevLink:
      return "prev_link";
    case ChainCheck::kRecordHash:
      return "record_hash";
    case ChainCheck::kEventContent:
      return "event_content";
    case ChainCheck::kCaseSequence:
      return "case_sequence";
    case ChainCheck::kHead:
      return "head";
    case ChainCheck::kMerkle:
      return "merkle";
  }
  return "unknown";
}

std::string Sha256Hex(std::string_view bytes) { return absl::BytesToHexString(Sha256Raw(bytes)); }

const std::string& GenesisHash() {
  static const std::string* kGenesis = new std::string(64, '0');
  return *kGenesis;
}

std::string RecordHash(std::string_view prev_hash_hex, std::string_view event_sha256_hex, int64_t seq,
                       std::string_view event_id) {
  std::string buf = HexToRaw(prev_hash_hex);
  buf += HexToRaw(event_sha256_hex);
  const auto useq = static_cast<uint64_t>(seq);
  for (int shift = 56; shift >= 0; shift -= 8) buf.push_back(static_cast<char>((useq >> shift) & 0xff));
  buf.append(event_id.data(), event_id.size());
  return absl::BytesToHexString(Sha256Raw(buf));
}

std::string EventBytes(const recovery::v1::Event& event) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  return out;
}

ChainRecord NextRecord(int64_t head_seq, std::string_view head_hash, int64_t case_seq, const recovery::v1::Event& event,
                       std::string event_bytes) {
  ChainRecord r;
  r.seq = head_seq + 1;
  r.case_seq = case_seq;
  r.event_id = event.event_id();
  r.case_id = event.case_id();
  r.type = common::EventTypeName(event);
  r.source = event.source();
  r.occurred_us = absl::ToUnixMicros(common::FromProto(event.occurred_at()));
  r.event_sha256 = Sha256Hex(event_bytes);
  r.event_bytes = std::move(event_bytes);
  r.prev_hash = std::string(head_hash);
  r.record_hash = RecordHash(r.prev_hash, r.event_sha256, r.seq, r.event_id);
  return r;
}

std::optional<ChainBreak> ChainVerifier::Add(const ChainRecord& r) {
  auto broken = [&](ChainCheck check, std::string detail) {
    return ChainBreak{r.seq, r.event_id, check, std::move(detail)};
  };
  const int64_t expected_seq = last_seq_ + 1;
  if (r.seq != expected_seq) {
    if (r.seq > expected_seq)
      return ChainBreak{expected_seq, "", ChainCheck::kSequence,
                        absl::StrCat("record ", expected_seq, " is missing; next present record is ", r.seq, " (event ",
                                     r.event_id, ")")};
    return broken(ChainCheck::kSequence, absl::StrCat("expected seq ", expected_seq, ", found ", r.seq));
  }
  if (const std::string actual = Sha256Hex(r.event_bytes); actual != r.event_sha256)
    return broken(ChainCheck::kEventHash, absl::StrCat("SHA-256 of stored event bytes is ", Short(actual),
                                                       "..., stored event_sha256 is ", Short(r.event_sha256), "..."));
  const std::string& expected_prev = checked_ == 0 ? GenesisHash() : last_hash_;
  if (r.prev_hash != expected_prev)
    return broken(ChainCheck::kPrevLink, absl::StrCat("prev_hash ", Short(r.prev_hash), "... != record_hash of seq ",
                                                      last_seq_, " ", Short(expected_prev), "..."));
  if (const std::string actual = RecordHash(r.prev_hash, r.event_sha256, r.seq, r.event_id); actual != r.record_hash)
    return broken(ChainCheck::kRecordHash, absl::StrCat("recomputed record_hash ", Short(actual), "... != stored ",
                                                        Short(r.record_hash), "..."));
  recovery::v1::Event event;
  if (!event.ParseFromString(r.event_bytes))
    return broken(ChainCheck::kEventContent, "stored event bytes do not parse");
  std::string mismatch;
  if (event.event_id() != r.event_id)
    mismatch = "event_id";
  else if (event.case_id() != r.case_id)
    mismatch = "case_id";
  else if (common::EventTypeName(event) != r.type)
    mismatch = "type";
  else if (event.source() != r.source)
    mismatch = "source";
  else if (absl::ToUnixMicros(common::FromProto(event.occurred_at())) != r.occurred_us)
    mismatch = "occurred_at";
  if (!mismatch.empty())
    return broken(ChainCheck::kEventContent, absl::StrCat("stored ", mismatch, " column differs from the event bytes"));
  int64_t& case_last = case_seq_[r.case_id];
  if (r.case_seq != case_last + 1)
    return broken(ChainCheck::kCaseSequence,
                  absl::StrCat("case ", r.case_id, ": expected case_seq ", case_last + 1, ", found ", r.case_seq));
  case_last = r.case_seq;
  ++checked_;
  last_seq_ = r.seq;
  last_hash_ = r.record_hash;
  return std::nullopt;
}

std::optional<ChainBreak> ChainVerifier::Finish(int64_t head_seq, std::string_view head_hash) const {
  if (head_seq == last_seq_ && head_hash == last_hash_) return std::nullopt;
  if (head_seq > last_seq_)
    return ChainBreak{last_seq_ + 1, "", ChainCheck::kHead,
                      absl::StrCat("chain head is seq ", head_seq, " but the log ends at seq ", last_seq_,
                                   ": records after ", last_seq_, " are missing")};
  return ChainBreak{last_seq_, "", ChainCheck::kHead,
                    absl::StrCat("chain head (seq ", head_seq, ", ", Short(head_hash),
                                 "...) does not match the last record (seq ", last_seq_, ")")};
}

}  // namespace recovery::audit
