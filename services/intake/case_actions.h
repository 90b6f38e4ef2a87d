// The intake use cases, shared by the gRPC service and the event handlers: each runs
// inside the caller's transaction, changes the tables and appends its events to the
// outbox there, so the state change and its events commit (or roll back) together.
// Thread-safe: no mutable state besides the configuration, swapped atomically on reload.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/intake.pb.h"
#include "services/common/config.h"
#include "services/common/outbox.h"
#include "services/intake/domain/case_state.h"
#include "services/intake/domain/config.h"
#include "services/intake/store.h"

namespace recovery::intake {

// Who did it and why: the event envelope's actor ("" becomes "system") and causation id
// (a request_id or the id of the consumed event).
struct Cause {
  std::string actor;
  std::string causation_id;
  absl::Time now;
};

// Where the use cases' events go, inside the caller's transaction.
using EventSink = std::function<absl::Status(Tx& tx, const recovery::v1::Event& event)>;

class CaseActions {
 public:
  // The service: events go to the transactional outbox.
  CaseActions(recovery::common::Outbox& outbox, IntakeConfig config);
  // Benchmarks only (tools/bench/outbox_bench.cc measures what the outbox costs against a
  // direct producer): any sink.
  CaseActions(EventSink sink, IntakeConfig config);

  std::shared_ptr<const IntakeConfig> config() const;
  void SetConfig(IntakeConfig config);

  // Opens a case from `draft` (client, contact, channel, category, severity, texts,
  // emotional_state, opened_from_signal_id), or links to the active case of the same
  // client and category opened within the dedup window: then `*linked` is true, a repeat
  // contact is recorded on that case and ContactRecorded is published.
  absl::StatusOr<recovery::v1::Case> OpenOrLink(Tx& tx, recovery::v1::Case draft, const Cause& cause, bool* linked);

  absl::StatusOr<recovery::v1::Case> Update(Tx& tx, const recovery::v1::UpdateCaseRequest& req, const Cause& cause);
  absl::StatusOr<recovery::v1::Case> RecordContact(Tx& tx, const recovery::v1::RecordContactRequest& req,
                                                   const Cause& cause, std::string* contact_id);
  absl::StatusOr<recovery::v1::Case> AddNote(Tx& tx, const recovery::v1::AddNoteRequest& req, const Cause& cause,
                                             std::string* note_id);
  absl::StatusOr<recovery::v1::Case> Acknowledge(Tx& tx, const recovery::v1::AcknowledgeCaseRequest& req,
                                                 const Cause& cause);
  // A no-op (no event) when `owner` already owns the case. `require_editable` refuses a
  // CLOSED case (the RPC); a page acknowledgement sets the owner whatever the status.
  absl::StatusOr<recovery::v1::Case> AssignOwner(Tx& tx, const std::string& case_id, const std::string& owner,
                                                 const std::string& reason, bool require_editable, const Cause& cause);
  absl::StatusOr<recovery::v1::Case> Resolve(Tx& tx, const std::string& case_id, const std::string& resolution,
                                             const Cause& cause);
  absl::StatusOr<recovery::v1::Case> Close(Tx& tx, const std::string& case_id, const std::string& reason,
                                           const Cause& cause);
  absl::StatusOr<recovery::v1::Case> Reopen(Tx& tx, const std::string& case_id, const std::string& reason,
                                            const Cause& cause);
  // PlanShared: ACKNOWLEDGED/REOPENED -> PLANNED with CasePlanned; any other status is
  // left alone (returns false).
  absl::StatusOr<bool> MarkPlanned(Tx& tx, const std::string& case_id, const std::string& plan_version,
                                   const Cause& cause);

  struct SignalResult {
    recovery::v1::Signal signal;
    std::optional<recovery::v1::Case> case_record;  // opened or linked
  };
  // Stores the signal, applies the signal rules (opening or linking a case when one
  // matches) and publishes SignalRecorded. `source` is "rpc" or the consumed event id.
  absl::StatusOr<SignalResult> RecordSignal(Tx& tx, recovery::v1::SignalKind kind, const recovery::v1::Client& client,
                                            double score, const std::string& detail, const std::string& source,
                                            const Cause& cause);

 private:
  absl::Status Publish(Tx& tx, const recovery::v1::Event& event);
  // Publishes the event and returns its case as GetCase shows it.
  absl::StatusOr<recovery::v1::Case> PublishAndLoad(Tx& tx, const recovery::v1::Event& event);
  // Stores a contact (id, author and time filled here), its emotional state and a repeat
  // report count when it is one, saves the case and publishes ContactRecorded. The new
  // contact's id goes to *contact_id when given.
  absl::StatusOr<recovery::v1::Case> AddContactRecord(Tx& tx, recovery::v1::Case c, recovery::v1::ContactRecord contact,
                                                      const std::string& emotion_source, const Cause& cause,
                                                      std::string* contact_id = nullptr);
  absl::StatusOr<recovery::v1::Case> Transit(Tx& tx, const std::string& case_id, Transition transition,
                                             const std::string& reason, const Cause& cause,
                                             recovery::v1::CaseStatus* previous);

  EventSink sink_;
  recovery::common::Reloadable<IntakeConfig> config_;
};

// The full case as GetCase shows it (histories filled).
absl::StatusOr<recovery::v1::Case> LoadFullCase(Tx& tx, const std::string& case_id);

}  // namespace recovery::intake
