// Settings: every service's configuration resource by resource (recovery.v1.Configuration on
// each backend: ListKinds, ListResources, GetResource, UpdateResource). A resource's spec is
// edited as YAML or JSON; "Check changes" asks the service for a dry run (validate_only) and
// shows its differences, safety warnings and who would be on call differently; only then
// does Save send the change with the etag it was based on (a stale one is refused, ABORTED).
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, CONFIG_BACKENDS, callConfig } from "../api";
import type { ConfigBackend } from "../api";
import { personName, useDirectory } from "../directory";
import { useTitle } from "../hooks";
import { Link, navigate, useLocation } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import type { ChangeResult, ConfigResource, JsonValue, ResourceKind } from "../types";
import { Diff, parseSpec, specText } from "../ui/diff";
import type { SpecFormat } from "../ui/diff";
import { Empty, ErrorBox, Loading, Time } from "../ui/common";

// Words for the kinds; the services name them (ListKinds), unknown ones show as they are.
const KIND_LABELS: Record<string, string> = {
  person: "People",
  schedule: "Schedules",
  policy: "Escalation policies",
  calendar: "Calendars",
  team: "Teams",
  routing_rule: "Routing rules",
  playbook: "Playbooks",
  wording_rule: "Wording rules",
  role_owner: "Role owners",
  sla_policy: "SLA policies",
  manager: "Managers",
  category: "Categories",
  signal_rule: "Signal rules",
  settings: "Settings",
};
export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind.replace(/_/g, " ");

interface ServiceKinds {
  backend: ConfigBackend;
  kinds: ResourceKind[];
  error: unknown;
}

// "escalation:person"
const kindKey = (backend: string, kind: string) => `${backend}:${kind}`;
function splitKey(key: string): { backend: ConfigBackend; kind: string } | null {
  const i = key.indexOf(":");
  const backend = key.slice(0, i) as ConfigBackend;
  if (i < 0 || !CONFIG_BACKENDS.includes(backend)) return null;
  return { backend, kind: key.slice(i + 1) };
}

function settingsHref(key: string, id?: string): string {
  const q = new URLSearchParams({ kind: key });
  if (id) q.set("id", id);
  return `/settings?${q.toString()}`;
}

function specName(spec: JsonValue | undefined): string {
  if (spec && typeof spec === "object" && !Array.isArray(spec)) {
    const n = spec.name;
    if (typeof n === "string") return n;
  }
  return "";
}

function ResourceList({ keyStr, resources, selected }: { keyStr: string; resources: ConfigResource[]; selected: string }) {
  const dir = useDirectory();
  if (resources.length === 0) return <Empty>None configured.</Empty>;
  return (
    <ul class="plain resource-list" data-testid="resource-list">
      {resources.map((r) => {
        const name = specName(r.spec);
        return (
          <li key={r.id} class={r.id === selected ? "resource current" : "resource"}>
            <Link href={settingsHref(keyStr, r.id)} aria-current={r.id === selected ? "page" : undefined} data-testid={`resource-${r.id}`}>
              <span class="mono">{r.id}</span>
              {name && <span class="resource-name"> {name}</span>}
            </Link>
            <span class="entry-meta">
              {" "}
              v{r.version ?? "1"} · {personName(dir, r.updatedBy)} · <Time at={r.updateTime} />
            </span>
          </li>
        );
      })}
    </ul>
  );
}

interface Checked {
  text: string;
  format: SpecFormat;
  result: ChangeResult;
}

