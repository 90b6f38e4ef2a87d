// srctl's escalation commands (recovery.v1.Escalation): who is on call, shifts, business hours
// and coverage; escalations across cases or of one case, and their pages; acknowledging a page;
// on-call overrides; cover requests (srctl cover request|accept|decline|cancel|list) and
// calendar feeds (srctl calendar create|list|revoke).
#include <cctype>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::Escalation;

class OnCallCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--schedule", schedule_);
    cmd.add_option("--team", team_);
    cmd.add_option("--at", at_, "RFC3339 instant (default: now)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::WhoIsOnCallRequest req;
    req.set_schedule_id(schedule_);
    req.set_team_id(team_);
    if (!at_.empty()) {
      ASSIGN_OR_RETURN(*req.mutable_at(), ParseTimestamp("--at", at_));
    }
    return session.Show(session.Call<Escalation>(&Escalation::Stub::WhoIsOnCall, req),
                        [](const Message& m, std::ostream& out) {
                          out << "on call at " << DisplayText(m, "at") << " (" << DisplayText(m, "schedule_id")
                              << "): " << DisplayText(m, "person_ids") << " person(s)\n"
                              << Pretty(m, 1);
                        });
  }

 private:
  std::string schedule_, team_, at_;
};

class ShiftsCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--schedule", schedule_)->required();
    cmd.add_option("--from", from_)->required();
    cmd.add_option("--to", to_)->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListShiftsRequest req;
    req.set_schedule_id(schedule_);
    ASSIGN_OR_RETURN(*req.mutable_from(), ParseTimestamp("--from", from_));
    ASSIGN_OR_RETURN(*req.mutable_to(), ParseTimestamp("--to", to_));
    return session.Show(session.Call<Escalation>(&Escalation::Stub::ListShifts, req),
                        [](const Message& m, std::ostream& out) {
                          out << Table(RepeatedMessages(m, "shifts"), {"person_id", "start", "end", "layer"});
                        });
  }

 private:
  std::string schedule_, from_, to_;
};

class BusinessHoursCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--calendar", calendar_)->required();
    cmd.add_option("--at", at_, "RFC3339 instant (default: now)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::IsBusinessHoursRequest req;
    req.set_calendar_id(calendar_);
    if (!at_.empty()) {
      ASSIGN_OR_RETURN(*req.mutable_at(), ParseTimestamp("--at", at_));
    }
    return session.Show(session.Call<Escalation>(&Escalation::Stub::IsBusinessHours, req),
                        [this](const recovery::v1::IsBusinessHoursResponse& m, std::ostream& out) {
                          const std::string holiday = DisplayText(m, "holiday");
                          out << EscapeForTerminal(calendar_) << ": " << (m.open() ? "OPEN" : "CLOSED")
                              << (holiday.empty() ? "" : " (" + holiday + ")") << ", next change "
                              << DisplayText(m, "next_change") << "\n";
                        });
  }

 private:
  std::string calendar_, at_;
};

class CoverageCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--schedule", schedule_)->required();
    cmd.add_option("--from", from_)->required();
    cmd.add_option("--to", to_)->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::CheckCoverageRequest req;
    req.set_schedule_id(schedule_);
    ASSIGN_OR_RETURN(*req.mutable_from(), ParseTimestamp("--from", from_));
    ASSIGN_OR_RETURN(*req.mutable_to(), ParseTimestamp("--to", to_));
    return session.Show(session.Call<Escalation>(&Escalation::Stub::CheckCoverage, req));
  }

 private:
  std::string schedule_, from_, to_;
};

