// Audit use cases: record an event; timeline, verification, export and stats reads.
#include "services/audit/app.h"

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/errors.h"
#include "services/audit/domain/export_verifier.h"
#include "services/audit/domain/merkle.h"
#include "services/audit/domain/summary.h"
#include "services/audit/validation.h"
#include "services/common/clock.h"
#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/timers.h"
#include "services/common/validation.h"

namespace recovery::audit {
namespace {

using common::ToProto;

recovery::v1::ChainCheck ToProtoCheck(ChainCheck check) {
  switch (check) {
    case ChainCheck::kSequence:
      return recovery::v1::CHAIN_CHECK_SEQUENCE;
    case ChainCheck::kEventHash:
      return recovery::v1::CHAIN_CHECK_EVENT_HASH;
    case ChainCheck::kPrevLink:
      return recovery::v1::CHAIN_CHECK_PREV_LINK;
    case ChainCheck::kRecordHash:
      return recovery::v1::CHAIN_CHECK_RECORD_HASH;
    case ChainCheck::kEventContent:
      return recovery::v1::CHAIN_CHECK_EVENT_CONTENT;
    case ChainCheck::kCaseSequence:
      return recovery::v1::CHAIN_CHECK_CASE_SEQUENCE;
    case ChainCheck::kHead:
      return recovery::v1::CHAIN_CHECK_HEAD;
    case ChainCheck::kMerkle:
      return recovery::v1::CHAIN_CHECK_MERKLE;
  }
  return recovery::v1::CHAIN_CHECK_UNSPECIFIED;
}

// Hashes read more than once in one answer (the nodes of a case's many proofs overlap) are
// read from the store once.
merkle::NodeSource CachedNodes(common::Tx& tx) {
  auto cache = std::make_shared<std::map<std::pair<int, uint64_t>, std::string>>();
  merkle::NodeSource stored = AuditStore::Nodes(tx);
  return [cache, stored](int level, uint64_t index) -> absl::StatusOr<std::string> {
    auto it = cache->find({level, index});
    if (it != cache->end()) return it->second;
    ASSIGN_OR_RETURN(std::string hash, stored(level, index));
    cache->emplace(std::make_pair(level, index), hash);
    return hash;
  };
}

std::string Hex(const std::string& raw) { return absl::BytesToHexString(raw); }

void AddHexes(const std::vector<std::string>& raws, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const std::string& r : raws) *out->Add() = Hex(r);
}

}  // namespace

absl::StatusOr<bool> RecordEvent(common::Tx& tx, const recovery::v1::Event& event, absl::Time recorded_at) {
  ASSIGN_OR_RETURN(const ChainHead head, AuditStore::Head(tx));
  ASSIGN_OR_RETURN(const int64_t case_seq, AuditStore::LastCaseSeq(tx, event.case_id()));
  const ChainRecord record = NextRecord(head.seq, head.hash, case_seq + 1, event, EventBytes(event));
  return AuditStore::AppendRecord(tx, record, recorded_at);
}

AuditApp::AuditApp(const common::ServiceContext& ctx, AuditOptions options, std::optional<SigningKey> key)
    : ctx_(ctx), store_(ctx.store), options_(std::move(options)), key_(std::move(key)) {}

absl::Status AuditApp::OnEvent(common::Tx& tx, const recovery::v1::Event& event) {
  if (absl::Status invalid = ValidateEvent(event); !invalid.ok()) {
    return invalid;  // the consumer parks it (dead_letters), counts and logs it
  }
  if (event.has_audit_checkpoint_published()) {
    // Our own checkpoint back from the topic: it is kept in audit_checkpoint already, and
    // recording it would make a record that asks for the next checkpoint, forever.
    ASSIGN_OR_RETURN(const bool own, AuditStore::IsOwnCheckpointEvent(tx, event.event_id()));
    if (own) return absl::OkStatus();
  }
  const absl::Time now = ctx_.clock.Now();
  ASSIGN_OR_RETURN(const bool appended, RecordEvent(tx, event, now));
  if (!appended) {
    common::LogInfo("audit: event already recorded",
                    {{"event_id", event.event_id()}, {"type", common::EventTypeName(event)}});
    return absl::OkStatus();
  }
  return AfterAppend(tx, now);
}

absl::Status AuditApp::AfterAppend(common::Tx& tx, absl::Time now) {
  if (!key_) return absl::OkStatus();
  ASSIGN_OR_RETURN(const TreeHead tree, AuditStore::ReadTreeHead(tx));
  switch (StepAfterAppend(tree.tree_size, tree.checkpoint_size, options_.checkpoints)) {
    case CheckpointStep::kSign:
      return SignCheckpointAt(tx, tree.tree_size, now);
    case CheckpointStep::kArmTimer:
      return ctx_.timers.Schedule(tx, kCheckpointTimer, "next", now + options_.checkpoints.every);
    case CheckpointStep::kNothing:
      break;
  }
  return absl::OkStatus();
}

