// The intake decisions: (the case as stored, the input, the cause) -> an Outcome (the rows
// to write and the events to publish) or a refusal (an IntakeError status). Pure: no I/O,
// no clock (time comes in the Cause); new ids are minted from cause.now.
// The app (services/intake/app.h) loads the state, calls one of these and applies the
// Outcome with common::ApplyOutcome in the same transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "recovery/v1/intake.pb.h"
#include "services/common/outcome.h"
#include "services/intake/domain/config.h"
#include "services/intake/domain/events.h"

namespace recovery::intake {

// The report key of a client and category: the id of the case last opened for them. Opening
// a case moves the key from `previous_case_id` ("" when there was none) to `case_id`; the
// store refuses the move when someone else moved it first (kConcurrentReport), which is how
// "one active case per client and category within the window" holds under concurrency.
struct ReportKeyMove {
  std::string client_id;
  std::string category;
  std::string previous_case_id;
  std::string case_id;
};

struct SignalRow {
  recovery::v1::Signal signal;
  std::string source;  // "rpc" or the id of the event that carried it
};

// What one decision writes. Every history row belongs to the case in insert_case/save_case.
struct CaseRows {
  std::optional<ReportKeyMove> report_key;        // written first: the conflict point of OpenCase
  std::optional<recovery::v1::Case> insert_case;  // a new case (histories ignored)
  std::optional<recovery::v1::Case> save_case;    // the changed case (histories ignored)
  std::vector<recovery::v1::StatusTransition> transitions;
  std::vector<recovery::v1::EmotionalStateRecord> emotions;
  std::vector<recovery::v1::ContactRecord> contacts;
  std::vector<recovery::v1::Note> notes;
  std::optional<SignalRow> signal;
};
using CaseOutcome = recovery::common::Outcome<CaseRows>;

struct CaseDecision {
  CaseOutcome outcome;
  // The case after the decision. Histories: complete for a new case; otherwise not filled
  // (the app reads the case back after applying).
  recovery::v1::Case case_record;
  bool opened = false;  // OpenCase: a new case (false: a repeat report linked to case_record)
  std::string new_id;   // RecordContact's contact_id, AddNote's note_id
};

// What OpenCase and a signal's case need to know about the client and category.
struct ReportState {
  std::optional<recovery::v1::Case> active;  // the most recently opened active case
  std::string report_key;                    // the report key's case id ("" when none)
};

// Opens a case from `draft` (client, contact, channel, category, severity, texts,
// emotional_state, opened_from_signal_id) through the state machine (kOpen), or, when the
// active case was opened within the dedup window, links the report to it: a repeat contact
// and ContactRecorded on that case.
absl::StatusOr<CaseDecision> DecideOpen(const ReportState& state, recovery::v1::Case draft, const Cause& cause,
                                        const IntakeConfig& config);
// Applies update_mask; no changes: an empty outcome.
absl::StatusOr<CaseDecision> DecideUpdate(recovery::v1::Case c, const recovery::v1::UpdateCaseRequest& req,
                                          const Cause& cause);
absl::StatusOr<CaseDecision> DecideRecordContact(recovery::v1::Case c, recovery::v1::Channel channel,
                                                 const std::string& summary, recovery::v1::EmotionalState emotion,
                                                 const Cause& cause);
absl::StatusOr<CaseDecision> DecideAddNote(recovery::v1::Case c, const std::string& text, bool shareable,
                                           const Cause& cause);
absl::StatusOr<CaseDecision> DecideAcknowledge(recovery::v1::Case c, const std::string& acknowledged_by,
                                               const std::string& message, recovery::v1::EmotionalState emotion,
                                               const Cause& cause);
// An empty outcome when `owner` already owns the case. `require_editable` refuses a CLOSED
// case (the RPC); a page acknowledgement sets the owner whatever the status. An empty
// reason is "manual".
absl::StatusOr<CaseDecision> DecideAssignOwner(recovery::v1::Case c, const std::string& owner,
                                               const std::string& reason, bool require_editable, const Cause& cause);
absl::StatusOr<CaseDecision> DecideResolve(recovery::v1::Case c, const std::string& resolution, const Cause& cause);
absl::StatusOr<CaseDecision> DecideClose(recovery::v1::Case c, const std::string& reason, const Cause& cause);
absl::StatusOr<CaseDecision> DecideReopen(recovery::v1::Case c, const std::string& reason, const Cause& cause);
// PlanShared: ACKNOWLEDGED/REOPENED -> PLANNED with CasePlanned; any other status: an empty
// outcome (a plan shared before the acknowledgement changes nothing).
CaseDecision DecidePlanned(recovery::v1::Case c, const std::string& plan_version, const Cause& cause);

struct SignalInput {
  recovery::v1::SignalKind kind = recovery::v1::SIGNAL_KIND_UNSPECIFIED;
  recovery::v1::Client client;
  double score = 0;
  std::string detail;
  std::string source;  // "rpc" or the consumed event's id
};
struct SignalDecision {
  CaseOutcome outcome;
  recovery::v1::Signal signal;
  std::optional<CaseDecision> case_decision;  // the case the signal opened or linked
};
// Stores the signal and publishes SignalRecorded; when `rule` (MatchSignalRule) is given,
// opens or links a case of its category and severity first (`state` is that category's).
absl::StatusOr<SignalDecision> DecideSignal(const SignalInput& input, const SignalRule* rule, const ReportState& state,
                                            const Cause& cause, const IntakeConfig& config);

}  // namespace recovery::intake
