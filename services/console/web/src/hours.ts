// When a page reached a person: in business hours, in the evening, at night, or on a day off.
// Business hours are the person's team calendar (escalation's calendar resource: its weekly
// hours, holidays and zone) when there is one, else Monday to Friday 09:00-17:00 in the
// person's own time zone. Outside them, by the person's local clock: 17:00-22:00 is evening,
// 09:00-17:00 a day off (a weekend or holiday), anything else night.
import type { CalendarInfo, Directory, JsonValue } from "./types";
import { isValidZone, zonedParts } from "./time";

export type Bucket = "business" | "evening" | "night" | "dayoff";
export const BUCKETS: Bucket[] = ["business", "evening", "night", "dayoff"];
export const BUCKET_LABELS: Record<Bucket, string> = {
  business: "Business hours",
  evening: "Evenings (17:00-22:00)",
  night: "Nights (22:00-09:00)",
  dayoff: "Weekend and holiday days",
};

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export interface WorkCalendar {
  id: string; // "" for the default
  zone: string;
  weekly: [number, number][][]; // per weekday (0 Sunday), minutes from midnight [start, end)
  holidays: [string, string][]; // inclusive YYYY-MM-DD ranges
}

export function defaultCalendar(zone: string): WorkCalendar {
  const day: [number, number][] = [[9 * 60, 17 * 60]];
  return { id: "", zone, weekly: [[], day, day, day, day, day, []], holidays: [] };
}

function minutes(hm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hm.trim());
  if (!m) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v >= 0 && v <= 24 * 60 ? v : null;
}

// "2026-12-29..2026-12-31 Year-end shutdown" (GetDirectory's CalendarInfo.holidays)
function holidayRange(text: string): [string, string] | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?/.exec(text);
  return m ? [m[1]!, m[2] ?? m[1]!] : null;
}

// The calendar resource's spec as escalation's YAML holds it:
// {id, time_zone, weekly: {mon: ["09:00-17:30"]}, holidays: [{date} | {from, to}]}.
export function calendarFromSpec(spec: JsonValue | undefined, info?: CalendarInfo): WorkCalendar | null {
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) return null;
  const s = spec as Record<string, JsonValue>;
  const zone = typeof s.time_zone === "string" && isValidZone(s.time_zone) ? s.time_zone : info?.timeZone;
  if (!zone || !isValidZone(zone)) return null;
  const weekly: [number, number][][] = DAYS.map(() => []);
  const w = s.weekly;
  if (w && typeof w === "object" && !Array.isArray(w)) {
    for (const [day, windows] of Object.entries(w)) {
      const d = DAYS.indexOf(day.toLowerCase().slice(0, 3));
      if (d < 0 || !Array.isArray(windows)) continue;
      for (const win of windows) {
        if (typeof win !== "string") continue;
        const [a, b] = win.split("-");
        const start = minutes(a ?? "");
        const end = minutes(b ?? "");
        if (start !== null && end !== null && end > start) weekly[d]!.push([start, end]);
      }
    }
  } else return null; // no weekly hours: not a business-hours calendar
  const holidays: [string, string][] = [];
  if (Array.isArray(s.holidays)) {
    for (const h of s.holidays) {
      if (!h || typeof h !== "object" || Array.isArray(h)) continue;
      const r = h as Record<string, JsonValue>;
      const from = typeof r.date === "string" ? r.date : typeof r.from === "string" ? r.from : "";
      const to = typeof r.date === "string" ? r.date : typeof r.to === "string" ? r.to : from;
      if (from) holidays.push([from, to]);
    }
  } else {
    for (const h of info?.holidays ?? []) {
      const r = holidayRange(h);
      if (r) holidays.push(r);
    }
  }
  return { id: typeof s.id === "string" ? s.id : (info?.id ?? ""), zone, weekly, holidays };
}

// A directory calendar without its weekly hours (config.read not granted): the default
// hours in the calendar's zone, with its holidays.
export function calendarFromInfo(info: CalendarInfo): WorkCalendar | null {
  if (!isValidZone(info.timeZone)) return null;
  const c = defaultCalendar(info.timeZone);
  c.id = info.id ?? "";
  for (const h of info.holidays ?? []) {
    const r = holidayRange(h);
    if (r) c.holidays.push(r);
  }
  return c;
}

const ymd = (p: { year: number; month: number; day: number }) =>
  `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;

function isHoliday(cal: WorkCalendar, day: string): boolean {
  return cal.holidays.some(([a, b]) => day >= a && day <= b);
}

function open(cal: WorkCalendar, at: Date): boolean {
  const p = zonedParts(at, cal.zone);
  if (isHoliday(cal, ymd(p))) return false;
  const m = p.hour * 60 + p.minute;
  return (cal.weekly[WEEKDAY[p.weekday] ?? 0] ?? []).some(([a, b]) => m >= a && m < b);
}

export function classify(at: Date, personZone: string, cal: WorkCalendar): Bucket {
  if (open(cal, at)) return "business";
  const p = zonedParts(at, personZone);
  if (p.hour >= 17 && p.hour < 22) return "evening";
  if (p.hour >= 9 && p.hour < 17) return "dayoff";
  return "night";
}

export interface PersonHours {
  zone: string; // the person's own zone (their evenings and nights)
  calendar: WorkCalendar; // their business hours
  source: string; // "calendar london-office" or "default hours"
}

// Each person's hours: their zone from the directory, the calendar of the first team they are
// a member of that has one (specs: calendar resources by id, when readable).
export function personHours(dir: Directory, specs: Map<string, JsonValue>, personId: string): PersonHours {
  const person = dir.people?.find((p) => p.id === personId);
  const team = dir.teams?.find((t) => t.calendarId && (t.members ?? []).includes(personId));
  const info = team ? dir.calendars?.find((c) => c.id === team.calendarId) : undefined;
  const ownZone = isValidZone(person?.timeZone) ? person!.timeZone! : isValidZone(info?.timeZone) ? info!.timeZone! : "UTC";
  if (team?.calendarId) {
    const fromSpec = calendarFromSpec(specs.get(team.calendarId), info);
    const cal = fromSpec ?? (info ? calendarFromInfo(info) : null);
    if (cal)
      return {
        zone: ownZone,
        calendar: cal,
        source: fromSpec ? `calendar ${team.calendarId}` : `calendar ${team.calendarId}'s holidays, 09:00-17:00 Mon-Fri`,
      };
  }
  return { zone: ownZone, calendar: defaultCalendar(ownZone), source: "09:00-17:00 Mon-Fri" };
}
