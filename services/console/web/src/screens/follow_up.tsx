// Follow-up: reminders due, SLA timers with the time left and the breaches, satisfaction scores.
//
// Calls: FollowUp/ListReminders, Intake/ListCases (active cases; resolved and closed ones of the
// last 30 days), FollowUp/BatchGetCaseFollowUps (the SLA clocks as follow-up runs them),
// Audit/GetTimeline per case (when each breach happened, the scores with who recorded them,
// checks due; see sla.ts), Configuration/ListResources kind "sla_policy" on follow-up (the
// targets), FollowUp/GetTrends (satisfaction by client),
// Intake/GetCase (a reminder's case that the lists do not hold); writes FollowUp/SnoozeReminder
// and FollowUp/RecordSatisfaction.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, callConfig, mapLimit, requestId } from "../api";
import { personName, useDirectory } from "../directory";
import { useAction, useLive, useNow, useTitle } from "../hooks";
import { caseStatusLabel, enumLabel } from "../labels";
import { Link } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import type { Case, CaseFollowUp, CaseStatus, Directory, GetTrendsResponse, RecoveryEvent, Reminder, SlaKind, TimelineEntry } from "../types";
import { fmtClock, fmtDateTime, fmtDuration, toDate } from "../time";
import { Dialog, DialogButtons, Empty, ErrorBox, Loading, SeverityBadge, Time } from "../ui/common";
import { breachesOf, deriveClocks, entryBody, policyFrom, str, withFollowUp } from "../sla";
import type { Breach, Clock, SlaPolicy } from "../sla";

const ACTIVE: CaseStatus[] = ["CASE_STATUS_OPEN", "CASE_STATUS_ACKNOWLEDGED", "CASE_STATUS_PLANNED", "CASE_STATUS_REOPENED"];
const SETTLED: CaseStatus[] = ["CASE_STATUS_RESOLVED", "CASE_STATUS_CLOSED"];
const DAY = 86400000;
const MAX_TIMELINES = 300; // cases whose timeline is read (newest first)

type TimelineState = { kind: "ok"; entries: TimelineEntry[] } | { kind: "none" } | { kind: "error"; error: unknown };

const caseHref = (id: string | undefined) => `/cases/${encodeURIComponent(id ?? "")}`;

function CaseLink({ id, c }: { id: string | undefined; c: Case | undefined }) {
  return (
    <>
      <Link href={caseHref(id)}>{c?.summary || `Case ${id ?? ""}`}</Link>
      {c?.client && <span class="muted"> · {c.client.name || c.client.id}</span>}
    </>
  );
}

// "in 3 h 29 min" / "4 min ago"
function relative(at: Date, now: number): string {
  const d = at.getTime() - now;
  return d >= 0 ? `in ${fmtDuration(d)}` : `${fmtDuration(-d)} ago`;
}

// ---- reminders ----

const STAGE_WORDS: Record<string, string> = {
  item_before_due: "Action item due soon",
  item_due: "Action item due",
  item_overdue: "Action item overdue",
  commitment_before_due: "Commitment due soon",
  commitment_due: "Commitment due",
  commitment_overdue: "Commitment overdue",
  written_follow_up: "Written recap not sent",
};

function stageWord(r: Reminder): string {
  return STAGE_WORDS[r.stage ?? ""] ?? enumLabel(r.kind, "REMINDER_KIND_");
}

