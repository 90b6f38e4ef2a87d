// On-call: two weeks of each schedule's shifts (ListShifts) day by day in the schedule's zone,
// overrides marked, coverage gaps marked (CheckCoverage), who is on call now (WhoIsOnCall), and
// adding an override (AddOverride) or removing one (RemoveOverride) where the role allows.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, mapLimit, requestId } from "../api";
import { loadDirectory, personName, useDirectory } from "../directory";
import { useLive, useNow, useTitle } from "../hooks";
import { can } from "../session";
import type { Session } from "../session";
import type { CoverageGap, Directory, ScheduleInfo, ShiftInfo } from "../types";
import { fmtDateTime, fmtDay, isValidZone, toDate, viewerZone, zonedInstant, zonedParts, zoneLabel } from "../time";
import { Empty, ErrorBox, Loading, Time } from "../ui/common";
import { CoverRequests } from "./cover";
import { ShiftForm, windowRequest } from "./shift_form";

const DAYS = 14;
const ONCALL_EVENTS = new Set(["overrideAdded", "overrideRemoved", "coverAccepted", "configChanged"]);

interface ScheduleWeeks {
  schedule: ScheduleInfo;
  zone: string;
  days: Date[]; // DAYS + 1 midnights in the zone
  shifts: ShiftInfo[];
  gaps: CoverageGap[];
  onCall: string[] | null;
  error: unknown;
}

// The zone's midnights from today on.
function midnights(zone: string, count: number): Date[] {
  const p = zonedParts(new Date(), zone);
  const out: Date[] = [];
  for (let i = 0; i <= count; i++) {
    const d = new Date(Date.UTC(p.year, p.month - 1, p.day + i));
    out.push(zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, zone));
  }
  return out;
}

async function loadSchedule(schedule: ScheduleInfo): Promise<ScheduleWeeks> {
  const zone = isValidZone(schedule.timeZone) ? schedule.timeZone : viewerZone();
  const days = midnights(zone, DAYS);
  const from = days[0]!.toISOString();
  const to = days[DAYS]!.toISOString();
  const scheduleId = schedule.id ?? "";
  try {
    const [shifts, coverage, who] = await Promise.all([
      call("recovery.v1.Escalation/ListShifts", { scheduleId, from, to }),
      call("recovery.v1.Escalation/CheckCoverage", { scheduleId, from, to }),
      call("recovery.v1.Escalation/WhoIsOnCall", { scheduleId }).catch(() => null),
    ]);
    return {
      schedule,
      zone,
      days,
      shifts: shifts.shifts ?? [],
      gaps: coverage.gaps ?? [],
      onCall: who ? (who.personIds ?? []) : null,
      error: null,
    };
  } catch (error) {
    return { schedule, zone, days, shifts: [], gaps: [], onCall: null, error };
  }
}

interface Segment {
  start: number;
  end: number;
  kind: "shift" | "gap";
  shift?: ShiftInfo;
}

