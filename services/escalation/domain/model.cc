// Name conversions for the escalation domain's value types.
#include "services/escalation/domain/model.h"

namespace recovery::escalation {

absl::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kWebhook:
      return "webhook";
    case Channel::kEmail:
      return "email";
    case Channel::kLog:
      return "log";
  }
  return "unknown";
}

std::optional<Channel> ParseChannel(absl::string_view name) {
  if (name == "webhook") return Channel::kWebhook;
  if (name == "email") return Channel::kEmail;
  if (name == "log") return Channel::kLog;
  return std::nullopt;
}

absl::string_view TargetKindName(TargetKind k) {
  switch (k) {
    case TargetKind::kPerson:
      return "person";
    case TargetKind::kSchedule:
      return "schedule";
    case TargetKind::kTeam:
      return "team";
  }
  return "unknown";
}

}  // namespace recovery::escalation
