// Human words for enum names and actors.
import type { CaseStatus, Channel, EmotionalState, EscalationStatus, Severity } from "./types";

// "CASE_STATUS_IN_PROGRESS" with prefix "CASE_STATUS_" -> "In progress"
export function enumLabel(v: string | undefined, prefix: string): string {
  if (!v || v === `${prefix}UNSPECIFIED`) return "-";
  const rest = v.startsWith(prefix) ? v.slice(prefix.length) : v;
  const words = rest.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const severityLabel = (s: Severity | undefined) => (s && s !== "SEVERITY_UNSPECIFIED" ? s.replace("SEVERITY_", "") : "-");
export const caseStatusLabel = (s: CaseStatus | undefined) => enumLabel(s, "CASE_STATUS_");
export const escalationStatusLabel = (s: EscalationStatus | undefined) => enumLabel(s, "ESCALATION_STATUS_");
export const channelLabel = (c: Channel | undefined) => enumLabel(c, "CHANNEL_");
export const emotionLabel = (e: EmotionalState | undefined) => enumLabel(e, "EMOTIONAL_STATE_");

// "person:lee" -> "lee"; other actors ("service:escalation") as they are.
export function actorId(actor: string | undefined): string {
  if (!actor) return "";
  return actor.startsWith("person:") ? actor.slice("person:".length) : actor;
}
