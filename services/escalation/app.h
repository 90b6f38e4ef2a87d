// The escalation application layer: one function per RPC, per consumed event, per timer and
// per delivery outcome. Each write is load -> decide (domain/decisions.h) -> apply
// (common::ApplyOutcome with store.h's WriteRows) in one transaction: the caller's (the
// consumer's, the timer's, RunIdempotent's) or its own for reads.
//
// Configuration: the directory (people, calendars, schedules, policies, teams, routing) and
// the delivery settings, reloadable; stored overrides are merged into the schedules.
// Cover requests, calendar feeds and acknowledge links are implemented in app_cover.cc,
// app_calendar.cc and app_ack_link.cc.
// Thread-safety: thread-safe; every call takes its own configuration snapshot.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "recovery/v1/escalation.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/common/calendar/calendar.h"
#include "services/common/clock.h"
#include "services/common/network.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/escalation/ack_link.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/senders.h"
#include "services/escalation/domain/calendar_feed.h"
#include "services/escalation/domain/config.h"
#include "services/escalation/domain/cover.h"
#include "services/escalation/domain/decisions.h"
#include "services/escalation/domain/ical.h"
#include "services/escalation/domain/schedule.h"
#include "services/escalation/scopes.h"
#include "services/escalation/store.h"

namespace YAML {
class Node;
}

namespace recovery::common {
class Outbox;
}  // namespace recovery::common

namespace recovery::escalation {

// The --config file: the domain directory (with its `delivery:` webhook target policy) plus
// `webhook_secret`, `smtp`, `smtp_from`, `webhook_timeout`.
struct EscalationSettings {
  EscalationConfig directory;
  delivery::DeliverySettings delivery;  // webhook_targets = directory.delivery
};
// Unknown keys are errors; errors name the key. RECOVERY_WEBHOOK_SECRET, when set, wins over
// `webhook_secret`. Webhook host names are resolved with `resolve` (config.h); blocks on it.
absl::StatusOr<EscalationSettings> ParseSettings(const YAML::Node& root,
                                                 const common::HostResolver& resolve = common::ResolveHost);

// The directory with stored overrides appended to their schedules (after the YAML's, so they
// win). Overrides naming an unknown schedule or person are skipped.
EscalationConfig MergeOverrides(EscalationConfig directory, const std::vector<StoredOverride>& overrides);

class EscalationApp {
 public:
  EscalationApp(common::Store& store, common::Clock& clock, common::TimerService& timers, common::Outbox& outbox);

  // Configuration. LoadOverrides reads the stored overrides (start-up).
  void SetSettings(EscalationSettings settings);
  absl::Status LoadOverrides();
  std::shared_ptr<const EscalationConfig> directory() const;
  // The stored overrides (AddOverride), as merged into directory().
  std::vector<StoredOverride> overrides() const;
  delivery::DeliverySettings delivery() const;
  // Called after every commit that queued deliveries (wakes the delivery worker).
  void SetDeliveryWaker(std::function<void()> wake) { wake_delivery_ = std::move(wake); }
  common::Clock& clock() { return clock_; }

  // Write RPCs, inside the caller's transaction (validated requests). `caller` is the actor of
  // every event and, where a person is stored (acknowledged_by, resolved_by), that person;
  // the request's deprecated actor fields are ignored. Scopes: scopes.h (PERMISSION_DENIED).
  absl::StatusOr<EscalationState> AcknowledgePage(common::Tx& tx, const recovery::v1::AcknowledgePageRequest& r,
                                                  const CallerScope& caller);
  absl::StatusOr<EscalationState> ResolveEscalation(common::Tx& tx, const recovery::v1::ResolveEscalationRequest& r,
                                                    const CallerScope& caller);
  // AddOverride and RemoveOverride publish OverrideAdded / OverrideRemoved
  // (domain/override_events.h) in the caller's transaction, with the caller as actor.
  absl::StatusOr<StoredOverride> AddOverride(common::Tx& tx, const recovery::v1::AddOverrideRequest& r,
                                             const CallerScope& caller);
  absl::StatusOr<StoredOverride> RemoveOverride(common::Tx& tx, const recovery::v1::RemoveOverrideRequest& r,
                                                const CallerScope& caller);

  // Cover requests (domain/cover.h), inside the caller's transaction; scopes.h decides who.
  // An acceptance adds its override as AddOverride does (same row, same refresh).
  absl::StatusOr<CoverRequest> RequestCover(common::Tx& tx, const recovery::v1::RequestCoverRequest& r,
                                            const CallerScope& caller);
  absl::StatusOr<CoverRequest> AcceptCover(common::Tx& tx, const recovery::v1::AcceptCoverRequest& r,
                                           const CallerScope& caller);
  absl::StatusOr<CoverRequest> DeclineCover(common::Tx& tx, const recovery::v1::DeclineCoverRequest& r,
                                            const CallerScope& caller);
  absl::StatusOr<CoverRequest> CancelCover(common::Tx& tx, const recovery::v1::CancelCoverRequest& r,
                                           const CallerScope& caller);
  struct CoverPage {
    std::vector<CoverRequest> requests;  // newest first
    std::string next_page_token;         // "" on the last page
  };
  // `mine` / `addressed_to_me` of a caller who is not a person match nothing.
  absl::StatusOr<CoverPage> ListCoverRequests(const recovery::v1::ListCoverRequestsRequest& r,
                                              const CallerScope& caller);
  // Timer kind kCoverTimer: a request still pending at its start expires.
  absl::Status OnCoverTimer(common::Tx& tx, const common::Timer& timer);