absl::Status AuditApp::OnCheckpointTimer(common::Tx& tx) {
  if (!key_) return absl::OkStatus();
  ASSIGN_OR_RETURN(const TreeHead tree, AuditStore::ReadTreeHead(tx));
  if (tree.tree_size <= tree.checkpoint_size) return absl::OkStatus();  // the record count got there first
  return SignCheckpointAt(tx, tree.tree_size, ctx_.clock.Now());
}

absl::Status AuditApp::SignCheckpointAt(common::Tx& tx, int64_t tree_size, absl::Time now) {
  ASSIGN_OR_RETURN(const std::string root, merkle::Root(static_cast<uint64_t>(tree_size), AuditStore::Nodes(tx)));
  const Checkpoint checkpoint{options_.origin, tree_size, root, absl::FromUnixMicros(absl::ToUnixMicros(now))};
  const std::string note = SignCheckpoint(checkpoint, *key_);
  recovery::v1::Event event = common::NewEvent(now, "audit:checkpoints", "audit", "service:audit", "");
  auto* body = event.mutable_audit_checkpoint_published();
  body->set_origin(checkpoint.origin);
  body->set_tree_size(tree_size);
  body->set_root_hash(Hex(root));
  *body->mutable_signed_at() = common::ToProto(checkpoint.time);
  body->set_note(note);
  body->set_key_id(KeyIdHex(NoteKeyId(key_->public_key(), options_.origin)));
  RETURN_IF_ERROR(ctx_.outbox.Append(tx, event));
  RETURN_IF_ERROR(AuditStore::InsertCheckpoint(
      tx, StoredCheckpoint{tree_size, Hex(root), absl::ToUnixMicros(checkpoint.time), note, event.event_id()}));
  common::LogInfo("audit: checkpoint signed", {{"tree_size", std::to_string(tree_size)}, {"root_hash", Hex(root)}});
  return absl::OkStatus();
}

absl::Status AuditApp::CatchUpTree() {
  for (;;) {
    int64_t added = 0;
    RETURN_IF_ERROR(store_.InTransaction([&](common::Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(added, AuditStore::CatchUpTree(tx, 1000));
      return absl::OkStatus();
    }));
    if (added == 0) return absl::OkStatus();
    common::LogInfo("audit: Merkle leaves added for records chained before", {{"leaves", std::to_string(added)}});
  }
}

absl::StatusOr<int64_t> AuditApp::ResolveSize(common::Tx& tx, int64_t tree_size, const char* field) {
  ASSIGN_OR_RETURN(const TreeHead tree, AuditStore::ReadTreeHead(tx));
  if (tree_size == 0) return tree.checkpoint_size > 0 ? tree.checkpoint_size : tree.tree_size;
  if (tree_size > tree.tree_size)
    return Refuse(AuditError::kBeyondTree,
                  absl::StrCat(field, ": ", tree_size, " is beyond the log (", tree.tree_size, " records)"));
  return tree_size;
}

absl::StatusOr<recovery::v1::Checkpoint> AuditApp::CheckpointProto(const StoredCheckpoint& c) const {
  recovery::v1::Checkpoint out;
  auto body = ParseCheckpointBody(c.note.substr(0, c.note.find("\n\n") + 1));
  if (!body.ok())
    return absl::DataLossError(absl::StrCat("audit_checkpoint ", c.tree_size, ": ", body.status().message()));
  out.set_origin(body->origin);
  out.set_tree_size(c.tree_size);
  out.set_root_hash(c.root_hash);
  *out.mutable_signed_at() = common::ToProto(absl::FromUnixMicros(c.signed_us));
  out.set_note(c.note);
  if (key_) out.set_key_id(KeyIdHex(NoteKeyId(key_->public_key(), body->origin)));
  return out;
}

absl::Status AuditApp::GetCheckpoint(const recovery::v1::GetCheckpointRequest& req,
                                     recovery::v1::GetCheckpointResponse* resp) {
  return store_.InTransaction([&](common::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(const TreeHead tree, AuditStore::ReadTreeHead(tx));
    ASSIGN_OR_RETURN(const auto kept, AuditStore::CheckpointAt(tx, req.tree_size()));
    if (!kept)
      return Refuse(AuditError::kNoCheckpoint,
                    req.tree_size() == 0 ? std::string("tree_size: no checkpoint signed yet")
                                         : absl::StrCat("tree_size: no checkpoint kept at size ", req.tree_size()));
    ASSIGN_OR_RETURN(*resp->mutable_checkpoint(), CheckpointProto(*kept));
    resp->set_current_tree_size(tree.tree_size);
    return absl::OkStatus();
  });
}

