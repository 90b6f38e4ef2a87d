// Now: the active escalations across all cases and who is on call per team.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, mapLimit, requestId } from "../api";
import { personName, useDirectory } from "../directory";
import { bodyField } from "../events";
import { useAction, useLive, useNow, useTitle } from "../hooks";
import { escalationStatusLabel } from "../labels";
import { Link } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import type { Case, Directory, EscalationInfo, IsBusinessHoursResponse, PageInfo, ShiftInfo, TeamInfo } from "../types";
import { fmtClock, fmtDateTime, fmtDuration, toDate, viewerZone } from "../time";
import { Dialog, DialogButtons, Empty, ErrorBox, Loading, SeverityBadge, Time } from "../ui/common";

const ESCALATION_EVENT = /^(escalation|page|tier)/;
const CASE_EVENTS = new Set(["caseUpdated", "caseAcknowledged", "ownerAssigned", "caseResolved", "caseClosed", "caseReopened"]);
const ONCALL_EVENTS = new Set(["overrideAdded", "overrideRemoved", "coverAccepted", "configChanged"]);

export function tierLabel(e: EscalationInfo): string {
  const tier = e.tier ?? 0;
  if (tier < 0) return "Fallback";
  const count = e.plan?.tiers?.length ?? 0;
  const round = (e.round ?? 0) > 0 ? `, repeat ${(e.round ?? 0) + 1}` : "";
  return count > 0 ? `Tier ${tier + 1} of ${count}${round}` : `Tier ${tier + 1}${round}`;
}

// "Next tier in 4 min 12 s (14:05 UTC)", or the hold, or that the timer has passed.
export function Countdown({ e, now }: { e: EscalationInfo; now: number }) {
  const hold = toDate(e.holdUntil);
  if (e.status === "ESCALATION_STATUS_HELD" && hold) {
    return (
      <span class="countdown">
        Held until <Time at={e.holdUntil} /> (out of business hours), {fmtDuration(hold.getTime() - now)} from now
      </span>
    );
  }
  const due = toDate(e.ackDue);
  if (!due) return <span class="countdown">No acknowledgement timer running</span>;
  const left = due.getTime() - now;
  const last = (e.tier ?? 0) + 1 >= (e.plan?.tiers?.length ?? 0);
  const what = last ? "Last tier's time runs out" : "Next tier";
  if (left <= 0)
    return (
      <span class="countdown overdue">
        {what}: due {fmtDuration(-left)} ago (at {fmtClock(due)})
      </span>
    );
  return (
    <span class={left < 60000 ? "countdown soon" : "countdown"}>
      {what} in <strong>{fmtDuration(left)}</strong> (at {fmtClock(due)})
    </span>
  );
}

function PagedList({ pages, dir, e }: { pages: PageInfo[] | undefined; dir: Directory | null; e: EscalationInfo }) {
  if (!pages) return <span class="muted">…</span>;
  if (pages.length === 0) return <span class="muted">nobody yet</span>;
  // The current tier and round first, then earlier ones.
  const current = pages.filter((p) => (p.tier ?? 0) === (e.tier ?? 0) && (p.round ?? 0) === (e.round ?? 0));
  const earlier = pages.filter((p) => !current.includes(p));
  const item = (p: PageInfo) => (
    <li key={p.pageId}>
      {personName(dir, p.personId)} <span class={`page-status ps-${p.status ?? ""}`}>{p.status || "pending"}</span>
      {(p.tier ?? 0) !== (e.tier ?? 0) && <span class="muted"> (tier {(p.tier ?? 0) < 0 ? "fallback" : (p.tier ?? 0) + 1})</span>}
    </li>
  );
  return (
    <ul class="paged">
      {current.map(item)}
      {earlier.map(item)}
    </ul>
  );
}