  // Calendar feeds. The token (32 random bytes, base64url) is returned once, in url_path;
  // only its SHA-256 is stored. Create and revoke publish CalendarFeedCreated and
  // CalendarFeedRevoked (domain/calendar_feed.h) in the caller's transaction; neither carries
  // the token or its hash.
  struct NewFeed {
    StoredCalendarFeed feed;
    std::string url_path;  // "/calendar/<token>.ics"
  };
  absl::StatusOr<NewFeed> CreateCalendarFeed(common::Tx& tx, const recovery::v1::CreateCalendarFeedRequest& r,
                                             const CallerScope& caller);
  // The feeds the caller sees (scopes.h SeesFeed), newest first.
  absl::StatusOr<std::vector<StoredCalendarFeed>> ListCalendarFeeds(bool include_revoked, const CallerScope& caller);
  absl::StatusOr<StoredCalendarFeed> RevokeCalendarFeed(common::Tx& tx,
                                                        const recovery::v1::RevokeCalendarFeedRequest& r,
                                                        const CallerScope& caller);
  // GET /calendar/<token>.ics: the feed's RFC 5545 text now, or nullopt when the token is
  // malformed, unknown or revoked (the HTTP layer answers 404 and says nothing more).
  absl::StatusOr<std::optional<std::string>> RenderCalendarFeed(const std::string& token);
  // What a feed shows: every shift that ListShifts answers for [now - kFeedLookback,
  // now + kFeedHorizon) on the feed's schedule (a person feed: on every schedule, theirs only)
  // and that ends after now, ordered by start. The lookback lets the shift under way keep its
  // real start (and so its UID); the whole window stays within ListShifts' 90 days, so a
  // client can ask ListShifts for the very same shifts.
  static constexpr absl::Duration kFeedLookback = absl::Hours(24 * 28);
  static constexpr absl::Duration kFeedHorizon = absl::Hours(24 * 60);
  std::vector<FeedShift> FeedShifts(const StoredCalendarFeed& feed, absl::Time now);

  // Acknowledge links (ack_link.h). Set once, before the service serves (--ack-link-key-file
  // and --console-url; not reloaded); nullopt: pages carry no link and both RPCs answer
  // FAILED_PRECONDITION. With links, every page to a webhook or e-mail target gets `ack_url`
  // in its payload when it is queued; reminders and log-channel pages do not (the token
  // never goes to the service's log).
  void SetAckLinks(std::optional<AckLinks> links) { ack_links_ = std::move(links); }
  enum class AckLinkState { kValid, kUsed, kEnded };
  struct AckLink {
    AckLinkState state = AckLinkState::kValid;
    delivery::Delivery page;
    EscalationState escalation;
    std::optional<UsedAckLink> used;  // when kUsed
  };
  // What a token names, for the person it was sent to (MayUseAckLink): kValid while the
  // escalation is new, held or paging and the link unused; kUsed once AcknowledgeByLink
  // succeeded with it; kEnded otherwise. INVALID_ARGUMENT kInvalidAckLink for a malformed
  // token, one naming no page or one with the wrong MAC. Its own transaction.
  absl::StatusOr<AckLink> InspectAckLink(const std::string& token, const CallerScope& caller);
  // Inside the caller's transaction: as InspectAckLink, then FAILED_PRECONDITION for a used
  // link or an ended escalation; else AcknowledgePage with the link's page_id (the same
  // events, the caller as actor) and the link recorded as used (UsedAckLink).
  absl::StatusOr<EscalationState> AcknowledgeByLink(common::Tx& tx, const recovery::v1::AcknowledgeByLinkRequest& r,
                                                    const CallerScope& caller);

  // Read RPCs, each in its own transaction.
  absl::StatusOr<EscalationState> GetEscalation(const std::string& escalation_id);
  struct EscalationList {
    std::vector<EscalationState> escalations;
    std::string next_page_token;  // "" on the last page
  };
  // A validated request (ValidateListEscalations): one case's escalations oldest first, or
  // every case's newest first, filtered (active_only = new, held or paging, intersected with
  // `statuses`), a page of page_size (default 50) after page_token.
  absl::StatusOr<EscalationList> ListEscalations(const recovery::v1::ListEscalationsRequest& r);
  absl::StatusOr<std::vector<delivery::Delivery>> ListPages(const std::string& escalation_id);
  struct OnCall {
    std::string schedule_id;
    std::vector<std::string> person_ids;
    absl::Time at;
  };
  // Exactly one of schedule_id and team_id; `at` defaults to now.
  OnCall WhoIsOnCall(const std::string& schedule_id, const std::string& team_id, std::optional<absl::Time> at);
  struct NamedShift {
    Shift shift;
    std::string layer;  // the layer's name, or "override"
  };
  std::vector<NamedShift> ListShifts(const std::string& schedule_id, absl::Time from, absl::Time to);
  struct BusinessHours {
    bool open = false;
    absl::Time next_change = absl::InfiniteFuture();
    std::string holiday;
  };
  BusinessHours IsBusinessHours(const std::string& calendar_id, std::optional<absl::Time> at);
  std::vector<calendar::Interval> CheckCoverage(const std::string& schedule_id, absl::Time from, absl::Time to);

