// srctl's action-plan commands (recovery.v1.ActionPlan): a case's plan, its items and
// commitments, amends and root cause, sharing the summary, reviewing wording, playbooks.
#include <ostream>

#include "recovery/v1/action_plan.grpc.pb.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::ActionPlan;

void PrintPlan(const recovery::v1::GetPlanResponse& response, std::ostream& out) {
  const recovery::v1::Plan& p = response.plan();
  out << "plan " << DisplayText(p, "plan_id") << " for case " << DisplayText(p, "case_id") << " (playbook "
      << DisplayText(p, "playbook_id") << ", client " << DisplayText(p, "client_name") << ", "
      << DisplayText(p, "client_time_zone") << ")\n\nitems:\n"
      << Table(RepeatedMessages(p, "items"), {"id", "status", "owner", "owner_role", "due", "client_visible", "what"});
  const auto commitments = RepeatedMessages(p, "commitments");
  if (!commitments.empty()) out << "\ncommitments:\n" << Table(commitments, {"id", "status", "owner", "due", "text"});
}

class PlanCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("case", case_id_)->required(); }

  absl::Status Run(Session& session) const {
    recovery::v1::GetPlanRequest req;
    req.set_case_id(case_id_);
    return session.Show(session.Call<ActionPlan>(&ActionPlan::Stub::GetPlan, req), PrintPlan);
  }

 private:
  std::string case_id_;
};

class AddItemCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--what", what_)->required();
    cmd.add_option("--owner", owner_);
    cmd.add_option("--where", where_);
    cmd.add_option("--due", due_, "RFC3339, or local 2026-11-25T10:00:00 with --tz")->required();
    cmd.add_option("--tz", tz_, "IANA zone of a local --due");
    cmd.add_option("--why", why_);
    cmd.add_option("--how", how_);
    cmd.add_flag("--internal", internal_, "not visible to the client");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::AddActionItemRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    recovery::v1::ActionItem* item = req.mutable_item();
    item->set_what(what_);
    item->set_owner(owner_);
    item->set_where(where_);
    ASSIGN_OR_RETURN(*item->mutable_due(), ParseInstant("--due", due_, tz_));
    item->set_why(why_);
    item->set_how(how_);
    item->set_client_visible(!internal_);
    return session.Show(session.Call<ActionPlan>(&ActionPlan::Stub::AddActionItem, req));
  }

 private:
  std::string case_id_, what_, owner_, where_, due_, tz_, why_, how_;
  bool internal_ = false;
};

class CompleteItemCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("item", item_)->required();
    cmd.add_option("--note", note_)->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::CompleteActionItemRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_item_id(item_);
    req.set_completion_note(note_);
    return session.Show(
        session.Call<ActionPlan>(&ActionPlan::Stub::CompleteActionItem, req),
        [](const Message& m, std::ostream& out) { out << "completed: " << DisplayText(m, "item.what") << "\n"; });
  }

 private:
  std::string case_id_, item_, note_;
};

class AddCommitmentCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--text", text_)->required();
    cmd.add_option("--owner", owner_)->required();
    cmd.add_option("--due", due_, "RFC3339, or local 2026-11-25T10:00:00 with --tz")->required();
    cmd.add_option("--tz", tz_, "IANA zone of a local --due (the client's)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::AddCommitmentRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    recovery::v1::Commitment* commitment = req.mutable_commitment();
    commitment->set_text(text_);
    commitment->set_owner(owner_);
    ASSIGN_OR_RETURN(*commitment->mutable_due(), ParseInstant("--due", due_, tz_));
    return session.Show(session.Call<ActionPlan>(&ActionPlan::Stub::AddCommitment, req),
                        [](const Message& m, std::ostream& out) {
                          out << "commitment " << DisplayText(m, "commitment.id") << " due "
                              << DisplayText(m, "commitment.due") << ": " << DisplayText(m, "commitment.text") << "\n";
                          for (const Message* w : RepeatedMessages(m, "warnings")) out << "  warning: " << Pretty(*w);
                        });
  }

 private:
  std::string case_id_, text_, owner_, due_, tz_;
};

class KeepCommitmentCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--commitment", commitment_, "one commitment id (default: every open one)");
  }

  // One UpdateCommitment (and one line of output) per commitment; stops at the first error.
  absl::Status Run(Session& session) const {
    std::vector<std::string> ids;
    if (!commitment_.empty()) {
      ids.push_back(commitment_);
    } else {
      recovery::v1::GetPlanRequest get;
      get.set_case_id(case_id_);
      ASSIGN_OR_RETURN(const auto plan, session.Call<ActionPlan>(&ActionPlan::Stub::GetPlan, get));
      for (const recovery::v1::Commitment& c : plan.plan().commitments())
        if (c.status() == recovery::v1::COMMITMENT_STATUS_OPEN ||
            c.status() == recovery::v1::COMMITMENT_STATUS_RENEGOTIATED)
          ids.push_back(c.id());
    }
    for (const std::string& id : ids) {
      recovery::v1::UpdateCommitmentRequest req;
      req.set_request_id(NewRequestId());
      req.set_case_id(case_id_);
      req.set_commitment_id(id);
      req.mutable_update()->set_status(recovery::v1::COMMITMENT_STATUS_KEPT);
      RETURN_IF_ERROR(session.Show(
          session.Call<ActionPlan>(&ActionPlan::Stub::UpdateCommitment, req),
          [](const Message& m, std::ostream& out) { out << "kept: " << DisplayText(m, "commitment.text") << "\n"; }));
    }
    return absl::OkStatus();
  }

 private:
  std::string case_id_, commitment_;
};

class AmendsCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--kind", kind_, "discount|credit|free_service|other")->required();
    cmd.add_option("--value", minor_, "value in minor units (pence, cents)");
    cmd.add_option("--currency", currency_);
    cmd.add_option("--approver", approver_)->required();
    cmd.add_option("--reason", reason_)->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::RecordAmendsRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    recovery::v1::Amends* amends = req.mutable_amends();
    ASSIGN_OR_RETURN(const auto kind, ParseEnum<recovery::v1::AmendsKind>("--kind", kind_));
    amends->set_kind(kind);
    amends->set_value_minor_units(minor_);
    amends->set_currency(currency_);
    amends->set_approver(approver_);
    amends->set_reason(reason_);
    return session.Show(session.Call<ActionPlan>(&ActionPlan::Stub::RecordAmends, req));
  }

 private:
  std::string case_id_, kind_, currency_ = "GBP", approver_, reason_;
  int64_t minor_ = 0;
};

class RootCauseCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--client-view", client_view_);
    cmd.add_option("--firm-view", firm_view_);
    cmd.add_option("--agreed", agreed_, "the agreed explanation")->required();
    cmd.add_option("--category", category_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::SetRootCauseRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    recovery::v1::RootCause* root_cause = req.mutable_root_cause();
    root_cause->set_client_view(client_view_);
    root_cause->set_firm_view(firm_view_);
    root_cause->set_agreed_explanation(agreed_);
    root_cause->set_category(category_);
    return session.Show(session.Call<ActionPlan>(&ActionPlan::Stub::SetRootCause, req));
  }

 private:
  std::string case_id_, client_view_, firm_view_, agreed_, category_;
};

class ShareCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_flag("--markdown", markdown_, "print the markdown rendering");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::SharePlanRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    return session.Show(
        session.Call<ActionPlan>(&ActionPlan::Stub::SharePlan, req),
        [this](const recovery::v1::SharePlanResponse& m, std::ostream& out) {
          // The summary is a multi-line text on purpose: line breaks kept.
          out << "shared version " << m.version() << ":\n\n"
              << EscapeForTerminal(markdown_ ? m.summary_markdown() : m.summary_text(), TextLayout::kMultiLine) << "\n";
        });
  }

 private:
  std::string case_id_;
  bool markdown_ = false;
};

class ReviewMessageCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--text", text_)->required();
    cmd.add_flag("--commitment-recorded", commitment_recorded_, "a recorded commitment backs the deadline in the text");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ReviewMessageRequest req;
    req.set_text(text_);
    if (commitment_recorded_) req.mutable_context()->set_commitment_recorded(true);
    return session.Show(session.Call<ActionPlan>(&ActionPlan::Stub::ReviewMessage, req),
                        [](const Message& m, std::ostream& out) {
                          const auto findings = RepeatedMessages(m, "findings");
                          if (findings.empty()) out << "no findings: the message reads well\n";
                          for (const Message* f : findings)
                            out << "  " << DisplayText(*f, "severity") << " " << DisplayText(*f, "category") << " \""
                                << DisplayText(*f, "excerpt") << "\": " << DisplayText(*f, "reason") << "\n";
                        });
  }

 private:
  std::string text_;
  bool commitment_recorded_ = false;
};

class PlaybooksCommand {
 public:
  void AddFlags(CLI::App&) {}

  absl::Status Run(Session& session) const {
    return session.Show(
        session.Call<ActionPlan>(&ActionPlan::Stub::ListPlaybooks, recovery::v1::ListPlaybooksRequest()));
  }
};

}  // namespace

std::vector<Command> ActionPlanCommands() {
  return {
      MakeCommand<PlanCommand>("plan", "show a case's plan (action_plan.GetPlan)"),
      MakeCommand<AddItemCommand>("add-item", "add an action item (action_plan.AddActionItem)"),
      MakeCommand<CompleteItemCommand>("complete-item", "complete an action item (action_plan.CompleteActionItem)"),
      MakeCommand<AddCommitmentCommand>("add-commitment", "record a promise to the client (action_plan.AddCommitment)"),
      MakeCommand<KeepCommitmentCommand>("keep-commitment",
                                         "mark the case's open commitments kept (action_plan.UpdateCommitment)"),
      MakeCommand<AmendsCommand>("amends", "record a goodwill gesture (action_plan.RecordAmends)"),
      MakeCommand<RootCauseCommand>("root-cause", "set the root cause (action_plan.SetRootCause)"),
      MakeCommand<ShareCommand>("share", "share the plan with the client as a summary (action_plan.SharePlan)"),
      MakeCommand<ReviewMessageCommand>("review-message", "review outgoing wording (action_plan.ReviewMessage)"),
      MakeCommand<PlaybooksCommand>("playbooks", "list playbooks (action_plan.ListPlaybooks)"),
  };
}

}  // namespace recovery::srctl
