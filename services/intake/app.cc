// Intake application functions: load -> decide -> ApplyOutcome, in the caller's transaction.
#include "services/intake/app.h"

#include "absl/strings/str_cat.h"
#include "services/common/apply.h"
#include "services/common/auth/principal.h"
#include "services/common/events.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/intake/store.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
constexpr int kDefaultPageSize = 50;

// The actor of what intake does on its own: effects of consumed events (the consumed event's
// actor did something else; its id is the causation id).
const std::string& ServiceActor() {
  static const std::string* actor = new std::string(recovery::common::Principal::Service("intake").Actor());
  return *actor;
}

// An event about a case intake never opened cannot be applied now or later: it is refused
// as malformed (INVALID_ARGUMENT naming case_id), so the consumer parks it in dead_letters
// where an operator sees it, instead of it vanishing behind a log line.
absl::Status RefuseUnknownCase(const absl::Status& s, const v1::Event& event) {
  if (s.code() != absl::StatusCode::kNotFound) return s;
  return absl::InvalidArgumentError(
      absl::StrCat("case_id: no case ", recovery::common::QuoteForMessage(event.case_id()), " (",
                   recovery::common::EventTypeName(event), " about a case intake never opened)"));
}

}  // namespace

IntakeApp::IntakeApp(recovery::common::TimerService& timers, recovery::common::Outbox& outbox, IntakeConfig config)
    : IntakeApp(
          [&timers, &outbox](Tx& tx, const recovery::common::Effects& effects) {
            return recovery::common::ApplyEffects(tx, effects, timers, outbox);
          },
          std::move(config)) {}

IntakeApp::IntakeApp(EffectsSink sink, IntakeConfig config) : sink_(std::move(sink)), config_(std::move(config)) {}

absl::Status IntakeApp::Apply(Tx& tx, const CaseOutcome& outcome) {
  RETURN_IF_ERROR(WriteCaseRows(tx, outcome.rows));
  return sink_(tx, outcome);
}

absl::StatusOr<v1::Case> IntakeApp::ApplyAndLoad(Tx& tx, const CaseDecision& d) {
  RETURN_IF_ERROR(Apply(tx, d.outcome));
  return LoadFullCase(tx, d.case_record.id());
}