// The client's own business hours (the case's client calendar): open or after hours now, and
// when that changes, in the calendar's zone. Fetched again once the change is due.
function ClientHours({ c, dir, now }: { c: Case | undefined; dir: Directory | null; now: number }) {
  const calendarId = c?.client?.calendarId ?? "";
  const [hours, setHours] = useState<IsBusinessHoursResponse | null>(null);
  const next = toDate(hours?.nextChange);
  const due = hours === null || (next !== null && now >= next.getTime());
  useEffect(() => {
    if (!calendarId || !due) return;
    let live = true;
    call("recovery.v1.Escalation/IsBusinessHours", { calendarId })
      .then((r) => live && setHours(r))
      .catch(() => live && setHours(null));
    return () => {
      live = false;
    };
  }, [calendarId, due]);
  if (!calendarId || !hours) return null;
  const zone = dir?.calendars?.find((k) => k.id === calendarId)?.timeZone || viewerZone();
  const change = hours.nextChange ? `${hours.open ? "closes" : "opens"} ${fmtDateTime(hours.nextChange, zone)}` : "";
  return (
    <div>
      <dt>Client's hours</dt>
      <dd data-testid="client-hours" class={hours.open ? "" : "warn-text"}>
        {hours.open ? "Open" : "After hours"}
        {hours.holiday ? ` (${hours.holiday})` : ""}
        {change ? `, ${change}` : ""}
      </dd>
    </div>
  );
}

function EscalationRow({
  e,
  c,
  pages,
  dir,
  now,
  session,
  onResolve,
  onChanged,
}: {
  e: EscalationInfo;
  c: Case | undefined;
  pages: PageInfo[] | undefined;
  dir: Directory | null;
  now: number;
  session: Session;
  onResolve: (e: EscalationInfo) => void;
  onChanged: (message: string) => void;
}) {
  const { busy, error, run } = useAction();
  const started = toDate(e.startedAt);
  const ack = () =>
    run(async () => {
      const r = await call("recovery.v1.Escalation/AcknowledgePage", { requestId: requestId(), escalationId: e.escalationId ?? "" });
      onChanged(`"${c?.summary || e.caseId}" acknowledged by ${personName(dir, r.acknowledgedBy)} at ${fmtClock(r.updatedAt || new Date())}`);
    });
  const headingId = `esc-${e.escalationId}-title`;
  return (
    <li class="card escalation" data-testid={`escalation-${e.escalationId}`} aria-labelledby={headingId}>
      <div class="esc-head">
        <SeverityBadge severity={e.severity ?? c?.severity} />
        <h3 id={headingId}>
          <Link href={`/cases/${encodeURIComponent(e.caseId ?? "")}`}>{c?.summary || `Case ${e.caseId}`}</Link>
        </h3>
      </div>
      <dl class="facts">
        <div>
          <dt>Client</dt>
          <dd>{c?.client?.name || c?.client?.id || "…"}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd data-testid="escalation-status">
            {escalationStatusLabel(e.status)} · {tierLabel(e)}
          </dd>
        </div>
        <div>
          <dt>Paged</dt>
          <dd>
            <PagedList pages={pages} dir={dir} e={e} />
          </dd>
        </div>
        <div>
          <dt>Waiting</dt>
          <dd>
            {started ? (
              <>
                {fmtDuration(now - started.getTime())} (since {fmtClock(started)})
              </>
            ) : (
              "-"
            )}
          </dd>
        </div>
        <ClientHours c={c} dir={dir} now={now} />
        <div class="wide">
          <dt>Timer</dt>
          <dd>
            <Countdown e={e} now={now} />
          </dd>
        </div>
        {e.reason && (
          <div>
            <dt>Why</dt>
            <dd>{e.reason}</dd>
          </div>
        )}
      </dl>
      <div class="actions">
        {can(session, "recovery.v1.Escalation/AcknowledgePage") && (
          <button type="button" class="primary" onClick={ack} disabled={busy}>
            Acknowledge
          </button>
        )}
        {can(session, "recovery.v1.Escalation/ResolveEscalation") && (
          <button type="button" class="secondary" onClick={() => onResolve(e)} disabled={busy}>
            Resolve
          </button>
        )}
      </div>
      <ErrorBox error={error} title="Could not acknowledge" />
    </li>
  );
}

