// Small hooks the screens share.
import { useEffect, useRef, useState } from "preact/hooks";
import { debounced, subscribe } from "./events";
import type { LiveMessage } from "./events";

// The current time, updated every `ms` (one timer per component).
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

// Calls refetch (coalesced, at most every `ms`) when a live message matches; always on a resync
// (matches still sees it, to drop what it caches). While a refetch that returned a promise
// runs, no other starts: matches meanwhile cause one more when it is done. So a busy topic
// neither stacks requests up nor starves a refetch slower than `ms`.
export function useLive(
  matches: (m: LiveMessage) => boolean,
  refetch: () => void | Promise<unknown>,
  ms = 250,
): void {
  const matchRef = useRef(matches);
  const refetchRef = useRef(refetch);
  matchRef.current = matches;
  refetchRef.current = refetch;
  useEffect(() => {
    let running = false;
    let again = false;
    let live = true;
    const run = () => {
      if (running) {
        again = true;
        return;
      }
      const p = refetchRef.current();
      if (!p) return;
      running = true;
      void p
        .catch(() => {})
        .finally(() => {
          running = false;
          if (again && live) {
            again = false;
            d.trigger();
          }
        });
    };
    const d = debounced(ms, run);
    const off = subscribe((m) => {
      if (matchRef.current(m) || m.kind === "resync") d.trigger();
    });
    return () => {
      live = false;
      off();
      d.cancel();
    };
  }, [ms]);
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Service recovery console`;
  }, [title]);
}

// A write behind a button or a form: `busy` while it runs, its error kept to show (cleared
// when the next one starts). `run` never throws.
export interface Action {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  run: (write: () => Promise<void>) => Promise<void>;
}
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (write: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await write();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
