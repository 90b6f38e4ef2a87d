// recovery.v1.Audit handlers.
#include "services/audit/grpc_service.h"

#include "absl/strings/str_cat.h"
#include "services/audit/domain/summary.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/logging.h"

namespace recovery::audit {
namespace {

using common::FromProto;
using common::ToGrpcStatus;
using common::ToProto;

// The proto3 Timestamp range: 0001-01-01 .. 9999-12-31, nanos in [0, 1e9).
absl::Status ValidateTimestamp(const google::protobuf::Timestamp& ts, const std::string& field) {
  if (ts.seconds() < -62135596800 || ts.seconds() > 253402300799 || ts.nanos() < 0 || ts.nanos() > 999999999)
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid timestamp"));
  return absl::OkStatus();
}

constexpr size_t kMaxIdLength = 200;

recovery::v1::ChainCheck ToProtoCheck(ChainCheck check) {
  switch (check) {
    case ChainCheck::kSequence: return recovery::v1::CHAIN_CHECK_SEQUENCE;
    case ChainCheck::kEventHash: return recovery::v1::CHAIN_CHECK_EVENT_HASH;
    case ChainCheck::kPrevLink: return recovery::v1::CHAIN_CHECK_PREV_LINK;
    case ChainCheck::kRecordHash: return recovery::v1::CHAIN_CHECK_RECORD_HASH;
    case ChainCheck::kEventContent: return recovery::v1::CHAIN_CHECK_EVENT_CONTENT;
    case ChainCheck::kCaseSequence: return recovery::v1::CHAIN_CHECK_CASE_SEQUENCE;
    case ChainCheck::kHead: return recovery::v1::CHAIN_CHECK_HEAD;
  }
  return recovery::v1::CHAIN_CHECK_UNSPECIFIED;
}

std::string ExportLine(const StoredRecord& s, const recovery::v1::Event& event) {
  const ChainRecord& r = s.record;
  return absl::StrCat("{\"seq\":", r.seq, ",\"case_seq\":", r.case_seq, ",\"record_hash\":\"", r.record_hash,
                      "\",\"event\":", common::EventToJson(event), "}");
}

}  // namespace

absl::Status ValidateGetTimeline(const recovery::v1::GetTimelineRequest& request) {
  if (request.case_id().empty()) return absl::InvalidArgumentError("case_id: required");
  if (request.case_id().size() > kMaxIdLength)
    return absl::InvalidArgumentError(absl::StrCat("case_id: longer than ", kMaxIdLength, " characters"));
  return absl::OkStatus();
}

absl::Status ValidateExportEvents(const recovery::v1::ExportEventsRequest& request) {
  if (request.case_id().size() > kMaxIdLength)
    return absl::InvalidArgumentError(absl::StrCat("case_id: longer than ", kMaxIdLength, " characters"));
  if (request.has_occurred_from())
    if (auto s = ValidateTimestamp(request.occurred_from(), "occurred_from"); !s.ok()) return s;
  if (request.has_occurred_to())
    if (auto s = ValidateTimestamp(request.occurred_to(), "occurred_to"); !s.ok()) return s;
  if (request.has_occurred_from() && request.has_occurred_to() &&
      FromProto(request.occurred_to()) < FromProto(request.occurred_from()))
    return absl::InvalidArgumentError("occurred_to: must not be before occurred_from");
  return absl::OkStatus();
}

grpc::Status AuditService::GetTimeline(grpc::ServerContext*, const recovery::v1::GetTimelineRequest* request,
                                       recovery::v1::GetTimelineResponse* response) {
  if (auto s = ValidateGetTimeline(*request); !s.ok()) return ToGrpcStatus(s);
  auto records = store_.CaseRecords(request->case_id());
  if (!records.ok()) return ToGrpcStatus(records.status());
  if (records->empty())
    return ToGrpcStatus(absl::NotFoundError(absl::StrCat("case_id: no events recorded for case ", request->case_id())));
  response->set_case_id(request->case_id());
  for (const StoredRecord& s : *records) {
    const ChainRecord& r = s.record;
    auto* entry = response->add_entries();
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
  return grpc::Status::OK;
}

grpc::Status AuditService::VerifyChain(grpc::ServerContext*, const recovery::v1::VerifyChainRequest*,
                                       recovery::v1::VerifyChainResponse* response) {
  auto result = store_.Verify();
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_ok(!result->first_break.has_value());
  response->set_records_checked(result->checked);
  response->set_head_hash(result->head_hash);
  if (const auto& b = result->first_break) {
    auto* out = response->mutable_first_break();
    out->set_seq(b->seq);
    out->set_event_id(b->event_id);
    out->set_check(ToProtoCheck(b->check));
    out->set_detail(b->detail);
    common::LogWarn("audit chain broken", {{"seq", std::to_string(b->seq)},
                                           {"event_id", b->event_id},
                                           {"check", ChainCheckName(b->check)},
                                           {"detail", b->detail}});
  }
  return grpc::Status::OK;
}

grpc::Status AuditService::ExportEvents(grpc::ServerContext* context, const recovery::v1::ExportEventsRequest* request,
                                        grpc::ServerWriter<recovery::v1::ExportEventsResponse>* writer) {
  if (auto s = ValidateExportEvents(*request); !s.ok()) return ToGrpcStatus(s);
  ExportFilter filter;
  filter.case_id = request->case_id();
  if (request->has_occurred_from()) filter.from_us = absl::ToUnixMicros(FromProto(request->occurred_from()));
  if (request->has_occurred_to()) filter.to_us = absl::ToUnixMicros(FromProto(request->occurred_to()));
  bool client_gone = false;
  auto s = store_.Export(filter, [&](const StoredRecord& r) {
    if (context->IsCancelled()) {
      client_gone = true;
      return false;
    }
    recovery::v1::Event event;
    if (!event.ParseFromString(r.record.event_bytes)) {
      common::LogWarn("export: skipping unreadable record", {{"seq", std::to_string(r.record.seq)}});
      return true;
    }
    recovery::v1::ExportEventsResponse line;
    line.set_json_line(ExportLine(r, event));
    if (!writer->Write(line)) client_gone = true;
    return !client_gone;
  });
  if (!s.ok()) return ToGrpcStatus(s);
  if (client_gone) return grpc::Status(grpc::StatusCode::CANCELLED, "client cancelled the export");
  return grpc::Status::OK;
}

grpc::Status AuditService::GetStats(grpc::ServerContext*, const recovery::v1::GetStatsRequest*,
                                    recovery::v1::GetStatsResponse* response) {
  auto stats = store_.Stats();
  if (!stats.ok()) return ToGrpcStatus(stats.status());
  response->set_events_total(stats->events_total);
  for (const auto& [type, n] : stats->by_type) (*response->mutable_events_by_type())[type] = n;
  for (const auto& [source, n] : stats->by_source) (*response->mutable_events_by_source())[source] = n;
  response->set_cases(stats->cases);
  response->set_last_seq(stats->last_seq);
  response->set_head_hash(stats->head_hash);
  return grpc::Status::OK;
}

}  // namespace recovery::audit
