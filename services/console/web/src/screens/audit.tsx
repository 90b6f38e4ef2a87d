// Audit: the chain verified (VerifyChain) with its size (GetStats), an export of recorded
// events as a JSON-lines file made in the browser, and configuration changes by resource
// (ListConfigChanges, as `srctl audit config --kind K --id ID`).
//
// The export: audit's ExportEvents streams, and the console's JSON API carries unary calls
// only, so the file is built from the timelines (GetTimeline) of the keys this person may
// list: one case, or every case (ListCases), each service's configuration ("config:<service>")
// and each schedule's and person's events (GetDirectory). Lines are {"seq", "case_seq",
// "event"} in chain order, as ExportEvents writes them but without "record_hash", which no
// unary call returns.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, CONFIG_BACKENDS, call, mapLimit } from "../api";
import { personName, useDirectory } from "../directory";
import { useTitle } from "../hooks";
import { enumLabel } from "../labels";
import { useLocation } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import type { GetStatsResponse, JsonValue, TimelineEntry, VerifyChainResponse } from "../types";
import { fmtDateTime } from "../time";
import { Chart } from "../ui/chart";
import { Empty, ErrorBox, Loading, Time } from "../ui/common";
import { Diff } from "../ui/diff";
import { kindLabel } from "./settings";

type Part<T> = { kind: "loading" } | { kind: "ok"; value: T } | { kind: "error"; error: unknown };

function ChainSection({ session }: { session: Session }) {
  const [chain, setChain] = useState<Part<VerifyChainResponse>>({ kind: "loading" });
  const [stats, setStats] = useState<Part<GetStatsResponse> | null>(null);
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);
  const verify = async () => {
    setChain({ kind: "loading" });
    try {
      const [v, s] = await Promise.all([
        call("recovery.v1.Audit/VerifyChain", {}),
        can(session, "recovery.v1.Audit/GetStats") ? call("recovery.v1.Audit/GetStats", {}).catch(() => null) : Promise.resolve(null),
      ]);
      setChain({ kind: "ok", value: v });
      if (s) setStats({ kind: "ok", value: s });
      setCheckedAt(new Date());
    } catch (error) {
      setChain({ kind: "error", error });
    }
  };
  useEffect(() => {
    void verify();
  }, []);

  const bySource = stats?.kind === "ok" ? Object.entries(stats.value.eventsBySource ?? {}).sort((a, b) => Number(b[1]) - Number(a[1])) : [];
  return (
    <section aria-labelledby="chain-h" class="audit-section">
      <h2 id="chain-h">The chain</h2>
      <p class="muted-text">
        Every event of every service is recorded in one hash chain; verifying recomputes it from the first record to the last.
      </p>
      {chain.kind === "loading" && <p role="status">Verifying the chain…</p>}
      {chain.kind === "error" && <ErrorBox error={chain.error} title="Could not verify the chain" />}
      {chain.kind === "ok" &&
        (chain.value.ok ? (
          <p class="chain chain-ok" role="status" data-testid="audit-chain">
            <span aria-hidden="true">✓ </span>Chain intact: {chain.value.recordsChecked ?? "0"} records checked
            {chain.value.headHash && (
              <>
                , head <span class="mono" title={chain.value.headHash}>{chain.value.headHash.slice(0, 16)}…</span>
              </>
            )}
            {checkedAt && <span class="muted"> (at {fmtDateTime(checkedAt)})</span>}
          </p>
        ) : (
          <div class="error" role="alert" data-testid="audit-chain">
            <strong>Chain broken</strong> at record {chain.value.firstBreak?.seq ?? "?"} ({enumLabel(chain.value.firstBreak?.check, "CHAIN_CHECK_")}
            ): {chain.value.firstBreak?.detail || "no detail"}
            {chain.value.firstBreak?.eventId && (
              <>
                {" "}
                · event <span class="mono">{chain.value.firstBreak.eventId}</span>
              </>
            )}
            . {chain.value.recordsChecked ?? "0"} records checked.
          </div>
        ))}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void verify()} disabled={chain.kind === "loading"}>
          Verify again
        </button>
      </div>
      {stats?.kind === "ok" && (
        <>
          <dl class="facts" data-testid="audit-stats">
            <div>
              <dt>Events recorded</dt>
              <dd>{stats.value.eventsTotal ?? "0"}</dd>
            </div>
            <div>
              <dt>Cases</dt>
              <dd>{stats.value.cases ?? "0"}</dd>
            </div>
            <div>
              <dt>Last record</dt>
              <dd>{stats.value.lastSeq ?? "0"}</dd>
            </div>
          </dl>
          <Chart
            id="sources"
            title="Events by service"
            kind="bars"
            xTitle="Service"
            xLabels={bySource.map(([k]) => k)}
            series={[{ label: "Events", values: bySource.map(([, v]) => Number(v)) }]}
            yTitle="Events"
            integer
            summary={
              bySource.length
                ? `${stats.value.eventsTotal ?? 0} events: ${bySource.map(([k, v]) => `${k} ${v}`).join(", ")}.`
                : "No events recorded yet."
            }
            height={180}
          />
        </>
      )}
    </section>
  );
}

