// SLA clocks as the Follow-up screen shows them. follow-up's BatchGetCaseFollowUps answers each
// case's two clocks as follow-up runs them (state, due, time left when paused; business-hours
// targets computed on the client's calendar): withFollowUp puts those over the derived clocks.
// The derivation (deriveClocks) remains for a role without follow_up.read's batch call and for a
// case follow-up has not taken in yet, the way follow-up arms them (services/follow_up/README.md):
//   - the targets: follow-up's configuration, kind "sla_policy" (P1..P4 -> {acknowledge, resolve});
//   - the case (Intake): opened / acknowledged / resolved / closed / reopened times, severity;
//   - the audit timeline: SlaBreached (the breach and its due), SlaPaused (remaining), SlaResumed.
// Derived, a wall-time target ("15m", "4h") gives an exact due; a business-hours target
// ("business 24h", "next_business_day") is shown as the target only, never guessed here.
import type { Case, CaseFollowUp, Severity, SlaClock, SlaKind, TimelineEntry } from "./types";
import { parseDuration, toDate } from "./time";

export type SlaPolicy = Record<string, { acknowledge?: string; resolve?: string }>; // "P1" -> targets

export type ClockState = "running" | "paused" | "met" | "breached" | "none" | "unknown";

export interface Clock {
  kind: "acknowledge" | "resolve";
  state: ClockState;
  target: string; // as configured: "15m", "business 24h", "next_business_day", "none"; "" when unknown
  due?: Date; // running (when computable) or breached
  remainingMs?: number; // paused
  derived: boolean; // the due is computed here (wall time), not read from an event
  note?: string; // why the state is unknown
}

export interface Breach {
  caseId: string;
  kind: SlaKind;
  due?: Date;
  at?: Date; // when the breach was recorded
  owner: string;
  subjectId: string;
  severity?: Severity;
}

// absl's duration text ("15m", "1h30m", "1.5h", "90s", "250ms") -> ms; null if it is not one.
export function parseWallDuration(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m) return null;
    total += Number(m[1]) * unit[m[2]!]!;
    pos = re.lastIndex;
  }
  return total > 0 ? total : null;
}