absl::Status AuditApp::GetInclusionProof(const recovery::v1::GetInclusionProofRequest& req,
                                         recovery::v1::GetInclusionProofResponse* resp) {
  return store_.InTransaction([&](common::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(const int64_t size, ResolveSize(tx, req.tree_size(), "tree_size"));
    std::vector<int64_t> seqs;
    if (req.has_seq()) {
      if (req.seq() > size)
        return Refuse(AuditError::kBeyondTree, absl::StrCat("seq: ", req.seq(), " is not in the tree of size ", size));
      seqs.push_back(req.seq());
    } else {
      ASSIGN_OR_RETURN(const std::vector<int64_t> all, AuditStore::CaseSeqs(tx, req.case_id()));
      if (all.empty())
        return Refuse(AuditError::kNoEventsForCase,
                      absl::StrCat("case_id: no events recorded for case ", req.case_id()));
      for (int64_t seq : all)
        if (seq <= size) seqs.push_back(seq);
      if (seqs.empty())
        return Refuse(AuditError::kBeyondTree, absl::StrCat("case_id: no record of case ", req.case_id(),
                                                            " is in the tree of size ", size, " yet"));
    }
    const merkle::NodeSource nodes = CachedNodes(tx);
    ASSIGN_OR_RETURN(const std::string root, merkle::Root(static_cast<uint64_t>(size), nodes));
    resp->set_tree_size(size);
    resp->set_root_hash(Hex(root));
    for (int64_t seq : seqs) {
      const auto index = static_cast<uint64_t>(seq - 1);
      ASSIGN_OR_RETURN(const std::string leaf, nodes(0, index));
      ASSIGN_OR_RETURN(const auto path, merkle::InclusionProof(index, static_cast<uint64_t>(size), nodes));
      auto* proof = resp->add_proofs();
      proof->set_seq(seq);
      proof->set_leaf_index(seq - 1);
      proof->set_leaf_hash(Hex(leaf));
      AddHexes(path, proof->mutable_hashes());
    }
    ASSIGN_OR_RETURN(const auto kept, AuditStore::CheckpointAt(tx, size));
    if (kept) {
      ASSIGN_OR_RETURN(*resp->mutable_checkpoint(), CheckpointProto(*kept));
    }
    return absl::OkStatus();
  });
}

absl::Status AuditApp::GetConsistencyProof(const recovery::v1::GetConsistencyProofRequest& req,
                                           recovery::v1::GetConsistencyProofResponse* resp) {
  return store_.InTransaction([&](common::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(const int64_t second, ResolveSize(tx, req.second_size(), "second_size"));
    if (req.first_size() > second)
      return Refuse(AuditError::kBeyondTree,
                    absl::StrCat("first_size: ", req.first_size(), " exceeds the second size ", second));
    const merkle::NodeSource nodes = CachedNodes(tx);
    const auto first_size = static_cast<uint64_t>(req.first_size());
    ASSIGN_OR_RETURN(const std::string first_root, merkle::Root(first_size, nodes));
    ASSIGN_OR_RETURN(const std::string second_root, merkle::Root(static_cast<uint64_t>(second), nodes));
    ASSIGN_OR_RETURN(const auto proof, merkle::ConsistencyProof(first_size, static_cast<uint64_t>(second), nodes));
    resp->set_first_size(req.first_size());
    resp->set_second_size(second);
    resp->set_first_root(Hex(first_root));
    resp->set_second_root(Hex(second_root));
    AddHexes(proof, resp->mutable_hashes());
    ASSIGN_OR_RETURN(const auto first_kept, AuditStore::CheckpointAt(tx, req.first_size()));
    if (first_kept) {
      ASSIGN_OR_RETURN(*resp->mutable_first_checkpoint(), CheckpointProto(*first_kept));
    }
    ASSIGN_OR_RETURN(const auto second_kept, AuditStore::CheckpointAt(tx, second));
    if (second_kept) {
      ASSIGN_OR_RETURN(*resp->mutable_second_checkpoint(), CheckpointProto(*second_kept));
    }
    return absl::OkStatus();
  });
}