// Without a case: the escalations of every case, newest first (--active: new, held or
// paging); with one: that case's, oldest first. --team and --status (repeatable) filter; a
// page holds --page-size (default 50), and the next page is asked for with --page-token.
class EscalationsCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("case", case_id_, "one case's escalations (default: every case's)");
    cmd.add_flag("--active", active_, "only new, held or paging ones");
    cmd.add_option("--team", team_, "only those routed to this team");
    cmd.add_option("--status", statuses_, "only these statuses (repeatable: --status paging --status held)");
    cmd.add_option("--page-size", page_size_, "at most this many (default 50, max 500)");
    cmd.add_option("--page-token", page_token_, "the next page, as the previous one printed");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListEscalationsRequest req;
    req.set_case_id(case_id_);
    req.set_active_only(active_);
    req.set_team_id(team_);
    for (const std::string& status : statuses_) {
      ASSIGN_OR_RETURN(const auto s, ParseEnum<recovery::v1::EscalationStatus>("--status", status));
      req.add_statuses(s);
    }
    req.set_page_size(page_size_);
    req.set_page_token(page_token_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::ListEscalations, req),
                        [this](const recovery::v1::ListEscalationsResponse& m, std::ostream& out) {
                          std::vector<std::string> columns = {"escalation_id", "status", "team_id", "business_hours",
                                                              "tier",          "round",  "ack_due", "acknowledged_by"};
                          if (case_id_.empty()) columns.insert(columns.begin() + 1, "case_id");
                          out << Table(RepeatedMessages(m, "escalations"), columns);
                          if (!m.next_page_token().empty()) {
                            out << "more: --page-token " << DisplayText(m, "next_page_token") << "\n";
                          }
                        });
  }

 private:
  std::string case_id_, team_, page_token_;
  std::vector<std::string> statuses_;
  bool active_ = false;
  int page_size_ = 0;
};

class PagesCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("escalation", escalation_)->required(); }

  absl::Status Run(Session& session) const {
    recovery::v1::ListPagesRequest req;
    req.set_escalation_id(escalation_);
    return session.Show(
        session.Call<Escalation>(&Escalation::Stub::ListPages, req), [](const Message& m, std::ostream& out) {
          out << Table(RepeatedMessages(m, "pages"),
                       {"person_id", "channel", "tier", "round", "status", "attempts", "idempotency_key"});
        });
  }

 private:
  std::string escalation_;
};

class AckPageCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--page", page_);
    cmd.add_option("--escalation", escalation_, "your page of this escalation (the token names you)");
    // Kept for one release so that old scripts hear why, not "unknown option".
    cmd.add_option("--person", removed_person_, "gone: the token names who acknowledges")->group("");
  }

  absl::Status Run(Session& session) const {
    if (!removed_person_.empty())
      return absl::InvalidArgumentError(
          "--person is gone: a page is acknowledged by whoever the token names; give --page, or --escalation for "
          "your page of it (srctl login --user ... or --token)");
    recovery::v1::AcknowledgePageRequest req;
    req.set_request_id(NewRequestId());
    req.set_page_id(page_);
    req.set_escalation_id(escalation_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::AcknowledgePage, req));
  }

 private:
  std::string page_, escalation_, removed_person_;
};

class OverrideCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--schedule", schedule_)->required();
    cmd.add_option("--person", person_)->required();
    cmd.add_option("--from", start_)->required();
    cmd.add_option("--to", end_)->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::AddOverrideRequest req;
    req.set_request_id(NewRequestId());
    req.set_schedule_id(schedule_);
    req.set_person_id(person_);
    ASSIGN_OR_RETURN(*req.mutable_start(), ParseTimestamp("--from", start_));
    ASSIGN_OR_RETURN(*req.mutable_end(), ParseTimestamp("--to", end_));
    req.set_reason(reason_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::AddOverride, req));
  }

 private:
  std::string schedule_, person_, start_, end_, reason_;
};

const std::vector<std::string> kCoverColumns = {
    "cover_request_id", "schedule_id", "requester_id", "person_id", "start", "end", "status"};

void ShowCover(const Message& m, std::ostream& out) {
  out << "cover request " << DisplayText(m, "cover_request_id") << ": " << DisplayText(m, "status") << "\n"
      << Pretty(m, 1);
}

class CoverRequestCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--schedule", schedule_)->required();
    cmd.add_option("--person", person_, "the teammate asked to cover")->required();
    cmd.add_option("--from", start_, "RFC3339 start (in the future)")->required();
    cmd.add_option("--to", end_, "RFC3339 end")->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::RequestCoverRequest req;
    req.set_request_id(NewRequestId());
    req.set_schedule_id(schedule_);
    req.set_person_id(person_);
    ASSIGN_OR_RETURN(*req.mutable_start(), ParseTimestamp("--from", start_));
    ASSIGN_OR_RETURN(*req.mutable_end(), ParseTimestamp("--to", end_));
    req.set_reason(reason_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::RequestCover, req), ShowCover);
  }

 private:
  std::string schedule_, person_, start_, end_, reason_;
};

class CoverAcceptCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("cover_request", id_)->required(); }

  absl::Status Run(Session& session) const {
    recovery::v1::AcceptCoverRequest req;
    req.set_request_id(NewRequestId());
    req.set_cover_request_id(id_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::AcceptCover, req), ShowCover);
  }

 private:
  std::string id_;
};

class CoverDeclineCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("cover_request", id_)->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::DeclineCoverRequest req;
    req.set_request_id(NewRequestId());
    req.set_cover_request_id(id_);
    req.set_reason(reason_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::DeclineCover, req), ShowCover);
  }

 private:
  std::string id_, reason_;
};

class CoverCancelCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("cover_request", id_)->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::CancelCoverRequest req;
    req.set_request_id(NewRequestId());
    req.set_cover_request_id(id_);
    req.set_reason(reason_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::CancelCover, req), ShowCover);
  }

 private:
  std::string id_, reason_;
};

class CoverListCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_flag("--mine", mine_, "requests you made");
    cmd.add_flag("--to-me", to_me_, "requests asking you");
    cmd.add_option("--schedule", schedule_);
    cmd.add_option("--status", status_)
        ->check(CLI::IsMember({"pending", "accepted", "declined", "cancelled", "expired"}));
    cmd.add_option("--page-size", page_size_, "default 50, at most 200");
    cmd.add_option("--page-token", page_token_, "the next page token a previous list printed");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListCoverRequestsRequest req;
    req.set_mine(mine_);
    req.set_addressed_to_me(to_me_);
    req.set_schedule_id(schedule_);
    if (!status_.empty()) {
      recovery::v1::CoverRequestStatus status;
      std::string name = "COVER_REQUEST_STATUS_" + status_;
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!recovery::v1::CoverRequestStatus_Parse(name, &status))
        return absl::InvalidArgumentError("--status: unknown");
      req.set_status(status);
    }
    req.set_page_size(page_size_);
    req.set_page_token(page_token_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::ListCoverRequests, req),
                        [](const Message& m, std::ostream& out) {
                          out << Table(RepeatedMessages(m, "cover_requests"), kCoverColumns);
                          const std::string next = DisplayText(m, "next_page_token");
                          if (!next.empty()) out << "next page: --page-token " << next << "\n";
                        });
  }

 private:
  bool mine_ = false, to_me_ = false;
  std::string schedule_, status_, page_token_;
  int page_size_ = 0;
};

class CalendarCreateCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--person", person_, "a feed of this person's shifts (yours, unless schedules.edit_any)");
    cmd.add_option("--schedule", schedule_, "a feed of everyone's shifts on this schedule");
  }

  // The URL path carries the secret token: it is printed this once and never again. The
  // local stack (tools/stack.sh --calendar) writes the feeds' base URL to <stack>/calendar.url.
  absl::Status Run(Session& session) const {
    recovery::v1::CreateCalendarFeedRequest req;
    req.set_request_id(NewRequestId());
    req.set_person_id(person_);
    req.set_schedule_id(schedule_);
    std::string base;
    std::ifstream stack_url(session.stack_dir() + "/calendar.url");
    std::getline(stack_url, base);
    if (base.empty()) base = "<escalation's --calendar-listen address>";
    return session.Show(session.Call<Escalation>(&Escalation::Stub::CreateCalendarFeed, req),
                        [&base](const Message& m, std::ostream& out) {
                          out << "calendar feed " << DisplayText(m, "feed_id") << "\n"
                              << "  subscribe to: " << EscapeForTerminal(base) << DisplayText(m, "url_path") << "\n"
                              << "  (the token is shown only now; revoke the feed if it leaks)\n";
                        });
  }

 private:
  std::string person_, schedule_;
};

class CalendarListCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_flag("--all", all_, "revoked feeds too"); }

  absl::Status Run(Session& session) const {
    recovery::v1::ListCalendarFeedsRequest req;
    req.set_include_revoked(all_);
    return session.Show(
        session.Call<Escalation>(&Escalation::Stub::ListCalendarFeeds, req), [](const Message& m, std::ostream& out) {
          out << Table(RepeatedMessages(m, "feeds"),
                       {"feed_id", "person_id", "schedule_id", "created_by", "created_at", "revoked_at"});
        });
  }

 private:
  bool all_ = false;
};

class CalendarRevokeCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("feed", feed_)->required();
    cmd.add_option("--reason", reason_);
  }

  absl::Status Run(Session& session) const {
    recovery::v1::RevokeCalendarFeedRequest req;
    req.set_request_id(NewRequestId());
    req.set_feed_id(feed_);
    req.set_reason(reason_);
    return session.Show(session.Call<Escalation>(&Escalation::Stub::RevokeCalendarFeed, req));
  }

 private:
  std::string feed_, reason_;
};

}  // namespace

std::vector<Command> EscalationCommands() {
  return {
      MakeCommand<OnCallCommand>("oncall", "who is on call (escalation.WhoIsOnCall)"),
      MakeCommand<ShiftsCommand>("shifts", "the final on-call schedule (escalation.ListShifts)"),
      MakeCommand<BusinessHoursCommand>("business-hours", "is a calendar open (escalation.IsBusinessHours)"),
      MakeCommand<CoverageCommand>("coverage", "coverage gaps of a schedule (escalation.CheckCoverage)"),
      MakeCommand<EscalationsCommand>("escalations",
                                      "escalations across cases, or a case's (escalation.ListEscalations)"),
      MakeCommand<PagesCommand>("pages", "the pages of an escalation (escalation.ListPages)"),
      MakeCommand<AckPageCommand>("ack-page", "acknowledge a page (escalation.AcknowledgePage)"),
      MakeCommand<OverrideCommand>("override", "add an on-call override (escalation.AddOverride)"),
      MakeGroup(
          "cover", "ask a teammate to cover a stretch of your shift, answer, cancel, list",
          {
              MakeCommand<CoverRequestCommand>("request", "ask a teammate to cover (escalation.RequestCover)"),
              MakeCommand<CoverAcceptCommand>("accept", "take a stretch you were asked to (escalation.AcceptCover)"),
              MakeCommand<CoverDeclineCommand>("decline", "say no to a cover request (escalation.DeclineCover)"),
              MakeCommand<CoverCancelCommand>("cancel", "withdraw your cover request (escalation.CancelCover)"),
              MakeCommand<CoverListCommand>("list", "cover requests (escalation.ListCoverRequests)"),
          }),
      MakeGroup("calendar", "iCal feeds of on-call shifts",
                {
                    MakeCommand<CalendarCreateCommand>("create", "a feed URL (escalation.CreateCalendarFeed)"),
                    MakeCommand<CalendarListCommand>("list", "your feeds (escalation.ListCalendarFeeds)"),
                    MakeCommand<CalendarRevokeCommand>("revoke", "revoke a feed (escalation.RevokeCalendarFeed)"),
                }),
  };
}

}  // namespace recovery::srctl
