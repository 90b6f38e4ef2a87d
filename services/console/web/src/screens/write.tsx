// Write to the client (/cases/:caseId/write): the wording review (ActionPlan/ReviewMessage)
// runs as you type and highlights each finding's span; Send records the contact
// (Intake/RecordContact) once the review passes. /write picks the case first.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, requestId } from "../api";
import { useTitle } from "../hooks";
import { channelLabel, emotionLabel, enumLabel } from "../labels";
import { Link } from "../router";
import { can } from "../session";
import type { Session } from "../session";
import { CHANNELS, EMOTIONAL_STATES } from "../types";
import type { Case, Channel, EmotionalState, Finding } from "../types";
import { fmtDateTime } from "../time";
import { Empty, ErrorBox, Loading, SeverityBadge } from "../ui/common";

const MAX = 2000; // RecordContactRequest.summary

// Findings' begin/end are UTF-8 byte offsets; JavaScript strings index UTF-16 code units.
// Returns the code unit index of each byte offset (one inside a character maps to the next one).
export function byteOffsetsToIndices(text: string): (byteOffset: number) => number {
  const starts: number[] = []; // starts[i] = byte offset of code unit i
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    starts.push(bytes);
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        starts.push(bytes); // the low surrogate shares the pair's start
        bytes += 4;
        i++;
        continue;
      }
      bytes += 3;
    } else bytes += 3;
  }
  return (off: number) => {
    if (off >= bytes) return text.length;
    if (off <= 0) return 0;
    // first code unit starting at or after off (binary search)
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < off) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface Span {
  start: number;
  end: number;
  finding: number; // index into the findings
}

// Non-overlapping spans in text order (an overlapping one is cut to begin where the last ended).
export function findingSpans(text: string, findings: Finding[]): Span[] {
  const toIndex = byteOffsetsToIndices(text);
  const spans = findings
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.hasSpan && (f.end ?? 0) > (f.begin ?? 0))
    .map(({ f, i }) => ({ start: toIndex(f.begin ?? 0), end: toIndex(f.end ?? 0), finding: i }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  let at = 0;
  for (const s of spans) {
    const start = Math.max(s.start, at);
    if (s.end <= start) continue;
    out.push({ start, end: s.end, finding: s.finding });
    at = s.end;
  }
  return out;
}

const blocking = (f: Finding) => f.severity === "FINDING_SEVERITY_ERROR" || f.severity === "FINDING_SEVERITY_WARNING";
const severityWord = (f: Finding) => enumLabel(f.severity, "FINDING_SEVERITY_");

function Mirror({ text, findings, spans }: { text: string; findings: Finding[]; spans: Span[] }) {
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start > at) parts.push(text.slice(at, s.start));
    const f = findings[s.finding]!;
    parts.push(
      <mark
        key={`${s.start}-${s.finding}`}
        class={`finding-mark fs-${(f.severity ?? "").replace("FINDING_SEVERITY_", "").toLowerCase()}`}
        data-rule={f.ruleId}
        data-testid="finding-mark"
        title={f.reason}
      >
        {text.slice(s.start, s.end)}
      </mark>,
    );
    at = s.end;
  }
  parts.push(text.slice(at));
  parts.push("\n"); // keeps a trailing empty line as tall as the textarea's
  return <>{parts}</>;
}

type Review = { kind: "idle" } | { kind: "checking" } | { kind: "done"; text: string; findings: Finding[] } | { kind: "error"; error: unknown };

function useReview(text: string, commitmentRecorded: boolean): Review {
  const [review, setReview] = useState<Review>({ kind: "idle" });
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    if (!text.trim()) {
      setReview({ kind: "idle" });
      return;
    }
    setReview((r) => (r.kind === "done" ? r : { kind: "checking" }));
    const t = setTimeout(() => {
      call("recovery.v1.ActionPlan/ReviewMessage", { text, context: { commitmentRecorded } })
        .then((r) => {
          if (mine === seq.current) setReview({ kind: "done", text, findings: r.findings ?? [] });
        })
        .catch((error: unknown) => {
          if (mine === seq.current) setReview({ kind: "error", error });
        });
    }, 300);
    return () => clearTimeout(t);
  }, [text, commitmentRecorded]);
  return review;
}

