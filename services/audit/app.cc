// Audit use cases: record an event; timeline, verification, export and stats reads.
#include "services/audit/app.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/errors.h"
#include "services/audit/domain/summary.h"
#include "services/audit/validation.h"
#include "services/common/clock.h"
#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
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
  }
  return recovery::v1::CHAIN_CHECK_UNSPECIFIED;
}

// The record's chain position around the event's own JSON (protobuf's JSON mapping). The
// envelope stays hand-joined: its numbers are JSON numbers (the JSON mapping would quote
// int64 seq as a string) and exported files already have this shape.
std::string ExportLine(const StoredRecord& s, const recovery::v1::Event& event) {
  const ChainRecord& r = s.record;
  return absl::StrCat("{\"seq\":", r.seq, ",\"case_seq\":", r.case_seq, ",\"record_hash\":\"", r.record_hash,
                      "\",\"event\":", common::EventToJson(event), "}");
}

}  // namespace

absl::StatusOr<bool> RecordEvent(common::Tx& tx, const recovery::v1::Event& event, absl::Time recorded_at) {
  ASSIGN_OR_RETURN(const ChainHead head, AuditStore::Head(tx));
  ASSIGN_OR_RETURN(const int64_t case_seq, AuditStore::LastCaseSeq(tx, event.case_id()));
  const ChainRecord record = NextRecord(head.seq, head.hash, case_seq + 1, event, EventBytes(event));
  return AuditStore::AppendRecord(tx, record, recorded_at);
}

absl::Status AuditApp::OnEvent(common::Tx& tx, const recovery::v1::Event& event) {
  if (absl::Status invalid = ValidateEvent(event); !invalid.ok()) {
    return invalid;  // the consumer parks it (dead_letters), counts and logs it
  }
  ASSIGN_OR_RETURN(const bool appended, RecordEvent(tx, event, ctx_.clock.Now()));
  if (!appended)
    common::LogInfo("audit: event already recorded",
                    {{"event_id", event.event_id()}, {"type", common::EventTypeName(event)}});
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
    client_gone = !write(ExportLine(r, event));
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
  return absl::OkStatus();
}

}  // namespace recovery::audit
