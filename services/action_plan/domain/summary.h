// The client-facing summary of a plan: what we will do and when, in the client's
// time zone, and nothing internal.
//
// Included: client-visible items that are not cancelled (what, date, status), live
// or kept commitments (open, renegotiated, kept; broken ones are handled in person,
// not in a summary), and the agreed explanation if there is one.
// Never included: internal items, why/how/where, completion or cancellation notes,
// owner person ids, amends approvals and reasons, the client's or firm's private
// view of the root cause. Owners appear as a role ("your account team").
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_SUMMARY_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_SUMMARY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/action_plan/domain/plan.h"

namespace recovery::action_plan {

struct ClientSummary {
  std::string markdown;
  std::string text;
};

// How an owner role is named to the client, e.g. "billing" -> "our billing team".
std::string ClientFacingRole(absl::string_view owner_role);

ClientSummary RenderSummary(const Plan& plan, absl::string_view client_name, absl::TimeZone client_time_zone,
                            int version);

}  // namespace recovery::action_plan

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_SUMMARY_H_