function ResolveDialog({ e, onClose, onDone }: { e: EscalationInfo | null; onClose: () => void; onDone: (message: string) => void }) {
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    setReason("");
    setError(null);
  }, [e?.escalationId]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!e) return;
    await run(async () => {
      const r = await call("recovery.v1.Escalation/ResolveEscalation", {
        requestId: requestId(),
        escalationId: e.escalationId ?? "",
        reason: reason.trim(),
      });
      onDone(`Escalation resolved at ${fmtClock(r.updatedAt || new Date())}`);
      onClose();
    });
  };
  return (
    <Dialog open={!!e} title="Resolve escalation" onClose={onClose}>
      <form onSubmit={submit}>
        <p>Stops paging for this escalation. Nobody else will be paged for it.</p>
        <label for="resolve-reason">Reason</label>
        <textarea
          id="resolve-reason"
          required
          rows={3}
          maxLength={2000}
          value={reason}
          onInput={(ev) => setReason((ev.target as HTMLTextAreaElement).value)}
        />
        <ErrorBox error={error} title="Could not resolve" />
        <DialogButtons label="Resolve escalation" busy={busy} disabled={!reason.trim()} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

interface TeamOnCall {
  team: TeamInfo;
  personIds: string[] | null;
  next: ShiftInfo | null;
  error: unknown;
}

async function loadOnCall(dir: Directory): Promise<TeamOnCall[]> {
  const now = new Date();
  const until = new Date(now.getTime() + 14 * 86400000);
  return mapLimit(dir.teams ?? [], 4, async (team): Promise<TeamOnCall> => {
    try {
      const who = await call("recovery.v1.Escalation/WhoIsOnCall", { teamId: team.id ?? "" });
      const ids = who.personIds ?? [];
      let next: ShiftInfo | null = null;
      const scheduleId = who.scheduleId || team.scheduleId;
      if (scheduleId) {
        try {
          const s = await call("recovery.v1.Escalation/ListShifts", { scheduleId, from: now.toISOString(), to: until.toISOString() });
          next =
            (s.shifts ?? []).find((x) => {
              const start = toDate(x.start);
              return start && start.getTime() > now.getTime() && !ids.includes(x.personId ?? "");
            }) ?? null;
        } catch {
          // next is a nicety; who is on call now is what matters
        }
      }
      return { team, personIds: ids, next, error: null };
    } catch (error) {
      return { team, personIds: null, next: null, error };
    }
  });
}

function OnCallNow({ dir, session }: { dir: Directory | null; session: Session }) {
  const [rows, setRows] = useState<TeamOnCall[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refresh = () => {
    if (!dir) return;
    return loadOnCall(dir)
      .then((r) => {
        setRows(r);
        setError(null);
      })
      .catch(setError);
  };
  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), 60000); // shifts change hands on the clock too
    return () => clearInterval(t);
  }, [dir]);
  useLive((m) => m.kind === "event" && ONCALL_EVENTS.has(m.type), refresh, 500);
  if (!can(session, "recovery.v1.Escalation/WhoIsOnCall")) return null;
  return (
    <section aria-labelledby="oncall-now">
      <h2 id="oncall-now">On call now</h2>
      <ErrorBox error={error} />
      {!dir && <Loading what="teams" />}
      {dir && !rows && <Loading what="who is on call" />}
      {rows && rows.length === 0 && <Empty>No teams are configured.</Empty>}
      {rows && rows.length > 0 && (
        <ul class="oncall-now">
          {rows.map((r) => (
            <li key={r.team.id} class="card" data-testid={`oncall-team-${r.team.id}`}>
              <h3>{r.team.name || r.team.id}</h3>
              {r.error ? (
                <ErrorBox error={r.error} />
              ) : (
                <p>
                  <span class="label">Now: </span>
                  <span data-testid="oncall-people">
                    {r.personIds && r.personIds.length > 0 ? r.personIds.map((id) => personName(dir, id)).join(", ") : "nobody"}
                  </span>
                </p>
              )}
              {r.next && (
                <p class="muted-text">
                  Next: {personName(dir, r.next.personId)} from <Time at={r.next.start} />
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function NowScreen({ session }: { session: Session }) {
  useTitle("Now");
  const dir = useDirectory();
  const now = useNow(1000);
  const [escalations, setEscalations] = useState<EscalationInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [resolving, setResolving] = useState<EscalationInfo | null>(null);
  const [message, setMessage] = useState("");
  const [, setVersion] = useState(0);
  const cases = useRef(new Map<string, Case>());
  const pages = useRef(new Map<string, PageInfo[]>());
  const dirtyPages = useRef(new Set<string>());
  const dirtyCases = useRef(new Set<string>());
  const seq = useRef(0);

  const refresh = async () => {
    const mine = ++seq.current;
    try {
      const all: EscalationInfo[] = [];
      let pageToken = "";
      for (let i = 0; i < 20; i++) {
        const r = await call("recovery.v1.Escalation/ListEscalations", { activeOnly: true, pageSize: 500, pageToken });
        all.push(...(r.escalations ?? []));
        pageToken = r.nextPageToken ?? "";
        if (!pageToken) break;
      }
      if (mine !== seq.current) return;
      setEscalations(all);
      setError(null);
      // Fill in the cases and pages not known yet, or that an event touched.
      const caseIds = [...new Set(all.map((e) => e.caseId ?? ""))].filter(
        (id) => id && (!cases.current.has(id) || dirtyCases.current.has(id)),
      );
      const escIds = all
        .map((e) => e.escalationId ?? "")
        .filter((id) => id && (!pages.current.has(id) || dirtyPages.current.has(id)));
      for (const id of caseIds) dirtyCases.current.delete(id);
      for (const id of escIds) dirtyPages.current.delete(id);
      await Promise.all([
        mapLimit(caseIds, 6, async (id) => {
          try {
            const r = await call("recovery.v1.Intake/GetCase", { caseId: id });
            if (r.case) cases.current.set(id, r.case);
          } catch {
            // the row shows the case id; the case page says why
          }
        }),
        mapLimit(escIds, 6, async (id) => {
          try {
            const r = await call("recovery.v1.Escalation/ListPages", { escalationId: id });
            pages.current.set(id, r.pages ?? []);
          } catch {
            pages.current.set(id, []);
          }
        }),
      ]);
      if (mine === seq.current) setVersion((v) => v + 1);
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  };

  useEffect(() => {
    void refresh();
  }, []);
  useLive(
    (m) => {
      if (m.kind === "resync") {
        // events may have been missed: forget what is cached
        dirtyCases.current = new Set(cases.current.keys());
        dirtyPages.current = new Set(pages.current.keys());
        return true;
      }
      if (ESCALATION_EVENT.test(m.type)) {
        const id = bodyField(m.event, "escalationId");
        if (id) dirtyPages.current.add(id);
        return true;
      }
      if (CASE_EVENTS.has(m.type) && m.event.caseId) {
        dirtyCases.current.add(m.event.caseId);
        return true;
      }
      return false;
    },
    refresh,
  );

  const list = escalations ?? [];
  return (
    <div class="now">
      <h1>Now</h1>
      <div class="now-grid">
        <section aria-labelledby="active-escalations">
          <h2 id="active-escalations">
            Active escalations {escalations && <span class="count">({list.length})</span>}
          </h2>
          <p class="ok" role="status" data-testid="now-message">
            {message}
          </p>
          <ErrorBox error={error} title="Could not load escalations" />
          {!escalations && !error && <Loading what="escalations" />}
          {escalations && list.length === 0 && <Empty>No escalation is active. Nobody is being paged.</Empty>}
          {list.length > 0 && (
            <ul class="escalations" data-testid="escalations">
              {list.map((e) => (
                <EscalationRow
                  key={e.escalationId}
                  e={e}
                  c={cases.current.get(e.caseId ?? "")}
                  pages={pages.current.get(e.escalationId ?? "")}
                  dir={dir}
                  now={now}
                  session={session}
                  onResolve={setResolving}
                  onChanged={(msg) => {
                    setMessage(msg);
                    void refresh();
                  }}
                />
              ))}
            </ul>
          )}
        </section>
        <OnCallNow dir={dir} session={session} />
      </div>
      <ResolveDialog
        e={resolving}
        onClose={() => setResolving(null)}
        onDone={(msg) => {
          setMessage(msg);
          void refresh();
        }}
      />
    </div>
  );
}