function SnoozeDialog({ r, onClose, onDone }: { r: Reminder | null; onClose: () => void; onDone: (msg: string) => void }) {
  const [hours, setHours] = useState("1");
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    setError(null);
    setHours("1");
  }, [r?.reminderId]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!r) return;
    await run(async () => {
      const until = new Date(Date.now() + Number(hours) * 3600000);
      const out = await call("recovery.v1.FollowUp/SnoozeReminder", { requestId: requestId(), reminderId: r.reminderId ?? "", until: until.toISOString() });
      onDone(`Reminder snoozed: next at ${fmtDateTime(out.nextDue || until)}.`);
    });
  };
  return (
    <Dialog open={!!r} title="Snooze the reminder" onClose={onClose}>
      <form onSubmit={submit}>
        <p>{r?.reason}</p>
        <label for="snooze-for">Remind again in</label>
        <select id="snooze-for" value={hours} onChange={(e) => setHours((e.target as HTMLSelectElement).value)}>
          <option value="1">1 hour</option>
          <option value="4">4 hours</option>
          <option value="24">1 day</option>
        </select>
        <ErrorBox error={error} title="Not snoozed" />
        <DialogButtons label="Snooze" busyLabel="Snoozing…" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function RemindersSection({
  reminders,
  cases,
  dir,
  now,
  session,
  onSnoozed,
}: {
  reminders: Reminder[] | null;
  cases: Map<string, Case>;
  dir: Directory | null;
  now: number;
  session: Session;
  onSnoozed: (msg: string) => void;
}) {
  const [mine, setMine] = useState(false);
  const [window_, setWindow] = useState("day");
  const [snoozing, setSnoozing] = useState<Reminder | null>(null);
  const canSnooze = can(session, "recovery.v1.FollowUp/SnoozeReminder");
  const horizon = window_ === "now" ? now : window_ === "day" ? now + DAY : Infinity;
  const shown = (reminders ?? []).filter(
    (r) => (!mine || r.recipient === session.person) && (toDate(r.nextDue)?.getTime() ?? 0) <= horizon,
  );
  return (
    <section aria-labelledby="reminders-h" data-testid="reminders">
      <h2 id="reminders-h">Reminders</h2>
      <div class="fu-controls">
        <label class="check">
          <input type="checkbox" checked={mine} onChange={() => setMine(!mine)} />
          Only mine
        </label>
        <div class="fu-select">
          <label for="reminder-window">Show</label>
          <select id="reminder-window" value={window_} onChange={(e) => setWindow((e.target as HTMLSelectElement).value)}>
            <option value="now">Due now</option>
            <option value="day">Due in the next 24 hours</option>
            <option value="all">All pending</option>
          </select>
        </div>
      </div>
      {!reminders && <Loading what="reminders" />}
      {reminders && shown.length === 0 && <Empty>No reminder{window_ === "all" ? " is pending" : " in this window"}.</Empty>}
      {shown.length > 0 && (
        <table class="cases fu-table">
          <caption class="visually-hidden">Pending reminders, soonest first</caption>
          <thead>
            <tr>
              <th scope="col">Next reminder</th>
              <th scope="col">Case</th>
              <th scope="col">Reminder</th>
              <th scope="col">For</th>
              <th scope="col">Subject due</th>
              {canSnooze && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const at = toDate(r.nextDue);
              const due = !!at && at.getTime() <= now;
              return (
                <tr key={r.reminderId} class={due ? "due-now" : undefined} data-testid={`reminder-${r.reminderId}`}>
                  <td data-label="Next">
                    <Time at={r.nextDue} />
                    {at && <span class={due ? "due-word" : "muted"}> ({due ? `due ${relative(at, now)}` : relative(at, now)})</span>}
                  </td>
                  <td data-label="Case">
                    <CaseLink id={r.caseId} c={cases.get(r.caseId ?? "")} />
                  </td>
                  <td data-label="Reminder">
                    <strong>{stageWord(r)}</strong>
                    {(r.repeat ?? 0) > 0 && <span class="badge">repeat {r.repeat}</span>}
                    <span class="fu-reason">{r.reason}</span>
                  </td>
                  <td data-label="For">{r.recipient ? personName(dir, r.recipient) : <span class="muted">the case owner (none yet)</span>}</td>
                  <td data-label="Subject due">
                    <Time at={r.subjectDue} />
                  </td>
                  {canSnooze && (
                    <td data-label="Actions">
                      <button type="button" class="secondary small" onClick={() => setSnoozing(r)} aria-label={`Snooze: ${r.reason ?? ""}`}>
                        Snooze
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <SnoozeDialog
        r={snoozing}
        onClose={() => setSnoozing(null)}
        onDone={(msg) => {
          setSnoozing(null);
          onSnoozed(msg);
        }}
      />
    </section>
  );
}

// ---- SLA timers ----

const CLOCK_WORDS: Record<Clock["state"], string> = {
  running: "Running",
  paused: "Paused",
  met: "Met",
  breached: "Breached",
  none: "No target",
  unknown: "Unknown",
};

function ClockCell({ clock, now }: { clock: Clock; now: number }) {
  const left = clock.due ? clock.due.getTime() - now : null;
  let detail: JSX.Element | string = "";
  if (clock.state === "running" && clock.due && left !== null) {
    detail =
      left > 0 ? (
        <>
          <strong>{fmtDuration(left)}</strong> left · due <Time at={clock.due.toISOString()} clock={left < 12 * 3600000} />
        </>
      ) : (
        <span class="due-word">
          due {fmtDuration(-left)} ago ({fmtClock(clock.due)}), breach not yet recorded
        </span>
      );
  } else if (clock.state === "running") {
    detail = <>target {clock.target} on the client's calendar; follow-up holds the due time</>;
  } else if (clock.state === "paused") {
    detail = clock.remainingMs !== undefined ? <>{fmtDuration(clock.remainingMs)} left when resumed</> : "paused";
  } else if (clock.state === "breached") {
    detail = clock.due ? (
      <>
        was due <Time at={clock.due.toISOString()} />
      </>
    ) : (
      ""
    );
  } else if (clock.state === "unknown") {
    detail = clock.note ?? "";
  }
  const soon = clock.state === "running" && left !== null && left > 0 && left < 10 * 60000;
  const cls = clock.state === "breached" || (clock.state === "running" && left !== null && left <= 0) ? "st-bad" : soon ? "st-warn" : clock.state === "met" ? "st-ok" : "st-open";
  return (
    <div class="clock" data-testid={`sla-${clock.kind}`} data-state={clock.state}>
      <span class={`status ${cls}`}>{CLOCK_WORDS[clock.state]}</span>
      {clock.target && (clock.state === "paused" || clock.state === "met" || clock.state === "none") && <span class="muted"> · target {clock.target}</span>}
      {detail && <span class="clock-detail">{detail}</span>}
    </div>
  );
}

const KIND_WORDS: Record<string, string> = {
  SLA_KIND_ACKNOWLEDGE: "Acknowledge",
  SLA_KIND_RESOLVE: "Resolve",
  SLA_KIND_COMMITMENT: "Commitment to the client",
};
const kindWord = (k: SlaKind) => KIND_WORDS[k] ?? enumLabel(k, "SLA_KIND_");

function SlaSection({
  active,
  timelines,
  followUps,
  policy,
  policyError,
  breaches,
  cases,
  dir,
  now,
  timelineAllowed,
}: {
  active: Case[] | null;
  timelines: Map<string, TimelineState>;
  followUps: Map<string, CaseFollowUp>;
  policy: SlaPolicy | null | undefined;
  policyError: unknown;
  breaches: Breach[];
  cases: Map<string, Case>;
  dir: Directory | null;
  now: number;
  timelineAllowed: boolean;
}) {
  const rows = (active ?? []).map((c) => {
    const t = timelines.get(c.id ?? "");
    const clocks = withFollowUp(deriveClocks(c, t?.kind === "ok" ? t.entries : [], policy ?? null), followUps.get(c.id ?? ""));
    const breached = clocks.some((k) => k.state === "breached");
    const next = Math.min(...clocks.map((k) => (k.state === "running" && k.due ? k.due.getTime() : Infinity)));
    return { c, clocks, breached, next };
  });
  rows.sort((a, b) => Number(b.breached) - Number(a.breached) || a.next - b.next);
  return (
    <section aria-labelledby="sla-h" data-testid="sla">
      <h2 id="sla-h">SLA timers</h2>
      <p class="muted-text fu-note">
        The clocks of the open cases as follow-up runs them (targets in business hours on the client's calendar included), with
        the time left; the breaches are follow-up's own events.
        {!timelineAllowed && " Your role may not read case timelines, so the breaches are not listed."}
      </p>
      <ErrorBox error={policyError} title="The SLA targets could not be read" />
      {(!active || policy === undefined) && <Loading what="open cases and their SLA targets" />}
      {active && policy !== undefined && rows.length === 0 && <Empty>No case is open.</Empty>}
      {policy !== undefined && rows.length > 0 && (
        <table class="cases fu-table">
          <caption class="visually-hidden">SLA clocks of the open cases, breached first, then the soonest due</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Status</th>
              <th scope="col">Acknowledge</th>
              <th scope="col">Resolve</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ c, clocks }) => (
              <tr key={c.id} data-testid={`sla-${c.id}`}>
                <td data-label="Case">
                  <SeverityBadge severity={c.severity} /> <CaseLink id={c.id} c={c} />
                </td>
                <td data-label="Status">
                  {caseStatusLabel(c.status)}
                  {c.owner && <span class="muted"> · {personName(dir, c.owner)}</span>}
                </td>
                <td data-label="Acknowledge">
                  <ClockCell clock={clocks[0]!} now={now} />
                </td>
                <td data-label="Resolve">
                  <ClockCell clock={clocks[1]!} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Breaches</h3>
      {breaches.length === 0 && <Empty>No breach recorded for these cases.</Empty>}
      {breaches.length > 0 && (
        <ul class="plain entries" data-testid="breaches">
          {breaches.map((b, i) => (
            <li key={`${b.caseId}-${b.kind}-${i}`} class="entry breach" data-testid={`breach-${b.caseId}`}>
              <div class="entry-meta">
                <Time at={b.at?.toISOString()} /> · {kindWord(b.kind)}
                {b.due && (
                  <>
                    {" "}
                    · was due <Time at={b.due.toISOString()} />
                  </>
                )}
                {b.owner && <> · {personName(dir, b.owner)}</>}
              </div>
              <p>
                <CaseLink id={b.caseId} c={cases.get(b.caseId)} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// ---- satisfaction ----

interface Score {
  caseId: string;
  score: number;
  comment: string;
  low: boolean;
  at?: string;
  by: string;
}

function scoresOf(caseId: string, entries: TimelineEntry[]): Score[] {
  return entries
    .filter((e) => e.type === "SatisfactionRecorded")
    .map((e) => {
      const b = entryBody(e);
      return { caseId, score: Number(str(b, "score") || "0"), comment: str(b, "comment"), low: b.low === true, at: e.occurredAt, by: e.actor ?? "" };
    });
}

function ScoreDialog({ c, onClose, onDone }: { c: Case | null; onClose: () => void; onDone: (msg: string) => void }) {
  const [score, setScore] = useState("");
  const [comment, setComment] = useState("");
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    setScore("");
    setComment("");
    setError(null);
  }, [c?.id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!c) return;
    await run(async () => {
      const r = await call("recovery.v1.FollowUp/RecordSatisfaction", { requestId: requestId(), caseId: c.id ?? "", score: Number(score), comment: comment.trim() || undefined });
      onDone(`Score ${score} / 5 recorded for "${c.summary ?? c.id}"${r.low ? " (low: intake treats it as a weak signal)" : ""}.`);
    });
  };
  return (
    <Dialog open={!!c} title="Record the client's score" onClose={onClose}>
      <form onSubmit={submit}>
        <p>{c?.summary}</p>
        <label for="sat-score">Score (1 very unhappy … 5 very happy)</label>
        <select id="sat-score" required value={score} onChange={(e) => setScore((e.target as HTMLSelectElement).value)}>
          <option value="">Choose</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
        <label for="sat-comment">The client's words (optional)</label>
        <textarea id="sat-comment" rows={3} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
        <ErrorBox error={error} title="Not recorded" />
        <DialogButtons label="Record the score" busyLabel="Recording…" busy={busy} disabled={!score} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function SatisfactionSection({
  settled,
  timelines,
  trends,
  trendsError,
  cases,
  dir,
  session,
  onRecorded,
}: {
  settled: Case[] | null;
  timelines: Map<string, TimelineState>;
  trends: GetTrendsResponse | null;
  trendsError: unknown;
  cases: Map<string, Case>;
  dir: Directory | null;
  session: Session;
  onRecorded: (msg: string) => void;
}) {
  const [scoring, setScoring] = useState<Case | null>(null);
  const canRecord = can(session, "recovery.v1.FollowUp/RecordSatisfaction");
  const scores: Score[] = [];
  const checkDue = new Set<string>();
  for (const [id, t] of timelines) {
    if (t.kind !== "ok") continue;
    scores.push(...scoresOf(id, t.entries));
    if (t.entries.some((e) => e.type === "SatisfactionCheckDue")) checkDue.add(id);
  }
  scores.sort((a, b) => (toDate(b.at)?.getTime() ?? 0) - (toDate(a.at)?.getTime() ?? 0));
  const scored = new Set(scores.map((s) => s.caseId));
  const awaiting = (settled ?? []).filter((c) => !scored.has(c.id ?? "") && timelines.get(c.id ?? "")?.kind === "ok");
  awaiting.sort((a, b) => Number(checkDue.has(b.id ?? "")) - Number(checkDue.has(a.id ?? "")));
  const byClient = (trends?.groups ?? []).filter((g) => (g.satisfactionCount ?? 0) > 0);
  const clientNames = new Map<string, string>();
  for (const c of cases.values()) if (c.client?.id && c.client.name) clientNames.set(c.client.id, c.client.name);
  return (
    <section aria-labelledby="sat-h" data-testid="satisfaction">
      <h2 id="sat-h">Satisfaction</h2>
      <div class="fu-sat-grid">
        <div>
          <h3>Scores</h3>
          {scores.length === 0 && <Empty>No score recorded for these cases yet.</Empty>}
          {scores.length > 0 && (
            <ul class="plain entries">
              {scores.map((s, i) => (
                <li key={`${s.caseId}-${i}`} class="entry" data-testid={`score-${s.caseId}`}>
                  <div class="entry-meta">
                    <Time at={s.at} />
                    {s.by && <> · recorded by {personName(dir, s.by)}</>}
                  </div>
                  <p>
                    <span class={`score score-${s.score}`}>
                      {s.score} / 5<span class="visually-hidden"> satisfaction</span>
                    </span>
                    {s.low && <span class="badge low-badge">Low</span>} <CaseLink id={s.caseId} c={cases.get(s.caseId)} />
                  </p>
                  {s.comment && <p class="prose">“{s.comment}”</p>}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Awaiting the client's score</h3>
          <p class="muted-text fu-note">Resolved and closed cases of the last 30 days; a check is due once follow-up's satisfaction delay has passed.</p>
          {!settled && <Loading what="resolved cases" />}
          {settled && awaiting.length === 0 && <Empty>Nothing awaits a score.</Empty>}
          {awaiting.length > 0 && (
            <ul class="plain entries">
              {awaiting.map((c) => (
                <li key={c.id} class="entry" data-testid={`awaiting-${c.id}`}>
                  <div class="entry-meta">
                    {caseStatusLabel(c.status)} <Time at={c.resolvedAt || c.closedAt} />
                    {checkDue.has(c.id ?? "") && <span class="badge check-badge">Check due</span>}
                  </div>
                  <p>
                    <CaseLink id={c.id} c={c} />
                  </p>
                  {canRecord && (
                    <button type="button" class="secondary small" onClick={() => setScoring(c)} aria-label={`Record a score: ${c.summary ?? c.id}`}>
                      Record a score
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          <h3>By client, last 90 days</h3>
          <ErrorBox error={trendsError} title="Trends could not be read" />
          {trends && byClient.length === 0 && <Empty>No scores in the last 90 days.</Empty>}
          {byClient.length > 0 && (
            <table class="cases fu-table">
              <caption class="visually-hidden">Average satisfaction by client over the last 90 days</caption>
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Average</th>
                  <th scope="col">Scores</th>
                </tr>
              </thead>
              <tbody>
                {byClient.map((g) => (
                  <tr key={g.key}>
                    <td data-label="Client">{clientNames.get(g.key ?? "") ?? g.key}</td>
                    <td data-label="Average">{(g.satisfactionAverage ?? 0).toFixed(1)} / 5</td>
                    <td data-label="Scores">{g.satisfactionCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <ScoreDialog
        c={scoring}
        onClose={() => setScoring(null)}
        onDone={(msg) => {
          setScoring(null);
          onRecorded(msg);
        }}
      />
    </section>
  );
}

// ---- the screen ----

async function listAll(statuses: CaseStatus[], openedFrom?: string): Promise<Case[]> {
  const out: Case[] = [];
  let pageToken = "";
  do {
    const r = await call("recovery.v1.Intake/ListCases", { statuses, openedFrom, pageSize: 500, pageToken: pageToken || undefined });
    out.push(...(r.cases ?? []));
    pageToken = r.nextPageToken ?? "";
  } while (pageToken && out.length < 2000);
  return out;
}

const LIVE_ENTRY = new Set(["slaBreached", "slaPaused", "slaResumed", "satisfactionRecorded", "satisfactionCheckDue"]);
const FOLLOW_UP_NOISE = /^(escalation|page|tier|cover|override|configChanged)/;

export function FollowUpScreen({ session }: { session: Session }) {
  useTitle("Follow-up");
  const dir = useDirectory();
  const now = useNow(1000);
  const [reminders, setReminders] = useState<Reminder[] | null>(null);
  const [active, setActive] = useState<Case[] | null>(null);
  const [settled, setSettled] = useState<Case[] | null>(null);
  const [policy, setPolicy] = useState<SlaPolicy | null | undefined>(undefined); // undefined: loading
  const [policyError, setPolicyError] = useState<unknown>(null);
  const [trends, setTrends] = useState<GetTrendsResponse | null>(null);
  const [trendsError, setTrendsError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [, setVersion] = useState(0);
  const timelines = useRef(new Map<string, TimelineState>());
  const followUps = useRef(new Map<string, CaseFollowUp>());
  const followUpAllowed = can(session, "recovery.v1.FollowUp/BatchGetCaseFollowUps");
  const extraCases = useRef(new Map<string, Case>());
  const dirty = useRef(new Set<string>());
  const everything = useRef(true);
  const timelineAllowed = can(session, "recovery.v1.Audit/GetTimeline");
  // Follow-up's own events as they arrive on the stream, until audit's timeline holds them
  // (audit records the topic on its own; a refetch right after an event may not show it yet).
  const pending = useRef(new Map<string, TimelineEntry[]>());
  const withPending = (id: string, entries: TimelineEntry[]): TimelineEntry[] => {
    const seen = new Set(entries.map((e) => e.eventId));
    const left = (pending.current.get(id) ?? []).filter((e) => !seen.has(e.eventId));
    if (left.length) pending.current.set(id, left);
    else pending.current.delete(id);
    return [...entries, ...left];
  };
  const addPending = (id: string, ev: RecoveryEvent, type: string) => {
    const entry: TimelineEntry = {
      eventId: ev.eventId,
      type: type.charAt(0).toUpperCase() + type.slice(1),
      occurredAt: ev.occurredAt,
      source: ev.source,
      actor: ev.actor,
      eventJson: JSON.stringify(ev),
    };
    pending.current.set(id, [...(pending.current.get(id) ?? []), entry]);
    const t = timelines.current.get(id);
    if (t?.kind === "ok") timelines.current.set(id, { kind: "ok", entries: withPending(id, t.entries.filter((e) => e.recordedAt)) });
  };

  const loadPolicy = async () => {
    try {
      const r = await callConfig("follow-up", "ListResources", { kind: "sla_policy", pageSize: 100 });
      setPolicy(policyFrom(r.resources ?? []));
      setPolicyError(null);
    } catch (e) {
      setPolicy(null);
      setPolicyError(e);
    }
  };
  const loadTrends = async () => {
    try {
      const to = new Date(Date.now() + 60000);
      const from = new Date(to.getTime() - 90 * DAY);
      setTrends(await call("recovery.v1.FollowUp/GetTrends", { from: from.toISOString(), to: to.toISOString(), groupBy: "TREND_GROUP_BY_CLIENT" }));
      setTrendsError(null);
    } catch (e) {
      setTrendsError(e);
    }
  };

  // Refreshes may overlap (the first load, a live event, a write): only the latest one started
  // shows what it read, so a slow older one never puts back a list without a newer case.
  const seq = useRef(0);
  const refresh = async () => {
    const mine = ++seq.current;
    const all = everything.current;
    everything.current = false;
    const changed = new Set(dirty.current);
    dirty.current.clear();
    try {
      const [rs, act, done] = await Promise.all([
        call("recovery.v1.FollowUp/ListReminders", { limit: 1000 }).then((r) => r.reminders ?? []),
        listAll(ACTIVE),
        listAll(SETTLED, new Date(Date.now() - 30 * DAY).toISOString()),
      ]);
      rs.sort((a, b) => (toDate(a.nextDue)?.getTime() ?? 0) - (toDate(b.nextDue)?.getTime() ?? 0));
      const listed = [...act, ...done].map((c) => c.id ?? "").filter(Boolean);
      // First what follow-up says (the clocks, in batches), shown at once; then the timelines.
      if (followUpAllowed && listed.length) {
        const chunks: string[][] = [];
        for (let i = 0; i < listed.length; i += 500) chunks.push(listed.slice(i, i + 500));
        const answers = await mapLimit(chunks, 2, (caseIds) => call("recovery.v1.FollowUp/BatchGetCaseFollowUps", { caseIds }));
        const next = new Map<string, CaseFollowUp>();
        for (const a of answers) for (const f of a.caseFollowUps ?? []) if (f.caseId) next.set(f.caseId, f);
        if (mine === seq.current) followUps.current = next;
      }
      if (mine !== seq.current) return;
      setReminders(rs);
      setActive(act);
      setSettled(done);
      setError(null);
      setVersion((v) => v + 1);

      // Newest first, so the cap keeps the cases people work on now.
      const ids = [...act, ...done]
        .sort((a, b) => (toDate(b.openedAt)?.getTime() ?? 0) - (toDate(a.openedAt)?.getTime() ?? 0))
        .map((c) => c.id ?? "")
        .slice(0, MAX_TIMELINES);
      const known = new Set(listed);
      const missing = [...new Set(rs.map((r) => r.caseId ?? ""))].filter((id) => id && !known.has(id) && (all || changed.has(id) || !extraCases.current.has(id)));
      if (timelineAllowed) {
        // The changed ones first: they are what a person just did.
        const want = ids.filter((id) => all || changed.has(id) || !timelines.current.has(id)).sort((x, y) => Number(changed.has(y)) - Number(changed.has(x)));
        await mapLimit(want, 4, async (id) => {
          try {
            const t = await call("recovery.v1.Audit/GetTimeline", { caseId: id });
            timelines.current.set(id, { kind: "ok", entries: withPending(id, t.entries ?? []) });
          } catch (e) {
            timelines.current.set(id, e instanceof ApiError && e.status === 404 ? { kind: "ok", entries: withPending(id, []) } : { kind: "error", error: e });
          }
        });
        const keep = new Set(ids);
        for (const id of [...timelines.current.keys()]) if (!keep.has(id)) timelines.current.delete(id);
      }
      await mapLimit(missing, 4, async (id) => {
        try {
          const c = (await call("recovery.v1.Intake/GetCase", { caseId: id })).case;
          if (c) extraCases.current.set(id, c);
        } catch {
          // the reminder still shows, with its case id
        }
      });
      setVersion((v) => v + 1);
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  };

  useEffect(() => {
    everything.current = true;
    void refresh();
    void loadPolicy();
    void loadTrends();
  }, []);
  useLive(
    (m) => {
      if (m.kind === "resync") {
        everything.current = true;
        return true;
      }
      const id = m.event.caseId ?? "";
      if (!id || id.startsWith("config:") || id.startsWith("schedule:") || FOLLOW_UP_NOISE.test(m.type)) return false;
      dirty.current.add(id);
      if (LIVE_ENTRY.has(m.type)) addPending(id, m.event, m.type);
      return true;
    },
    refresh,
    500,
  );
  useLive(
    (m) => m.kind === "resync" || (m.type === "configChanged" && m.event.caseId === "config:follow-up"),
    loadPolicy,
    1000,
  );
  useLive((m) => m.kind === "event" && /^satisfaction|^review|^slaBreached|^case(Resolved|Acknowledged)/.test(m.type), loadTrends, 2000);

  const cases = new Map<string, Case>();
  for (const [id, c] of extraCases.current) cases.set(id, c);
  for (const c of [...(active ?? []), ...(settled ?? [])]) if (c.id) cases.set(c.id, c);
  const breaches: Breach[] = [];
  for (const [id, t] of timelines.current) if (t.kind === "ok") breaches.push(...breachesOf(id, t.entries));
  breaches.sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0));

  const dueNow = (reminders ?? []).filter((r) => (toDate(r.nextDue)?.getTime() ?? Infinity) <= now).length;
  const dueDay = (reminders ?? []).filter((r) => (toDate(r.nextDue)?.getTime() ?? Infinity) <= now + DAY).length;
  const openBreached = (active ?? []).filter((c) => (followUps.current.get(c.id ?? "")?.breaches ?? 0) > 0 || breaches.some((b) => b.caseId === c.id)).length;
  const scoredGroups = (trends?.groups ?? []).filter((g) => (g.satisfactionCount ?? 0) > 0);
  const scoreCount = scoredGroups.reduce((n, g) => n + (g.satisfactionCount ?? 0), 0);
  const scoreAvg = scoreCount ? scoredGroups.reduce((s, g) => s + (g.satisfactionAverage ?? 0) * (g.satisfactionCount ?? 0), 0) / scoreCount : 0;

  const done = (msg: string) => {
    setMessage(msg);
    void refresh();
  };

  return (
    <div class="follow-up" data-testid="follow-up-page">
      <h1>Follow-up</h1>
      <ErrorBox error={error} title="Could not load follow-up" />
      <dl class="facts fu-summary" data-testid="fu-summary">
        <div>
          <dt>Reminders due now</dt>
          <dd class={dueNow > 0 ? "due-word" : undefined}>{reminders ? dueNow : "…"}</dd>
        </div>
        <div>
          <dt>Due in 24 hours</dt>
          <dd>{reminders ? dueDay : "…"}</dd>
        </div>
        <div>
          <dt>Open cases</dt>
          <dd>{active ? active.length : "…"}</dd>
        </div>
        <div>
          <dt>Open cases breached</dt>
          <dd class={openBreached > 0 ? "due-word" : undefined}>{active ? openBreached : "…"}</dd>
        </div>
        <div>
          <dt>Satisfaction, 90 days</dt>
          <dd>{trends ? (scoreCount ? `${scoreAvg.toFixed(1)} / 5 (${scoreCount})` : "no scores") : "…"}</dd>
        </div>
      </dl>
      <p class="ok" role="status" data-testid="fu-message">
        {message}
      </p>
      <RemindersSection reminders={reminders} cases={cases} dir={dir} now={now} session={session} onSnoozed={done} />
      <SlaSection
        active={active}
        timelines={timelines.current}
        followUps={followUps.current}
        policy={policy}
        policyError={policyError}
        breaches={breaches}
        cases={cases}
        dir={dir}
        now={now}
        timelineAllowed={timelineAllowed}
      />
      <SatisfactionSection
        settled={settled}
        timelines={timelines.current}
        trends={trends}
        trendsError={trendsError}
        cases={cases}
        dir={dir}
        session={session}
        onRecorded={done}
      />
    </div>
  );
}
