// Live updates: one EventSource on /api/events for the whole app (CONSOLE_API.md "Live
// updates"). Screens subscribe(fn) and refetch what an event touches.
//
// Reconnects: EventSource retries by itself after a dropped connection (sending Last-Event-ID).
// When the answer is not an event stream (401 after the session ended, a 5xx) it gives up
// (readyState CLOSED); then a new one is made after a growing delay (1 s .. 30 s). Whenever
// a connection opens again after a loss, subscribers get {kind: "resync"}: events may have
// been missed, so a screen refetches everything it shows.
import type { RecoveryEvent } from "./types";

export type LiveMessage =
  | { kind: "event"; type: string; event: RecoveryEvent } // type: the body's field name, e.g. "pageQueued"
  | { kind: "resync" };

export type LiveStatus = "connecting" | "live" | "reconnecting";

type Listener = (m: LiveMessage) => void;
type StatusListener = (s: LiveStatus) => void;

const ENVELOPE = new Set(["eventId", "caseId", "occurredAt", "source", "actor", "causationId"]);

// The oneof body's field name ("escalationAcknowledged"), or "" when there is none.
export function eventType(ev: RecoveryEvent): string {
  for (const k of Object.keys(ev)) if (!ENVELOPE.has(k)) return k;
  return "";
}

// A string field of the body (e.g. escalationId), "" when absent.
export function bodyField(ev: RecoveryEvent, field: string): string {
  const body = ev[eventType(ev)];
  if (body && typeof body === "object") {
    const v = (body as Record<string, unknown>)[field];
    if (typeof v === "string") return v;
  }
  return "";
}

const listeners = new Set<Listener>();
const statusListeners = new Set<StatusListener>();
let source: EventSource | null = null;
let status: LiveStatus = "connecting";
let everOpened = false;
let lostSinceOpen = false;
let retryDelay = 1000;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

function setStatus(s: LiveStatus): void {
  if (s === status) return;
  status = s;
  for (const fn of statusListeners) fn(s);
}

function dispatch(m: LiveMessage): void {
  for (const fn of [...listeners]) {
    try {
      fn(m);
    } catch (e) {
      console.error("events: a subscriber failed", e);
    }
  }
}

function onMessage(e: MessageEvent<string>): void {
  let ev: RecoveryEvent;
  try {
    ev = JSON.parse(e.data) as RecoveryEvent;
  } catch {
    console.warn("events: not JSON, skipped", e.data);
    return;
  }
  dispatch({ kind: "event", type: eventType(ev), event: ev });
}

function connect(): void {
  retryTimer = null;
  const es = new EventSource("/api/events", { withCredentials: true });
  source = es;
  es.addEventListener("event", onMessage as EventListener);
  es.onmessage = onMessage; // an event without "event:" line, should the server send one
  es.onopen = () => {
    retryDelay = 1000;
    setStatus("live");
    if (everOpened && lostSinceOpen) dispatch({ kind: "resync" });
    everOpened = true;
    lostSinceOpen = false;
  };
  es.onerror = () => {
    lostSinceOpen = true;
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up: make a new one later.
      es.close();
      if (source === es) source = null;
      setStatus("reconnecting");
      retryTimer = setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    } else {
      setStatus(everOpened ? "reconnecting" : "connecting"); // the browser retries itself
    }
  };
}

function ensureConnected(): void {
  if (!source && !retryTimer) connect();
}

// Returns the unsubscribe function.
export function subscribe(fn: Listener): () => void {
  listeners.add(fn);
  ensureConnected();
  return () => {
    listeners.delete(fn);
  };
}

export function subscribeStatus(fn: StatusListener): () => void {
  statusListeners.add(fn);
  fn(status);
  ensureConnected();
  return () => {
    statusListeners.delete(fn);
  };
}

export function liveStatus(): LiveStatus {
  return status;
}

// Coalesces a burst: the first trigger schedules fn `ms` later, triggers until then add nothing.
// So a screen refetches at most 1000/ms times a second and shows a change within `ms`.
export function debounced(ms: number, fn: () => void): { trigger: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    trigger() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