// The parsed body of a timeline entry (audit stores the event as proto3 JSON with the .proto's
// field names, so both spellings are read).
export function entryBody(e: TimelineEntry): Record<string, unknown> {
  if (!e.eventJson || !e.type) return {};
  try {
    const ev = JSON.parse(e.eventJson) as Record<string, unknown>;
    const camel = e.type.charAt(0).toLowerCase() + e.type.slice(1);
    const snake = e.type.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
    const b = ev[camel] ?? ev[snake];
    return b && typeof b === "object" ? (b as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function str(b: Record<string, unknown>, camel: string): string {
  const snake = camel.replace(/([A-Z])/g, "_$1").toLowerCase();
  const v = b[camel] ?? b[snake];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

const KIND_ENUM = { acknowledge: "SLA_KIND_ACKNOWLEDGE", resolve: "SLA_KIND_RESOLVE" } as const;

function severityKey(s: Severity | undefined): string {
  return s ? s.replace("SEVERITY_", "") : "";
}

function deriveClock(kind: "acknowledge" | "resolve", c: Case, entries: TimelineEntry[], policy: SlaPolicy | null): Clock {
  const targets = policy?.[severityKey(c.severity)];
  const target = targets?.[kind] ?? "";
  const reopened = kind === "resolve" ? toDate(c.reopenedAt) : null;
  const start = reopened ?? toDate(c.openedAt);
  const since = start?.getTime() ?? 0;
  // This run of the clock: events from its start (a reopened case re-arms the resolve clock).
  const mine = entries.filter((e) => {
    if (e.type !== "SlaBreached" && e.type !== "SlaPaused" && e.type !== "SlaResumed") return false;
    if (str(entryBody(e), "kind") !== KIND_ENUM[kind]) return false;
    const at = toDate(e.occurredAt)?.getTime() ?? 0;
    return at >= since;
  });
  const breach = [...mine].reverse().find((e) => e.type === "SlaBreached");
  if (breach) {
    const due = toDate(str(entryBody(breach), "due")) ?? undefined;
    return { kind, state: "breached", target, due, derived: false };
  }
  const goalReached =
    kind === "acknowledge"
      ? !!(c.acknowledgedAt || c.resolvedAt || c.closedAt)
      : c.status === "CASE_STATUS_RESOLVED" || c.status === "CASE_STATUS_CLOSED";
  if (goalReached) return { kind, state: "met", target, derived: false };
  if (policy === null) return { kind, state: "unknown", target: "", derived: false, note: "the SLA targets could not be read" };
  if (!targets || !target)
    return { kind, state: "unknown", target: "", derived: false, note: `no sla_policy for ${severityKey(c.severity) || "this severity"}: follow-up's built-in targets apply` };
  if (target === "none") return { kind, state: "none", target, derived: false };
  const last = mine[mine.length - 1];
  if (last?.type === "SlaPaused") {
    return { kind, state: "paused", target, remainingMs: parseDuration(str(entryBody(last), "remaining")) ?? undefined, derived: false };
  }
  if (last?.type === "SlaResumed") {
    const due = toDate(str(entryBody(last), "newDue")) ?? undefined;
    return { kind, state: "running", target, due, derived: false };
  }
  const wall = parseWallDuration(target);
  if (wall !== null && start) return { kind, state: "running", target, due: new Date(start.getTime() + wall), derived: true };
  return { kind, state: "running", target, derived: false };
}

export function deriveClocks(c: Case, entries: TimelineEntry[], policy: SlaPolicy | null): Clock[] {
  return [deriveClock("acknowledge", c, entries, policy), deriveClock("resolve", c, entries, policy)];
}

const FROM_FOLLOW_UP: Record<string, ClockState> = {
  SLA_CLOCK_STATE_RUNNING: "running",
  SLA_CLOCK_STATE_PAUSED: "paused",
  SLA_CLOCK_STATE_MET: "met",
  SLA_CLOCK_STATE_BREACHED: "breached",
};

// follow-up's own clocks (BatchGetCaseFollowUps) over the derived ones: its state, due and time
// left are authoritative, business-hours targets included; the configured target stays.
export function withFollowUp(clocks: Clock[], fu: CaseFollowUp | undefined): Clock[] {
  if (!fu?.known) return clocks;
  return clocks.map((k) => {
    const theirs: SlaClock | undefined = k.kind === "acknowledge" ? fu.acknowledge : fu.resolve;
    const state = FROM_FOLLOW_UP[theirs?.state ?? ""] ?? "none";
    const remaining = parseDuration(theirs?.remaining);
    return {
      kind: k.kind,
      state,
      target: k.target,
      due: toDate(theirs?.due) ?? undefined,
      ...(state === "paused" && remaining !== null ? { remainingMs: remaining } : {}),
      derived: false,
    };
  });
}

export function breachesOf(caseId: string, entries: TimelineEntry[]): Breach[] {
  return entries
    .filter((e) => e.type === "SlaBreached")
    .map((e) => {
      const b = entryBody(e);
      return {
        caseId,
        kind: (str(b, "kind") || "SLA_KIND_UNSPECIFIED") as SlaKind,
        due: toDate(str(b, "due")) ?? undefined,
        at: toDate(e.occurredAt) ?? undefined,
        owner: str(b, "owner"),
        subjectId: str(b, "subjectId"),
        severity: (str(b, "severity") || undefined) as Severity | undefined,
      };
    });
}

export function policyFrom(resources: { id?: string; spec?: unknown }[]): SlaPolicy {
  const p: SlaPolicy = {};
  for (const r of resources) {
    if (!r.id || !r.spec || typeof r.spec !== "object") continue;
    const s = r.spec as Record<string, unknown>;
    p[r.id] = {
      acknowledge: typeof s.acknowledge === "string" ? s.acknowledge : undefined,
      resolve: typeof s.resolve === "string" ? s.resolve : undefined,
    };
  }
  return p;
}
