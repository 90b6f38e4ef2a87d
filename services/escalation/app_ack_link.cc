// EscalationApp's acknowledge links: the ack_url each webhook and e-mail page gets when it is
// queued, and the two RPCs the console calls with a link's token (InspectAckLink,
// AcknowledgeByLink). A token is checked against the page row it names (ack_link.h) and is
// never logged; acknowledging by link is AcknowledgePage of that page plus the used-link row,
// in one transaction.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/escalation/app.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::Tx;

// Links go only where a person reads the page: never into the service's own log.
bool CarriesAckLink(const QueuedMessage& m) {
  return m.kind == QueuedMessage::Kind::kPage && m.channel != Channel::kLog;
}

// A link acknowledges while its escalation is active (ListEscalations' active_only).
// Whether the escalation still waits for someone: an exhausted one (every tier paged, nobody
// answered) does too, and AcknowledgePage takes it, so its links stay good. Acknowledged and
// resolved ones have ended.
bool Live(EscalationStatus s) {
  return s == EscalationStatus::kNew || s == EscalationStatus::kHeld || s == EscalationStatus::kPaging ||
         s == EscalationStatus::kExhausted;
}

const char* StatusName(EscalationStatus s) {
  switch (s) {
    case EscalationStatus::kNew:
      return "new";
    case EscalationStatus::kHeld:
      return "held";
    case EscalationStatus::kPaging:
      return "paging";
    case EscalationStatus::kAcknowledged:
      return "acknowledged";
    case EscalationStatus::kResolved:
      return "resolved";
    case EscalationStatus::kExhausted:
      return "exhausted";
  }
  return "unknown";
}

absl::Status InvalidLink() { return absl::InvalidArgumentError(kInvalidAckLink); }

}  // namespace

std::optional<EscalationOutcome> EscalationApp::WithAckLinks(const EscalationOutcome& outcome) const {
  if (!ack_links_ || std::none_of(outcome.rows.queue.begin(), outcome.rows.queue.end(), CarriesAckLink)) {
    return std::nullopt;
  }
  EscalationOutcome linked = outcome;
  for (QueuedMessage& m : linked.rows.queue) {
    if (!CarriesAckLink(m)) continue;
    m.payload = PagePayloadWithAckUrl(m.payload, ack_links_->Url(m.page_id, m.person_id, m.escalation_id));
  }
  return linked;
}

absl::StatusOr<EscalationApp::AckLink> EscalationApp::LoadAckLink(Tx& tx, const std::string& token,
                                                                  const CallerScope& caller) {
  if (!ack_links_) {
    return absl::FailedPreconditionError("token: acknowledge links are not configured (--ack-link-key-file)");
  }
  const std::optional<std::string> page_id = AckLinkPageId(token);
  if (!page_id) return InvalidLink();
  ASSIGN_OR_RETURN(std::optional<delivery::Delivery> page, delivery::LoadDelivery(tx, *page_id));
  // An unknown page, a reminder and a wrong MAC are all the same answer.
  if (!page || page->kind != delivery::kKindPage ||
      !ack_links_->Verify(token, page->page_id, page->person_id, page->escalation_id)) {
    return InvalidLink();
  }
  RETURN_IF_ERROR(MayUseAckLink(caller, page->person_id));
  ASSIGN_OR_RETURN(auto row, LoadEscalation(tx, page->escalation_id));
  if (!row) return absl::NotFoundError("token: the escalation of this link is not stored");
  AckLink out;
  out.page = *std::move(page);
  out.escalation = std::move(row->state);
  ASSIGN_OR_RETURN(out.used, LoadUsedAckLink(tx, out.page.page_id));
  if (out.used) {
    out.state = AckLinkState::kUsed;
  } else if (!Live(out.escalation.status)) {
    out.state = AckLinkState::kEnded;
  }
  return out;
}

absl::StatusOr<EscalationApp::AckLink> EscalationApp::InspectAckLink(const std::string& token,
                                                                     const CallerScope& caller) {
  AckLink out;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(out, LoadAckLink(tx, token, caller));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<EscalationState> EscalationApp::AcknowledgeByLink(Tx& tx, const v1::AcknowledgeByLinkRequest& r,
                                                                 const CallerScope& caller) {
  ASSIGN_OR_RETURN(const AckLink link, LoadAckLink(tx, r.token(), caller));
  switch (link.state) {
    case AckLinkState::kUsed:
      return absl::FailedPreconditionError(
          absl::StrCat("token: this link was already used at ",
                       absl::FormatTime(absl::RFC3339_sec, link.used->used_at, absl::UTCTimeZone())));
    case AckLinkState::kEnded:
      return absl::FailedPreconditionError(
          absl::StrCat("token: the escalation has ended (", StatusName(link.escalation.status), ")"));
    case AckLinkState::kValid:
      break;
  }
  v1::AcknowledgePageRequest ack;
  ack.set_request_id(r.request_id());
  ack.set_page_id(link.page.page_id);
  ASSIGN_OR_RETURN(EscalationState acknowledged, AcknowledgePage(tx, ack, caller));
  RETURN_IF_ERROR(InsertUsedAckLink(tx, UsedAckLink{link.page.page_id, clock_.Now(), caller.person_id}));
  return acknowledged;
}

}  // namespace recovery::escalation