export function WriteScreen({ session, caseId }: { session: Session; caseId: string }) {
  useTitle("Write to the client");
  const [c, setCase] = useState<Case | null>(null);
  const [caseError, setCaseError] = useState<unknown>(null);
  const [text, setText] = useState("");
  const [commitment, setCommitment] = useState(false);
  const [channel, setChannel] = useState<Channel>("CHANNEL_EMAIL");
  const [emotion, setEmotion] = useState<EmotionalState | "">("");
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);
  const [sent, setSent] = useState<{ contactId: string; at: string } | null>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const review = useReview(text, commitment);

  useEffect(() => {
    call("recovery.v1.Intake/GetCase", { caseId })
      .then((r) => setCase(r.case ?? null))
      .catch(setCaseError);
  }, [caseId]);

  const current = review.kind === "done" && review.text === text ? review : null;
  const findings = review.kind === "done" ? review.findings : [];
  // Marks are drawn only for the text the review saw: while the next review runs (300 ms after
  // the last key) they are hidden rather than drawn over the wrong characters.
  const spans = review.kind === "done" && review.text === text ? findingSpans(text, findings) : [];
  const passes = !!current && !current.findings.some(blocking) && text.trim().length > 0 && text.length <= MAX;
  const canSend = can(session, "recovery.v1.Intake/RecordContact");

  const send = async (e: Event) => {
    e.preventDefault();
    if (!passes) return;
    setSending(true);
    setSendError(null);
    try {
      const r = await call("recovery.v1.Intake/RecordContact", {
        requestId: requestId(),
        caseId,
        channel,
        summary: text,
        ...(emotion ? { emotionalState: emotion } : {}),
      });
      const rec = r.case?.contacts?.find((x) => x.contactId === r.contactId);
      setSent({ contactId: r.contactId ?? "", at: rec?.recordedAt ?? new Date().toISOString() });
      setText("");
    } catch (err) {
      setSendError(err);
    } finally {
      setSending(false);
    }
  };

  let status: ComponentChildren;
  if (review.kind === "idle") status = "The review runs as you type.";
  else if (review.kind === "error") status = <ErrorBox error={review.error} title="The wording review failed" />;
  else if (!current) status = "Reviewing…";
  else if (current.findings.length === 0) status = <span class="ok-text">The review found nothing to change.</span>;
  else {
    const n = current.findings.length;
    status = passes ? (
      <span class="ok-text">
        {n} note{n === 1 ? "" : "s"}, nothing that stops sending.
      </span>
    ) : (
      <span class="warn-text">
        {n} finding{n === 1 ? "" : "s"}: change the wording before sending.
      </span>
    );
  }

  return (
    <div class="write">
      <p class="crumbs">
        <Link href="/cases">Cases</Link> › <Link href={`/cases/${encodeURIComponent(caseId)}`}>{c?.summary || "Case"}</Link> ›
      </p>
      <h1>Write to the client</h1>
      <ErrorBox error={caseError} title="Could not load the case" />
      {c && (
        <p class="case-line">
          <SeverityBadge severity={c.severity} /> <strong>{c.client?.name || c.client?.id}</strong>
          {c.contact?.name && <> · to {c.contact.name}</>} · {c.summary}
        </p>
      )}
      {sent && (
        <p class="ok" role="status" data-testid="sent">
          Sent and recorded as a contact at {fmtDateTime(sent.at)}.{" "}
          <Link href={`/cases/${encodeURIComponent(caseId)}`}>Back to the case</Link>
        </p>
      )}
      <form onSubmit={send} class="write-form">
        <label for="draft">Message to the client</label>
        <p id="draft-help" class="muted-text">
          Highlighted words are what the wording review would change; the findings are listed below with their reasons.
        </p>
        <div class="editor">
          <div class="mirror" aria-hidden="true" ref={mirror} data-testid="draft-mirror">
            <Mirror text={text} findings={findings} spans={spans} />
          </div>
          <textarea
            id="draft"
            class="editor-input"
            rows={10}
            value={text}
            aria-describedby="draft-help review-status"
            spellcheck
            onInput={(e) => {
              setText((e.target as HTMLTextAreaElement).value);
              setSent(null);
            }}
            onScroll={(e) => {
              if (mirror.current) mirror.current.scrollTop = (e.target as HTMLTextAreaElement).scrollTop;
            }}
          />
        </div>
        <p class={text.length > MAX ? "counter over" : "counter"}>
          {text.length} / {MAX} characters
        </p>
        <label class="check">
          <input type="checkbox" checked={commitment} onChange={() => setCommitment(!commitment)} />A recorded commitment backs any deadline in
          this message
        </label>
        <div id="review-status" class="review-status" role="status" aria-live="polite" data-testid="review-status">
          {status}
        </div>
        {findings.length > 0 && (
          <section aria-labelledby="findings-h" class="findings">
            <h2 id="findings-h">Findings</h2>
            <ol data-testid="findings">
              {findings.map((f, i) => (
                <li key={`${f.ruleId}-${i}`} class={`finding fs-${(f.severity ?? "").replace("FINDING_SEVERITY_", "").toLowerCase()}`}>
                  <span class="badge">{severityWord(f)}</span> <strong>{enumLabel(f.category, "WORDING_CATEGORY_")}</strong>
                  {f.hasSpan && f.excerpt && (
                    <>
                      {" "}
                      on <q>{f.excerpt}</q>
                    </>
                  )}
                  : {f.reason}
                </li>
              ))}
            </ol>
          </section>
        )}
        {canSend ? (
          <>
            <div class="fields">
              <div class="field">
                <label for="channel">Sent by</label>
                <select id="channel" value={channel} onChange={(e) => setChannel((e.target as HTMLSelectElement).value as Channel)}>
                  {CHANNELS.map((ch) => (
                    <option key={ch} value={ch}>
                      {channelLabel(ch)}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="emotion">The client's emotional state (optional)</label>
                <select id="emotion" value={emotion} onChange={(e) => setEmotion((e.target as HTMLSelectElement).value as EmotionalState | "")}>
                  <option value="">Not recorded</option>
                  {EMOTIONAL_STATES.map((s) => (
                    <option key={s} value={s}>
                      {emotionLabel(s)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <ErrorBox error={sendError} title="Not sent" />
            <div class="actions">
              <button type="submit" class="primary" disabled={!passes || sending} aria-describedby="review-status">
                {sending ? "Sending…" : "Send"}
              </button>
            </div>
          </>
        ) : (
          <p class="muted-text">Your role may review wording but not record contacts.</p>
        )}
      </form>
    </div>
  );
}

// /write: which case to write about.
export function WritePickScreen({ session: _session }: { session: Session }) {
  useTitle("Write to the client");
  const [cases, setCases] = useState<Case[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    call("recovery.v1.Intake/ListCases", {
      statuses: ["CASE_STATUS_OPEN", "CASE_STATUS_ACKNOWLEDGED", "CASE_STATUS_PLANNED", "CASE_STATUS_REOPENED"],
      pageSize: 200,
    })
      .then((r) => setCases(r.cases ?? []))
      .catch(setError);
  }, []);
  return (
    <div class="write-pick">
      <h1>Write to the client</h1>
      <p>Choose the case. The wording review checks the message as you type; sending records the contact on the case.</p>
      <ErrorBox error={error} title="Could not load cases" />
      {!cases && !error && <Loading what="open cases" />}
      {cases && cases.length === 0 && <Empty>No case is open.</Empty>}
      {cases && cases.length > 0 && (
        <ul class="plain pick">
          {cases.map((c) => (
            <li key={c.id}>
              <Link href={`/cases/${encodeURIComponent(c.id ?? "")}/write`} class="card pick-item">
                <SeverityBadge severity={c.severity} /> <strong>{c.client?.name || c.client?.id}</strong>: {c.summary}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
