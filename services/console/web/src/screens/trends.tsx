// Trends, as pictures: cases by category and week, time to acknowledge and to resolve, SLA
// breach rate and satisfaction per week (follow-up's GetTrends, one call per week, grouped by
// category), themes from quality reviews (GetTrends grouped by theme over the period), and each
// person's pages in business hours, evenings, nights and days off (computed here: the pages'
// delivery times from the audit timelines of the cases escalated in the period, each person's
// zone and team calendar from escalation's directory and calendar resources; see hours.ts).
import { useEffect, useRef, useState } from "preact/hooks";
import { call, callConfig, mapLimit } from "../api";
import { loadDirectory } from "../directory";
import { BUCKETS, BUCKET_LABELS, classify, personHours } from "../hours";
import type { Bucket } from "../hours";
import { useLive, useTitle } from "../hooks";
import { can } from "../session";
import type { Session } from "../session";
import type { Directory, EscalationInfo, GetTrendsResponse, JsonValue, TrendGroup } from "../types";
import { fmtClock, fmtDateTime, fmtDay, fmtDuration, parseDuration, viewerZone, zonedInstant, zonedParts, zoneLabel } from "../time";
import { Chart } from "../ui/chart";
import type { ChartSeries } from "../ui/chart";
import { ErrorBox, Loading } from "../ui/common";

const PERIODS = [4, 8, 12, 26];
const MAX_CATEGORIES = 7; // more are summed as "other"
const MAX_CASES_FOR_PAGES = 300;

// Monday 00:00 in the zone, `count` weeks back from this week's, and the next Monday: count + 1 bounds.
export function weekStarts(zone: string, count: number, now = new Date()): Date[] {
  const p = zonedParts(now, zone);
  const wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(p.weekday);
  const out: Date[] = [];
  for (let i = count - 1; i >= -1; i--) {
    const d = new Date(Date.UTC(p.year, p.month - 1, p.day - Math.max(0, wd) - 7 * i));
    out.push(zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, zone));
  }
  return out;
}

interface Week {
  start: Date;
  label: string; // "30 Nov"
  trends: GetTrendsResponse;
}

interface PersonPages {
  personId: string;
  name: string;
  zone: string;
  source: string;
  counts: Record<Bucket, number>;
  total: number;
}

interface PagesResult {
  people: PersonPages[];
  escalations: number;
  cases: number;
  truncated: boolean;
}