// "09:00" in the zone; a segment ending at the next midnight ends at "24:00".
function hm(t: number, zone: string, dayEnd: number): string {
  if (t >= dayEnd) return "24:00";
  const p = zonedParts(new Date(t), zone);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

function DayCell({ w, i, dir, now }: { w: ScheduleWeeks; i: number; dir: Directory | null; now: number }) {
  const dayStart = w.days[i]!.getTime();
  const dayEnd = w.days[i + 1]!.getTime();
  const clip = (s: string | undefined, e: string | undefined) => {
    const a = toDate(s)?.getTime();
    const b = toDate(e)?.getTime();
    if (a === undefined || b === undefined) return null;
    const start = Math.max(a, dayStart);
    const end = Math.min(b, dayEnd);
    return end > start ? { start, end } : null;
  };
  const segs: Segment[] = [];
  for (const s of w.shifts) {
    const c = clip(s.start, s.end);
    if (c) segs.push({ ...c, kind: "shift", shift: s });
  }
  for (const g of w.gaps) {
    const c = clip(g.start, g.end);
    if (c) segs.push({ ...c, kind: "gap" });
  }
  segs.sort((a, b) => a.start - b.start || (a.kind === "gap" ? 1 : -1));
  const isToday = now >= dayStart && now < dayEnd;
  const zone = zoneLabel(w.zone);
  return (
    <li class={isToday ? "day today" : "day"} data-testid={`day-${w.schedule.id}-${i}`}>
      <h3 class="day-h">
        {fmtDay(w.days[i]!, w.zone)}
        {isToday && <span class="badge">Today</span>}
      </h3>
      {segs.length === 0 && <p class="muted-text">No shifts</p>}
      <ul class="plain segs">
        {segs.map((s, k) => {
          const current = now >= s.start && now < s.end;
          const range = (
            <span class="seg-time">
              {hm(s.start, w.zone, dayEnd)}–{hm(s.end, w.zone, dayEnd)} <span class="seg-zone">{zone}</span>
            </span>
          );
          if (s.kind === "gap")
            return (
              <li key={k} class="seg gap" data-testid="coverage-gap">
                {range}
                <strong>Nobody on call</strong>
                <span class="visually-hidden"> (coverage gap)</span>
              </li>
            );
          const override = s.shift?.layer === "override";
          return (
            <li key={k} class={override ? "seg shift override" : "seg shift"} data-testid={override ? "shift-override" : "shift"}>
              {range}
              {personName(dir, s.shift?.personId)}
              {override ? <span class="badge override-badge">Override</span> : s.shift?.layer && <span class="muted"> · {s.shift.layer}</span>}
              {current && <span class="badge now-badge">Now</span>}
            </li>
          );
        })}
      </ul>
    </li>
  );
}

function ScheduleView({ w, dir, now, session, onChanged }: { w: ScheduleWeeks; dir: Directory | null; now: number; session: Session; onChanged: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const headingId = `sch-${w.schedule.id}`;
  const remove = async (overrideId: string) => {
    setError(null);
    try {
      await call("recovery.v1.Escalation/RemoveOverride", { requestId: requestId(), overrideId });
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  const overrides = (w.schedule.overrides ?? []).filter((o) => (toDate(o.end)?.getTime() ?? 0) > now);
  return (
    <section class="schedule" aria-labelledby={headingId} data-testid={`schedule-${w.schedule.id}`}>
      <h2 id={headingId}>{w.schedule.name || w.schedule.id}</h2>
      <p class="muted-text">
        Times in {zoneLabel(w.zone)}
        {(w.schedule.layers ?? []).length > 0 && <> · layers: {(w.schedule.layers ?? []).join(", ")}</>}
      </p>
      {w.onCall && (
        <p>
          <span class="label">On call now: </span>
          <strong data-testid="schedule-oncall">{w.onCall.length ? w.onCall.map((id) => personName(dir, id)).join(", ") : "nobody"}</strong>
        </p>
      )}
      <ErrorBox error={w.error} title="Could not load the shifts" />
      {w.gaps.length > 0 && (
        <p class="warn-text" data-testid="gap-summary">
          {w.gaps.length} coverage gap{w.gaps.length === 1 ? "" : "s"} in the next two weeks: the first from <Time at={w.gaps[0]!.start} zone={w.zone} />.
        </p>
      )}
      {!w.error && (
        <ol class="plain days">
          {Array.from({ length: DAYS }, (_, i) => (
            <DayCell key={i} w={w} i={i} dir={dir} now={now} />
          ))}
        </ol>
      )}
      {overrides.length > 0 && (
        <>
          <h3>Overrides</h3>
          <ul class="plain entries">
            {overrides.map((o, k) => (
              <li key={o.overrideId || k} class="entry">
                {personName(dir, o.personId)}: <Time at={o.start} zone={w.zone} /> to <Time at={o.end} zone={w.zone} />
                {o.reason && <span class="muted"> · {o.reason}</span>}
                {o.overrideId && can(session, "recovery.v1.Escalation/RemoveOverride") && (
                  <>
                    {" "}
                    <button type="button" class="secondary small" onClick={() => void remove(o.overrideId ?? "")}>
                      Remove override
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <ErrorBox error={error} title="Could not remove the override" />
    </section>
  );
}

function AddOverrideForm({ dir, session, onAdded }: { dir: Directory; session: Session; onAdded: (msg: string) => void }) {
  const people = dir.people ?? [];
  return (
    <ShiftForm
      dir={dir}
      people={people}
      initialPerson={people.some((p) => p.id === session.person) ? session.person : (people[0]?.id ?? "")}
      words={{
        id: "ov",
        title: "Add override",
        schedule: "Schedule",
        person: "Person on call",
        from: "From",
        to: "To",
        reason: "Reason (optional)",
        submit: "Add override",
        failed: "Override not added",
      }}
      onSubmit={async (w) => {
        const o = await call("recovery.v1.Escalation/AddOverride", windowRequest(w));
        onAdded(`Override added: ${personName(dir, o.personId)} on call from ${fmtDateTime(o.start)} to ${fmtDateTime(o.end)}.`);
      }}
    />
  );
}

export function OnCallScreen({ session }: { session: Session }) {
  useTitle("On-call");
  const dir = useDirectory();
  const now = useNow(30000);
  const [weeks, setWeeks] = useState<ScheduleWeeks[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const seq = useRef(0);

  const refresh = async (force = false) => {
    const mine = ++seq.current;
    try {
      const d = force ? await loadDirectory(true) : (dir ?? (await loadDirectory()));
      const w = await mapLimit(d.schedules ?? [], 3, loadSchedule);
      if (mine === seq.current) {
        setWeeks(w);
        setError(null);
      }
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  };
  useEffect(() => {
    void refresh();
  }, []);
  useLive((m) => m.kind === "resync" || ONCALL_EVENTS.has(m.type), () => refresh(true), 300);

  return (
    <div class="oncall">
      <h1>On-call</h1>
      <p class="muted-text">The next two weeks of each schedule, day by day in the schedule's time zone.</p>
      <p class="ok" role="status" data-testid="oncall-message">
        {message}
      </p>
      {dir && can(session, "recovery.v1.Escalation/AddOverride") && (dir.schedules ?? []).length > 0 && (
        <AddOverrideForm
          dir={dir}
          session={session}
          onAdded={(msg) => {
            setMessage(msg);
            void refresh(true);
          }}
        />
      )}
      {dir && (dir.schedules ?? []).length > 0 && <CoverRequests dir={dir} session={session} onChanged={() => void refresh(true)} />}
      <ErrorBox error={error} title="Could not load the schedules" />
      {!weeks && !error && <Loading what="schedules" />}
      {weeks && weeks.length === 0 && <Empty>No schedules are configured.</Empty>}
      {weeks?.map((w) => (
        <ScheduleView key={w.schedule.id} w={w} dir={dir} now={now} session={session} onChanged={() => void refresh(true)} />
      ))}
    </div>
  );
}