function DryRun({ checked, format }: { checked: Checked; format: SpecFormat }) {
  const dir = useDirectory();
  const r = checked.result;
  const warnings = r.warnings ?? [];
  const shifts = r.shiftDifferences ?? [];
  const names = (ids: string[] | undefined) => ((ids ?? []).length ? (ids ?? []).map((id) => personName(dir, id)).join(", ") : "nobody");
  return (
    <section class="dry-run card" aria-labelledby="dry-run-h" data-testid="dry-run">
      <h3 id="dry-run-h">Dry run: what saving would change</h3>
      <p class="muted-text">
        Version {r.change?.version ?? "-"} · checked by the service, nothing saved yet.
      </p>
      <Diff before={r.change?.before} after={r.change?.after} format={format} testid="dry-run-diff" />
      <h4>Safety warnings (the configuration as it would be)</h4>
      {warnings.length === 0 ? (
        <p class="ok-text" data-testid="dry-run-warnings">
          None.
        </p>
      ) : (
        <ul class="warnings" data-testid="dry-run-warnings">
          {warnings.map((w, k) => (
            <li key={k} class="warn-item">
              <span class="badge warn-badge">{w.code}</span> <span class="mono">{w.path}</span>: {w.message}
            </li>
          ))}
        </ul>
      )}
      {shifts.length > 0 && (
        <>
          <h4>On call differently (next 14 days)</h4>
          <ul class="plain entries" data-testid="dry-run-shifts">
            {shifts.map((s, k) => (
              <li key={k} class="entry">
                <span class="mono">{s.scheduleId}</span>: <Time at={s.start} /> to <Time at={s.end} />: {names(s.before)} → {names(s.after)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Editor({ session, backend, kind, id, onSaved }: { session: Session; backend: ConfigBackend; kind: string; id: string; onSaved: () => void }) {
  const dir = useDirectory();
  const [resource, setResource] = useState<ConfigResource | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [format, setFormat] = useState<SpecFormat>("yaml");
  const [text, setText] = useState("");
  const [reason, setReason] = useState("");
  const [checked, setChecked] = useState<Checked | null>(null);
  const [busy, setBusy] = useState<"" | "check" | "save">("");
  const [error, setError] = useState<unknown>(null);
  const [errorTitle, setErrorTitle] = useState("");
  const [stale, setStale] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState("");
  const canWrite = can(session, "recovery.v1.Configuration/UpdateResource");
  const seq = useRef(0);

  const load = async (keepMessage = false) => {
    const mine = ++seq.current;
    try {
      const r = await callConfig(backend, "GetResource", { kind, id });
      if (mine !== seq.current) return;
      setResource(r);
      setText(specText(r.spec, format));
      setChecked(null);
      setError(null);
      setStale(null);
      setLoadError(null);
      if (!keepMessage) setSaved("");
    } catch (e) {
      if (mine === seq.current) setLoadError(e);
    }
  };
  useEffect(() => {
    setResource(null);
    setSaved("");
    setReason("");
    void load();
  }, [backend, kind, id]);

  const switchFormat = (f: SpecFormat) => {
    if (f === format) return;
    // The text as it is now, in the other format (when it parses; else the resource's spec).
    let spec: JsonValue | undefined = resource?.spec;
    try {
      spec = parseSpec(text, format);
    } catch {
      // keep the resource's
    }
    setFormat(f);
    setText(specText(spec, f));
    setChecked(null);
  };

  const request = (validateOnly: boolean) => {
    const spec = parseSpec(text, format);
    return {
      resource: { kind, id, spec, ...(resource?.etag ? { etag: resource.etag } : {}) },
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      validateOnly,
    };
  };

  const fail = (e: unknown, title: string) => {
    if (e instanceof ApiError && e.code === "aborted") setStale(e);
    else {
      setError(e);
      setErrorTitle(title);
    }
  };

  const check = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setStale(null);
    setSaved("");
    setChecked(null);
    setBusy("check");
    try {
      const req = request(true);
      const result = await callConfig(backend, "UpdateResource", req);
      setChecked({ text, format, result });
    } catch (err) {
      fail(err, "The dry run refused this change");
    } finally {
      setBusy("");
    }
  };

  const save = async () => {
    setError(null);
    setStale(null);
    setBusy("save");
    try {
      const result = await callConfig(backend, "UpdateResource", request(false));
      setSaved(`Saved: ${kind} ${id} is at version ${result.resource?.version ?? "?"}.`);
      setReason("");
      await load(true);
      onSaved();
    } catch (err) {
      fail(err, "Not saved");
    } finally {
      setBusy("");
    }
  };

  if (loadError) return <ErrorBox error={loadError} title={`Could not read ${kind} ${id}`} />;
  if (!resource) return <Loading what={`${kind} ${id}`} />;
  const edited = text !== specText(resource.spec, format);
  const upToDate = checked && checked.text === text && checked.format === format;
  const noChange = upToDate && checked.result.change?.before !== undefined && specText(checked.result.change?.before, "json") === specText(checked.result.change?.after, "json");
  const fieldId = "spec-text";
  return (
    <section class="editor-panel" aria-labelledby="resource-h" data-testid="resource-editor">
      <h2 id="resource-h">
        {kindLabel(kind)}: <span class="mono">{id}</span>
      </h2>
      <dl class="facts">
        <div>
          <dt>Version</dt>
          <dd data-testid="resource-version">{resource.version ?? "1"}</dd>
        </div>
        <div>
          <dt>Changed by</dt>
          <dd>{personName(dir, resource.updatedBy)}</dd>
        </div>
        <div>
          <dt>When</dt>
          <dd>
            <Time at={resource.updateTime} />
          </dd>
        </div>
        <div>
          <dt>How</dt>
          <dd>{resource.origin || "-"}</dd>
        </div>
        {resource.reason && (
          <div class="wide">
            <dt>Reason</dt>
            <dd>{resource.reason}</dd>
          </div>
        )}
      </dl>
      {can(session, "recovery.v1.Audit/ListConfigChanges") && (
        <p>
          <Link href={`/audit?${new URLSearchParams({ service: backend, kind, id }).toString()}#config-changes`}>Changes of this resource in Audit</Link>
        </p>
      )}
      <form onSubmit={check} aria-label={`Edit ${kind} ${id}`}>
        <fieldset class="format">
          <legend>Format</legend>
          {(["yaml", "json"] as SpecFormat[]).map((f) => (
            <label key={f} class="check">
              <input type="radio" name="spec-format" value={f} checked={format === f} onChange={() => switchFormat(f)} />
              {f.toUpperCase()}
            </label>
          ))}
        </fieldset>
        <label for={fieldId}>Spec ({format.toUpperCase()}){canWrite ? "" : ", read only"}</label>
        <textarea
          id={fieldId}
          class="spec-text mono"
          spellcheck={false}
          rows={Math.min(28, Math.max(8, text.split("\n").length + 1))}
          value={text}
          readOnly={!canWrite}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value);
            setSaved("");
          }}
        />
        {canWrite ? (
          <>
            <div class="field">
              <label for="change-reason">Reason for the change (optional, recorded in the audit chain)</label>
              <input id="change-reason" type="text" maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            </div>
            <div class="actions">
              <button type="submit" class="secondary" disabled={busy !== ""}>
                Check changes
              </button>
              <button type="button" class="primary" disabled={busy !== "" || !upToDate || !!noChange} onClick={() => void save()}>
                Save
              </button>
              {edited && (
                <button type="button" class="secondary" disabled={busy !== ""} onClick={() => void load()}>
                  Discard my changes
                </button>
              )}
            </div>
            <p class="muted-text" aria-live="polite">
              {busy === "check"
                ? "Checking with the service…"
                : busy === "save"
                  ? "Saving…"
                  : upToDate
                    ? noChange
                      ? "The dry run found nothing to change."
                      : "Checked: Save sends this change, based on the version you opened."
                    : "Save is offered once the service has checked this text (Check changes)."}
            </p>
          </>
        ) : (
          <p class="muted-text" data-testid="settings-read-only">
            You may read the configuration; changing it needs a role with Configuration writes.
          </p>
        )}
      </form>
      <p class="ok" role="status" data-testid="settings-saved">
        {saved}
      </p>
      {stale && (
        <div class="error" role="alert" data-testid="stale-etag">
          <strong>
            Refused: {kind} {id} was changed by someone else since you opened it (version {resource.version ?? "1"}).
          </strong>{" "}
          {stale.message}. Your text is still here; load the latest version to see their change, then make yours again.
          <div class="actions">
            <button type="button" class="secondary" onClick={() => void load()}>
              Load the latest version
            </button>
          </div>
        </div>
      )}
      <ErrorBox error={error} title={errorTitle} />
      {upToDate && <DryRun checked={checked} format={format} />}
    </section>
  );
}

export function SettingsScreen({ session }: { session: Session }) {
  useTitle("Settings");
  const { search } = useLocation();
  const [services, setServices] = useState<ServiceKinds[] | null>(null);
  const [resources, setResources] = useState<ConfigResource[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const listSeq = useRef(0);
  const keyStr = search.get("kind") || kindKey("escalation", "person");
  const selected = splitKey(keyStr);
  const id = search.get("id") ?? "";
  const canRead = can(session, "recovery.v1.Configuration/ListResources");

  useEffect(() => {
    if (!canRead) return;
    void Promise.all(
      CONFIG_BACKENDS.map(async (backend): Promise<ServiceKinds> => {
        try {
          const r = await callConfig(backend, "ListKinds", {});
          return { backend, kinds: r.kinds ?? [], error: null };
        } catch (error) {
          return { backend, kinds: [], error };
        }
      }),
    ).then(setServices);
  }, [canRead]);

  const loadList = async () => {
    if (!selected) return;
    const mine = ++listSeq.current;
    try {
      const out: ConfigResource[] = [];
      let token = "";
      for (let i = 0; i < 10; i++) {
        const r = await callConfig(selected.backend, "ListResources", { kind: selected.kind, pageSize: 1000, ...(token ? { pageToken: token } : {}) });
        out.push(...(r.resources ?? []));
        token = r.nextPageToken ?? "";
        if (!token) break;
      }
      if (mine !== listSeq.current) return;
      setResources(out);
      setListError(null);
    } catch (e) {
      if (mine === listSeq.current) setListError(e);
    }
  };
  useEffect(() => {
    setResources(null);
    void loadList();
  }, [keyStr]);

  if (!canRead)
    return (
      <section>
        <h1>Settings</h1>
        <p>Your role may not read the configuration.</p>
      </section>
    );

  const kindInfo = services?.find((s) => s.backend === selected?.backend)?.kinds.find((k) => k.kind === selected?.kind);
  return (
    <div class="settings">
      <h1>Settings</h1>
      <p class="muted-text">
        Each service's configuration, resource by resource. A change is checked by the service (a dry run: the differences, safety
        warnings and on-call changes) before it is saved, and every saved change is recorded in the audit chain.
      </p>
      <div class="settings-grid">
        <div class="settings-side">
          <div class="field">
            <label for="settings-kind">What</label>
            <select id="settings-kind" value={keyStr} onChange={(e) => navigate(settingsHref((e.target as HTMLSelectElement).value))}>
              {!services && <option value={keyStr}>{selected ? kindLabel(selected.kind) : keyStr}</option>}
              {services?.map((s) =>
                s.kinds.length ? (
                  <optgroup key={s.backend} label={s.backend}>
                    {s.kinds.map((k) => (
                      <option key={k.kind} value={kindKey(s.backend, k.kind ?? "")}>
                        {kindLabel(k.kind ?? "")} ({s.backend})
                      </option>
                    ))}
                  </optgroup>
                ) : null,
              )}
            </select>
          </div>
          {services?.filter((s) => s.error).map((s) => <ErrorBox key={s.backend} error={s.error} title={`${s.backend}'s kinds`} />)}
          {kindInfo?.ordered && <p class="muted-text">Order matters here: the first that matches wins.</p>}
          <h2 class="side-h">{selected ? kindLabel(selected.kind) : "Unknown kind"}</h2>
          <ErrorBox error={listError} title="Could not list them" />
          {!selected && <p class="error">kind: give one as service:kind, e.g. escalation:person.</p>}
          {selected && !resources && !listError && <Loading what="resources" />}
          {selected && resources && <ResourceList keyStr={keyStr} resources={resources} selected={id} />}
        </div>
        <div class="settings-main">
          {selected && id ? (
            <Editor key={`${keyStr}/${id}`} session={session} backend={selected.backend} kind={selected.kind} id={id} onSaved={() => void loadList()} />
          ) : (
            <p class="muted-text">Pick one to see and change its spec.</p>
          )}
        </div>
      </div>
    </div>
  );
}