type Part<T> = { kind: "loading" } | { kind: "none"; why: string } | { kind: "error"; error: unknown } | { kind: "ok"; value: T };

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pct = (v: number) => `${Math.round(v)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Weighted over groups: the mean of means, each weighted by how many cases it is over.
function weighted(groups: TrendGroup[], value: (g: TrendGroup) => number | null, weight: (g: TrendGroup) => number): [number | null, number] {
  let total = 0;
  let n = 0;
  for (const g of groups) {
    const v = value(g);
    const w = weight(g);
    if (v === null || w <= 0) continue;
    total += v * w;
    n += w;
  }
  return [n > 0 ? total / n : null, n];
}
const ackMs = (gs: TrendGroup[]) => weighted(gs, (g) => parseDuration(g.meanTimeToAcknowledge), (g) => g.acknowledgedCases ?? 0);
const resolveMs = (gs: TrendGroup[]) => weighted(gs, (g) => parseDuration(g.meanTimeToResolve), (g) => g.resolvedCases ?? 0);
const satisfaction = (gs: TrendGroup[]) => weighted(gs, (g) => g.satisfactionAverage ?? null, (g) => g.satisfactionCount ?? 0);
const cases = (gs: TrendGroup[]) => sum(gs.map((g) => g.cases ?? 0));
const breached = (gs: TrendGroup[]) => sum(gs.map((g) => g.breachedCases ?? 0));

async function loadWeeks(bounds: Date[], zone: string): Promise<Week[]> {
  const idx = bounds.slice(0, -1).map((_, i) => i);
  return mapLimit(idx, 4, async (i) => {
    const trends = await call("recovery.v1.FollowUp/GetTrends", {
      from: bounds[i]!.toISOString(),
      to: bounds[i + 1]!.toISOString(),
      groupBy: "TREND_GROUP_BY_CATEGORY",
    });
    return { start: bounds[i]!, label: fmtDay(bounds[i]!, zone).slice(4), trends };
  });
}

// A page to a person = one tier round of one escalation that notified them (on every channel
// at once), at its first delivery.
async function loadPages(session: Session, from: Date, to: Date): Promise<Part<PagesResult>> {
  const missing = (["recovery.v1.Escalation/ListEscalations", "recovery.v1.Audit/GetTimeline", "recovery.v1.Escalation/GetDirectory"] as const).filter(
    (m) => !can(session, m),
  );
  if (missing.length) return { kind: "none", why: `Needs ${missing.map((m) => m.split("/")[1]).join(", ")}, which your role does not allow.` };
  const dir: Directory = await loadDirectory();
  const specs = new Map<string, JsonValue>();
  if (can(session, "recovery.v1.Configuration/ListResources")) {
    try {
      const r = await callConfig("escalation", "ListResources", { kind: "calendar", pageSize: 1000 });
      for (const c of r.resources ?? []) if (c.id && c.spec) specs.set(c.id, c.spec);
    } catch {
      // the directory's calendars (holidays, default hours) then
    }
  }
  const escalations: EscalationInfo[] = [];
  let token = "";
  for (let i = 0; i < 20; i++) {
    const r = await call("recovery.v1.Escalation/ListEscalations", { pageSize: 500, ...(token ? { pageToken: token } : {}) });
    escalations.push(...(r.escalations ?? []));
    token = r.nextPageToken ?? "";
    if (!token) break;
  }
  const inPeriod = escalations.filter((e) => Date.parse(e.updatedAt ?? e.startedAt ?? "") >= from.getTime() && Date.parse(e.startedAt ?? "") < to.getTime());
  const caseIds = [...new Set(inPeriod.map((e) => e.caseId ?? "").filter(Boolean))];
  const truncated = caseIds.length > MAX_CASES_FOR_PAGES;
  const chosen = caseIds.slice(-MAX_CASES_FOR_PAGES);
  const timelines = await mapLimit(chosen, 4, (caseId) => call("recovery.v1.Audit/GetTimeline", { caseId }).catch(() => null));

  const pageRound = new Map<string, string>(); // page id -> escalation/person/tier/round
  const firstDelivery = new Map<string, number>(); // round key -> ms
  const personOf = new Map<string, string>();
  for (const t of timelines) {
    const entries = t?.entries ?? [];
    const delivered: [string, number][] = [];
    for (const e of entries) {
      if (e.type !== "PageQueued" && e.type !== "PageDelivered") continue;
      let ev: Record<string, any>;
      try {
        ev = JSON.parse(e.eventJson ?? "{}");
      } catch {
        continue;
      }
      if (e.type === "PageQueued") {
        const b = ev.page_queued ?? {};
        const key = `${b.escalation_id}/${b.person_id}/${b.tier ?? 0}/${b.round ?? 0}`;
        pageRound.set(b.page_id, key);
        personOf.set(key, b.person_id);
      } else {
        delivered.push([ev.page_delivered?.page_id ?? "", Date.parse(e.occurredAt ?? "")]);
      }
    }
    for (const [pageId, at] of delivered) {
      const key = pageRound.get(pageId);
      if (!key || !Number.isFinite(at)) continue;
      const prev = firstDelivery.get(key);
      if (prev === undefined || at < prev) firstDelivery.set(key, at);
    }
  }
  const byPerson = new Map<string, PersonPages>();
  for (const [key, at] of firstDelivery) {
    if (at < from.getTime() || at >= to.getTime()) continue;
    const personId = personOf.get(key) ?? "";
    if (!personId) continue;
    let p = byPerson.get(personId);
    if (!p) {
      const h = personHours(dir, specs, personId);
      const name = dir.people?.find((x) => x.id === personId)?.name || personId;
      p = { personId, name, zone: h.zone, source: h.source, counts: { business: 0, evening: 0, night: 0, dayoff: 0 }, total: 0 };
      byPerson.set(personId, p);
    }
    const h = personHours(dir, specs, personId);
    p.counts[classify(new Date(at), h.zone, h.calendar)]++;
    p.total++;
  }
  const people = [...byPerson.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  return { kind: "ok", value: { people, escalations: inPeriod.length, cases: chosen.length, truncated } };
}

function CategoryChart({ weeks, zone }: { weeks: Week[]; zone: string }) {
  const totals = new Map<string, number>();
  for (const w of weeks) for (const g of w.trends.groups ?? []) totals.set(g.key ?? "(none)", (totals.get(g.key ?? "(none)") ?? 0) + (g.cases ?? 0));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = ranked.slice(0, MAX_CATEGORIES).map(([k]) => k);
  const rest = ranked.length > MAX_CATEGORIES;
  const series: ChartSeries[] = shown.map((cat) => ({
    label: cat,
    values: weeks.map((w) => (w.trends.groups ?? []).find((g) => g.key === cat)?.cases ?? 0),
  }));
  if (rest)
    series.push({
      label: "other",
      values: weeks.map((w) => sum((w.trends.groups ?? []).filter((g) => !shown.includes(g.key ?? "")).map((g) => g.cases ?? 0))),
    });
  const total = sum(ranked.map(([, n]) => n));
  const last = weeks[weeks.length - 1];
  const lastGroups = last?.trends.groups ?? [];
  const summary =
    total === 0
      ? `No cases were opened in these ${weeks.length} weeks.`
      : `${plural(total, "case")} opened in ${weeks.length} weeks: ${ranked.map(([k, n]) => `${k} ${n}`).join(", ")}. ` +
        `This week (from ${last ? fmtDay(last.start, zone) : "-"}): ${plural(cases(lastGroups), "case")}` +
        (lastGroups.length ? ` (${lastGroups.map((g) => `${g.key} ${g.cases ?? 0}`).join(", ")})` : "") +
        ".";
  return (
    <Chart
      id="categories"
      title="Cases by category and week"
      kind="stacked"
      xTitle={`Week starting (${zoneLabel(zone)})`}
      xLabels={weeks.map((w) => w.label)}
      series={series}
      yTitle="Cases opened"
      integer
      summary={summary}
    />
  );
}

function minutesFormat(v: number): string {
  if (v >= 120) return `${(v / 60).toFixed(v >= 600 ? 0 : 1)} h`;
  return `${Math.round(v)} min`;
}

function TimesChart({ weeks }: { weeks: Week[] }) {
  const ack = weeks.map((w) => ackMs(w.trends.groups ?? []));
  const res = weeks.map((w) => resolveMs(w.trends.groups ?? []));
  const all = weeks.flatMap((w) => w.trends.groups ?? []);
  const [ackAll, ackN] = ackMs(all);
  const [resAll, resN] = resolveMs(all);
  const lastAck = ack[ack.length - 1];
  const lastRes = res[res.length - 1];
  const part = (what: string, v: number | null, n: number) =>
    v === null ? `no case ${what}` : `${what} in ${fmtDuration(v)} on average over ${plural(n, "case")}`;
  const summary =
    `Over the period: ${part("acknowledged", ackAll, ackN)}; ${part("resolved", resAll, resN)}. ` +
    `This week: ${part("acknowledged", lastAck?.[0] ?? null, lastAck?.[1] ?? 0)}; ${part("resolved", lastRes?.[0] ?? null, lastRes?.[1] ?? 0)}.`;
  return (
    <Chart
      id="times"
      title="Time to acknowledge and to resolve"
      kind="lines"
      xTitle="Week opened"
      xLabels={weeks.map((w) => w.label)}
      series={[
        { label: "Mean time to acknowledge", values: ack.map(([v]) => (v === null ? null : v / 60000)) },
        { label: "Mean time to resolve", values: res.map(([v]) => (v === null ? null : v / 60000)), color: 3 },
      ]}
      yTitle="Time"
      yFormat={minutesFormat}
      summary={summary}
    />
  );
}

function BreachChart({ weeks }: { weeks: Week[] }) {
  const rates = weeks.map((w) => {
    const n = cases(w.trends.groups ?? []);
    return n > 0 ? (100 * breached(w.trends.groups ?? [])) / n : null;
  });
  const all = weeks.flatMap((w) => w.trends.groups ?? []);
  const n = cases(all);
  const b = breached(all);
  const lastGroups = weeks[weeks.length - 1]?.trends.groups ?? [];
  const ln = cases(lastGroups);
  const lb = breached(lastGroups);
  const summary =
    n === 0
      ? "No cases in the period, so no SLA breaches."
      : `${b} of ${plural(n, "case")} breached an SLA over the period (${pct((100 * b) / n)}). ` +
        (ln ? `This week: ${lb} of ${ln} (${pct((100 * lb) / ln)}).` : "No cases this week.");
  return (
    <Chart
      id="breaches"
      title="SLA breach rate"
      kind="bars"
      xTitle="Week opened"
      xLabels={weeks.map((w) => w.label)}
      series={[{ label: "Cases that breached an SLA", values: rates, color: 1 }]}
      yTitle="Cases breached"
      yFormat={pct}
      yMax={100}
      zeroIsData
      summary={summary}
    />
  );
}

function SatisfactionChart({ weeks }: { weeks: Week[] }) {
  const avg = weeks.map((w) => satisfaction(w.trends.groups ?? []));
  const [all, n] = satisfaction(weeks.flatMap((w) => w.trends.groups ?? []));
  const last = avg[avg.length - 1];
  const summary =
    all === null
      ? "No satisfaction scores were recorded for cases opened in the period."
      : `Average satisfaction ${all.toFixed(1)} of 5 from ${plural(n, "score")}. ` +
        (last && last[0] !== null ? `This week: ${last[0].toFixed(1)} from ${plural(last[1], "score")}.` : "No scores this week.");
  return (
    <Chart
      id="satisfaction"
      title="Satisfaction over time"
      kind="lines"
      xTitle="Week opened"
      xLabels={weeks.map((w) => w.label)}
      series={[{ label: "Average score (1-5)", values: avg.map(([v]) => v), color: 2 }]}
      yTitle="Score"
      yFormat={(v) => v.toFixed(1)}
      yMax={5}
      summary={summary}
    />
  );
}

function ThemesChart({ themes }: { themes: GetTrendsResponse }) {
  const groups = (themes.groups ?? []).filter((g) => g.key && g.key !== "(none)");
  const none = (themes.groups ?? []).find((g) => g.key === "(none)")?.cases ?? 0;
  const top = groups.slice(0, 10);
  const summary =
    groups.length === 0
      ? `No quality review named a theme for the ${plural(themes.totalCases ?? 0, "case")} opened in the period.`
      : `Themes of the quality reviews: ${groups.map((g) => `${g.key} ${g.cases ?? 0}`).join(", ")}` +
        (none ? `; ${plural(none, "case")} without a reviewed theme.` : ".");
  return (
    <Chart
      id="themes"
      title="Themes from quality reviews"
      kind="bars"
      xTitle="Theme"
      xLabels={top.map((g) => g.key ?? "")}
      series={[{ label: "Cases", values: top.map((g) => g.cases ?? 0), color: 4 }]}
      yTitle="Cases"
      integer
      summary={summary}
    />
  );
}

function PagesChart({ pages, at }: { pages: Part<PagesResult>; at: Date | null }) {
  if (pages.kind === "loading") return <Loading what="pages" />;
  if (pages.kind === "none")
    return (
      <section class="trend-chart">
        <h2>Pages in and out of hours</h2>
        <p class="muted-text">{pages.why}</p>
      </section>
    );
  if (pages.kind === "error")
    return (
      <section class="trend-chart">
        <h2>Pages in and out of hours</h2>
        <ErrorBox error={pages.error} title="Could not count the pages" />
      </section>
    );
  const { people, escalations, cases: n, truncated } = pages.value;
  const series: ChartSeries[] = BUCKETS.map((b, i) => ({
    label: BUCKET_LABELS[b],
    values: people.map((p) => p.counts[b]),
    color: [0, 3, 4, 5][i],
  }));
  const summary =
    people.length === 0
      ? `Nobody was paged in the period (${plural(escalations, "escalation")}).`
      : people
          .map(
            (p) =>
              `${p.name}: ${plural(p.total, "page")}, ${p.counts.business} in business hours, ${p.counts.evening} in the evening, ` +
              `${p.counts.night} at night, ${p.counts.dayoff} on days off (${zoneLabel(p.zone)}; hours: ${p.source})`,
          )
          .join(". ") +
        `. From ${plural(escalations, "escalation")} on ${plural(n, "case")}` +
        (truncated ? ` (the latest ${MAX_CASES_FOR_PAGES} cases only)` : "") +
        `; counted at ${at ? fmtClock(at) : "-"} (Refresh counts again).`;
  return (
    <Chart
      id="pages"
      title="Pages in and out of hours"
      kind="stacked"
      xTitle="Person"
      xLabels={people.map((p) => p.name.split(" ")[0] ?? p.personId)}
      series={series}
      yTitle="Pages"
      integer
      summary={summary}
    />
  );
}

export function TrendsScreen({ session }: { session: Session }) {
  useTitle("Trends");
  const zone = viewerZone();
  const [period, setPeriod] = useState(8);
  const [weeks, setWeeks] = useState<Part<Week[]>>({ kind: "loading" });
  const [themes, setThemes] = useState<Part<GetTrendsResponse>>({ kind: "loading" });
  const [pages, setPages] = useState<Part<PagesResult>>({ kind: "loading" });
  const [updated, setUpdated] = useState<Date | null>(null);
  const [pagesAt, setPagesAt] = useState<Date | null>(null);
  const seq = useRef(0);
  const allowed = can(session, "recovery.v1.FollowUp/GetTrends");

  // withPages: the pages too (a timeline per escalated case: on opening, Refresh and a new
  // period only, not on every live event).
  const refresh = async (withPages: boolean) => {
    const mine = ++seq.current;
    const bounds = weekStarts(zone, period);
    const from = bounds[0]!;
    const to = bounds[bounds.length - 1]!;
    if (!allowed) {
      const why = "Trends need follow-up's GetTrends, which your role does not allow.";
      setWeeks({ kind: "none", why });
      setThemes({ kind: "none", why });
    }
    const jobs: Promise<unknown>[] = [];
    if (allowed) {
      jobs.push(
        loadWeeks(bounds, zone)
          .then((w) => mine === seq.current && setWeeks({ kind: "ok", value: w }))
          .catch((error) => mine === seq.current && setWeeks({ kind: "error", error })),
        call("recovery.v1.FollowUp/GetTrends", { from: from.toISOString(), to: to.toISOString(), groupBy: "TREND_GROUP_BY_THEME" })
          .then((t) => mine === seq.current && setThemes({ kind: "ok", value: t }))
          .catch((error) => mine === seq.current && setThemes({ kind: "error", error })),
      );
    }
    if (withPages)
      jobs.push(
        loadPages(session, from, to)
          .then((p) => {
            if (mine !== seq.current) return;
            setPages(p);
            setPagesAt(new Date());
          })
          .catch((error) => mine === seq.current && setPages({ kind: "error", error })),
      );
    await Promise.all(jobs);
    if (mine === seq.current) setUpdated(new Date());
  };
  useEffect(() => {
    setWeeks({ kind: "loading" });
    setThemes({ kind: "loading" });
    setPages({ kind: "loading" });
    void refresh(true);
  }, [period]);
  // New cases, acknowledgements, breaches, scores and reviews: at most every 5 s.
  useLive((m) => m.kind === "event" && (m.event.source === "intake" || m.event.source === "follow-up"), () => refresh(false), 5000);

  const bounds = weekStarts(zone, period);
  return (
    <div class="trends">
      <h1>Trends</h1>
      <form class="trend-controls" onSubmit={(e) => e.preventDefault()} aria-label="Trends period">
        <div class="field">
          <label for="trend-period">Period</label>
          <select id="trend-period" value={String(period)} onChange={(e) => setPeriod(Number((e.target as HTMLSelectElement).value))}>
            {PERIODS.map((n) => (
              <option key={n} value={String(n)}>
                Last {n} weeks
              </option>
            ))}
          </select>
        </div>
        <p class="muted-text">
          Cases opened from{" "}
          <time dateTime={bounds[0]!.toISOString()} data-testid="trends-from">
            {fmtDay(bounds[0]!, zone)}
          </time>{" "}
          (weeks start on Monday, {zoneLabel(zone)}); a case counts in the week it was
          opened.
          {updated && (
            <span data-testid="trends-updated">
              {" "}
              Updated {fmtDateTime(updated)}.
            </span>
          )}
        </p>
        <button type="button" class="secondary" onClick={() => void refresh(true)}>
          Refresh
        </button>
      </form>
      {weeks.kind === "none" && <p class="muted-text">{weeks.why}</p>}
      {weeks.kind === "error" && <ErrorBox error={weeks.error} title="Could not load the trends" />}
      {weeks.kind === "loading" && <Loading what="trends" />}
      <div class="trend-grid">
        {weeks.kind === "ok" && (
          <>
            <CategoryChart weeks={weeks.value} zone={zone} />
            <TimesChart weeks={weeks.value} />
            <BreachChart weeks={weeks.value} />
            <SatisfactionChart weeks={weeks.value} />
          </>
        )}
        {themes.kind === "ok" && <ThemesChart themes={themes.value} />}
        {themes.kind === "error" && <ErrorBox error={themes.error} title="Could not load the themes" />}
        <PagesChart pages={pages} at={pagesAt} />
      </div>
      {themes.kind === "ok" && (themes.value.repeatOffenders ?? []).length > 0 && (
        <p data-testid="repeat-offenders">
          <span class="label">Clients with two or more cases in the period: </span>
          {(themes.value.repeatOffenders ?? []).join(", ")}
        </p>
      )}
    </div>
  );
}