absl::Status AuditApp::GetPublicKey(recovery::v1::GetPublicKeyResponse* resp) {
  resp->set_origin(options_.origin);
  if (!key_) return absl::OkStatus();
  resp->set_public_key_pem(key_->public_key().Pem());
  resp->set_key_id(KeyIdHex(NoteKeyId(key_->public_key(), options_.origin)));
  return absl::OkStatus();
}

absl::Status AuditApp::GetTimeline(const recovery::v1::GetTimelineRequest& req,
                                   recovery::v1::GetTimelineResponse* resp) {
  ASSIGN_OR_RETURN(const auto records, store_.CaseRecords(req.case_id()));
  if (records.empty())
    return Refuse(AuditError::kNoEventsForCase, absl::StrCat("case_id: no events recorded for case ", req.case_id()));
  resp->set_case_id(req.case_id());
  for (const StoredRecord& s : records) {
    const ChainRecord& r = s.record;
    auto* entry = resp->add_entries();
    entry->set_seq(r.seq);
    entry->set_case_seq(r.case_seq);
    entry->set_event_id(r.event_id);
    entry->set_type(r.type);
    entry->set_source(r.source);
    *entry->mutable_recorded_at() = ToProto(absl::FromUnixMicros(s.recorded_us));
    recovery::v1::Event event;
    if (!event.ParseFromString(r.event_bytes)) {
      // Only a tampered store gets here; show what is left and point at VerifyChain.
      *entry->mutable_occurred_at() = ToProto(absl::FromUnixMicros(r.occurred_us));
      entry->set_summary("(stored event bytes unreadable: run VerifyChain)");
      continue;
    }
    *entry->mutable_occurred_at() = event.occurred_at();
    entry->set_actor(event.actor());
    entry->set_summary(SummarizeEvent(event));
    entry->set_event_json(common::EventToJson(event));
  }
  return absl::OkStatus();
}

absl::Status AuditApp::ListConfigChanges(const recovery::v1::ListConfigChangesRequest& req,
                                         recovery::v1::ListConfigChangesResponse* resp) {
  const std::vector<std::string> all = {"intake", "escalation", "action-plan", "follow-up"};
  const std::vector<std::string> services = req.service().empty() ? all : std::vector<std::string>{req.service()};
  std::vector<std::pair<StoredRecord, recovery::v1::Event>> found;
  for (const std::string& service : services) {
    ASSIGN_OR_RETURN(const auto records, store_.CaseRecords(absl::StrCat("config:", service)));
    for (const StoredRecord& s : records) {
      recovery::v1::Event event;
      if (!event.ParseFromString(s.record.event_bytes) || !event.has_config_changed()) continue;
      const auto& c = event.config_changed();
      if (!req.kind().empty() && c.kind() != req.kind()) continue;
      if (!req.id().empty() && c.id() != req.id()) continue;
      found.emplace_back(s, std::move(event));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first.record.seq > b.first.record.seq; });
  const size_t limit = req.limit() == 0 ? 100 : static_cast<size_t>(req.limit());
  for (size_t i = 0; i < found.size() && i < limit; ++i) {
    const auto& [s, event] = found[i];
    auto* entry = resp->add_entries();
    entry->set_seq(s.record.seq);
    entry->set_case_seq(s.record.case_seq);
    entry->set_event_id(s.record.event_id);
    entry->set_type(s.record.type);
    entry->set_source(s.record.source);
    *entry->mutable_recorded_at() = ToProto(absl::FromUnixMicros(s.recorded_us));
    *entry->mutable_occurred_at() = event.occurred_at();
    entry->set_actor(event.actor());
    entry->set_summary(SummarizeEvent(event));
    entry->set_event_json(common::EventToJson(event));
  }
  return absl::OkStatus();
}

absl::Status AuditApp::VerifyChain(recovery::v1::VerifyChainResponse* resp) {
  ASSIGN_OR_RETURN(const VerifyResult result, store_.Verify());
  resp->set_ok(!result.first_break.has_value());
  resp->set_records_checked(result.checked);
  resp->set_head_hash(result.head_hash);
  if (const auto& b = result.first_break) {
    auto* out = resp->mutable_first_break();
    out->set_seq(b->seq);
    out->set_event_id(b->event_id);
    out->set_check(ToProtoCheck(b->check));
    out->set_detail(b->detail);
    common::LogWarn("audit chain broken", {{"seq", std::to_string(b->seq)},
                                           {"event_id", b->event_id},
                                           {"check", ChainCheckName(b->check)},
                                           {"detail", b->detail}});
  }
  return absl::OkStatus();
}

