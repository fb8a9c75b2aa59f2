// ISO dates <-> ROC (民國) dates, Asia/Taipei calendar arithmetic, week and month ids. Pure: no clock, no process TZ.
// Asia/Taipei has been UTC+8 without DST since 1979, so local time is computed by adding 8 hours.
import { clockToHHmm, isClockTime } from './clock-time.js'
import { fail } from './errors.js'
import type { ClockTime, Instant, IsoDate, Weekday } from './types.js'

const DAY_MS = 86_400_000
const TAIPEI_OFFSET_MS = 8 * 3_600_000
/** 民國 year = Gregorian year − 1911. */
export const ROC_OFFSET = 1911

export const WEEKDAY_NAMES: Readonly<Record<Weekday, string>> = {
  1: '星期一', 2: '星期二', 3: '星期三', 4: '星期四', 5: '星期五', 6: '星期六', 7: '星期日',
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/

const isRealDate = (y: number, m: number, d: number): boolean => {
  if (m < 1 || m > 12 || d < 1) return false
  const t = new Date(Date.UTC(2000, m - 1, d))
  t.setUTCFullYear(y)
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

/** A real calendar date in 'YYYY-MM-DD'. */
export const isIsoDate = (s: unknown): s is IsoDate => {
  if (typeof s !== 'string') return false
  const m = ISO.exec(s)
  return !!m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))
}

/** Days since 1970-01-01 of an ISO date. Throws VALIDATION_FAILED on a bad date. */
export const epochDay = (iso: IsoDate): number => {
  const m = ISO.exec(iso)
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    return fail('VALIDATION_FAILED', { field: 'date', value: iso }, `日期格式不正確：${iso}`)
  }
  const t = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3])))
  t.setUTCFullYear(Number(m[1]))
  return Math.round(t.getTime() / DAY_MS)
}

/** Inverse of epochDay. */
export const fromEpochDay = (n: number): IsoDate => {
  const t = new Date(n * DAY_MS)
  const y = t.getUTCFullYear()
  return `${String(y).padStart(4, '0')}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`
}

export const addDays = (iso: IsoDate, days: number): IsoDate => fromEpochDay(epochDay(iso) + days)

/** Whole days from a to b (b − a). */
export const daysBetween = (a: IsoDate, b: IsoDate): number => epochDay(b) - epochDay(a)

/** 1 = Monday ... 7 = Sunday. */
export const weekdayOf = (iso: IsoDate): Weekday => {
  // 1970-01-01 was a Thursday (4).
  const n = epochDay(iso)
  return ((((n + 3) % 7) + 7) % 7 + 1) as Weekday
}

// ---- ROC dates ----

/** '2024-03-01' → '1130301'. ROC years below 100 are zero-padded to three digits ('0990101'). */
export const isoToRoc = (iso: IsoDate): string => {
  const m = ISO.exec(iso)
  if (!m || !isIsoDate(iso)) return fail('INVALID_ROC_DATE', { value: iso })
  const roc = Number(m[1]) - ROC_OFFSET
  if (roc < 1 || roc > 999) return fail('INVALID_ROC_DATE', { value: iso })
  return `${String(roc).padStart(3, '0')}${m[2]}${m[3]}`
}

/** True for a 7-digit ROC date that is a real calendar date (民國 1..999). */
export const isRocDate = (s: unknown): s is string => {
  if (typeof s !== 'string' || !/^\d{7}$/.test(s)) return false
  const y = Number(s.slice(0, 3))
  return y >= 1 && isRealDate(y + ROC_OFFSET, Number(s.slice(3, 5)), Number(s.slice(5, 7)))
}

/** '1130301' → '2024-03-01'. Throws INVALID_ROC_DATE (also for 2024-02-30 style non-dates). */
export const rocToIso = (roc: string): IsoDate => {
  if (!isRocDate(roc)) return fail('INVALID_ROC_DATE', { value: roc })
  return `${Number(roc.slice(0, 3)) + ROC_OFFSET}-${roc.slice(3, 5)}-${roc.slice(5, 7)}`
}

/** Same as isoToRoc (the name screens use). */
export const formatRocDate = isoToRoc

/** '2024-03-01' → '1130301 星期五'. */
export const formatRocDateWithWeekday = (iso: IsoDate): string => `${isoToRoc(iso)} ${WEEKDAY_NAMES[weekdayOf(iso)]}`

