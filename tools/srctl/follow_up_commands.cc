// srctl's follow-up commands (recovery.v1.FollowUp): reminders, the client's satisfaction, the
// quality review and complaint trends.
#include <ostream>

#include "recovery/v1/follow_up.grpc.pb.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::FollowUp;

class RemindersCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--case", case_id_);
    cmd.add_option("--recipient", recipient_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListRemindersRequest req;
    req.set_case_id(case_id_);
    req.set_recipient(recipient_);
    return session.Show(
        session.Call<FollowUp>(&FollowUp::Stub::ListReminders, req), [](const Message& m, std::ostream& out) {
          out << Table(RepeatedMessages(m, "reminders"), {"next_due", "recipient", "stage", "reason", "repeat"});
        });
  }

 private:
  std::string case_id_, recipient_;
};

class SatisfactionCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--score", score_, "1..5")->required();
    cmd.add_option("--comment", comment_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::RecordSatisfactionRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_score(score_);
    req.set_comment(comment_);
    return session.Show(session.Call<FollowUp>(&FollowUp::Stub::RecordSatisfaction, req));
  }

 private:
  std::string case_id_, comment_;
  int score_ = 0;
};

class SubmitReviewCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_)->required();
    cmd.add_option("--expected", expected_, "what was expected to happen")->required();
    cmd.add_option("--happened", happened_, "what actually happened")->required();
    cmd.add_option("--went-well", went_well_, "what went well and why")->required();
    cmd.add_option("--improve", improve_, "what can be improved and how")->required();
    cmd.add_option("--next", next_, "what next")->required();
    cmd.add_option("--theme", themes_, "a theme tag (repeatable)");
    cmd.add_option("--root-cause", root_cause_);
    cmd.add_option("--action", actions_, "a follow-on action (repeatable)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::SubmitReviewRequest req;
    req.set_request_id(NewRequestId());
    req.set_case_id(case_id_);
    req.set_expected(expected_);
    req.set_happened(happened_);
    req.set_went_well(went_well_);
    req.set_to_improve(improve_);
    req.set_next_steps(next_);
    for (const std::string& theme : themes_) req.add_themes(theme);
    req.set_root_cause(root_cause_);
    for (const std::string& action : actions_) req.add_follow_on_actions(action);
    return session.Show(session.Call<FollowUp>(&FollowUp::Stub::SubmitReview, req));
  }

 private:
  std::string case_id_, expected_, happened_, went_well_, improve_, next_, root_cause_;
  std::vector<std::string> themes_, actions_;
};

class TrendsCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--by", group_by_, "category|client|theme|root_cause");
    cmd.add_option("--from", from_);
    cmd.add_option("--to", to_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::GetTrendsRequest req;
    ASSIGN_OR_RETURN(*req.mutable_from(), ParseTimestamp("--from", from_));
    ASSIGN_OR_RETURN(*req.mutable_to(), ParseTimestamp("--to", to_));
    ASSIGN_OR_RETURN(const auto group_by, ParseEnum<recovery::v1::TrendGroupBy>("--by", group_by_));
    req.set_group_by(group_by);
    return session.Show(session.Call<FollowUp>(&FollowUp::Stub::GetTrends, req), [](const Message& m,
                                                                                    std::ostream& out) {
      out << Table(RepeatedMessages(m, "groups"), {"key", "cases", "sla_breach_rate", "mean_time_to_acknowledge",
                                                   "mean_time_to_resolve", "satisfaction_average", "repeat_offenders"});
    });
  }

 private:
  std::string group_by_ = "category", from_ = "2000-01-01T00:00:00Z", to_ = "2100-01-01T00:00:00Z";
};

}  // namespace

std::vector<Command> FollowUpCommands() {
  return {
      MakeCommand<RemindersCommand>("reminders", "list reminders (follow_up.ListReminders)"),
      MakeCommand<SatisfactionCommand>("satisfaction",
                                       "record the client's satisfaction (follow_up.RecordSatisfaction)"),
      MakeCommand<SubmitReviewCommand>("submit-review", "submit the quality review (follow_up.SubmitReview)"),
      MakeCommand<TrendsCommand>("trends", "complaint trends (follow_up.GetTrends)"),
  };
}

}  // namespace recovery::srctl
