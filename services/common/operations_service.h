// recovery.v1.Operations, served by every service through the runtime: lists what the
// runtime set aside instead of dropping (dead_letters, failed_timers) and re-arms a failed
// timer. validate -> store -> translate, like a service's grpc_service.
// Thread-safety: the gRPC server's threads call it concurrently; it holds no state of its own.
#pragma once

#include "recovery/v1/operations.grpc.pb.h"

namespace recovery::common {

class Clock;
class Store;
class TimerService;

class OperationsService final : public recovery::v1::Operations::Service {
 public:
  // All three outlive the service.
  OperationsService(Store& store, TimerService& timers, Clock& clock) : store_(store), timers_(timers), clock_(clock) {}

  grpc::Status ListDeadLetters(grpc::ServerContext*, const recovery::v1::ListDeadLettersRequest* in,
                               recovery::v1::ListDeadLettersResponse* out) override;
  grpc::Status ListFailedTimers(grpc::ServerContext*, const recovery::v1::ListFailedTimersRequest* in,
                                recovery::v1::ListFailedTimersResponse* out) override;
  grpc::Status RetryFailedTimer(grpc::ServerContext*, const recovery::v1::RetryFailedTimerRequest* in,
                                recovery::v1::RetryFailedTimerResponse* out) override;

 private:
  Store& store_;
  TimerService& timers_;
  Clock& clock_;
};

}  // namespace recovery::common
