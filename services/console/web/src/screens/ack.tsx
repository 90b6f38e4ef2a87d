// The acknowledge link's page (/ack/:token), phone first: what is waiting, for how long, and
// one large Acknowledge button (CONSOLE_API.md "Acknowledge links").
import { useEffect, useState } from "preact/hooks";
import { ApiError, call, describeError, requestId } from "../api";
import { personName, useDirectory } from "../directory";
import { bodyField } from "../events";
import { useAction, useLive, useNow, useTitle } from "../hooks";
import { escalationStatusLabel } from "../labels";
import { Link } from "../router";
import type { Session } from "../session";
import type { Case, EscalationInfo, InspectAckLinkResponse } from "../types";
import { fmtClock, fmtDateTime, fmtDuration, isValidZone, toDate } from "../time";
import { Loading, SeverityBadge } from "../ui/common";
import { tierLabel } from "./now";

type State =
  | { kind: "loading" }
  | { kind: "failed"; error: unknown }
  | { kind: "link"; link: InspectAckLinkResponse; c: Case | null; caseError: unknown }
  | { kind: "done"; link: InspectAckLinkResponse; c: Case | null; result: EscalationInfo };

async function inspect(token: string): Promise<State> {
  try {
    const link = await call("recovery.v1.Escalation/InspectAckLink", { token });
    const caseId = link.page?.caseId || link.escalation?.caseId || "";
    let c: Case | null = null;
    let caseError: unknown = null;
    if (caseId) {
      try {
        c = (await call("recovery.v1.Intake/GetCase", { caseId })).case ?? null;
      } catch (e) {
        caseError = e;
      }
    }
    return { kind: "link", link, c, caseError };
  } catch (error) {
    return { kind: "failed", error };
  }
}

function Refusal({ error }: { error: unknown }) {
  let title = "This link cannot be used";
  let text = describeError(error);
  if (error instanceof ApiError) {
    if (error.status === 400 || error.status === 404) {
      title = "This link is not valid";
      text = "The link is incomplete, damaged or not one the console issued. Open the page from the message you received again, or go to Now.";
    } else if (error.status === 403) {
      title = "This link is for someone else";
      text = "Only the person who was paged can acknowledge with this link. You are signed in as another person.";
    }
  }
  return (
    <section class="ack-page ack-refused" data-testid="ack-refused">
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <Link href="/now">Go to Now</Link>
      </p>
    </section>
  );
}

function CaseFacts({ link, c, caseError, now }: { link: InspectAckLinkResponse; c: Case | null; caseError: unknown; now: number }) {
  const dir = useDirectory();
  const e = link.escalation;
  const started = toDate(e?.startedAt) ?? toDate(c?.openedAt);
  const clientZone = c?.client?.timeZone;
  return (
    <>
      <div class="ack-summary">
        <SeverityBadge severity={c?.severity ?? e?.severity} />
        <p class="ack-title" data-testid="ack-summary">
          {c?.summary || (caseError ? "The case could not be read" : `Case ${link.page?.caseId ?? ""}`)}
        </p>
      </div>
      <dl class="facts ack-facts">
        <div>
          <dt>Client</dt>
          <dd>{c?.client?.name || c?.client?.id || "-"}</dd>
        </div>
        <div>
          <dt>Waiting</dt>
          <dd data-testid="ack-waiting">
            {started ? (
              <>
                <strong>{fmtDuration(now - started.getTime())}</strong> (since {fmtClock(started)})
              </>
            ) : (
              "-"
            )}
          </dd>
        </div>
        <div>
          <dt>Paged</dt>
          <dd>
            {personName(dir, link.page?.personId)}
            {e && <> · {tierLabel(e)}</>}
          </dd>
        </div>
        {isValidZone(clientZone) && (
          <div>
            <dt>Client's time</dt>
            <dd>{fmtClock(new Date(now), clientZone)}</dd>
          </div>
        )}
      </dl>
    </>
  );
}

// The way on from a link that can no longer acknowledge: the case itself.
function OpenCaseLink({ caseId }: { caseId: string | undefined }) {
  if (!caseId) return null;
  return (
    <p class="ack-links">
      <Link href={`/cases/${encodeURIComponent(caseId)}`}>Open the case</Link>
    </p>
  );
}