interface ExportFile {
  url: string;
  name: string;
  lines: number;
  bytes: number;
  keys: number;
  total: string; // GetStats' events_total, "" when unknown
  filtered: boolean;
}

function dayStart(v: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const d = new Date(`${v}T00:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}

async function exportKeys(session: Session, caseId: string, to: Date | null): Promise<string[]> {
  if (caseId) return [caseId];
  const keys = CONFIG_BACKENDS.map((b) => `config:${b}`);
  if (can(session, "recovery.v1.Intake/ListCases")) {
    let token = "";
    for (let i = 0; i < 100; i++) {
      // A case's events come after it was opened: cases opened before the end of the period.
      const r = await call("recovery.v1.Intake/ListCases", { pageSize: 500, ...(to ? { openedTo: to.toISOString() } : {}), ...(token ? { pageToken: token } : {}) });
      for (const c of r.cases ?? []) if (c.id) keys.push(c.id);
      token = r.nextPageToken ?? "";
      if (!token) break;
    }
  }
  if (can(session, "recovery.v1.Escalation/GetDirectory")) {
    const d = await call("recovery.v1.Escalation/GetDirectory", {});
    for (const s of d.schedules ?? []) if (s.id) keys.push(`schedule:${s.id}`);
    for (const p of d.people ?? []) if (p.id) keys.push(`person:${p.id}`);
  }
  return keys;
}

function ExportSection({ session }: { session: Session }) {
  const [caseId, setCaseId] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [busy, setBusy] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [file, setFile] = useState<ExportFile | null>(null);
  const urlRef = useRef("");
  useEffect(
    () => () => {
      if (urlRef.current) URL.revokeObjectURL(urlRef.current);
    },
    [],
  );
  const canList = can(session, "recovery.v1.Intake/ListCases");

  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const f = from ? dayStart(from) : null;
    let t = to ? dayStart(to) : null;
    if ((from && !f) || (to && !t)) {
      setError(new Error("from and to: give dates"));
      return;
    }
    if (t) t = new Date(t.getTime() + 86400000); // to the end of that day
    if (f && t && t <= f) {
      setError(new Error("to: must not be before from"));
      return;
    }
    setBusy("Finding what to export…");
    try {
      const keys = await exportKeys(session, caseId.trim(), t);
      let done = 0;
      setBusy(`Reading ${keys.length} timelines…`);
      const timelines = await mapLimit(keys, 4, async (key) => {
        try {
          return (await call("recovery.v1.Audit/GetTimeline", { caseId: key })).entries ?? [];
        } catch (err) {
          // Nothing recorded under that key (yet): nothing to export from it.
          if (err instanceof ApiError && err.code === "not_found" && !caseId.trim()) return [];
          throw err;
        } finally {
          done++;
          if (done % 20 === 0) setBusy(`Reading timelines: ${done} of ${keys.length}…`);
        }
      });
      const bySeq = new Map<number, TimelineEntry>();
      for (const list of timelines)
        for (const en of list) {
          const at = Date.parse(en.occurredAt ?? "");
          if (f && at < f.getTime()) continue;
          if (t && at >= t.getTime()) continue;
          bySeq.set(Number(en.seq ?? 0), en);
        }
      const lines = [...bySeq.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([seq, en]) => {
          let event: unknown = null;
          try {
            event = JSON.parse(en.eventJson ?? "null");
          } catch {
            event = null;
          }
          return JSON.stringify({ seq, case_seq: Number(en.caseSeq ?? 0), event });
        });
      const text = lines.length ? `${lines.join("\n")}\n` : "";
      const blob = new Blob([text], { type: "application/x-ndjson" });
      if (urlRef.current) URL.revokeObjectURL(urlRef.current);
      const url = URL.createObjectURL(blob);
      urlRef.current = url;
      let total = "";
      if (can(session, "recovery.v1.Audit/GetStats")) total = (await call("recovery.v1.Audit/GetStats", {}).catch(() => ({}) as GetStatsResponse)).eventsTotal ?? "";
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
      const name = `audit-events-${stamp}${caseId.trim() ? `-${caseId.trim().replace(/[^\w.-]+/g, "_")}` : ""}.jsonl`;
      setFile({ url, name, lines: lines.length, bytes: blob.size, keys: keys.length, total, filtered: !!(f || t || caseId.trim()) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy("");
    }
  };

  return (
    <section aria-labelledby="export-h" class="audit-section">
      <h2 id="export-h">Export</h2>
      <p class="muted-text">
        Recorded events as JSON lines (one event a line, in chain order), made here in the browser from the timelines you may read
        {canList ? "" : ": without access to the case list, give a case id"}. The complete export with each record's hash is{" "}
        <span class="mono">srctl audit export</span>.
      </p>
      <form class="card export-form" onSubmit={run} aria-label="Export events">
        <div class="fields">
          <div class="field">
            <label for="export-case">Case id (optional{canList ? ": every case when empty" : ""})</label>
            <input id="export-case" type="text" value={caseId} onInput={(e) => setCaseId((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="export-from">Occurred from (your day)</label>
            <input id="export-from" type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="export-to">Occurred to (your day, included)</label>
            <input id="export-to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy !== ""}>
            Prepare export
          </button>
        </div>
        <p class="muted-text" role="status">
          {busy}
        </p>
      </form>
      <ErrorBox error={error} title="Export failed" />
      {file && (
        <p class="ok" data-testid="export-ready">
          <a href={file.url} download={file.name} data-testid="export-download">
            Download {file.name}
          </a>{" "}
          ({file.lines} event{file.lines === 1 ? "" : "s"}, {Math.max(1, Math.round(file.bytes / 1024))} kB, from {file.keys} timeline
          {file.keys === 1 ? "" : "s"}
          {!file.filtered && file.total ? `; ${file.total} events are recorded in all` : ""}).
        </p>
      )}
    </section>
  );
}

interface ConfigChangeBody {
  service?: string;
  kind?: string;
  id?: string;
  version?: string | number;
  type?: string;
  before?: JsonValue;
  after?: JsonValue;
  reason?: string;
  origin?: string;
}

function changeBody(e: TimelineEntry): ConfigChangeBody {
  try {
    return (JSON.parse(e.eventJson ?? "{}").config_changed ?? {}) as ConfigChangeBody;
  } catch {
    return {};
  }
}

function ConfigChanges() {
  const dir = useDirectory();
  const { search } = useLocation();
  const [service, setService] = useState(search.get("service") ?? "");
  const [kind, setKind] = useState(search.get("kind") ?? "");
  const [id, setId] = useState(search.get("id") ?? "");
  const [limit, setLimit] = useState(20);
  const [entries, setEntries] = useState<Part<TimelineEntry[]>>({ kind: "loading" });
  const [asked, setAsked] = useState("");
  const seq = useRef(0);

  const load = async () => {
    const mine = ++seq.current;
    setEntries({ kind: "loading" });
    const req = { ...(service ? { service } : {}), ...(kind.trim() ? { kind: kind.trim() } : {}), ...(kind.trim() && id.trim() ? { id: id.trim() } : {}), limit };
    try {
      const r = await call("recovery.v1.Audit/ListConfigChanges", req);
      if (mine !== seq.current) return;
      setEntries({ kind: "ok", value: r.entries ?? [] });
      setAsked(
        [service || "every service", kind.trim() ? kindLabel(kind.trim()).toLowerCase() : "every kind", kind.trim() && id.trim() ? `"${id.trim()}"` : ""]
          .filter(Boolean)
          .join(", "),
      );
    } catch (error) {
      if (mine === seq.current) setEntries({ kind: "error", error });
    }
  };
  useEffect(() => {
    void load();
  }, []);

  return (
    <section aria-labelledby="config-changes-h" class="audit-section" id="config-changes">
      <h2 id="config-changes-h">Configuration changes</h2>
      <form
        class="filters"
        aria-label="Filter configuration changes"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <div class="fields">
          <div class="field">
            <label for="cc-service">Service</label>
            <select id="cc-service" value={service} onChange={(e) => setService((e.target as HTMLSelectElement).value)}>
              <option value="">Every service</option>
              {CONFIG_BACKENDS.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="cc-kind">Kind (e.g. person, schedule, policy)</label>
            <input id="cc-kind" type="text" value={kind} onInput={(e) => setKind((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="cc-id">Resource id (needs a kind)</label>
            <input id="cc-id" type="text" value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="cc-limit">At most</label>
            <select id="cc-limit" value={String(limit)} onChange={(e) => setLimit(Number((e.target as HTMLSelectElement).value))}>
              {[20, 100, 500, 1000].map((n) => (
                <option key={n} value={String(n)}>
                  {n} changes
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="primary">
            Show changes
          </button>
        </div>
      </form>
      {entries.kind === "loading" && <Loading what="configuration changes" />}
      {entries.kind === "error" && <ErrorBox error={entries.error} title="Could not list the changes" />}
      {entries.kind === "ok" && (
        <>
          <p class="muted-text" role="status">
            {entries.value.length} change{entries.value.length === 1 ? "" : "s"} of {asked}, newest first.
          </p>
          {entries.value.length === 0 ? (
            <Empty>No configuration change is recorded for that.</Empty>
          ) : (
            <ol class="plain entries" data-testid="config-changes">
              {entries.value.map((e) => {
                const b = changeBody(e);
                const name = personName(dir, e.actor);
                return (
                  <li key={e.seq} class="entry config-change" data-testid="config-change">
                    <div class="entry-meta">
                      <Time at={e.occurredAt} /> · <span data-testid="config-change-actor">{name}{name !== e.actor ? ` (${e.actor})` : ""}</span> · record {e.seq}
                    </div>
                    <p>
                      <span class="badge">{enumLabel(b.type, "CONFIG_CHANGE_TYPE_")}</span> {e.summary}
                    </p>
                    <details>
                      <summary>
                        Differences<span class="visually-hidden">: {b.service} {b.kind} {b.id}, version {String(b.version ?? "")}</span>
                      </summary>
                      <Diff before={b.before ?? undefined} after={b.after ?? undefined} format="yaml" />
                    </details>
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

export function AuditScreen({ session }: { session: Session }) {
  useTitle("Audit");
  useEffect(() => {
    if (location.hash === "#config-changes") document.getElementById("config-changes")?.scrollIntoView();
  }, []);
  if (!can(session, "recovery.v1.Audit/VerifyChain"))
    return (
      <section>
        <h1>Audit</h1>
        <p>Your role may not read the audit chain.</p>
      </section>
    );
  return (
    <div class="audit">
      <h1>Audit</h1>
      <ChainSection session={session} />
      {can(session, "recovery.v1.Audit/GetTimeline") && <ExportSection session={session} />}
      {can(session, "recovery.v1.Audit/ListConfigChanges") && <ConfigChanges />}
    </div>
  );
}
