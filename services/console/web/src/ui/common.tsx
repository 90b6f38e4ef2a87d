// Pieces every screen uses.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { describeError } from "../api";
import { severityLabel } from "../labels";
import type { Severity } from "../types";
import { fmtClock, fmtDateTime, fmtDateTimeBoth, toDate, viewerZone } from "../time";

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {title && <strong>{title}: </strong>}
      {describeError(error)}
    </div>
  );
}

export function SeverityBadge({ severity }: { severity: Severity | undefined }) {
  const label = severityLabel(severity);
  return (
    <span class={`badge sev sev-${label.toLowerCase()}`} title={`Severity ${label}`}>
      <span class="visually-hidden">Severity </span>
      {label}
    </span>
  );
}

// A time with its zone: the given zone (a client's, a schedule's) or the viewer's, with UTC
// in the tooltip and as the machine-readable dateTime.
export function Time({ at, zone, clock, both }: { at: string | undefined; zone?: string; clock?: boolean; both?: boolean }) {
  const d = toDate(at);
  if (!d) return <span>-</span>;
  const z = zone ?? viewerZone();
  const text = both ? fmtDateTimeBoth(d) : clock ? fmtClock(d, z) : fmtDateTime(d, z);
  return (
    <time dateTime={d.toISOString()} title={fmtDateTime(d, "UTC")}>
      {text}
    </time>
  );
}

// A modal dialog (the platform's <dialog>: focus moves in, Escape closes, focus returns).
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const titleId = `dlg-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} class="dialog">
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

// A dialog form's buttons: submit (showing `busyLabel` while the write runs) and Cancel.
export function DialogButtons({ label, busyLabel, busy, disabled, onCancel }: { label: string; busyLabel?: string; busy: boolean; disabled?: boolean; onCancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={busy || disabled}>
        {busy && busyLabel ? busyLabel : label}
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
