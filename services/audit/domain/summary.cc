// Per-event-type one-line summaries for timelines.
#include "services/audit/domain/summary.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "services/common/events.h"

namespace recovery::audit {
namespace {

using recovery::v1::Event;

// "SEVERITY_P1" -> "P1", "CHANNEL_PHONE" -> "phone": the enum name after its prefix.
template <typename EnumDescriptorFn>
std::string EnumWord(EnumDescriptorFn descriptor, int value, std::string_view prefix, bool lower) {
  const auto* v = descriptor()->FindValueByNumber(value);
  std::string name = v ? v->name() : std::to_string(value);
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  if (lower)
    for (char& c : name) c = (c == '_') ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string Sev(recovery::v1::Severity s) { return EnumWord(recovery::v1::Severity_descriptor, s, "SEVERITY_", false); }
std::string Chan(recovery::v1::Channel c) { return EnumWord(recovery::v1::Channel_descriptor, c, "CHANNEL_", true); }
std::string Page(recovery::v1::PageChannel c) {
  return EnumWord(recovery::v1::PageChannel_descriptor, c, "PAGE_CHANNEL_", true);
}
std::string Sla(recovery::v1::SlaKind k) { return EnumWord(recovery::v1::SlaKind_descriptor, k, "SLA_KIND_", true); }
std::string When(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", common::FromProto(ts), absl::UTCTimeZone());
}
std::string Dur(const google::protobuf::Duration& d) {
  return absl::FormatDuration(absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos()));
}
// Appends ": text" only when there is text.
std::string Colon(const std::string& text) { return text.empty() ? "" : absl::StrCat(": ", text); }
// "Calendar feed F of alice's shifts" or "Calendar feed F of schedule oncall".
std::string Feed(const recovery::v1::CalendarFeedDetails& f) {
  return f.person_id().empty() ? absl::StrCat("Calendar feed ", f.feed_id(), " of schedule ", f.schedule_id())
                               : absl::StrCat("Calendar feed ", f.feed_id(), " of ", f.person_id(), "'s shifts");
}
// "Override on oncall: sam from <start> to <end>" and " (cover request C)" for a cover's.
std::string Override(const recovery::v1::OverrideDetails& o) {
  return absl::StrCat("Override on ", o.schedule_id(), ": ", o.person_id(), " from ", When(o.start()), " to ",
                      When(o.end()),
                      o.cover_request_id().empty() ? "" : absl::StrCat(" (cover request ", o.cover_request_id(), ")"));
}

}  // namespace

std::string SummarizeEvent(const Event& e) {
  switch (e.body_case()) {
    case Event::kCaseOpened: {
      const auto& b = e.case_opened();
      return absl::StrCat("Case opened (", Sev(b.severity()), ", ", b.category(), ") for ", b.client().name(), " via ",
                          Chan(b.channel()), Colon(b.summary()));
    }
    case Event::kCaseUpdated:
      return absl::StrCat("Case updated: ", absl::StrJoin(e.case_updated().changed_fields(), ", "));
    case Event::kContactRecorded:
      return absl::StrCat("Contact by ", Chan(e.contact_recorded().channel()), Colon(e.contact_recorded().summary()));
    case Event::kCaseAcknowledged:
      return absl::StrCat("Case acknowledged by ", e.case_acknowledged().acknowledged_by(), " after ",
                          Dur(e.case_acknowledged().time_to_acknowledge()));
    case Event::kOwnerAssigned:
      return absl::StrCat("Owner set to ", e.owner_assigned().owner(), " (", e.owner_assigned().reason(), ")");
    case Event::kCaseResolved:
      return absl::StrCat("Case resolved", Colon(e.case_resolved().resolution()));
    case Event::kCaseClosed:
      return absl::StrCat("Case closed", Colon(e.case_closed().reason()));
    case Event::kCaseReopened:
      return absl::StrCat("Case reopened", Colon(e.case_reopened().reason()));
    case Event::kSignalRecorded:
      return absl::StrCat(
          "Signal recorded (",
          EnumWord(recovery::v1::SignalKind_descriptor, e.signal_recorded().kind(), "SIGNAL_KIND_", true), ")",
          Colon(e.signal_recorded().detail()));
    case Event::kNoteAdded:
      return absl::StrCat(e.note_added().shareable() ? "Shareable note" : "Internal note", " by ",
                          e.note_added().author());
    case Event::kCasePlanned:
      return "Case planned";
    case Event::kEscalationStarted:
      return absl::StrCat("Escalation started to team ", e.escalation_started().team_id(), " (",
                          e.escalation_started().reason(), ")");
    case Event::kPageQueued:
      return absl::StrCat("Page queued for ", e.page_queued().person_id(), " via ", Page(e.page_queued().channel()),
                          " (tier ", e.page_queued().tier(), ")");
    case Event::kPageDelivered:
      return absl::StrCat("Page delivered to ", e.page_delivered().person_id(), " via ",
                          Page(e.page_delivered().channel()));
    case Event::kPageFailed:
      return absl::StrCat("Page to ", e.page_failed().person_id(), " failed", e.page_failed().final() ? " (final)" : "",
                          Colon(e.page_failed().error()));
    case Event::kTierAdvanced:
      return absl::StrCat("Escalated from tier ", e.tier_advanced().from_tier(), " to tier ",
                          e.tier_advanced().to_tier(), " (", e.tier_advanced().reason(), ")");
    case Event::kEscalationAcknowledged:
      return absl::StrCat("Page acknowledged by ", e.escalation_acknowledged().acknowledged_by());
    case Event::kEscalationExhausted:
      return absl::StrCat("Escalation exhausted after ", e.escalation_exhausted().rounds(), " rounds");
    case Event::kEscalationResolved:
      return absl::StrCat("Escalation resolved", Colon(e.escalation_resolved().reason()));
    case Event::kEscalationHeld:
      return absl::StrCat("Escalation held until ", When(e.escalation_held().until()));
    case Event::kReminderDelivered:
      return absl::StrCat("Reminder delivered to ", e.reminder_delivered().recipient(), " via ",
                          Page(e.reminder_delivered().channel()));
    case Event::kCoverRequested: {
      const auto& r = e.cover_requested().request();
      return absl::StrCat(r.requester_id(), " asked ", r.person_id(), " to cover ", r.schedule_id(), " from ",
                          When(r.start()), " to ", When(r.end()), Colon(r.reason()));
    }
    case Event::kCoverAccepted: {
      const auto& r = e.cover_accepted().request();
      return absl::StrCat(r.person_id(), " accepted to cover ", r.schedule_id(), " for ", r.requester_id(), " from ",
                          When(r.start()), " to ", When(r.end()), " (override ", e.cover_accepted().override_id(), ")");
    }
    case Event::kCoverDeclined: {
      const auto& r = e.cover_declined().request();
      return absl::StrCat(r.person_id(), " declined to cover ", r.schedule_id(), " for ", r.requester_id(),
                          Colon(e.cover_declined().reason()));
    }
    case Event::kCoverCancelled: {
      const auto& r = e.cover_cancelled().request();
      return absl::StrCat(r.requester_id(), " cancelled the cover request to ", r.person_id(), " on ", r.schedule_id(),
                          Colon(e.cover_cancelled().reason()));
    }
    case Event::kCoverExpired: {
      const auto& r = e.cover_expired().request();
      return absl::StrCat("Cover request from ", r.requester_id(), " to ", r.person_id(), " on ", r.schedule_id(),
                          " expired unanswered");
    }
    case Event::kCalendarFeedCreated: {
      const auto& f = e.calendar_feed_created().feed();
      return absl::StrCat(Feed(f), " created by ", f.created_by());
    }
    case Event::kCalendarFeedRevoked: {
      const auto& r = e.calendar_feed_revoked();
      return absl::StrCat(Feed(r.feed()), " revoked by ", r.revoked_by(), Colon(r.reason()));
    }
    case Event::kOverrideAdded: {
      const auto& o = e.override_added().override();
      return absl::StrCat(Override(o), ", added by ", o.created_by(), Colon(o.reason()));
    }
    case Event::kOverrideRemoved: {
      const auto& r = e.override_removed();
      return absl::StrCat(Override(r.override()), ", removed by ", r.removed_by());
    }
    case Event::kPlanDrafted:
      return absl::StrCat("Plan drafted from playbook ", e.plan_drafted().playbook_id(), " with ",
                          e.plan_drafted().items_size(), " items");
    case Event::kActionItemAdded:
      return absl::StrCat("Action item added: ", e.action_item_added().item().what());
    case Event::kActionItemUpdated:
      return absl::StrCat("Action item updated: ", e.action_item_updated().item().what());
    case Event::kActionItemCompleted:
      return absl::StrCat("Action item completed: ", e.action_item_completed().item().what());
    case Event::kCommitmentMade:
      return absl::StrCat("Commitment made: ", e.commitment_made().commitment().text(), " (due ",
                          When(e.commitment_made().commitment().due()), ")");
    case Event::kCommitmentKept:
      return absl::StrCat("Commitment kept: ", e.commitment_kept().commitment().text());
    case Event::kCommitmentBroken:
      return absl::StrCat("Commitment broken: ", e.commitment_broken().commitment().text());
    case Event::kCommitmentUpdated:
      return absl::StrCat("Commitment moved to ", When(e.commitment_updated().commitment().due()), ": ",
                          e.commitment_updated().commitment().text());
    case Event::kAmendsRecorded:
      return absl::StrCat("Amends recorded: ", e.amends_recorded().kind(), " ", e.amends_recorded().value(), " ",
                          e.amends_recorded().currency());
    case Event::kRootCauseSet:
      return absl::StrCat("Root cause set: ", e.root_cause_set().category());
    case Event::kPlanShared:
      return absl::StrCat("Plan shared with client (version ", e.plan_shared().version(), ")");
    case Event::kPlanCompleted:
      return "Plan completed";
    case Event::kSlaBreached:
      return absl::StrCat("SLA breached: ", Sla(e.sla_breached().kind()));
    case Event::kSlaPaused:
      return absl::StrCat("SLA paused: ", Sla(e.sla_paused().kind()), Colon(e.sla_paused().reason()));
    case Event::kSlaResumed:
      return absl::StrCat("SLA resumed: ", Sla(e.sla_resumed().kind()), ", due ", When(e.sla_resumed().new_due()));
    case Event::kReminderDue:
      return absl::StrCat("Reminder due for ", e.reminder_due().recipient(), Colon(e.reminder_due().reason()));
    case Event::kFollowUpSent:
      return absl::StrCat("Follow-up sent by ", Chan(e.follow_up_sent().channel()),
                          Colon(e.follow_up_sent().summary()));
    case Event::kSatisfactionRecorded:
      return absl::StrCat("Satisfaction ", e.satisfaction_recorded().score(), "/5",
                          e.satisfaction_recorded().low() ? " (low)" : "");
    case Event::kSatisfactionCheckDue:
      return "Satisfaction check due";
    case Event::kReviewDue:
      return absl::StrCat("Quality review due (owner ", e.review_due().owner(), ")");
    case Event::kReviewSubmitted:
      return absl::StrCat("Quality review submitted; themes: ", absl::StrJoin(e.review_submitted().themes(), ", "));
    case Event::kReminderSnoozed:
      return absl::StrCat("Reminder snoozed until ", When(e.reminder_snoozed().until()));
    case Event::kConfigChanged: {
      const auto& c = e.config_changed();
      const char* verb = c.type() == recovery::v1::CONFIG_CHANGE_TYPE_CREATED   ? "created"
                         : c.type() == recovery::v1::CONFIG_CHANGE_TYPE_DELETED ? "deleted"
                                                                                : "changed";
      return absl::StrCat(c.service(), " ", c.kind(), " '", c.id(), "' ", verb, " (version ", c.version(), ", ",
                          c.origin(), ")", c.reason().empty() ? "" : ": ", c.reason());
    }
    case Event::kAuditCheckpointPublished:
      return absl::StrCat("Audit checkpoint signed: ", e.audit_checkpoint_published().tree_size(), " records, root ",
                          e.audit_checkpoint_published().root_hash().substr(0, 16));
    case Event::kCaseDataRead: {
      const auto& r = e.case_data_read();
      return absl::StrCat(e.actor(), " read ", r.case_id().empty() ? "no one case" : r.case_id(), " with ", r.method(),
                          " (", r.reads(), r.reads() == 1 ? " time)" : " times)");
    }
    default: {
      const std::string type = common::EventTypeName(e);
      return type.empty() ? "Event without body" : type;
    }
  }
}

}  // namespace recovery::audit
