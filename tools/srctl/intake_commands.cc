// srctl's intake commands (recovery.v1.Intake): open, show, list and move cases through their
// lifecycle; contacts, notes, owners and weak signals.
#include <ostream>

#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::Intake;

// The case of a response (its `case` field), as a few lines.
void PrintCase(const Message& response, std::ostream& out) {
  const Message* c = &response;
  if (const auto* f = response.GetDescriptor()->FindFieldByName("case"))
    c = &response.GetReflection()->GetMessage(response, f);
  out << "case " << DisplayText(*c, "id") << "  [" << DisplayText(*c, "status") << "] " << DisplayText(*c, "severity")
      << " " << DisplayText(*c, "category") << "\n"
      << "  client:   " << DisplayText(*c, "client.name") << " (" << DisplayText(*c, "client.id") << ", "
      << DisplayText(*c, "client.tier") << ")\n"
      << "  summary:  " << DisplayText(*c, "summary") << "\n"
      << "  owner:    " << DisplayText(*c, "owner") << "\n"
      << "  emotion:  " << DisplayText(*c, "emotional_state") << "\n"
      << "  opened:   " << DisplayText(*c, "opened_at") << "\n";
  if (FieldText(response, "linked_to_existing") == "yes") out << "  (repeat report: linked to the open case)\n";
}

class OpenCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--client-id", client_id_)->required();
    cmd.add_option("--client-name", client_name_)->required();
    cmd.add_option("--tier", tier_);
    cmd.add_option("--client-tz", client_tz_);
    cmd.add_option("--calendar", calendar_, "the client's business-hours calendar id");
    cmd.add_option("--contact-name", contact_name_);
    cmd.add_option("--email", email_);
    cmd.add_option("--phone", phone_);
    cmd.add_option("--contact-tz", contact_tz_);
    cmd.add_option("--channel", channel_);
    cmd.add_option("--category", category_)->required();
    cmd.add_option("--severity", severity_)->required();
    cmd.add_option("--summary", summary_)->required();
    cmd.add_option("--description", description_);
    cmd.add_option("--client-view", client_view_);
    cmd.add_option("--firm-view", firm_view_);
    cmd.add_option("--emotion", emotion_);
    cmd.add_option("--request-id", request_id_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::OpenCaseRequest req;
    req.set_request_id(request_id_.empty() ? NewRequestId() : request_id_);
    recovery::v1::Client* client = req.mutable_client();
    client->set_id(client_id_);
    client->set_name(client_name_);
    client->set_tier(tier_);
    client->set_time_zone(client_tz_);
    client->set_calendar_id(calendar_);
    if (!(contact_name_ + email_ + phone_ + contact_tz_).empty()) {
      recovery::v1::Contact* contact = req.mutable_contact();
      contact->set_name(contact_name_);
      contact->set_email(email_);
      contact->set_phone(phone_);
      contact->set_time_zone(contact_tz_);
    }
    ASSIGN_OR_RETURN(const auto channel, ParseEnum<recovery::v1::Channel>("--channel", channel_));
    req.set_channel(channel);
    req.set_category(category_);
    ASSIGN_OR_RETURN(const auto severity, ParseEnum<recovery::v1::Severity>("--severity", severity_));
    req.set_severity(severity);
    req.set_summary(summary_);
    req.set_description(description_);
    req.set_client_view(client_view_);
    req.set_firm_view(firm_view_);
    ASSIGN_OR_RETURN(const auto emotion, ParseEnum<recovery::v1::EmotionalState>("--emotion", emotion_));
    req.set_emotional_state(emotion);
    return session.Show(session.Call<Intake>(&Intake::Stub::OpenCase, req), PrintCase);
  }

 private:
  std::string client_id_, client_name_, tier_, client_tz_, calendar_, contact_name_, email_, phone_, contact_tz_,
      channel_ = "phone", category_, severity_, summary_, description_, client_view_, firm_view_, emotion_, request_id_;
};

class ShowCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("case", case_id_)->required(); }

  absl::Status Run(Session& session) const {
    recovery::v1::GetCaseRequest req;
    req.set_case_id(case_id_);
    return session.Show(session.Call<Intake>(&Intake::Stub::GetCase, req));
  }

 private:
  std::string case_id_;
};

class CasesCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--status", status_);
    cmd.add_option("--severity", severity_);
    cmd.add_option("--client", client_);
    cmd.add_option("--owner", owner_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListCasesRequest req;
    if (!status_.empty()) {
      ASSIGN_OR_RETURN(const auto status, ParseEnum<recovery::v1::CaseStatus>("--status", status_));
      req.add_statuses(status);
    }
    if (!severity_.empty()) {
      ASSIGN_OR_RETURN(const auto severity, ParseEnum<recovery::v1::Severity>("--severity", severity_));
      req.add_severities(severity);
    }
    req.set_client_id(client_);
    req.set_owner(owner_);
    return session.Show(session.Call<Intake>(&Intake::Stub::ListCases, req), [](const Message& m, std::ostream& out) {
      out << Table(RepeatedMessages(m, "cases"),
                   {"id", "status", "severity", "category", "client.name", "owner", "summary"});
    });
  }

 private:
  std::string status_, severity_, client_, owner_;
};

class AckCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--message", message_, "what was said to the client")->required();
    cmd.add_option("--emotion", emotion_, "the client's emotional state now");
    // Kept for one release so that old scripts hear why, not "unknown option".
    cmd.add_option("--by", removed_by_, "gone: the token names who acknowledges")->group("");
  }

  absl::Status Run(Session& session) const {
    if (!removed_by_.empty())
      return absl::InvalidArgumentError(
          "--by is gone: the person acknowledging is whoever the token names; use srctl login --user ... or --token");
    recovery::v1::AcknowledgeCaseRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_message(message_);
    ASSIGN_OR_RETURN(const auto emotion, ParseEnum<recovery::v1::EmotionalState>("--emotion", emotion_));
    req.set_emotional_state(emotion);
    return session.Show(session.Call<Intake>(&Intake::Stub::AcknowledgeCase, req), PrintCase);
  }

 private:
  std::string case_id_, message_, emotion_, removed_by_;
};

class ContactCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--channel", channel_);
    cmd.add_option("--summary", summary_)->required();
    cmd.add_option("--emotion", emotion_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::RecordContactRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    ASSIGN_OR_RETURN(const auto channel, ParseEnum<recovery::v1::Channel>("--channel", channel_));
    req.set_channel(channel);
    req.set_summary(summary_);
    ASSIGN_OR_RETURN(const auto emotion, ParseEnum<recovery::v1::EmotionalState>("--emotion", emotion_));
    req.set_emotional_state(emotion);
    return session.Show(session.Call<Intake>(&Intake::Stub::RecordContact, req));
  }

 private:
  std::string case_id_, channel_ = "phone", summary_, emotion_;
};

class ResolveCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--resolution", resolution_)->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ResolveCaseRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_resolution(resolution_);
    return session.Show(session.Call<Intake>(&Intake::Stub::ResolveCase, req), PrintCase);
  }

 private:
  std::string case_id_, resolution_;
};

class CloseCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::CloseCaseRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_reason(reason_);
    return session.Show(session.Call<Intake>(&Intake::Stub::CloseCase, req), PrintCase);
  }

 private:
  std::string case_id_, reason_;
};

class ReopenCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--reason", reason_)->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ReopenCaseRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_reason(reason_);
    return session.Show(session.Call<Intake>(&Intake::Stub::ReopenCase, req), PrintCase);
  }

 private:
  std::string case_id_, reason_;
};

class NoteCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--text", text_)->required();
    cmd.add_flag("--shareable", shareable_, "the client may see it (default: internal)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::AddNoteRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_text(text_);
    req.set_shareable(shareable_);
    return session.Show(session.Call<Intake>(&Intake::Stub::AddNote, req));
  }

 private:
  std::string case_id_, text_;
  bool shareable_ = false;
};

class AssignCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--owner", owner_)->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::AssignOwnerRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_owner(owner_);
    req.set_reason(reason_);
    return session.Show(session.Call<Intake>(&Intake::Stub::AssignOwner, req), PrintCase);
  }

 private:
  std::string case_id_, owner_, reason_;
};

class SignalCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--kind", kind_, "survey_score|missed_deadline|negative_sentiment")->required();
    cmd.add_option("--client-id", client_id_)->required();
    cmd.add_option("--client-name", client_name_);
    cmd.add_option("--score", score_);
    cmd.add_option("--detail", detail_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::RecordSignalRequest req;
    req.set_request_id(NewRequestId());
    ASSIGN_OR_RETURN(const auto kind, ParseEnum<recovery::v1::SignalKind>("--kind", kind_));
    req.set_kind(kind);
    req.mutable_client()->set_id(client_id_);
    req.mutable_client()->set_name(client_name_);
    req.set_score(score_);
    req.set_detail(detail_);
    return session.Show(session.Call<Intake>(&Intake::Stub::RecordSignal, req));
  }

 private:
  std::string kind_, client_id_, client_name_, detail_;
  double score_ = 0;
};

}  // namespace

std::vector<Command> IntakeCommands() {
  return {
      MakeCommand<OpenCommand>("open", "open a case (intake.OpenCase)"),
      MakeCommand<ShowCommand>("show", "show a case (intake.GetCase)"),
      MakeCommand<CasesCommand>("cases", "list cases (intake.ListCases)"),
      MakeCommand<AckCommand>("ack", "acknowledge a case to the client (intake.AcknowledgeCase)"),
      MakeCommand<ContactCommand>("contact", "record a contact with the client (intake.RecordContact)"),
      MakeCommand<ResolveCommand>("resolve", "resolve a case (intake.ResolveCase)"),
      MakeCommand<CloseCommand>("close", "close a case (intake.CloseCase)"),
      MakeCommand<ReopenCommand>("reopen", "reopen a case (intake.ReopenCase)"),
      MakeCommand<NoteCommand>("note", "add a note to a case (intake.AddNote)"),
      MakeCommand<AssignCommand>("assign", "assign a case owner (intake.AssignOwner)"),
      MakeCommand<SignalCommand>("signal", "record a weak signal (intake.RecordSignal)"),
  };
}

}  // namespace recovery::srctl
