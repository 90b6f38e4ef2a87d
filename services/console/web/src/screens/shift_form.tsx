// One form for handing part of a schedule to someone: a schedule, a person, a window (in the
// viewer's zone, labelled) and an optional reason. The On-call screen's "Add override" and
// "Ask a teammate to cover" are this form with their own words and call.
import { useState } from "preact/hooks";
import { useAction } from "../hooks";
import { requestId } from "../api";
import type { Directory, PersonInfo } from "../types";
import { fromLocalInput, toLocalInput, viewerZone, zoneLabel } from "../time";
import { ErrorBox } from "../ui/common";

export interface ShiftWindow {
  scheduleId: string;
  personId: string;
  start: Date;
  end: Date;
  reason?: string;
}

// The fields AddOverride and RequestCover share, with a fresh request id.
export function windowRequest(w: ShiftWindow) {
  return {
    requestId: requestId(),
    scheduleId: w.scheduleId,
    personId: w.personId,
    start: w.start.toISOString(),
    end: w.end.toISOString(),
    ...(w.reason ? { reason: w.reason } : {}),
  };
}

export interface ShiftFormWords {
  id: string; // prefix of the controls' ids
  title: string;
  schedule: string;
  person: string;
  from: string;
  to: string;
  reason: string;
  submit: string;
  failed: string;
}

export function ShiftForm({
  dir,
  people,
  initialPerson,
  words,
  onSubmit,
}: {
  dir: Directory;
  people: PersonInfo[];
  initialPerson: string;
  words: ShiftFormWords;
  // Makes the call; returns what to tell the person (the form then clears its reason).
  onSubmit: (w: ShiftWindow) => Promise<void>;
}) {
  const schedules = dir.schedules ?? [];
  const start0 = new Date();
  start0.setMinutes(0, 0, 0);
  start0.setHours(start0.getHours() + 1);
  const [scheduleId, setScheduleId] = useState(schedules[0]?.id ?? "");
  const [personId, setPersonId] = useState(initialPerson);
  const [start, setStart] = useState(toLocalInput(start0));
  const [end, setEnd] = useState(toLocalInput(new Date(start0.getTime() + 8 * 3600000)));
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useAction();
  const zone = zoneLabel(viewerZone());
  const id = words.id;

  const submit = async (e: Event) => {
    e.preventDefault();
    const s = fromLocalInput(start);
    const en = fromLocalInput(end);
    if (!s || !en) {
      setError(new Error("start and end: give a date and a time"));
      return;
    }
    if (en <= s) {
      setError(new Error("end: must be after the start"));
      return;
    }
    await run(async () => {
      await onSubmit({ scheduleId, personId, start: s, end: en, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setReason("");
    });
  };

  return (
    <form class="card override-form" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{words.title}</h2>
      <div class="fields">
        <div class="field">
          <label for={`${id}-schedule`}>{words.schedule}</label>
          <select id={`${id}-schedule`} value={scheduleId} onChange={(e) => setScheduleId((e.target as HTMLSelectElement).value)}>
            {schedules.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name || s.id}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${id}-person`}>{words.person}</label>
          <select id={`${id}-person`} value={personId} onChange={(e) => setPersonId((e.target as HTMLSelectElement).value)}>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name || p.id}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${id}-start`}>
            {words.from} ({zone})
          </label>
          <input id={`${id}-start`} type="datetime-local" required value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for={`${id}-end`}>
            {words.to} ({zone})
          </label>
          <input id={`${id}-end`} type="datetime-local" required value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field wide">
          <label for={`${id}-reason`}>{words.reason}</label>
          <input id={`${id}-reason`} type="text" maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      <ErrorBox error={error} title={words.failed} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || !scheduleId || !personId}>
          {words.submit}
        </button>
      </div>
    </form>
  );
}
