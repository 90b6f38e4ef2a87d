// The case page: the case (GetCase), its plan (GetPlan), its escalations (ListEscalations by
// case) and the audit timeline (GetTimeline) with the chain's status (VerifyChain).
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api";
import { personName, useDirectory } from "../directory";
import { useLive, useTitle } from "../hooks";
import { actorId, caseStatusLabel, channelLabel, emotionLabel, enumLabel, escalationStatusLabel } from "../labels";
import { Link } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import type { Case, Directory, EscalationInfo, GetTimelineResponse, Plan, VerifyChainResponse } from "../types";
import { isValidZone, viewerZone, zoneLabel } from "../time";
import { Empty, ErrorBox, Loading, SeverityBadge, Time } from "../ui/common";
import { CaseUnavailable, load } from "../ui/loaded";
import type { Loaded } from "../ui/loaded";
import { EmotionChart } from "../ui/emotion_chart";
import { tierLabel } from "./now";


// A time in the viewer's zone, and in the client's when that differs.
export function BothZones({ at, clientZone }: { at: string | undefined; clientZone: string | undefined }) {
  if (!at) return <span>-</span>;
  const showClient = isValidZone(clientZone) && zoneLabel(clientZone) !== zoneLabel(viewerZone());
  return (
    <span class="both-zones">
      <Time at={at} />
      {showClient && (
        <span class="muted">
          {" "}
          · client: <Time at={at} zone={clientZone} />
        </span>
      )}
    </span>
  );
}

function CaseHeader({ c, dir, session }: { c: Case; dir: Directory | null; session: Session }) {
  const zone = c.client?.timeZone;
  const canWrite = can(session, "recovery.v1.Intake/RecordContact");
  return (
    <header class="case-head">
      <div class="case-title">
        <SeverityBadge severity={c.severity} />
        <h1 data-testid="case-summary">{c.summary || c.id}</h1>
      </div>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="case-status">{caseStatusLabel(c.status)}</dd>
        </div>
        <div>
          <dt>Client</dt>
          <dd>
            {c.client?.name || c.client?.id || "-"}
            {c.client?.tier && <span class="muted"> · {c.client.tier}</span>}
            {zone && <span class="muted"> · {zone}</span>}
          </dd>
        </div>
        <div>
          <dt>Contact</dt>
          <dd>
            {c.contact?.name || "-"}
            {c.contact?.email && (
              <>
                {" "}
                · <a href={`mailto:${c.contact.email}`}>{c.contact.email}</a>
              </>
            )}
            {c.contact?.phone && <> · {c.contact.phone}</>}
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd data-testid="case-owner">{c.owner ? personName(dir, c.owner) : "nobody yet"}</dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{c.category || "-"}</dd>
        </div>
        <div>
          <dt>Channel</dt>
          <dd>{channelLabel(c.channel)}</dd>
        </div>
        <div>
          <dt>Emotional state</dt>
          <dd>{emotionLabel(c.emotionalState)}</dd>
        </div>
        <div class="wide">
          <dt>Opened</dt>
          <dd>
            <BothZones at={c.openedAt} clientZone={zone} />
            {c.openedBy && <span class="muted"> by {personName(dir, c.openedBy)}</span>}
          </dd>
        </div>
        {(c.repeatReports ?? 0) > 0 && (
          <div>
            <dt>Repeat reports</dt>
            <dd>{c.repeatReports}</dd>
          </div>
        )}
      </dl>
      <p class="actions">
        {canWrite && (
          <Link class="button primary" href={`/cases/${encodeURIComponent(c.id ?? "")}/write`}>
            Write to the client
          </Link>
        )}
        <Link class="button secondary" href={`/cases/${encodeURIComponent(c.id ?? "")}/prepare`}>
          Prepare the conversation
        </Link>
      </p>
    </header>
  );
}