export function AckScreen({ session, token }: { session: Session; token: string }) {
  useTitle("Acknowledge");
  const dir = useDirectory();
  const now = useNow(1000);
  const [state, setState] = useState<State>({ kind: "loading" });
  const { busy, error: ackError, run } = useAction();

  const reload = () => inspect(token).then(setState);
  useEffect(() => {
    void reload();
  }, [token]);

  // Someone else acknowledging or the escalation ending shows here without a reload.
  const escalationId = state.kind === "link" ? (state.link.escalation?.escalationId ?? state.link.page?.escalationId ?? "") : "";
  useLive(
    (m) =>
      m.kind === "resync" ||
      (!!escalationId && /^escalation/.test(m.type) && bodyField(m.event, "escalationId") === escalationId && !busy),
    () => (state.kind === "link" ? reload() : undefined),
  );

  const acknowledge = async () => {
    if (state.kind !== "link") return;
    await run(async () => {
      try {
        const result = await call("recovery.v1.Escalation/AcknowledgeByLink", { requestId: requestId(), token });
        setState({ kind: "done", link: state.link, c: state.c, result });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "failed_precondition")) throw e;
        void reload(); // used or ended meanwhile: show which
      }
    });
  };

  if (state.kind === "loading") return <Loading what="the page" />;
  if (state.kind === "failed") return <Refusal error={state.error} />;

  const { link, c } = state;
  if (state.kind === "done") {
    const r = state.result;
    return (
      <section class="ack-page ack-done" data-testid="ack-done">
        <h1>Acknowledged</h1>
        <p class="ack-result" role="status">
          Acknowledged by <strong>{personName(dir, r.acknowledgedBy || session.person)}</strong> at{" "}
          <strong>{fmtDateTime(r.updatedAt || new Date(now))}</strong>
        </p>
        <p>Nobody else will be paged for it. The case is yours: contact the client next.</p>
        <CaseFacts link={link} c={c} caseError={null} now={now} />
        <p class="ack-links">
          <Link href={`/cases/${encodeURIComponent(r.caseId || link.page?.caseId || "")}`}>Open the case</Link>
        </p>
      </section>
    );
  }

  const caseId = link.page?.caseId || link.escalation?.caseId || "";
  if (link.state === "ACK_LINK_STATE_USED") {
    return (
      <section class="ack-page ack-used" data-testid="ack-used">
        <h1>Already acknowledged</h1>
        <p>
          This page was acknowledged
          {link.usedBy && (
            <>
              {" "}
              by <strong>{personName(dir, link.usedBy)}</strong>
            </>
          )}
          {link.usedAt && (
            <>
              {" "}
              at <strong>{fmtDateTime(link.usedAt)}</strong>
            </>
          )}
          . A link works once.
        </p>
        <CaseFacts link={link} c={c} caseError={state.caseError} now={now} />
        <OpenCaseLink caseId={caseId} />
      </section>
    );
  }
  if (link.state === "ACK_LINK_STATE_ENDED") {
    const e = link.escalation;
    return (
      <section class="ack-page ack-ended" data-testid="ack-ended">
        <h1>This escalation has ended</h1>
        <p>
          It is {escalationStatusLabel(e?.status).toLowerCase()}
          {e?.acknowledgedBy && <> (acknowledged by {personName(dir, e.acknowledgedBy)})</>}
          {e?.resolvedBy && <> (resolved by {personName(dir, e.resolvedBy)})</>}
          {e?.updatedAt && <> since {fmtDateTime(e.updatedAt)}</>}. Nothing is left to acknowledge.
        </p>
        <CaseFacts link={link} c={c} caseError={state.caseError} now={now} />
        <OpenCaseLink caseId={caseId} />
      </section>
    );
  }
  if (link.state !== "ACK_LINK_STATE_VALID") return <Refusal error={new Error(`The link's state is unknown (${link.state ?? "none"}).`)} />;

  return (
    <section class="ack-page ack-valid" data-testid="ack-valid">
      <h1>You are paged</h1>
      <CaseFacts link={link} c={c} caseError={state.caseError} now={now} />
      <button type="button" class="primary huge" onClick={acknowledge} disabled={busy} data-testid="ack-button">
        {busy ? "Acknowledging…" : "Acknowledge"}
      </button>
      {ackError !== null && (
        <div class="error" role="alert">
          Not acknowledged: {describeError(ackError)} Try again.
        </div>
      )}
    </section>
  );
}