/** ('2024-03-01', '08:00') → '1130301 0800 星期五'. */
export const formatRocDateTime = (iso: IsoDate, time: ClockTime): string => {
  if (!isClockTime(time)) return fail('INVALID_TIME', { value: time })
  return `${isoToRoc(iso)} ${clockToHHmm(time)} ${WEEKDAY_NAMES[weekdayOf(iso)]}`
}

// ---- Asia/Taipei instants ----

const instantMs = (instant: Instant): number => {
  const ms = Date.parse(instant)
  if (Number.isNaN(ms)) return fail('VALIDATION_FAILED', { field: 'instant', value: instant }, `時間格式不正確：${instant}`)
  return ms
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** Calendar date in Asia/Taipei of an instant. */
export const taipeiDate = (instant: Instant): IsoDate => fromEpochDay(Math.floor((instantMs(instant) + TAIPEI_OFFSET_MS) / DAY_MS))

export interface TaipeiDateTime {
  date: IsoDate
  time: ClockTime // 'HH:MM'
  second: number
}

/** Date, 'HH:MM' and second in Asia/Taipei of an instant. */
export const taipeiDateTime = (instant: Instant): TaipeiDateTime => {
  const local = instantMs(instant) + TAIPEI_OFFSET_MS
  const day = Math.floor(local / DAY_MS)
  const msOfDay = local - day * DAY_MS
  const minutes = Math.floor(msOfDay / 60_000)
  return {
    date: fromEpochDay(day),
    time: `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`,
    second: Math.floor((msOfDay % 60_000) / 1000),
  }
}

/** The instant (UTC ISO) of a Taipei wall-clock date and time ('24:00' = next midnight). */
export const taipeiInstant = (iso: IsoDate, time: ClockTime = '00:00'): Instant => {
  if (!isClockTime(time)) return fail('INVALID_TIME', { value: time })
  const minutes = Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
  return new Date(epochDay(iso) * DAY_MS + minutes * 60_000 - TAIPEI_OFFSET_MS).toISOString()
}

/** [start, end) of a Taipei calendar day as UTC ISO instants: '2024-03-01' → ['2024-02-29T16:00:00.000Z', '2024-03-01T16:00:00.000Z']. */
export const taipeiDayBounds = (iso: IsoDate): [Instant, Instant] => [taipeiInstant(iso), taipeiInstant(addDays(iso, 1))]

/** ROC timestamp 'yyyMMddHHmmss' in Asia/Taipei (roster header). */
export const rocTimestamp = (instant: Instant): string => {
  const t = taipeiDateTime(instant)
  return `${isoToRoc(t.date)}${clockToHHmm(t.time)}${pad2(t.second)}`
}

// ---- periods ----

/** ISO-8601 week id: '2024-02-26' → '2024-W09'; '2021-01-01' → '2020-W53'. */
export const isoWeekId = (iso: IsoDate): string => {
  const n = epochDay(iso)
  const thursday = n - weekdayOf(iso) + 4 // the week belongs to the year of its Thursday
  const thuIso = fromEpochDay(thursday)
  const year = Number(thuIso.slice(0, 4))
  const week = Math.floor((thursday - epochDay(`${String(year).padStart(4, '0')}-01-01`)) / 7) + 1
  return `${String(year).padStart(4, '0')}-W${pad2(week)}`
}

/** Monday of an ISO week id ('2024-W09' → '2024-02-26'). */
export const isoWeekStart = (weekId: string): IsoDate => {
  const m = /^(\d{4})-W(\d{2})$/.exec(weekId)
  if (!m) return fail('VALIDATION_FAILED', { field: 'week', value: weekId })
  const jan4 = `${m[1]}-01-04`
  const week1Monday = epochDay(jan4) - weekdayOf(jan4) + 1
  return fromEpochDay(week1Monday + (Number(m[2]) - 1) * 7)
}

/** '2024-03-15' → '2024-03'. */
export const monthId = (iso: IsoDate): string => {
  epochDay(iso) // validates
  return iso.slice(0, 7)
}

/** Inclusive list of dates from..to (empty when to < from). */
export const datesBetween = (from: IsoDate, to: IsoDate): IsoDate[] => {
  const out: IsoDate[] = []
  for (let n = epochDay(from), end = epochDay(to); n <= end; n++) out.push(fromEpochDay(n))
  return out
}
