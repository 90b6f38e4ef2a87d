// Prepare the conversation: a one-page brief for the recovery meeting (printable: app.css's
// @media print hides the shell and the controls and fits one A4 page for a typical case), and
// after the meeting the quality review (FollowUp/SubmitReview, its five questions and the rest
// of its fields).
//
// Calls: Intake/GetCase, ActionPlan/GetPlan, ActionPlan/GetPlaybook (the plan's playbook, else
// the case's category), Configuration/ListResources kind "wording_rule" on action-plan, and
// FollowUp/GetReview; FollowUp/SubmitReview from the form.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, callConfig, requestId } from "../api";
import { personName, useDirectory } from "../directory";
import { useAction, useLive, useTitle } from "../hooks";
import { caseStatusLabel, channelLabel, emotionLabel, enumLabel } from "../labels";
import { Link } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import type {
  ActionItem,
  Amends,
  Case,
  Commitment,
  ConfigResource,
  ContactRecord,
  Directory,
  EmotionalStateRecord,
  Plan,
  Playbook,
  Review,
  SubmitReviewRequest,
} from "../types";
import { fmtDateTime, isValidZone, toDate, viewerZone, zoneLabel } from "../time";
import { Empty, ErrorBox, Loading, SeverityBadge, Time } from "../ui/common";
import { CaseUnavailable, load } from "../ui/loaded";
import type { Loaded } from "../ui/loaded";
import { BothZones } from "./case";


// Fixed text (no service provides them): open questions in the spirit of the seeds ("ask open
// questions, listen"). services/console/web/README.md says so.
export const OPEN_QUESTIONS = [
  "What would a good outcome look like for you?",
  "What has this cost you, in time, money or standing with your own people?",
  "What matters most to you in how we put this right?",
  "What did we miss, or get wrong, in how we handled it so far?",
  "How would you like us to keep you informed from here, and how often?",
];

// ---- wording rules (action-plan's configuration, kind "wording_rule") ----

export interface WordingRuleSpec {
  id?: string;
  category?: string;
  severity?: string;
  reason?: string;
  trigger?: string; // any (default) | more_than | absent
  max?: number;
  unless?: string; // commitment_recorded
  patterns?: { phrase?: string; regex?: string }[];
}

function ruleOf(r: ConfigResource): WordingRuleSpec {
  const spec = r.spec && typeof r.spec === "object" ? (r.spec as WordingRuleSpec) : {};
  return { ...spec, id: spec.id ?? r.id };
}

// A regex as a reader would say it: word boundaries dropped, whitespace classes as one space,
// a doubled quote as one. The exact regex is in the element's title.
export function readablePattern(regex: string): string {
  return regex
    .replace(/\\b/g, "")
    .replace(/\\s[+*]?/g, " ")
    .replace(/''/g, "'")
    .replace(/\\d\{[\d,]+\}|\\d[+*]?/g, "N")
    .replace(/\\w[+*]?/g, "…")
    .replace(/ {2,}/g, " ")
    .trim();
}

function triggerText(r: WordingRuleSpec): string {
  const unless = r.unless === "commitment_recorded" ? "; not when a recorded commitment backs it" : "";
  if (r.trigger === "absent") return `flagged when none of these appears${unless}`;
  if (r.trigger === "more_than") return `flagged past ${r.max ?? 0} use${(r.max ?? 0) === 1 ? "" : "s"}${unless}`;
  return `flagged on use${unless}`;
}

const categoryWord = (c: string | undefined) => (c ? enumLabel(c.toUpperCase(), "") : "-");

