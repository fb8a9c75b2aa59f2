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

// Calendar arithmetic is plain integer arithmetic (proleptic Gregorian, H. Hinnant's days_from_civil /
// civil_from_days): no Date objects and no Intl in the hot paths (schedule expansion and quota evaluation call these
// per occurrence). Results of the string-parsing and -formatting functions are memoised in small bounded maps.

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isRealDate = (y: number, m: number, d: number): boolean =>
  Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && isLeap(y) ? 29 : (MONTH_DAYS[m - 1] as number))

/** Days since 1970-01-01 of a valid (y, m, d). */
const daysFromCivil = (y: number, m: number, d: number): number => {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const civilFromDays = (n: number): [number, number, number] => {
  const z = n + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

/** A Map that forgets everything when it grows past `max` entries (the working set of dates is small). */
const memo = <K, V>(max: number) => {
  const m = new Map<K, V>()
  return {
    get: (k: K) => m.get(k),
    set: (k: K, v: V) => {
      if (m.size >= max) m.clear()
      m.set(k, v)
      return v
    },
  }
}
const epochDayMemo = memo<string, number>(20_000)
const fromEpochDayMemo = memo<number, string>(20_000)
const isoWeekMemo = memo<string, string>(20_000)

/** Parses a real 'YYYY-MM-DD' to its epoch day, or undefined. */
const parseIso = (s: string): number | undefined => {
  const cached = epochDayMemo.get(s)
  if (cached !== undefined) return cached
  const m = ISO.exec(s)
  if (!m) return undefined
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  if (!isRealDate(y, mo, d)) return undefined
  return epochDayMemo.set(s, daysFromCivil(y, mo, d))
}

/** A real calendar date in 'YYYY-MM-DD'. */
export const isIsoDate = (s: unknown): s is IsoDate => typeof s === 'string' && parseIso(s) !== undefined

/** Days since 1970-01-01 of an ISO date. Throws VALIDATION_FAILED on a bad date. */
export const epochDay = (iso: IsoDate): number => {
  const n = typeof iso === 'string' ? parseIso(iso) : undefined
  if (n === undefined) return fail('VALIDATION_FAILED', { field: 'date', value: iso }, [`日期格式不正確：${iso}`])
  return n
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))

/** Inverse of epochDay. */
export const fromEpochDay = (n: number): IsoDate => {
  const cached = fromEpochDayMemo.get(n)
  if (cached !== undefined) return cached
  const [y, m, d] = civilFromDays(n)
  return fromEpochDayMemo.set(n, `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`)
}

export const addDays = (iso: IsoDate, days: number): IsoDate => fromEpochDay(epochDay(iso) + days)

/** Whole days from a to b (b − a). */
export const daysBetween = (a: IsoDate, b: IsoDate): number => epochDay(b) - epochDay(a)

/** 1 = Monday ... 7 = Sunday, of an epoch day. */
export const weekdayOfEpochDay = (n: number): Weekday => ((((n + 3) % 7) + 7) % 7 + 1) as Weekday

/** 1 = Monday ... 7 = Sunday. */
export const weekdayOf = (iso: IsoDate): Weekday => {
  // 1970-01-01 was a Thursday (4).
  return weekdayOfEpochDay(epochDay(iso))
}

// ---- ROC dates ----

/** '2024-03-01' → '1130301'. ROC years below 100 are zero-padded to three digits ('0990101'). */
export const isoToRoc = (iso: IsoDate): string => {
  if (!isIsoDate(iso)) return fail('INVALID_ROC_DATE', { value: iso })
  const roc = Number(iso.slice(0, 4)) - ROC_OFFSET
  if (roc < 1 || roc > 999) return fail('INVALID_ROC_DATE', { value: iso })
  return `${String(roc).padStart(3, '0')}${iso.slice(5, 7)}${iso.slice(8, 10)}`
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

/** 民國 year of a Gregorian year: 2024 → 113. */
export const rocYear = (gregorianYear: number): number => gregorianYear - ROC_OFFSET

/**
 * A ROC date as typed (7 digits, or 6 for 民國 years below 100, surrounding blanks ignored) → ISO date, or
 * undefined when it is not a real date.
 */
export const parseRocDate = (typed: string | undefined): IsoDate | undefined => {
  const s = (typed ?? '').trim()
  const roc = /^\d{6}$/.test(s) ? `0${s}` : s
  return isRocDate(roc) ? rocToIso(roc) : undefined
}

/**
 * A date as people type it into a form, → ISO date, or undefined when it is not a real date: ROC 1160104 (or
 * 990104), ROC with separators 116/01/04, 116/1/4, 116-01-04, 116.01.04, and Gregorian 2027/01/04, 2027-01-04,
 * 2027.1.4 (a four-digit year is Gregorian). Bounded: more than 12 characters is not a date.
 */
export const parseDateInput = (typed: string | undefined): IsoDate | undefined => {
  const s = (typed ?? '').trim()
  if (s.length > 12) return undefined
  const compact = parseRocDate(s)
  if (/^\d{6,7}$/.test(s)) return compact
  const m = /^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,2})$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s)
  if (!m) return undefined
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3])
  const year = m[1]!.length === 4 ? y : y + ROC_OFFSET
  if (year <= ROC_OFFSET || year > ROC_OFFSET + 999 || !isRealDate(year, mo, d)) return undefined
  return `${year}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** '2027-01-04' → '民國116年1月4日（星期一）': how a typed date was understood. */
export const describeRocDate = (iso: IsoDate): string =>
  `民國${Number(iso.slice(0, 4)) - ROC_OFFSET}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日（${WEEKDAY_NAMES[weekdayOf(iso)]}）`

/** Same as isoToRoc (the name screens use). */
export const formatRocDate = isoToRoc

/** '2024-03-01' → '1130301 星期五'. */
export const formatRocDateWithWeekday = (iso: IsoDate): string => `${isoToRoc(iso)} ${WEEKDAY_NAMES[weekdayOf(iso)]}`

/** ('2024-03-01', '08:00') → '1130301 0800 星期五'. */
export const formatRocDateTime = (iso: IsoDate, time: ClockTime): string => {
  if (!isClockTime(time)) return fail('INVALID_TIME', { value: time })
  return `${isoToRoc(iso)} ${clockToHHmm(time)} ${WEEKDAY_NAMES[weekdayOf(iso)]}`
}

/** An ISO date as screens show it, or the value as given when it is not one (templates render whatever they get). */
export const rocDateOrAsGiven = (iso: string): string => (isIsoDate(iso) && isoToRocSafe(iso)) || iso
/** The same with the weekday: '2024-03-01' → '1130301 星期五'. */
export const rocDateWeekdayOrAsGiven = (iso: string): string => (isIsoDate(iso) && isoToRocSafe(iso) ? formatRocDateWithWeekday(iso) : iso)
const isoToRocSafe = (iso: IsoDate): string | undefined => {
  const roc = Number(iso.slice(0, 4)) - ROC_OFFSET
  return roc >= 1 && roc <= 999 ? isoToRoc(iso) : undefined
}

// ---- Asia/Taipei instants ----

const instantMs = (instant: Instant): number => {
  const ms = Date.parse(instant)
  if (Number.isNaN(ms)) return fail('VALIDATION_FAILED', { field: 'instant', value: instant }, [`時間格式不正確：${instant}`])
  return ms
}

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

/** An instant as screens show it in Asia/Taipei: '1130301 0800 星期五'. */
export const formatRocInstant = (instant: Instant): string => {
  const t = taipeiDateTime(instant)
  return formatRocDateTime(t.date, t.time)
}

/** ROC timestamp 'yyyMMddHHmmss' in Asia/Taipei (roster header). */
export const rocTimestamp = (instant: Instant): string => {
  const t = taipeiDateTime(instant)
  return `${isoToRoc(t.date)}${clockToHHmm(t.time)}${pad2(t.second)}`
}

// ---- periods ----

/** ISO-8601 week id: '2024-02-26' → '2024-W09'; '2021-01-01' → '2020-W53'. */
export const isoWeekId = (iso: IsoDate): string => {
  const cached = isoWeekMemo.get(iso)
  if (cached !== undefined) return cached
  const n = epochDay(iso)
  const thursday = n - weekdayOfEpochDay(n) + 4 // the week belongs to the year of its Thursday
  const year = civilFromDays(thursday)[0]
  const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1
  return isoWeekMemo.set(iso, `${String(year).padStart(4, '0')}-W${pad2(week)}`)
}

/** Monday of an ISO week id ('2024-W09' → '2024-02-26'). */
export const isoWeekStart = (weekId: string): IsoDate => {
  const m = /^(\d{4})-W(\d{2})$/.exec(weekId)
  if (!m) return fail('VALIDATION_FAILED', { field: 'week', value: weekId })
  const jan4 = `${m[1]}-01-04`
  const week1Monday = epochDay(jan4) - weekdayOf(jan4) + 1
  return fromEpochDay(week1Monday + (Number(m[2]) - 1) * 7)
}

/** '2024-03' → '113年3月': a month as every screen, chart and download labels it (統計分析 tables, CSV and Excel). */
export const rocMonthLabel = (month: string): string => `${rocYear(Number(month.slice(0, 4)))}年${Number(month.slice(5, 7))}月`

/** '2024-W09' → '113年第9週': a week of the quota rules (Monday to Sunday) as screens label it; the year is the ROC
 * year the week belongs to (its Thursday's, so 2020-W53 = 109年第53週). */
export const rocWeekLabel = (weekId: string): string => `${rocYear(Number(weekId.slice(0, 4)))}年第${Number(weekId.slice(6, 8))}週`

/** '2024-W09' → '113年第9週'; '2024-03' → '113年3月'; anything else as given. */
export const rocPeriodLabel = (period: string): string => {
  if (/^\d{4}-W\d{2}$/.test(period)) return rocWeekLabel(period)
  if (/^\d{4}-\d{2}$/.test(period)) return rocMonthLabel(period)
  return period
}

/** '2024-03-01' → '113年3月1日'. */
export const formatRocDateLong = (iso: IsoDate): string => {
  epochDay(iso) // validates
  return `${rocYear(Number(iso.slice(0, 4)))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`
}

/** '2024-03-15' → '2024-03'. */
export const monthId = (iso: IsoDate): string => {
  epochDay(iso) // validates
  return iso.slice(0, 7)
}

/** A 'YYYY-MM' month moved by `delta` months ('2024-12', 1 → '2025-01'). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const idx = y * 12 + (m - 1) + delta
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`
}

/** The last day of a 'YYYY-MM' month ('2024-02' → '2024-02-29'). */
export const lastDayOf = (month: string): IsoDate => addDays(`${shiftMonth(month, 1)}-01`, -1)

/** Inclusive list of dates from..to (empty when to < from). */
export const datesBetween = (from: IsoDate, to: IsoDate): IsoDate[] => {
  const out: IsoDate[] = []
  for (let n = epochDay(from), end = epochDay(to); n <= end; n++) out.push(fromEpochDay(n))
  return out
}
