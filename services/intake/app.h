// The intake application: one function per RPC and per consumed event, each load -> decide
// (domain/cases.h) -> apply (common::ApplyOutcome) inside the caller's transaction.
// Thread-safe: no mutable state besides the configuration, swapped on reload.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/intake.pb.h"
#include "services/common/config.h"
#include "services/common/outcome.h"
#include "services/common/store.h"
#include "services/intake/domain/cases.h"
#include "services/intake/domain/config.h"

namespace recovery::common {
class Outbox;
class TimerService;
}  // namespace recovery::common

namespace recovery::intake {

using recovery::common::Tx;

// Applies a decision's timers and events in tx (ApplyEffects on the runtime's timers and
// outbox; a benchmark may send the events elsewhere).
using EffectsSink = std::function<absl::Status(Tx& tx, const recovery::common::Effects& effects)>;

class IntakeApp {
 public:
  IntakeApp(recovery::common::TimerService& timers, recovery::common::Outbox& outbox, IntakeConfig config);
  IntakeApp(EffectsSink sink, IntakeConfig config);

  std::shared_ptr<const IntakeConfig> config() const { return config_.Get(); }
  void SetConfig(IntakeConfig config) { config_.Set(std::move(config)); }

  // RPCs (validated before). Writes run inside RunIdempotent's transaction.
  absl::Status OpenCase(Tx& tx, const recovery::v1::OpenCaseRequest& req, const Cause& cause,
                        recovery::v1::OpenCaseResponse* out);
  absl::Status GetCase(Tx& tx, const recovery::v1::GetCaseRequest& req, recovery::v1::GetCaseResponse* out);
  absl::Status ListCases(Tx& tx, const recovery::v1::ListCasesRequest& req, recovery::v1::ListCasesResponse* out);
  absl::Status UpdateCase(Tx& tx, const recovery::v1::UpdateCaseRequest& req, const Cause& cause,
                          recovery::v1::UpdateCaseResponse* out);
  absl::Status RecordContact(Tx& tx, const recovery::v1::RecordContactRequest& req, const Cause& cause,
                             recovery::v1::RecordContactResponse* out);
  absl::Status AddNote(Tx& tx, const recovery::v1::AddNoteRequest& req, const Cause& cause,
                       recovery::v1::AddNoteResponse* out);
  absl::Status AcknowledgeCase(Tx& tx, const recovery::v1::AcknowledgeCaseRequest& req, const Cause& cause,
                               recovery::v1::AcknowledgeCaseResponse* out);
  absl::Status AssignOwner(Tx& tx, const recovery::v1::AssignOwnerRequest& req, const Cause& cause,
                           recovery::v1::AssignOwnerResponse* out);
  absl::Status ResolveCase(Tx& tx, const recovery::v1::ResolveCaseRequest& req, const Cause& cause,
                           recovery::v1::ResolveCaseResponse* out);
  absl::Status CloseCase(Tx& tx, const recovery::v1::CloseCaseRequest& req, const Cause& cause,
                         recovery::v1::CloseCaseResponse* out);
  absl::Status ReopenCase(Tx& tx, const recovery::v1::ReopenCaseRequest& req, const Cause& cause,
                          recovery::v1::ReopenCaseResponse* out);
  absl::Status RecordSignal(Tx& tx, const recovery::v1::RecordSignalRequest& req, const Cause& cause,
                            recovery::v1::RecordSignalResponse* out);

  // Consumed events (validated before). An event about a case intake never opened is
  // INVALID_ARGUMENT ("case_id: no case ..."): malformed, the consumer parks it.
  // The page was acknowledged: that person owns the case (OwnerAssigned, "page acknowledged").
  absl::Status OnEscalationAcknowledged(Tx& tx, const recovery::v1::Event& event, absl::Time now);
  // The plan reached the client: ACKNOWLEDGED/REOPENED -> PLANNED (CasePlanned).
  absl::Status OnPlanShared(Tx& tx, const recovery::v1::Event& event, absl::Time now);
  // A low satisfaction score is a weak signal (LOW_SATISFACTION) run through the rules.
  absl::Status OnSatisfactionRecorded(Tx& tx, const recovery::v1::Event& event, absl::Time now);

 private:
  absl::Status Apply(Tx& tx, const CaseOutcome& outcome);
  // Applies the decision on case_id and returns the case as GetCase shows it.
  absl::StatusOr<recovery::v1::Case> ApplyAndLoad(Tx& tx, const CaseDecision& d);

  EffectsSink sink_;
  recovery::common::Reloadable<IntakeConfig> config_;
};

}  // namespace recovery::intake