absl::Status IntakeApp::OpenCase(Tx& tx, const v1::OpenCaseRequest& req, const Cause& cause,
                                 v1::OpenCaseResponse* out) {
  const auto cfg = config();
  ASSIGN_OR_RETURN(const ReportState state, LoadReportState(tx, req.client().id(), req.category()));
  v1::Case draft;
  *draft.mutable_client() = req.client();
  *draft.mutable_contact() = req.contact();
  draft.set_channel(req.channel());
  draft.set_category(req.category());
  draft.set_severity(req.severity());
  draft.set_summary(req.summary());
  draft.set_description(req.description());
  draft.set_client_view(req.client_view());
  draft.set_firm_view(req.firm_view());
  draft.set_emotional_state(req.emotional_state());
  ASSIGN_OR_RETURN(CaseDecision d, DecideOpen(state, std::move(draft), cause, *cfg));
  out->set_linked_to_existing(!d.opened);
  if (d.opened) {
    // A new case is returned as built: exactly what a later read returns, no read-back.
    RETURN_IF_ERROR(Apply(tx, d.outcome));
    *out->mutable_case_() = std::move(d.case_record);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::GetCase(Tx& tx, const v1::GetCaseRequest& req, v1::GetCaseResponse* out) {
  ASSIGN_OR_RETURN(*out->mutable_case_(), LoadFullCase(tx, req.case_id()));
  return absl::OkStatus();
}

absl::Status IntakeApp::ListCases(Tx& tx, const v1::ListCasesRequest& req, v1::ListCasesResponse* out) {
  const int page_size = req.page_size() == 0 ? kDefaultPageSize : req.page_size();
  out->Clear();
  // One more tells whether a next page exists.
  ASSIGN_OR_RETURN(std::vector<v1::Case> cases, intake::ListCases(tx, req, page_size + 1));
  const bool more = static_cast<int>(cases.size()) > page_size;
  if (more) cases.resize(page_size);
  for (auto& c : cases) *out->add_cases() = std::move(c);
  if (more) out->set_next_page_token(out->cases(out->cases_size() - 1).id());
  return absl::OkStatus();
}

absl::Status IntakeApp::UpdateCase(Tx& tx, const v1::UpdateCaseRequest& req, const Cause& cause,
                                   v1::UpdateCaseResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d, DecideUpdate(std::move(c), req, cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::RecordContact(Tx& tx, const v1::RecordContactRequest& req, const Cause& cause,
                                      v1::RecordContactResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d,
                   DecideRecordContact(std::move(c), req.channel(), req.summary(), req.emotional_state(), cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  out->set_contact_id(d.new_id);
  return absl::OkStatus();
}

absl::Status IntakeApp::AddNote(Tx& tx, const v1::AddNoteRequest& req, const Cause& cause, v1::AddNoteResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d, DecideAddNote(std::move(c), req.text(), req.shareable(), cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  out->set_note_id(d.new_id);
  return absl::OkStatus();
}

absl::Status IntakeApp::AcknowledgeCase(Tx& tx, const v1::AcknowledgeCaseRequest& req, const Cause& cause,
                                        v1::AcknowledgeCaseResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d,
                   DecideAcknowledge(std::move(c), cause.person, req.message(), req.emotional_state(), cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::AssignOwner(Tx& tx, const v1::AssignOwnerRequest& req, const Cause& cause,
                                    v1::AssignOwnerResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d,
                   DecideAssignOwner(std::move(c), req.owner(), req.reason(), /*require_editable=*/true, cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::ResolveCase(Tx& tx, const v1::ResolveCaseRequest& req, const Cause& cause,
                                    v1::ResolveCaseResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d, DecideResolve(std::move(c), req.resolution(), cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::CloseCase(Tx& tx, const v1::CloseCaseRequest& req, const Cause& cause,
                                  v1::CloseCaseResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d, DecideClose(std::move(c), req.reason(), cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::ReopenCase(Tx& tx, const v1::ReopenCaseRequest& req, const Cause& cause,
                                   v1::ReopenCaseResponse* out) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, req.case_id()));
  ASSIGN_OR_RETURN(const CaseDecision d, DecideReopen(std::move(c), req.reason(), cause));
  ASSIGN_OR_RETURN(*out->mutable_case_(), ApplyAndLoad(tx, d));
  return absl::OkStatus();
}

absl::Status IntakeApp::RecordSignal(Tx& tx, const v1::RecordSignalRequest& req, const Cause& cause,
                                     v1::RecordSignalResponse* out) {
  const auto cfg = config();
  const SignalRule* rule = MatchSignalRule(*cfg, req.kind(), req.score());
  ReportState state;
  if (rule != nullptr) {
    ASSIGN_OR_RETURN(state, LoadReportState(tx, req.client().id(), rule->category));
  }
  ASSIGN_OR_RETURN(SignalDecision d, DecideSignal({req.kind(), req.client(), req.score(), req.detail(), "rpc"}, rule,
                                                  state, cause, *cfg));
  RETURN_IF_ERROR(Apply(tx, d.outcome));
  *out->mutable_signal() = d.signal;
  out->set_opened_case(d.signal.opened_case());
  if (d.case_decision) {
    if (d.case_decision->opened) {
      *out->mutable_case_() = std::move(d.case_decision->case_record);
    } else {
      ASSIGN_OR_RETURN(*out->mutable_case_(), LoadFullCase(tx, d.signal.case_id()));
    }
  }
  return absl::OkStatus();
}

absl::Status IntakeApp::OnEscalationAcknowledged(Tx& tx, const v1::Event& event, absl::Time now) {
  const auto& body = event.escalation_acknowledged();
  auto c = LoadCase(tx, event.case_id());
  if (!c.ok()) return RefuseUnknownCase(c.status(), event);
  // The acknowledging person (the event's data) owns the case; intake is the one assigning.
  ASSIGN_OR_RETURN(const CaseDecision d,
                   DecideAssignOwner(std::move(*c), body.acknowledged_by(), "page acknowledged",
                                     /*require_editable=*/false, Cause::At(ServiceActor(), event.event_id(), now)));
  return Apply(tx, d.outcome);
}

absl::Status IntakeApp::OnPlanShared(Tx& tx, const v1::Event& event, absl::Time now) {
  auto c = LoadCase(tx, event.case_id());
  if (!c.ok()) return RefuseUnknownCase(c.status(), event);
  const CaseDecision d = DecidePlanned(std::move(*c), absl::StrCat(event.plan_shared().version()),
                                       Cause::At(ServiceActor(), event.event_id(), now));
  return Apply(tx, d.outcome);
}

absl::Status IntakeApp::OnSatisfactionRecorded(Tx& tx, const v1::Event& event, absl::Time now) {
  const auto& body = event.satisfaction_recorded();
  if (!body.low()) return absl::OkStatus();
  // The case the survey was about names the client best; fall back to the bare id.
  v1::Client client;
  if (!event.case_id().empty()) {
    auto about = LoadCase(tx, event.case_id());
    if (about.ok()) {
      client = about->client();
    } else if (about.status().code() != absl::StatusCode::kNotFound) {
      return about.status();
    }
  }
  if (client.id().empty() || (!body.client_id().empty() && body.client_id() != client.id())) {
    client.Clear();
    client.set_id(body.client_id());
    client.set_name(body.client_id());
  }
  if (client.id().empty()) {
    // Neither the event nor a case intake knows names the client: malformed, parked.
    return absl::InvalidArgumentError(absl::StrCat("satisfaction_recorded.client_id: required: case ",
                                                   recovery::common::QuoteForMessage(event.case_id()),
                                                   " is not a case intake opened"));
  }
  const auto cfg = config();
  const SignalRule* rule = MatchSignalRule(*cfg, v1::SIGNAL_KIND_LOW_SATISFACTION, body.score());
  ReportState state;
  if (rule != nullptr) {
    ASSIGN_OR_RETURN(state, LoadReportState(tx, client.id(), rule->category));
  }
  ASSIGN_OR_RETURN(const SignalDecision d,
                   DecideSignal({v1::SIGNAL_KIND_LOW_SATISFACTION, client, static_cast<double>(body.score()),
                                 body.comment(), event.event_id()},
                                rule, state, Cause::At(ServiceActor(), event.event_id(), now), *cfg));
  return Apply(tx, d.outcome);
}

}  // namespace recovery::intake
