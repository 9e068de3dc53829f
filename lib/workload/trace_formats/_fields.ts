/**
 * Field parsers of trace rows. They read `text[s, e)` in place, without
 * slicing, because a trace of millions of rows is parsed field by field.
 *
 * @module
 */

import type { TimestampUnit } from "./timestamp_units.ts";

/**
 * The shared empty id list of rows without prefix-block ids. Frozen: it is
 * handed out by every row, so no caller may change it.
 */
export const NO_IDS: number[] = Object.freeze([]) as unknown as number[];

/** Sets out.w and out.f (whole part and fraction) and returns true, or false. */
export function parseTime(
  text: string,
  s: number,
  e: number,
  unit: TimestampUnit,
  out: { w: number; f: number },
): boolean {
  return unit === "datetime"
    ? parseDateTime(text, s, e, out)
    : parseDecimal(text, s, e, out);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function parseDecimal(
  text: string,
  s: number,
  e: number,
  out: { w: number; f: number },
): boolean {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  const from = s;
  let negative = false;
  const sign = text.charCodeAt(s);
  if (sign === 45 || sign === 43) {
    negative = sign === 45;
    s++;
  }
  let w = 0;
  let digits = 0;
  for (; s < e; s++) {
    const d = text.charCodeAt(s) - 48;
    if (d < 0 || d > 9) break;
    w = w * 10 + d;
    digits++;
  }
  let f = 0;
  if (s < e && text.charCodeAt(s) === 46) {
    s = readFraction(text, s + 1, e);
    f = fraction.value;
    digits += fraction.digits;
  }
  if (s < e) {
    // Only an exponent is left to accept; Number() handles it exactly.
    const c = text.charCodeAt(s);
    if (digits === 0 || (c !== 101 && c !== 69)) return false;
    const v = Number(text.slice(from, e));
    if (!Number.isFinite(v)) return false;
    out.w = v;
    out.f = 0;
    return true;
  }
  if (digits === 0) return false;
  out.w = negative ? -w : w;
  out.f = negative ? -f : f;
  return true;
}

// The digits after a decimal point, from `p`: their value (in [0, 1)) and
// count go to `fraction`; returns where they end.
const fraction = { value: 0, digits: 0 };
function readFraction(text: string, p: number, e: number): number {
  let f = 0, scale = 1, digits = 0;
  for (; p < e; p++) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    // Digits beyond the 15th cannot change a double's fraction.
    if (scale < 1e15) {
      f = f * 10 + d;
      scale *= 10;
    }
    digits++;
  }
  fraction.value = f / scale;
  fraction.digits = digits;
  return p;
}

function twoDigits(text: string, p: number): number {
  const a = text.charCodeAt(p) - 48;
  const b = text.charCodeAt(p + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// `YYYY-MM-DD HH:MM:SS[.fraction][Z]` (or `T` between date and time), UTC.
function parseDateTime(
  text: string,
  s: number,
  e: number,
  out: { w: number; f: number },
): boolean {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  if (e - s < 19) return false;
  const hi = twoDigits(text, s);
  const lo = twoDigits(text, s + 2);
  const month = twoDigits(text, s + 5);
  const day = twoDigits(text, s + 8);
  const hour = twoDigits(text, s + 11);
  const minute = twoDigits(text, s + 14);
  const second = twoDigits(text, s + 17);
  const sep = text.charCodeAt(s + 10);
  if (
    (hi | lo | month | day | hour | minute | second) < 0 ||
    text.charCodeAt(s + 4) !== 45 || text.charCodeAt(s + 7) !== 45 ||
    (sep !== 32 && sep !== 84) || text.charCodeAt(s + 13) !== 58 ||
    text.charCodeAt(s + 16) !== 58
  ) {
    return false;
  }
  const year = hi * 100 + lo;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (
    month < 1 || month > 12 || day < 1 ||
    day > MONTH_DAYS[month - 1] + (month === 2 && leap ? 1 : 0) ||
    hour > 23 || minute > 59 || second > 59
  ) {
    return false;
  }
  let p = s + 19;
  let f = 0;
  if (p < e && text.charCodeAt(p) === 46) {
    p = readFraction(text, p + 1, e);
    if (fraction.digits === 0) return false;
    f = fraction.value;
  }
  if (p < e && text.charCodeAt(p) === 90) p++;
  if (p !== e) return false;
  out.w = daysFromCivil(year, month, day) * 86400 + hour * 3600 +
    minute * 60 + second;
  out.f = f;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// algorithm), so that no Date object is made per row.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) +
    day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A whole number >= 0 (`12`, `12.0`), or NaN. */
export function parseCount(text: string, s: number, e: number): number {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  let v = 0;
  let p = s;
  for (; p < e; p++) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (p === s) return NaN;
  if (p < e) {
    if (text.charCodeAt(p) !== 46) return NaN;
    for (p++; p < e; p++) if (text.charCodeAt(p) !== 48) return NaN;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : NaN;
}

/** A JSON token count: a whole number >= 0 or its text, or NaN. */
export function jsonCount(v: unknown): number {
  if (typeof v === "number") {
    return Number.isSafeInteger(v) && v >= 0 ? v : NaN;
  }
  return typeof v === "string" ? parseCount(v, 0, v.length) : NaN;
}

/** Whether a JSON value is a list of whole numbers (prefix-block ids). */
export function isIdArray(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isSafeInteger(v[i])) return false;
  }
  return true;
}

/**
 * A CSV field of prefix-block ids: a JSON array, or whole numbers separated
 * by spaces or semicolons; null when it is neither.
 */
export function parseIdList(
  text: string,
  s: number,
  e: number,
): number[] | null {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  if (s === e) return [];
  if (text.charCodeAt(s) === 91) {
    try {
      const v: unknown = JSON.parse(text.slice(s, e));
      return isIdArray(v) ? v : null;
    } catch {
      return null;
    }
  }
  const ids: number[] = [];
  let p = s;
  while (p < e) {
    let q = p;
    while (q < e) {
      const c = text.charCodeAt(q);
      if (c === 32 || c === 59 || c === 9) break;
      q++;
    }
    if (q > p) {
      const id = parseCount(text, p, q);
      if (Number.isNaN(id)) return null;
      ids.push(id);
    }
    p = q + 1;
  }
  return ids;
}

/** The message for a timestamp that does not parse in its unit. */
export function timeError(
  name: string,
  unit: TimestampUnit,
  got: string,
): string {
  return unit === "datetime"
    ? `${name}: must be a date-time like "2023-11-16 18:17:03.9799600" (UTC), got ${got}`
    : `${name}: must be a number (${unit}), got ${got}`;
}
