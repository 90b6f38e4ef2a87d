// The configured directory (GetDirectory), fetched once and shared; names for person ids.
import { useEffect, useState } from "preact/hooks";
import { call } from "./api";
import { subscribe } from "./events";
import type { Directory } from "./types";
import { actorId } from "./labels";

let cached: Directory | null = null;
let inflight: Promise<Directory> | null = null;
const listeners = new Set<(d: Directory) => void>();

export function loadDirectory(force = false): Promise<Directory> {
  if (cached && !force) return Promise.resolve(cached);
  if (!inflight) {
    inflight = call("recovery.v1.Escalation/GetDirectory", {})
      .then((d) => {
        cached = d;
        for (const fn of listeners) fn(d);
        return d;
      })
      .finally(() => {
        inflight = null;
      });
  }
  return inflight;
}

let watching = false;
function watchConfig(): void {
  if (watching) return;
  watching = true;
  // People, teams and schedules change through configuration: refresh on any such change.
  subscribe((m) => {
    if (m.kind === "resync" || (m.type === "configChanged" && m.event.source === "escalation"))
      void loadDirectory(true).catch(() => {});
  });
}

// The directory (null until loaded; stays null when the person may not read it).
export function useDirectory(): Directory | null {
  const [dir, setDir] = useState<Directory | null>(cached);
  useEffect(() => {
    listeners.add(setDir);
    watchConfig();
    loadDirectory().catch(() => {});
    return () => {
      listeners.delete(setDir);
    };
  }, []);
  return dir;
}

// "lee" -> "Lee Example" when the directory knows the person, else the id.
export function personName(dir: Directory | null, idOrActor: string | undefined): string {
  const id = actorId(idOrActor);
  if (!id) return "-";
  const p = dir?.people?.find((x) => x.id === id);
  return p?.name ? p.name : id;
}
