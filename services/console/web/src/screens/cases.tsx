// Cases: ListCases with the filters the request offers (statuses, severities, client, owner,
// opened between), paged with "Load more".
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api";
import { personName, useDirectory } from "../directory";
import { useLive, useTitle } from "../hooks";
import { caseStatusLabel, emotionLabel, severityLabel } from "../labels";
import { Link } from "../router";
import type { Session } from "../session";
import { CASE_STATUSES, SEVERITIES } from "../types";
import type { Case, CaseStatus, ListCasesRequest, Severity } from "../types";
import { viewerZone, zoneLabel } from "../time";
import { Empty, ErrorBox, Loading, SeverityBadge, Time } from "../ui/common";

interface Filters {
  statuses: CaseStatus[];
  severities: Severity[];
  clientId: string;
  owner: string;
  openedFrom: string; // yyyy-mm-dd, the viewer's day
  openedTo: string;
}

const ACTIVE: CaseStatus[] = ["CASE_STATUS_OPEN", "CASE_STATUS_ACKNOWLEDGED", "CASE_STATUS_PLANNED", "CASE_STATUS_REOPENED"];
const EMPTY: Filters = { statuses: ACTIVE, severities: [], clientId: "", owner: "", openedFrom: "", openedTo: "" };

function toRequest(f: Filters, pageToken: string): ListCasesRequest {
  const r: ListCasesRequest = { pageSize: 100 };
  if (f.statuses.length) r.statuses = f.statuses;
  if (f.severities.length) r.severities = f.severities;
  if (f.clientId.trim()) r.clientId = f.clientId.trim();
  if (f.owner.trim()) r.owner = f.owner.trim();
  // Days are the viewer's: from the start of "from" to the end of "to".
  if (f.openedFrom) r.openedFrom = new Date(`${f.openedFrom}T00:00`).toISOString();
  if (f.openedTo) {
    const end = new Date(`${f.openedTo}T00:00`);
    end.setDate(end.getDate() + 1);
    r.openedTo = end.toISOString();
  }
  if (pageToken) r.pageToken = pageToken;
  return r;
}

function toggle<T>(list: T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

export function CaseTable({ cases }: { cases: Case[] }) {
  const dir = useDirectory();
  return (
    <table class="cases" data-testid="cases-table">
      <caption class="visually-hidden">Cases</caption>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Summary</th>
          <th scope="col">Client</th>
          <th scope="col">Status</th>
          <th scope="col">Owner</th>
          <th scope="col">Mood</th>
          <th scope="col">Opened</th>
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => (
          <tr key={c.id} data-testid={`case-${c.id}`}>
            <td data-label="Severity">
              <SeverityBadge severity={c.severity} />
            </td>
            <td data-label="Summary">
              <Link href={`/cases/${encodeURIComponent(c.id ?? "")}`}>{c.summary || c.id}</Link>
              {c.category && <span class="muted"> · {c.category}</span>}
            </td>
            <td data-label="Client">{c.client?.name || c.client?.id || "-"}</td>
            <td data-label="Status">{caseStatusLabel(c.status)}</td>
            <td data-label="Owner">{c.owner ? personName(dir, c.owner) : <span class="muted">nobody</span>}</td>
            <td data-label="Mood">{emotionLabel(c.emotionalState)}</td>
            <td data-label="Opened">
              <Time at={c.openedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CasesScreen({ session: _session }: { session: Session }) {
  useTitle("Cases");
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cases, setCases] = useState<Case[] | null>(null);
  const [next, setNext] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const seq = useRef(0);

  const load = async (f: Filters) => {
    const mine = ++seq.current;
    try {
      const r = await call("recovery.v1.Intake/ListCases", toRequest(f, ""));
      if (mine !== seq.current) return;
      setCases(r.cases ?? []);
      setNext(r.nextPageToken ?? "");
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  };
  const more = async () => {
    setLoadingMore(true);
    try {
      const r = await call("recovery.v1.Intake/ListCases", toRequest(filters, next));
      setCases((cs) => [...(cs ?? []), ...(r.cases ?? [])]);
      setNext(r.nextPageToken ?? "");
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  };
  useEffect(() => {
    void load(filters);
  }, [filters]);
  // New or changed cases show up (only the first page is refetched; a longer list stays as it is).
  useLive(
    (m) => m.kind === "resync" || (m.kind === "event" && m.event.source === "intake" && !next),
    () => load(filters),
    1000,
  );

  const apply = (e: Event) => {
    e.preventDefault();
    setCases(null);
    setFilters(draft);
  };
  const set = (patch: Partial<Filters>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <div class="cases-screen">
      <h1>Cases</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter cases">
        <fieldset>
          <legend>Status</legend>
          {CASE_STATUSES.map((s) => (
            <label key={s} class="check">
              <input type="checkbox" checked={draft.statuses.includes(s)} onChange={() => set({ statuses: toggle(draft.statuses, s) })} />
              {caseStatusLabel(s)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Severity</legend>
          {SEVERITIES.map((s) => (
            <label key={s} class="check">
              <input type="checkbox" checked={draft.severities.includes(s)} onChange={() => set({ severities: toggle(draft.severities, s) })} />
              {severityLabel(s)}
            </label>
          ))}
        </fieldset>
        <div class="fields">
          <div class="field">
            <label for="f-client">Client id</label>
            <input id="f-client" type="text" value={draft.clientId} onInput={(e) => set({ clientId: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <label for="f-owner">Owner (person id)</label>
            <input id="f-owner" type="text" value={draft.owner} onInput={(e) => set({ owner: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <label for="f-from">Opened from ({zoneLabel(viewerZone())})</label>
            <input id="f-from" type="date" value={draft.openedFrom} onInput={(e) => set({ openedFrom: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <label for="f-to">Opened to, inclusive ({zoneLabel(viewerZone())})</label>
            <input id="f-to" type="date" value={draft.openedTo} onInput={(e) => set({ openedTo: (e.target as HTMLInputElement).value })} />
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="primary">
            Show cases
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft({ ...EMPTY, statuses: [] });
              setCases(null);
              setFilters({ ...EMPTY, statuses: [] });
            }}
          >
            All cases
          </button>
        </div>
      </form>
      <ErrorBox error={error} title="Could not load cases" />
      {!cases && !error && <Loading what="cases" />}
      {cases && cases.length === 0 && <Empty>No case matches these filters.</Empty>}
      {cases && cases.length > 0 && (
        <>
          <p class="muted-text" role="status">
            {cases.length} case{cases.length === 1 ? "" : "s"}
            {next ? " so far" : ""}, oldest first
          </p>
          <CaseTable cases={cases} />
        </>
      )}
      {next && (
        <button type="button" class="secondary" onClick={more} disabled={loadingMore}>
          {loadingMore ? "Loading…" : "Load more"}
        </button>
      )}
    </div>
  );
}
