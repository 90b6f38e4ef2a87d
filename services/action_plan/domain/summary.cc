// Rendering of the client summary in Markdown and plain text from one model.
#include "services/action_plan/domain/summary.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/action_plan/domain/client_time.h"

namespace recovery::action_plan {
namespace {

// One line of the summary, already stripped of everything internal.
struct Line {
  std::string what;
  std::string when;
  std::string who;
  std::string status;
};

std::string ItemStatusForClient(ItemStatus s) {
  switch (s) {
    case ItemStatus::kDone:
      return "done";
    case ItemStatus::kInProgress:
      return "in progress";
    default:
      return "planned";
  }
}

// Markdown control characters in free text must not change the document's shape.
std::string EscapeMarkdown(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (absl::string_view("\\`*_[]<>#|").find(c) != absl::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string OneLine(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::string ClientFacingRole(absl::string_view owner_role) {
  if (owner_role == "account_lead") return "your account lead";
  if (owner_role == "billing") return "our billing team";
  if (owner_role == "service_manager") return "our service manager";
  if (owner_role == "delivery_lead") return "our delivery team";
  return "your account team";
}

ClientSummary RenderSummary(const Plan& plan, absl::string_view client_name, absl::TimeZone client_time_zone,
                            int version) {
  std::vector<Line> steps;
  for (const ActionItem& item : plan.items) {
    if (!item.client_visible || item.status == ItemStatus::kCancelled) continue;
    steps.push_back(Line{item.what, item.due ? FormatClientTime(*item.due, client_time_zone) : "date to be confirmed",
                         ClientFacingRole(item.owner_role), ItemStatusForClient(item.status)});
  }
  std::vector<Line> promises;
  for (const Commitment& c : plan.commitments) {
    if (c.status == CommitmentStatus::kBroken) continue;
    promises.push_back(Line{c.text, FormatClientTime(c.due, client_time_zone), "your account team",
                            c.status == CommitmentStatus::kKept ? "kept" : "open"});
  }
  const std::string& explanation = plan.root_cause.agreed_explanation;

  ClientSummary out;
  std::string& md = out.markdown;
  std::string& tx = out.text;
  const std::string title = absl::StrCat("Our action plan for ", OneLine(client_name));
  absl::StrAppend(&md, "# ", EscapeMarkdown(title), "\n\n", "Version ", version, "\n\n");
  absl::StrAppend(&tx, title, "\n", std::string(title.size(), '='), "\n", "Version ", version, "\n\n");
  if (!explanation.empty()) {
    absl::StrAppend(&md, "## What happened\n\n", EscapeMarkdown(explanation), "\n\n");
    absl::StrAppend(&tx, "What happened\n", OneLine(explanation), "\n\n");
  }
  absl::StrAppend(&md, "## What we are doing\n\n| Step | By | Who | Status |\n|---|---|---|---|\n");
  absl::StrAppend(&tx, "What we are doing\n");
  for (const Line& l : steps) {
    absl::StrAppend(&md, "| ", EscapeMarkdown(l.what), " | ", l.when, " | ", l.who, " | ", l.status, " |\n");
    absl::StrAppend(&tx, "- ", OneLine(l.what), " (by ", l.when, "; ", l.who, "; ", l.status, ")\n");
  }
  if (!promises.empty()) {
    absl::StrAppend(&md, "\n## Our commitments to you\n\n");
    absl::StrAppend(&tx, "\nOur commitments to you\n");
    for (const Line& l : promises) {
      absl::StrAppend(&md, "- ", EscapeMarkdown(l.what), " — by ", l.when, " (", l.status, ")\n");
      absl::StrAppend(&tx, "- ", OneLine(l.what), " - by ", l.when, " (", l.status, ")\n");
    }
  }
  absl::StrAppend(&md, "\nAll times are in ", client_time_zone.name(),
                  ". If anything here is not what we agreed, please tell your account team.\n");
  absl::StrAppend(&tx, "\nAll times are in ", client_time_zone.name(),
                  ". If anything here is not what we agreed, please tell your account team.\n");
  return out;
}

}  // namespace recovery::action_plan