function Views({ c }: { c: Case }) {
  return (
    <section aria-labelledby="views-h">
      <h2 id="views-h">The cause, as each side sees it</h2>
      <div class="side-by-side">
        <div class="card">
          <h3>The client's view</h3>
          <p class="prose">{c.clientView || <span class="muted">Not recorded.</span>}</p>
        </div>
        <div class="card">
          <h3>The firm's view</h3>
          <p class="prose">{c.firmView || <span class="muted">Not recorded.</span>}</p>
        </div>
      </div>
      {c.description && (
        <>
          <h3>Description</h3>
          <p class="prose">{c.description}</p>
        </>
      )}
      {c.resolution && (
        <>
          <h3>Resolution</h3>
          <p class="prose">{c.resolution}</p>
        </>
      )}
    </section>
  );
}

function Emotions({ c, dir }: { c: Case; dir: Directory | null }) {
  const h = c.emotionalHistory ?? [];
  return (
    <section aria-labelledby="emotion-h">
      <h2 id="emotion-h">Emotional state over time</h2>
      <EmotionChart history={h} />
      {h.length > 0 && (
        <details>
          <summary>The records as text</summary>
          <ol class="plain">
            {h.map((r, i) => (
              <li key={i}>
                <Time at={r.recordedAt} />: <strong>{emotionLabel(r.state)}</strong>
                {r.source && <span class="muted"> ({r.source})</span>}
                {r.recordedBy && <span class="muted"> by {personName(dir, r.recordedBy)}</span>}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}

function Contacts({ c, dir }: { c: Case; dir: Directory | null }) {
  const list = c.contacts ?? [];
  return (
    <section aria-labelledby="contacts-h">
      <h2 id="contacts-h">Contacts with the client</h2>
      {list.length === 0 && <Empty>No contact recorded yet.</Empty>}
      <ol class="plain entries" data-testid="contacts">
        {list.map((x) => (
          <li key={x.contactId} class="entry">
            <div class="entry-meta">
              <Time at={x.recordedAt} /> · {channelLabel(x.channel)}
              {x.emotionalState && x.emotionalState !== "EMOTIONAL_STATE_UNSPECIFIED" && <> · {emotionLabel(x.emotionalState)}</>}
              {x.recordedBy && <> · {personName(dir, x.recordedBy)}</>}
              {x.repeatReport && <span class="badge">Repeat report</span>}
            </div>
            <p class="prose">{x.summary}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Notes({ c, dir }: { c: Case; dir: Directory | null }) {
  const list = c.notes ?? [];
  return (
    <section aria-labelledby="notes-h">
      <h2 id="notes-h">Notes</h2>
      <p class="muted-text">Internal notes are never shown to the client; shareable ones may be.</p>
      {list.length === 0 && <Empty>No notes.</Empty>}
      <ol class="plain entries" data-testid="notes">
        {list.map((n) => (
          <li key={n.noteId} class={n.shareable ? "entry note-shareable" : "entry note-internal"}>
            <div class="entry-meta">
              <span class={n.shareable ? "badge shareable" : "badge internal"}>{n.shareable ? "Shareable" : "Internal"}</span>{" "}
              <Time at={n.createdAt} />
              {n.author && <> · {personName(dir, n.author)}</>}
            </div>
            <p class="prose">{n.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function PlanSection({ plan, dir, clientZone }: { plan: Loaded<Plan | undefined>; dir: Directory | null; clientZone: string | undefined }) {
  return (
    <section aria-labelledby="plan-h">
      <h2 id="plan-h">Plan</h2>
      {plan.kind === "loading" && <Loading what="the plan" />}
      {plan.kind === "error" && <ErrorBox error={plan.error} />}
      {plan.kind === "none" && <Empty>{plan.why}</Empty>}
      {plan.kind === "ok" && plan.value && (
        <>
          <h3>Action items</h3>
          {(plan.value.items ?? []).length === 0 && <Empty>No items.</Empty>}
          <ul class="plain entries">
            {(plan.value.items ?? []).map((it) => (
              <li key={it.id} class="entry">
                <div class="entry-meta">
                  {enumLabel(it.status, "ITEM_STATUS_")} · {it.owner ? personName(dir, it.owner) : it.ownerRole || "no owner"}
                  {it.clientVisible && <span class="badge shareable">Client sees it</span>}
                </div>
                <p>
                  <strong>{it.what}</strong>
                </p>
                {it.due && (
                  <p class="muted-text">
                    Due <BothZones at={it.due} clientZone={plan.value?.clientTimeZone || clientZone} />
                  </p>
                )}
              </li>
            ))}
          </ul>
          <h3>Commitments to the client</h3>
          {(plan.value.commitments ?? []).length === 0 && <Empty>No commitments.</Empty>}
          <ul class="plain entries">
            {(plan.value.commitments ?? []).map((cm) => (
              <li key={cm.id} class="entry">
                <div class="entry-meta">
                  {enumLabel(cm.status, "COMMITMENT_STATUS_")} · {personName(dir, cm.owner)}
                </div>
                <p>
                  <strong>{cm.text}</strong>
                </p>
                <p class="muted-text">
                  Due <BothZones at={cm.due} clientZone={plan.value?.clientTimeZone || clientZone} />
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function EscalationsSection({ list, dir }: { list: Loaded<EscalationInfo[]>; dir: Directory | null }) {
  return (
    <section aria-labelledby="esc-h">
      <h2 id="esc-h">Escalations</h2>
      {list.kind === "loading" && <Loading what="escalations" />}
      {list.kind === "error" && <ErrorBox error={list.error} />}
      {list.kind === "none" && <Empty>{list.why}</Empty>}
      {list.kind === "ok" && list.value.length === 0 && <Empty>None.</Empty>}
      {list.kind === "ok" && list.value.length > 0 && (
        <ul class="plain entries">
          {list.value.map((e) => (
            <li key={e.escalationId} class="entry">
              <div class="entry-meta">
                <Time at={e.startedAt} /> · {e.reason || "escalation"}
              </div>
              <p>
                {escalationStatusLabel(e.status)} · {tierLabel(e)}
                {e.acknowledgedBy && <> · acknowledged by {personName(dir, e.acknowledgedBy)}</>}
                {e.resolvedBy && <> · resolved by {personName(dir, e.resolvedBy)}</>}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ChainStatus({ chain }: { chain: Loaded<VerifyChainResponse> }) {
  if (chain.kind === "loading") return <p role="status">Checking the audit chain…</p>;
  if (chain.kind === "none") return <p class="muted-text">Chain status: {chain.why}</p>;
  if (chain.kind === "error") return <ErrorBox error={chain.error} title="Chain check failed" />;
  const v = chain.value;
  if (v.ok)
    return (
      <p class="chain chain-ok" data-testid="chain-status">
        <span aria-hidden="true">✔ </span>Chain intact: {v.recordsChecked ?? "0"} records checked
        {v.headHash && <span class="muted"> · head {v.headHash.slice(0, 12)}…</span>}
      </p>
    );
  return (
    <p class="chain chain-broken" role="alert" data-testid="chain-status">
      <span aria-hidden="true">✖ </span>Chain broken at record {v.firstBreak?.seq ?? "?"}: {enumLabel(v.firstBreak?.check, "CHAIN_CHECK_")}
      {v.firstBreak?.detail && <> ({v.firstBreak.detail})</>}
    </p>
  );
}

function Timeline({
  timeline,
  chain,
  dir,
  onVerify,
}: {
  timeline: Loaded<GetTimelineResponse>;
  chain: Loaded<VerifyChainResponse>;
  dir: Directory | null;
  onVerify: (() => void) | null;
}) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Audit timeline</h2>
      <div class="chain-row">
        <ChainStatus chain={chain} />
        {onVerify && chain.kind !== "loading" && (
          <button type="button" class="secondary small" onClick={onVerify}>
            Check the chain again
          </button>
        )}
      </div>
      {timeline.kind === "loading" && <Loading what="the timeline" />}
      {timeline.kind === "error" && <ErrorBox error={timeline.error} />}
      {timeline.kind === "none" && <Empty>{timeline.why}</Empty>}
      {timeline.kind === "ok" && (
        <ol class="plain entries timeline" data-testid="timeline">
          {(timeline.value.entries ?? []).map((t) => (
            <li key={t.eventId} class="entry" data-testid={`timeline-${t.type ?? ""}`}>
              <div class="entry-meta">
                <Time at={t.occurredAt} /> · <span class="mono">{t.type}</span> · {t.source}
              </div>
              <p>
                {t.summary}
                {t.actor && (
                  <span class="muted" data-testid="timeline-actor">
                    {" "}
                    · by {t.actor.startsWith("person:") ? personName(dir, actorId(t.actor)) : t.actor}
                  </span>
                )}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function CaseScreen({ session, caseId }: { session: Session; caseId: string }) {
  const dir = useDirectory();
  const [c, setCase] = useState<Loaded<Case | undefined>>({ kind: "loading" });
  const [plan, setPlan] = useState<Loaded<Plan | undefined>>({ kind: "loading" });
  const [escalations, setEscalations] = useState<Loaded<EscalationInfo[]>>({ kind: "loading" });
  const [timeline, setTimeline] = useState<Loaded<GetTimelineResponse>>({ kind: "loading" });
  const [chain, setChain] = useState<Loaded<VerifyChainResponse>>({ kind: "loading" });
  const seq = useRef(0);
  useTitle(c.kind === "ok" && c.value ? `Case: ${c.value.summary ?? caseId}` : "Case");

  const refresh = () => {
    const mine = ++seq.current;
    const guard =
      <T,>(set: (v: T) => void) =>
      (v: T) => {
        if (mine === seq.current) set(v);
      };
    return Promise.all([
      load(async () => (await call("recovery.v1.Intake/GetCase", { caseId })).case, "No such case.").then(guard(setCase)),
      load(async () => (await call("recovery.v1.ActionPlan/GetPlan", { caseId })).plan, "No plan yet.").then(guard(setPlan)),
      load(
        async () => (await call("recovery.v1.Escalation/ListEscalations", { caseId, pageSize: 50 })).escalations ?? [],
        "None.",
      ).then(guard(setEscalations)),
      load(() => call("recovery.v1.Audit/GetTimeline", { caseId }), "Nothing is recorded for this case yet.").then(guard(setTimeline)),
    ]);
  };
  // The chain check recomputes the whole chain: once per visit, and when asked.
  const verify = () => {
    if (!can(session, "recovery.v1.Audit/VerifyChain")) {
      setChain({ kind: "none", why: "checking the chain needs the audit role." });
      return;
    }
    setChain({ kind: "loading" });
    void load(() => call("recovery.v1.Audit/VerifyChain", {}), "").then(setChain);
  };
  useEffect(() => {
    void refresh();
  }, [caseId]);
  useEffect(verify, []);
  useLive((m) => m.kind === "resync" || m.event.caseId === caseId, refresh, 500);

  if (c.kind === "loading") return <Loading what="the case" />;
  if (c.kind !== "ok" || !c.value) return <CaseUnavailable c={c} title="Case" />;
  const cs = c.value;
  return (
    <article class="case" data-testid="case-page">
      <p class="crumbs">
        <Link href="/cases">Cases</Link> ›
      </p>
      <CaseHeader c={cs} dir={dir} session={session} />
      <div class="case-grid">
        <div>
          <Views c={cs} />
          <Emotions c={cs} dir={dir} />
          <Contacts c={cs} dir={dir} />
          <Notes c={cs} dir={dir} />
        </div>
        <div>
          <PlanSection plan={plan} dir={dir} clientZone={cs.client?.timeZone} />
          <EscalationsSection list={escalations} dir={dir} />
          <Timeline
            timeline={timeline}
            chain={chain}
            dir={dir}
            onVerify={can(session, "recovery.v1.Audit/VerifyChain") ? verify : null}
          />
        </div>
      </div>
    </article>
  );
}
