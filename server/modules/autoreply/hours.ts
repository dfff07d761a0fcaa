// Business hours of a number: a weekly schedule in the number's time zone, and holidays. Pure
// calendar arithmetic on Intl (no time-zone database of our own): wall-clock times are turned
// into instants per day, so daylight-saving changes shift nothing but the offset.
//
// Rules: a slot belongs to the day it opens on; a slot whose closing time is not after its
// opening time ends on the next day (22:00-06:00 spans midnight; 00:00 as a closing time is
// midnight). A holiday closes the slots that open on that local date. A wall-clock time that does
// not exist (inside a spring-forward gap) is read with the offset before the change, so it lands
// just after the gap (02:30 becomes 03:30), as java.time does.

/** Monday = 1 ... Sunday = 7 (ISO 8601). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export type Slot = { day: Weekday; open: string; close: string };
export type Hours = { timeZone: string; weekly: Slot[]; holidays: string[] };

// Holidays can close many days in a row; past a year without an opening there is none.
const SEARCH_DAYS = 400;

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether a time-zone name is one Intl knows (IANA names such as Europe/Paris). */
export function isTimeZone(name: string): boolean {
  try {
    partsFormatter(name);
    return true;
  } catch {
    return false;
  }
}

type Civil = { y: number; m: number; d: number; hour: number; minute: number; second: number };

function civilAt(ms: number, timeZone: string): Civil {
  const p: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') {
      p[part.type] = Number(part.value);
    }
  }
  return { y: p.year!, m: p.month!, d: p.day!, hour: p.hour! % 24, minute: p.minute!, second: p.second! };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const c = civilAt(ms, timeZone);
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(c.y, c.m - 1, c.d, c.hour, c.minute, c.second) - whole;
}

/** The instant of a wall-clock time in the zone (see the gap rule above). */
export function instantOf(y: number, m: number, d: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d, hour, minute);
  const first = offsetAt(guess, timeZone);
  const second = offsetAt(guess - first, timeZone);
  return first === second ? guess - first : guess - Math.min(first, second);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const dateKey = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The slots opening on a local date (none on a holiday), as [open, close) instants. */
function slotsOn(hours: Hours, y: number, m: number, d: number): Array<[number, number]> {
  if (hours.holidays.includes(dateKey(y, m, d))) {
    return [];
  }
  const weekday = (((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1) as Weekday;
  const out: Array<[number, number]> = [];
  for (const slot of hours.weekly) {
    if (slot.day !== weekday) {
      continue;
    }
    const open = minutesOf(slot.open);
    const close = minutesOf(slot.close);
    const endDay = new Date(Date.UTC(y, m - 1, d + (close <= open ? 1 : 0)));
    out.push([
      instantOf(y, m, d, Math.floor(open / 60), open % 60, hours.timeZone),
      instantOf(endDay.getUTCFullYear(), endDay.getUTCMonth() + 1, endDay.getUTCDate(), Math.floor(close / 60), close % 60, hours.timeZone),
    ]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The local date `offset` days after the one `at` falls on. */
function localDate(at: number, timeZone: string, offset: number): { y: number; m: number; d: number } {
  const c = civilAt(at, timeZone);
  const day = new Date(Date.UTC(c.y, c.m - 1, c.d + offset));
  return { y: day.getUTCFullYear(), m: day.getUTCMonth() + 1, d: day.getUTCDate() };
}

/** Whether the number is open at an instant. A schedule with no slot at all is always open. */
export function isOpen(hours: Hours, at: Date): boolean {
  if (hours.weekly.length === 0) {
    return true;
  }
  const t = at.getTime();
  // A slot opened yesterday may run past midnight.
  for (const offset of [-1, 0]) {
    const { y, m, d } = localDate(t, hours.timeZone, offset);
    if (slotsOn(hours, y, m, d).some(([open, close]) => open <= t && t < close)) {
      return true;
    }
  }
  return false;
}

/** The next opening after an instant (when closed, the end of the closed period), or null if none within a year. */
export function nextOpening(hours: Hours, at: Date): Date | null {
  const t = at.getTime();
  for (let offset = 0; offset < SEARCH_DAYS; offset += 1) {
    const { y, m, d } = localDate(t, hours.timeZone, offset);
    const next = slotsOn(hours, y, m, d).find(([open]) => open > t);
    if (next) {
      return new Date(next[0]);
    }
  }
  return null;
}

/** An opening time as a customer reads it, in their language and the number's zone ("Monday, December 7 at 9:00 AM", "lundi 7 décembre à 9:00"). */
export function formatOpening(at: Date, timeZone: string, language: string): string {
  let locale = 'en';
  try {
    locale = Intl.DateTimeFormat.supportedLocalesOf([language]).length > 0 ? language : 'en';
  } catch {
    // Not a language tag at all: English.
  }
  return new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }).format(at);
}