  // The consumer's handler: validates the event (a malformed one is logged, counted, parked
  // as a dead letter and skipped), then dispatches by body type.
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event);

  // Timer handlers (kinds kAckTimer, kHoldTimer).
  absl::Status OnAckTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnHoldTimer(common::Tx& tx, const common::Timer& timer);
  // Handoff reminders (domain/handoff.h): arms a timer for each reminder due in the next 35
  // days; kHandoffRearmTimer does so every kHandoffRearmEvery and re-arms itself; a
  // kHandoffTimer that is still right (the shift still starts then, the person still asks)
  // queues the reminder to every contact method of the person, like ReminderDue.
  absl::Status ArmHandoffReminders(common::Tx& tx);
  // When someone asks for handoff reminders: arms them and the re-arm timer unless it is armed
  // (a replica, or an earlier call, did it), in its own transaction. Nobody asking: nothing, and
  // the re-arm timer stops at its next firing.
  absl::Status EnsureHandoffRearm();
  absl::Status OnHandoffRearmTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnHandoffTimer(common::Tx& tx, const common::Timer& timer);

  // Delivery worker hooks (delivery/worker.h).
  absl::StatusOr<bool> StillWanted(common::Tx& tx, const delivery::Delivery& d);
  absl::Status RecordDelivery(common::Tx& tx, const delivery::Delivery& d, const delivery::SendResult& result);

  // Logs the on-call gaps of every schedule over the next week.
  void LogCoverageGaps();

 private:
  absl::Status OnCaseOpened(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseReopened(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseUpdated(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnSlaBreached(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseEnded(common::Tx& tx, const recovery::v1::Event& event, const std::string& reason);
  absl::Status OnReminderDue(common::Tx& tx, const recovery::v1::Event& event);

  // Starts an escalation for the case unless one is already held or paging.
  absl::Status StartUnlessActive(common::Tx& tx, const CaseFacts& facts, const std::string& reason, const Cause& cause);
  absl::Status Start(common::Tx& tx, const CaseFacts& facts, const std::string& reason, const Cause& cause);
  // Applies an input to a stored escalation; refusals are returned as they are.
  absl::StatusOr<Decided<EscalationOutcome>> Step(common::Tx& tx, const StoredEscalationRow& row, const Input& input,
                                                  const Cause& cause);
  // Applies a decided Outcome (the escalation over `version`).
  absl::Status Apply(common::Tx& tx, const EscalationOutcome& outcome, std::optional<int64_t> version);
  // The one shift listing ListShifts and the feeds share: escalation::ListShifts over the
  // merged schedule (the one WhoIsOnCall and paging resolve on), with layer names.
  static std::vector<NamedShift> ShiftsOf(const Schedule& schedule, absl::Time from, absl::Time to);
  // The link a token names, checked (InspectAckLink).
  absl::StatusOr<AckLink> LoadAckLink(common::Tx& tx, const std::string& token, const CallerScope& caller);
  // The outcome with its webhook and e-mail pages' ack_url; nullopt when it has none of those
  // pages or links are not configured (the outcome stays as decided).
  std::optional<EscalationOutcome> WithAckLinks(const EscalationOutcome& outcome) const;
  // Applies a decided cover Outcome; an added override is installed once it committed.
  absl::Status ApplyCover(common::Tx& tx, const CoverOutcome& outcome);
  // Loads a cover request for an answer (NOT_FOUND naming cover_request_id when unknown).
  absl::StatusOr<CoverRequest> LoadCoverForAnswer(common::Tx& tx, const std::string& cover_request_id);
  // Reads the overrides after a change and installs them once the change committed.
  absl::Status RefreshOverridesAfterCommit(common::Tx& tx);
  void Rebuild() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  common::Store& store_;
  common::Clock& clock_;
  common::TimerService& timers_;
  common::Outbox& outbox_;
  std::function<void()> wake_delivery_;
  std::optional<AckLinks> ack_links_;  // set before serving (SetAckLinks), then only read

  mutable absl::Mutex mu_;
  EscalationSettings settings_ ABSL_GUARDED_BY(mu_);
  std::vector<StoredOverride> overrides_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const EscalationConfig> merged_ ABSL_GUARDED_BY(mu_) = std::make_shared<EscalationConfig>();
};

}  // namespace recovery::escalation
