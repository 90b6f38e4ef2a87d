// The Operations API over dead_letters and failed_timers.
#include "services/common/operations_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/auth/access_control.h"
#include "services/common/clock.h"
#include "services/common/dead_letters.h"
#include "services/common/grpc_util.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/common/validation.h"

namespace recovery::common {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
// Timer keys are built by services from ids ("<case>/<item>"), so longer than one id.
constexpr size_t kMaxTimerKeyChars = 1000;

absl::StatusOr<int> CheckLimit(int32_t limit) {
  RETURN_IF_ERROR(CheckRange("limit", limit, 0, kMaxLimit));
  return limit == 0 ? kDefaultLimit : limit;
}

absl::Status CheckOrigin(const std::string& origin) {
  if (origin.empty() || origin == kDeadLetterConsumer || origin == kDeadLetterOutbox) return absl::OkStatus();
  return InvalidField("origin",
                      absl::StrCat("must be empty, \"consumer\" or \"outbox\", not ", QuoteForMessage(origin)));
}

}  // namespace

grpc::Status OperationsService::ListDeadLetters(grpc::ServerContext* ctx,
                                                const recovery::v1::ListDeadLettersRequest* in,
                                                recovery::v1::ListDeadLettersResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return ToGrpcStatus([&]() -> absl::Status {
    RETURN_IF_ERROR(CheckOrigin(in->origin()));
    ASSIGN_OR_RETURN(const int limit, CheckLimit(in->limit()));
    std::vector<DeadLetter> letters;
    RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(letters, common::ListDeadLetters(tx, in->origin(), limit));
      return absl::OkStatus();
    }));
    for (const DeadLetter& l : letters) {
      recovery::v1::DeadLetterEntry* e = out->add_dead_letters();
      e->set_id(l.id);
      e->set_origin(l.origin);
      e->set_event_id(l.event_id);
      e->set_case_id(l.case_id);
      e->set_type(l.type);
      e->set_payload(l.payload);
      e->set_reason(l.reason);
      e->set_attempts(l.attempts);
      *e->mutable_parked_at() = ToProto(l.parked_at);
    }
    return absl::OkStatus();
  }());
}

grpc::Status OperationsService::ListFailedTimers(grpc::ServerContext* ctx,
                                                 const recovery::v1::ListFailedTimersRequest* in,
                                                 recovery::v1::ListFailedTimersResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return ToGrpcStatus([&]() -> absl::Status {
    RETURN_IF_ERROR(CheckId("kind", in->kind(), /*required=*/false));
    ASSIGN_OR_RETURN(const int limit, CheckLimit(in->limit()));
    std::vector<FailedTimer> failed;
    RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(failed, timers_.ListFailed(tx, in->kind(), limit));
      return absl::OkStatus();
    }));
    for (const FailedTimer& f : failed) {
      recovery::v1::FailedTimerEntry* e = out->add_timers();
      e->set_kind(f.timer.kind);
      e->set_key(f.timer.key);
      *e->mutable_due() = ToProto(f.timer.due);
      e->set_payload(f.timer.payload);
      e->set_attempts(f.timer.attempts);
      e->set_last_error(f.last_error);
      *e->mutable_failed_at() = ToProto(f.failed_at);
    }
    return absl::OkStatus();
  }());
}

grpc::Status OperationsService::RetryFailedTimer(grpc::ServerContext* ctx,
                                                 const recovery::v1::RetryFailedTimerRequest* in,
                                                 recovery::v1::RetryFailedTimerResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return ToGrpcStatus([&]() -> absl::Status {
    RETURN_IF_ERROR(CheckId("kind", in->kind(), /*required=*/true));
    RETURN_IF_ERROR(RequireText("key", in->key(), kMaxTimerKeyChars));
    const absl::Time due = clock_.Now();
    bool rearmed = false;
    RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(rearmed, timers_.RetryFailed(tx, in->kind(), in->key(), due));
      return absl::OkStatus();
    }));
    out->set_rearmed(rearmed);
    *out->mutable_due() = ToProto(due);
    return absl::OkStatus();
  }());
}

}  // namespace recovery::common