function WordingSection({ rules }: { rules: Loaded<WordingRuleSpec[]> }) {
  return (
    <section aria-labelledby="wording-h" class="brief-part brief-wording" data-testid="brief-wording">
      <h2 id="wording-h">Words the review would flag</h2>
      {rules.kind === "loading" && <Loading what="the wording rules" />}
      {rules.kind === "error" && <ErrorBox error={rules.error} />}
      {rules.kind === "none" && <Empty>{rules.why}</Empty>}
      {rules.kind === "ok" && rules.value.length === 0 && <Empty>No wording rules are configured.</Empty>}
      {rules.kind === "ok" && rules.value.length > 0 && (
        <ul class="plain brief-list">
          {rules.value.map((r) => (
            <li key={r.id} data-testid={`wording-rule-${r.id}`}>
              <strong>{categoryWord(r.category)}</strong>
              <span class="muted"> ({r.severity || "warning"}, {triggerText(r)})</span>:{" "}
              <span class="patterns">
                {(r.patterns ?? []).map((p, i) => (
                  <span key={i}>
                    {i > 0 && " · "}
                    {p.phrase ? (
                      <q class="phrase">{p.phrase}</q>
                    ) : (
                      <code class="pattern" title={`regex: ${p.regex ?? ""}`}>
                        {readablePattern(p.regex ?? "")}
                      </code>
                    )}
                  </span>
                ))}
              </span>
              <span class="reason"> {r.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// ---- the case's parts ----

function Facts({ c, dir }: { c: Case; dir: Directory | null }) {
  return (
    <dl class="facts brief-facts">
      <div>
        <dt>Client</dt>
        <dd>
          {c.client?.name || c.client?.id || "-"}
          {c.client?.tier && <span class="muted"> · {c.client.tier}</span>}
        </dd>
      </div>
      <div>
        <dt>Contact</dt>
        <dd>{c.contact?.name || "-"}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd data-testid="brief-status">{caseStatusLabel(c.status)}</dd>
      </div>
      <div>
        <dt>Owner</dt>
        <dd>{c.owner ? personName(dir, c.owner) : "nobody yet"}</dd>
      </div>
      <div>
        <dt>Category</dt>
        <dd>{c.category || "-"}</dd>
      </div>
      <div>
        <dt>Opened</dt>
        <dd>
          <Time at={c.openedAt} />
        </dd>
      </div>
    </dl>
  );
}

function ViewsPart({ c, plan }: { c: Case; plan: Plan | undefined }) {
  const agreed = plan?.rootCause?.agreedExplanation;
  return (
    <section aria-labelledby="views-h" class="brief-part brief-views" data-testid="brief-views">
      <h2 id="views-h">The cause, as each side sees it</h2>
      <div class="side-by-side">
        <div>
          <h3>The client's view</h3>
          <p class="prose" data-testid="brief-client-view">
            {plan?.rootCause?.clientView || c.clientView || <span class="muted">Not recorded: ask.</span>}
          </p>
        </div>
        <div>
          <h3>The firm's view</h3>
          <p class="prose" data-testid="brief-firm-view">
            {plan?.rootCause?.firmView || c.firmView || <span class="muted">Not recorded.</span>}
          </p>
        </div>
      </div>
      {agreed && (
        <p class="prose">
          <strong>Agreed explanation: </strong>
          {agreed}
        </p>
      )}
    </section>
  );
}

// The contact an emotional-state record came from (same instant), for its channel and summary.
function contactFor(r: EmotionalStateRecord, contacts: ContactRecord[]): ContactRecord | undefined {
  if (r.source !== "contact" && r.source !== "repeat report") return undefined;
  const t = toDate(r.recordedAt)?.getTime();
  return contacts.find((x) => toDate(x.recordedAt)?.getTime() === t);
}

const SOURCE_WORDS: Record<string, string> = {
  open: "when the case was opened",
  contact: "contact",
  acknowledge: "when we acknowledged",
  "repeat report": "repeat report",
};

function EmotionPart({ c, dir }: { c: Case; dir: Directory | null }) {
  const h = c.emotionalHistory ?? [];
  return (
    <section aria-labelledby="emo-h" class="brief-part" data-testid="brief-emotions">
      <h2 id="emo-h">How the client has felt</h2>
      {h.length === 0 && <Empty>No emotional state recorded.</Empty>}
      <ol class="plain brief-list">
        {h.map((r, i) => {
          const contact = contactFor(r, c.contacts ?? []);
          return (
            <li key={i}>
              <Time at={r.recordedAt} />: <strong class={`mood mood-${(r.state ?? "").replace("EMOTIONAL_STATE_", "").toLowerCase()}`}>{emotionLabel(r.state)}</strong>
              <span class="muted">
                {" "}
                · {contact ? `${channelLabel(contact.channel)} contact` : SOURCE_WORDS[r.source ?? ""] ?? r.source ?? ""}
                {r.recordedBy && <> · recorded by {personName(dir, r.recordedBy)}</>}
              </span>
              {contact?.summary && <span class="contact-summary"> “{contact.summary}”</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

// "Open, due in 2 h" / "Kept" / "Broken" / "Renegotiated (2x), due …"
function commitmentState(cm: Commitment, renegotiations: number, now: number): { word: string; cls: string } {
  switch (cm.status) {
    case "COMMITMENT_STATUS_KEPT":
      return { word: "Kept", cls: "st-ok" };
    case "COMMITMENT_STATUS_BROKEN":
      return { word: "Broken", cls: "st-bad" };
    case "COMMITMENT_STATUS_RENEGOTIATED":
      return { word: `Amended${renegotiations > 1 ? ` ${renegotiations}×` : ""}, open`, cls: "st-warn" };
    default: {
      const due = toDate(cm.due);
      if (due && due.getTime() < now) return { word: "Overdue", cls: "st-bad" };
      return { word: "Open", cls: "st-open" };
    }
  }
}

function money(a: Amends): string {
  const minor = Number(a.valueMinorUnits ?? "0");
  const cur = a.currency || "";
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: cur }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${cur}`;
  }
}

function PromisesPart({ plan, dir, clientZone }: { plan: Loaded<Plan | undefined>; dir: Directory | null; clientZone: string | undefined }) {
  const now = Date.now();
  const p = plan.kind === "ok" ? plan.value : undefined;
  const commitments = p?.commitments ?? [];
  const amends = p?.amends ?? [];
  const zone = p?.clientTimeZone || clientZone;
  return (
    <section aria-labelledby="promises-h" class="brief-part" data-testid="brief-promises">
      <h2 id="promises-h">What we promised, and what we kept</h2>
      {plan.kind === "loading" && <Loading what="the plan" />}
      {plan.kind === "error" && <ErrorBox error={plan.error} />}
      {plan.kind === "none" && <Empty>{plan.why}</Empty>}
      {plan.kind === "ok" && commitments.length === 0 && <Empty>No commitment made to the client yet.</Empty>}
      {commitments.length > 0 && (
        <ul class="plain brief-list">
          {commitments.map((cm) => {
            const ren = p?.commitmentHistory?.find((h) => h.commitmentId === cm.id)?.renegotiations ?? 0;
            const st = commitmentState(cm, ren, now);
            return (
              <li key={cm.id} data-testid={`brief-commitment-${cm.id}`}>
                <span class={`status ${st.cls}`}>{st.word}</span> <strong>{cm.text}</strong>
                <span class="muted">
                  {" "}
                  · due <BothZones at={cm.due} clientZone={zone} />
                  {cm.owner && <> · {personName(dir, cm.owner)}</>}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {amends.length > 0 && (
        <>
          <h3>Amends offered</h3>
          <ul class="plain brief-list">
            {amends.map((a) => (
              <li key={a.amendsId}>
                <strong>
                  {enumLabel(a.kind, "AMENDS_KIND_")} {money(a)}
                </strong>
                <span class="muted">
                  {a.approver && <> · approved by {personName(dir, a.approver)}</>}
                  {a.reason && <> · {a.reason}</>}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function itemState(it: ActionItem, now: number): { word: string; cls: string } {
  switch (it.status) {
    case "ITEM_STATUS_DONE":
      return { word: "Done", cls: "st-ok" };
    case "ITEM_STATUS_CANCELLED":
      return { word: "Cancelled", cls: "st-muted" };
    case "ITEM_STATUS_IN_PROGRESS":
      return { word: "In progress", cls: "st-open" };
    default: {
      const due = toDate(it.due);
      if (due && due.getTime() < now) return { word: "Overdue", cls: "st-bad" };
      return { word: "Open", cls: "st-open" };
    }
  }
}

// The playbook's steps, each with where the plan has got to on it (plan items carry the
// playbook item's id); items added to the plan by hand follow.
function PlaybookPart({
  playbook,
  plan,
  dir,
  clientZone,
}: {
  playbook: Loaded<Playbook | undefined>;
  plan: Loaded<Plan | undefined>;
  dir: Directory | null;
  clientZone: string | undefined;
}) {
  const now = Date.now();
  const p = plan.kind === "ok" ? plan.value : undefined;
  const items = p?.items ?? [];
  const pb = playbook.kind === "ok" ? playbook.value : undefined;
  const steps = pb?.items ?? [];
  const stepIds = new Set(steps.map((s) => s.id));
  const extra = items.filter((it) => !stepIds.has(it.id));
  const zone = p?.clientTimeZone || clientZone;
  const progress = (it: ActionItem | undefined) => {
    if (!it) return <span class="status st-muted">Not in the plan</span>;
    const st = itemState(it, now);
    return (
      <>
        <span class={`status ${st.cls}`}>{st.word}</span>
        <span class="muted">
          {it.due && (
            <>
              {" "}
              · due <Time at={it.due} zone={isValidZone(zone) ? zone : undefined} />
            </>
          )}
          {" "}
          · {it.owner ? personName(dir, it.owner) : (it.ownerRole ?? "").replace(/_/g, " ") || "no owner"}
        </span>
      </>
    );
  };
  return (
    <section aria-labelledby="playbook-h" class="brief-part brief-playbook" data-testid="brief-playbook">
      <h2 id="playbook-h">
        What the playbook says to do
        {pb?.title && <span class="muted"> · {pb.title}</span>}
      </h2>
      {playbook.kind === "loading" && <Loading what="the playbook" />}
      {playbook.kind === "error" && <ErrorBox error={playbook.error} />}
      {playbook.kind === "none" && <Empty>{playbook.why}</Empty>}
      {(steps.length > 0 || extra.length > 0) && (
        <ol class="brief-steps">
          {steps.map((s) => {
            const it = items.find((x) => x.id === s.id);
            return (
              <li key={s.id} data-testid={`brief-step-${s.id}`}>
                <strong>{it?.what || s.what}</strong> {progress(it)}
                {(s.how || s.why) && (
                  <span class="step-how">
                    {s.how}
                    {s.why && <span class="muted step-why"> (why: {s.why})</span>}
                  </span>
                )}
              </li>
            );
          })}
          {extra.map((it) => (
            <li key={it.id} data-testid={`brief-step-${it.id}`}>
              <strong>{it.what}</strong> {progress(it)} <span class="muted">(added to the plan, not from the playbook)</span>
              {it.how && <span class="step-how">{it.how}</span>}
            </li>
          ))}
        </ol>
      )}
      {playbook.kind === "ok" && steps.length === 0 && extra.length === 0 && <Empty>The playbook has no steps.</Empty>}
    </section>
  );
}

function QuestionsPart() {
  return (
    <section aria-labelledby="questions-h" class="brief-part brief-asks" data-testid="brief-questions">
      <h2 id="questions-h">Open questions to ask</h2>
      <ol class="brief-questions">
        {OPEN_QUESTIONS.map((q) => (
          <li key={q}>{q}</li>
        ))}
      </ol>
      <p class="muted-text small-print">Listen to the answer before you reply; note the words the client uses.</p>
    </section>
  );
}

// ---- after the meeting: the quality review ----

const QUESTIONS: { key: "expected" | "happened" | "wentWell" | "toImprove" | "nextSteps"; label: string }[] = [
  { key: "expected", label: "What was expected to happen?" },
  { key: "happened", label: "What actually happened?" },
  { key: "wentWell", label: "What went well, and why?" },
  { key: "toImprove", label: "What can be improved, and how?" },
  { key: "nextSteps", label: "What next?" },
];

type Answers = Record<(typeof QUESTIONS)[number]["key"], string> & { themes: string; rootCause: string; followOnActions: string };
const NO_ANSWERS: Answers = { expected: "", happened: "", wentWell: "", toImprove: "", nextSteps: "", themes: "", rootCause: "", followOnActions: "" };

function ReviewView({ r, dir }: { r: Review; dir: Directory | null }) {
  return (
    <div data-testid="review-submitted">
      <p class="ok" role="status">
        Review submitted by {personName(dir, r.submittedBy)} at <Time at={r.submittedAt} />.
      </p>
      <dl class="review-answers">
        {QUESTIONS.map((q) => (
          <div key={q.key}>
            <dt>{q.label}</dt>
            <dd class="prose">{r[q.key] || "-"}</dd>
          </div>
        ))}
        {(r.themes ?? []).length > 0 && (
          <div>
            <dt>Themes</dt>
            <dd>{(r.themes ?? []).join(", ")}</dd>
          </div>
        )}
        {r.rootCause && (
          <div>
            <dt>Root cause</dt>
            <dd>{r.rootCause}</dd>
          </div>
        )}
        {(r.followOnActions ?? []).length > 0 && (
          <div>
            <dt>Follow-on actions</dt>
            <dd>
              <ul>
                {(r.followOnActions ?? []).map((a, i) => (
                  <li key={i}>{a}</li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}

function ReviewForm({ c, session, onSubmitted }: { c: Case; session: Session; onSubmitted: (r: Review) => void }) {
  const [a, setA] = useState<Answers>(NO_ANSWERS);
  const { busy, error, run } = useAction();
  const settled = c.status === "CASE_STATUS_RESOLVED" || c.status === "CASE_STATUS_CLOSED";
  const set = (k: keyof Answers) => (e: Event) => setA({ ...a, [k]: (e.target as HTMLInputElement | HTMLTextAreaElement).value });
  const list = (v: string, sep: RegExp) =>
    v
      .split(sep)
      .map((x) => x.trim())
      .filter(Boolean);
  const submit = async (e: Event) => {
    e.preventDefault();
    const req: SubmitReviewRequest = {
      requestId: requestId(),
      caseId: c.id ?? "",
      expected: a.expected,
      happened: a.happened,
      wentWell: a.wentWell,
      toImprove: a.toImprove,
      nextSteps: a.nextSteps,
    };
    const themes = list(a.themes, /,/);
    const actions = list(a.followOnActions, /\n/);
    if (themes.length) req.themes = themes;
    if (a.rootCause.trim()) req.rootCause = a.rootCause.trim();
    if (actions.length) req.followOnActions = actions;
    await run(async () => onSubmitted(await call("recovery.v1.FollowUp/SubmitReview", req)));
  };
  if (!can(session, "recovery.v1.FollowUp/SubmitReview"))
    return <p class="muted-text">Your role may read the brief but not submit the quality review.</p>;
  return (
    <form onSubmit={submit} class="review-form" data-testid="review-form">
      {!settled && (
        <p class="muted-text" id="review-when">
          The quality review is taken once the case is resolved or closed; this case is {caseStatusLabel(c.status).toLowerCase()}, so
          follow-up will say no until then.
        </p>
      )}
      <div class="fields review-fields">
        {QUESTIONS.map((q, i) => (
          <div class="field wide" key={q.key}>
            <label for={`rv-${q.key}`}>
              {i + 1}. {q.label}
            </label>
            <textarea id={`rv-${q.key}`} rows={3} required value={a[q.key]} onInput={set(q.key)} />
          </div>
        ))}
        <div class="field">
          <label for="rv-themes">Themes (comma-separated, optional)</label>
          <input id="rv-themes" type="text" value={a.themes} onInput={set("themes")} />
        </div>
        <div class="field">
          <label for="rv-root">Root cause (optional)</label>
          <input id="rv-root" type="text" maxLength={200} value={a.rootCause} onInput={set("rootCause")} />
        </div>
        <div class="field wide">
          <label for="rv-actions">Follow-on actions (one a line, optional)</label>
          <textarea id="rv-actions" rows={2} value={a.followOnActions} onInput={set("followOnActions")} />
        </div>
      </div>
      <ErrorBox error={error} title="Follow-up did not take the review" />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} aria-describedby={settled ? undefined : "review-when"}>
          {busy ? "Submitting…" : "Submit the review"}
        </button>
      </div>
    </form>
  );
}

function ReviewPart({ c, review, session, dir, onSubmitted }: { c: Case; review: Loaded<Review | null>; session: Session; dir: Directory | null; onSubmitted: (r: Review) => void }) {
  return (
    <section aria-labelledby="review-h" class="brief-after no-print" data-testid="brief-review">
      <h2 id="review-h">After the meeting: the quality review</h2>
      {review.kind === "loading" && <Loading what="the review" />}
      {review.kind === "error" && <ErrorBox error={review.error} />}
      {review.kind === "none" && <Empty>{review.why}</Empty>}
      {review.kind === "ok" && review.value && <ReviewView r={review.value} dir={dir} />}
      {review.kind === "ok" && !review.value && <ReviewForm c={c} session={session} onSubmitted={onSubmitted} />}
    </section>
  );
}

// ---- the screen ----

export function PrepareScreen({ session, caseId }: { session: Session; caseId: string }) {
  const dir = useDirectory();
  const [c, setCase] = useState<Loaded<Case | undefined>>({ kind: "loading" });
  const [plan, setPlan] = useState<Loaded<Plan | undefined>>({ kind: "loading" });
  const [playbook, setPlaybook] = useState<Loaded<Playbook | undefined>>({ kind: "loading" });
  const [rules, setRules] = useState<Loaded<WordingRuleSpec[]>>({ kind: "loading" });
  const [review, setReview] = useState<Loaded<Review | null>>({ kind: "loading" });
  const seq = useRef(0);
  useTitle(c.kind === "ok" && c.value ? `Prepare: ${c.value.summary ?? caseId}` : "Prepare the conversation");

  const refresh = async () => {
    const mine = ++seq.current;
    const ok = () => mine === seq.current;
    const [cs, pl] = await Promise.all([
      load(async () => (await call("recovery.v1.Intake/GetCase", { caseId })).case, "No such case."),
      load(async () => (await call("recovery.v1.ActionPlan/GetPlan", { caseId })).plan, "No plan yet."),
    ]);
    if (!ok()) return;
    setCase(cs);
    setPlan(pl);
    const pbId = pl.kind === "ok" ? pl.value?.playbookId : undefined;
    const category = cs.kind === "ok" ? cs.value?.category : undefined;
    const [pb, rv] = await Promise.all([
      pbId || category
        ? load(
            async () => (await call("recovery.v1.ActionPlan/GetPlaybook", pbId ? { id: pbId } : { category })).playbook,
            "No playbook for this category.",
          )
        : Promise.resolve<Loaded<Playbook | undefined>>({ kind: "none", why: "The case has no category." }),
      load(async () => (await call("recovery.v1.FollowUp/GetReview", { caseId })) as Review | null, "").then((r) =>
        r.kind === "none" && r.why === "" ? ({ kind: "ok", value: null } as Loaded<Review | null>) : r,
      ),
    ]);
    if (!ok()) return;
    setPlaybook(pb);
    setReview(rv);
  };
  const loadRules = async () => {
    const out: WordingRuleSpec[] = [];
    let pageToken = "";
    do {
      const r = await callConfig("action-plan", "ListResources", { kind: "wording_rule", pageSize: 1000, pageToken });
      for (const res of r.resources ?? []) out.push(ruleOf(res));
      pageToken = r.nextPageToken ?? "";
    } while (pageToken);
    return out;
  };
  useEffect(() => {
    void refresh();
  }, [caseId]);
  useEffect(() => {
    void load(loadRules, "No wording rules.").then(setRules);
  }, []);
  useLive((m) => m.kind === "resync" || m.event.caseId === caseId, refresh, 500);
  useLive(
    (m) => m.kind === "event" && m.type === "configChanged" && m.event.caseId === "config:action-plan",
    () => load(loadRules, "No wording rules.").then(setRules),
    1000,
  );

  if (c.kind === "loading") return <Loading what="the case" />;
  if (c.kind !== "ok" || !c.value) return <CaseUnavailable c={c} title="Prepare the conversation" />;
  const cs = c.value;
  const zone = cs.client?.timeZone;
  return (
    <article class="brief" data-testid="prepare-page">
      <p class="crumbs no-print">
        <Link href="/cases">Cases</Link> › <Link href={`/cases/${encodeURIComponent(caseId)}`}>{cs.summary || "Case"}</Link> ›
      </p>
      <header class="brief-head">
        <p class="brief-kicker">Recovery meeting brief</p>
        <div class="case-title">
          <SeverityBadge severity={cs.severity} />
          <h1 data-testid="brief-title">{cs.summary || cs.id}</h1>
        </div>
        <Facts c={cs} dir={dir} />
        <p class="brief-printed muted-text">
          Prepared {fmtDateTime(new Date())}
          {isValidZone(zone) && zoneLabel(zone) !== zoneLabel(viewerZone()) && <> · the client's zone is {zone}</>}
        </p>
        <div class="actions no-print">
          <button type="button" class="primary" onClick={() => window.print()}>
            Print the brief
          </button>
          <Link class="button secondary" href={`/cases/${encodeURIComponent(caseId)}`}>
            Back to the case
          </Link>
        </div>
      </header>
      <div class="brief-grid">
        <ViewsPart c={cs} plan={plan.kind === "ok" ? plan.value : undefined} />
        <EmotionPart c={cs} dir={dir} />
        <PromisesPart plan={plan} dir={dir} clientZone={zone} />
        <PlaybookPart playbook={playbook} plan={plan} dir={dir} clientZone={zone} />
        <QuestionsPart />
        <WordingSection rules={rules} />
      </div>
      <ReviewPart c={cs} review={review} session={session} dir={dir} onSubmitted={(r) => setReview({ kind: "ok", value: r })} />
    </article>
  );
}
