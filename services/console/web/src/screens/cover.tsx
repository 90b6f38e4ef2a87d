// Cover requests on the On-call screen: ask a teammate to take part of your shift
// (Escalation/RequestCover), answer what teammates asked of you (AcceptCover adds the
// override; DeclineCover), and see or cancel what you asked (CancelCover). Each list is
// refetched when a cover event arrives.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, requestId } from "../api";
import { personName } from "../directory";
import { useLive } from "../hooks";
import { can } from "../session";
import type { Session } from "../session";
import type { CoverRequestInfo, Directory } from "../types";
import { fmtDateTime } from "../time";
import { ErrorBox } from "../ui/common";
import { ShiftForm, windowRequest } from "./shift_form";

const COVER_EVENT = /^cover/;

function statusWord(c: CoverRequestInfo): string {
  return (c.status ?? "COVER_REQUEST_STATUS_UNSPECIFIED").replace("COVER_REQUEST_STATUS_", "").toLowerCase();
}

function CoverRow({
  c,
  dir,
  actions,
}: {
  c: CoverRequestInfo;
  dir: Directory;
  actions?: ComponentChildren;
}) {
  const schedule = dir.schedules?.find((s) => s.id === c.scheduleId);
  return (
    <li class="card cover" data-testid={`cover-${c.coverRequestId}`}>
      <p>
        <strong>{personName(dir, c.requesterId)}</strong> asks <strong>{personName(dir, c.personId)}</strong> to cover{" "}
        {schedule?.name || c.scheduleId}, {fmtDateTime(c.start)} to {fmtDateTime(c.end)}
        {c.reason ? ` (${c.reason})` : ""}.
      </p>
      <p class="muted-text" data-testid="cover-status">
        Status: {statusWord(c)}
        {c.answeredBy ? ` by ${personName(dir, c.answeredBy)}` : ""}
        {c.answerReason ? `: ${c.answerReason}` : ""}
      </p>
      {actions}
    </li>
  );
}

function AskForm({ dir, session, onAsked }: { dir: Directory; session: Session; onAsked: (msg: string) => void }) {
  const teammates = (dir.people ?? []).filter((p) => p.id !== session.person);
  return (
    <ShiftForm
      dir={dir}
      people={teammates}
      initialPerson={teammates[0]?.id ?? ""}
      words={{
        id: "cv",
        title: "Ask a teammate to cover",
        schedule: "Schedule to cover",
        person: "Teammate",
        from: "Cover from",
        to: "Cover to",
        reason: "Why (optional)",
        submit: "Ask for cover",
        failed: "Could not ask for cover",
      }}
      onSubmit={async (w) => {
        const c = await call("recovery.v1.Escalation/RequestCover", windowRequest(w));
        onAsked(`Asked ${personName(dir, c.personId)} to cover from ${fmtDateTime(c.start)} to ${fmtDateTime(c.end)}.`);
      }}
    />
  );
}

export function CoverRequests({ dir, session, onChanged }: { dir: Directory; session: Session; onChanged: () => void }) {
  const [toMe, setToMe] = useState<CoverRequestInfo[] | null>(null);
  const [mine, setMine] = useState<CoverRequestInfo[] | null>(null);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const mayAnswer = can(session, "recovery.v1.Escalation/AcceptCover");

  const refresh = async () => {
    const n = ++seq.current;
    try {
      const [a, b] = await Promise.all([
        call("recovery.v1.Escalation/ListCoverRequests", { addressedToMe: true, status: "COVER_REQUEST_STATUS_PENDING" }),
        call("recovery.v1.Escalation/ListCoverRequests", { mine: true }),
      ]);
      if (n !== seq.current) return;
      setToMe(a.coverRequests ?? []);
      setMine((b.coverRequests ?? []).slice(-10).reverse());
      setError(null);
    } catch (e) {
      if (n === seq.current) setError(e);
    }
  };
  useEffect(() => {
    void refresh();
  }, []);
  useLive((m) => m.kind === "resync" || COVER_EVENT.test(m.type), refresh, 300);

  const answer = async (
    method: "recovery.v1.Escalation/AcceptCover" | "recovery.v1.Escalation/DeclineCover" | "recovery.v1.Escalation/CancelCover",
    c: CoverRequestInfo,
    done: string,
  ) => {
    setError(null);
    try {
      await call(method, { requestId: requestId(), coverRequestId: c.coverRequestId ?? "" });
      setMessage(done);
      void refresh();
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section class="cover-requests" aria-labelledby="cover-h">
      <h2 id="cover-h">Cover requests</h2>
      <p class="ok" role="status" data-testid="cover-message">
        {message}
      </p>
      <ErrorBox error={error} title="Cover requests" />
      {can(session, "recovery.v1.Escalation/RequestCover") && (
        <AskForm
          dir={dir}
          session={session}
          onAsked={(m) => {
            setMessage(m);
            void refresh();
          }}
        />
      )}
      <h3>Asked of you</h3>
      {toMe && toMe.length === 0 && <p class="muted-text">Nobody is waiting for your answer.</p>}
      <ul class="plain" data-testid="cover-to-me">
        {toMe?.map((c) => (
          <CoverRow
            key={c.coverRequestId}
            c={c}
            dir={dir}
            actions={
              mayAnswer && (
                <div class="actions">
                  <button type="button" class="primary" onClick={() => void answer("recovery.v1.Escalation/AcceptCover", c, "Cover accepted: the shift is yours.")}>
                    Accept
                  </button>
                  <button type="button" class="secondary" onClick={() => void answer("recovery.v1.Escalation/DeclineCover", c, "Cover declined.")}>
                    Decline
                  </button>
                </div>
              )
            }
          />
        ))}
      </ul>
      <h3>You asked</h3>
      {mine && mine.length === 0 && <p class="muted-text">You have not asked anyone to cover.</p>}
      <ul class="plain" data-testid="cover-mine">
        {mine?.map((c) => (
          <CoverRow
            key={c.coverRequestId}
            c={c}
            dir={dir}
            actions={
              c.status === "COVER_REQUEST_STATUS_PENDING" &&
              can(session, "recovery.v1.Escalation/CancelCover") && (
                <div class="actions">
                  <button type="button" class="secondary" onClick={() => void answer("recovery.v1.Escalation/CancelCover", c, "Cover request cancelled.")}>
                    Cancel request
                  </button>
                </div>
              )
            }
          />
        ))}
      </ul>
    </section>
  );
}
