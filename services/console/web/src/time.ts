// Times, always shown with their zone: "09:05 America/New_York", "14:05 UTC". The viewer's
// zone comes from Intl; the client's or a schedule's zone from the message that names it.

export function zoneLabel(zone: string): string {
  return zone === "Etc/UTC" || zone === "Etc/GMT" || zone === "GMT" || zone === "UTC" ? "UTC" : zone;
}

export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function isValidZone(zone: string | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface ZonedParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: string; // "Mon"
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
      hourCycle: "h23",
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

export function zonedParts(at: Date, zone: string): ZonedParts {
  const p: Record<string, string> = {};
  for (const part of partsFormatter(zone).formatToParts(at)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: p.weekday ?? "",
  };
}

// The zone's offset from UTC at that instant, in ms (positive east of Greenwich).
function zoneOffset(at: number, zone: string): number {
  const p = zonedParts(new Date(at), zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

// The instant at which the zone's wall clock shows y-m-d h:min (the first such, across a DST change).
export function zonedInstant(y: number, m: number, d: number, h: number, min: number, zone: string): Date {
  const wall = Date.UTC(y, m - 1, d, h, min);
  let t = wall - zoneOffset(wall, zone);
  t = wall - zoneOffset(t, zone);
  return new Date(t);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

export function toDate(v: string | Date | undefined): Date | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

// "09:05 America/New_York"
export function fmtClock(v: string | Date | undefined, zone: string = viewerZone()): string {
  const d = toDate(v);
  if (!d) return "-";
  const p = zonedParts(d, zone);
  return `${pad(p.hour)}:${pad(p.minute)} ${zoneLabel(zone)}`;
}

// "Tue 4 Nov 09:05 America/New_York" ("… 2024 …" when not this year)
export function fmtDateTime(v: string | Date | undefined, zone: string = viewerZone()): string {
  const d = toDate(v);
  if (!d) return "-";
  const p = zonedParts(d, zone);
  const year = p.year === zonedParts(new Date(), zone).year ? "" : ` ${p.year}`;
  return `${p.weekday} ${p.day} ${MONTHS[p.month - 1]}${year} ${pad(p.hour)}:${pad(p.minute)} ${zoneLabel(zone)}`;
}

// "Tue 4 Nov" in the zone (for day headings; the zone is labelled by the heading's context)
export function fmtDay(v: Date, zone: string): string {
  const p = zonedParts(v, zone);
  return `${p.weekday} ${p.day} ${MONTHS[p.month - 1]}`;
}

// The viewer's zone and, when that is not UTC, UTC as well.
export function fmtDateTimeBoth(v: string | Date | undefined): string {
  const zone = viewerZone();
  const local = fmtDateTime(v, zone);
  if (zoneLabel(zone) === "UTC" || local === "-") return local;
  return `${local} (${fmtClock(v, "UTC")})`;
}

// "1 h 05 min", "4 min 12 s", "12 s"
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${pad(m)} min`;
  if (m > 0) return `${m} min ${pad(sec)} s`;
  return `${sec} s`;
}

// protobuf JSON Duration "300s" / "1.5s" -> ms
export function parseDuration(v: string | undefined): number | null {
  if (!v) return null;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v);
  return m ? Math.round(Number(m[1]) * 1000) : null;
}

// <input type="datetime-local"> value (the viewer's wall clock) <-> instant
export function fromLocalInput(v: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return null;
  const d = new Date(v); // a date-time without offset is local time
  return Number.isNaN(d.getTime()) ? null : d;
}

export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