absl::Status AuditApp::ExportEvents(const recovery::v1::ExportEventsRequest& req,
                                    const std::function<bool(const std::string& json_line)>& write) {
  ExportFilter filter;
  filter.case_id = req.case_id();
  if (req.has_occurred_from()) filter.from_us = absl::ToUnixMicros(common::FromProto(req.occurred_from()));
  if (req.has_occurred_to()) filter.to_us = absl::ToUnixMicros(common::FromProto(req.occurred_to()));
  bool client_gone = false;
  RETURN_IF_ERROR(store_.Export(filter, [&](const StoredRecord& r) {
    recovery::v1::Event event;
    if (!event.ParseFromString(r.record.event_bytes)) {
      common::LogWarn("export: skipping unreadable record", {{"seq", std::to_string(r.record.seq)}});
      return true;
    }
    client_gone = !write(ExportLine(r.record, event));
    return !client_gone;
  }));
  if (client_gone) return absl::CancelledError("client cancelled the export");
  return absl::OkStatus();
}

absl::Status AuditApp::GetStats(recovery::v1::GetStatsResponse* resp) {
  ASSIGN_OR_RETURN(const AuditStats stats, store_.Stats());
  resp->set_events_total(stats.events_total);
  for (const auto& [type, n] : stats.by_type) (*resp->mutable_events_by_type())[type] = n;
  for (const auto& [source, n] : stats.by_source) (*resp->mutable_events_by_source())[source] = n;
  resp->set_cases(stats.cases);
  resp->set_last_seq(stats.last_seq);
  resp->set_head_hash(stats.head_hash);
  ASSIGN_OR_RETURN(const int64_t rejected, store_.CountRejected());
  resp->set_rejected_total(rejected);
  return absl::OkStatus();
}

absl::Status AuditApp::ListCaseAccess(const recovery::v1::ListCaseAccessRequest& req,
                                      recovery::v1::ListCaseAccessResponse* resp) {
  ASSIGN_OR_RETURN(const auto records, store_.CaseRecords(absl::StrCat("access:", req.case_id())));
  const size_t limit = req.limit() == 0 ? 100 : static_cast<size_t>(req.limit());
  for (auto it = records.rbegin(); it != records.rend() && static_cast<size_t>(resp->entries_size()) < limit; ++it) {
    recovery::v1::Event event;
    if (!event.ParseFromString(it->record.event_bytes) || !event.has_case_data_read()) continue;
    const auto& r = event.case_data_read();
    auto* entry = resp->add_entries();
    entry->set_seq(it->record.seq);
    entry->set_reader(event.actor());
    entry->set_service(event.source());
    entry->set_method(r.method());
    entry->set_reads(r.reads());
    *entry->mutable_first_at() = r.first_at();
    *entry->mutable_last_at() = r.last_at();
  }
  return absl::OkStatus();
}

absl::Status AuditApp::RecordRejected(common::Tx& tx, const common::RejectedEvent& rejected) {
  const recovery::v1::Event& e = rejected.event;
  RejectedRecord r;
  r.event_id = e.event_id();
  r.type = e.body_case() != recovery::v1::Event::BODY_NOT_SET ? common::EventTypeName(e) : "";
  r.source = e.source();
  r.case_id = e.case_id();
  r.key_id = std::string(rejected.key_id);
  r.reason = rejected.rejection.reason;
  r.rejected_us = absl::ToUnixMicros(rejected.at);
  r.payload = std::string(rejected.bytes);
  r.payload_sha256 = absl::BytesToHexString(merkle::Sha256(r.payload));
  return AuditStore::InsertRejected(tx, r);
}

absl::Status AuditApp::ListRejectedEvents(const recovery::v1::ListRejectedEventsRequest& req,
                                          recovery::v1::ListRejectedEventsResponse* resp) {
  ASSIGN_OR_RETURN(const auto rows, store_.ListRejected(req.limit() == 0 ? 100 : req.limit()));
  ASSIGN_OR_RETURN(const int64_t total, store_.CountRejected());
  resp->set_total(total);
  for (const RejectedRecord& r : rows) {
    auto* entry = resp->add_entries();
    entry->set_id(r.id);
    entry->set_event_id(r.event_id);
    entry->set_type(r.type);
    entry->set_source(r.source);
    entry->set_case_id(r.case_id);
    entry->set_key_id(r.key_id);
    entry->set_reason(r.reason);
    *entry->mutable_rejected_at() = ToProto(absl::FromUnixMicros(r.rejected_us));
    entry->set_payload_sha256(r.payload_sha256);
    recovery::v1::Event event;
    if (event.ParseFromString(r.payload)) entry->set_event_json(common::EventToJson(event));
  }
  return absl::OkStatus();
}

}  // namespace recovery::audit
