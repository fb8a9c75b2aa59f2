// Schedules: validation, expansion to dated occurrences, sessions/hours arithmetic. Pure.
import { clockToMinutes, isClockTime } from './clock-time.js'
import { fail } from './errors.js'
import { daysBetween, epochDay, fromEpochDay, isIsoDate, weekdayOf, weekdayOfEpochDay } from './roc-date.js'
import type { ClockTime, DatedSession, IsoDate, Occurrence, Schedule, TimeWindow, Weekday } from './types.js'

/** Longest allowed span of one schedule, first to last day inclusive. */
export const MAX_SCHEDULE_DAYS = 366
/** The most dated sessions one schedule may list, and daily windows a weekly one: the one limit every path uses
 *  (command schema, API schema, form, decider). */
export const MAX_SESSIONS = 400
export const MAX_WINDOWS = 8
/** NHI convention: one clinic session (診次) is 3 hours. */
export const SESSION_MINUTES = 180

const checkTimes = (w: TimeWindow, path: string) => {
  if (!isClockTime(w.start, false)) fail('INVALID_TIME', { field: `${path}.start`, value: w.start })
  if (!isClockTime(w.end, true)) fail('INVALID_TIME', { field: `${path}.end`, value: w.end })
  if (clockToMinutes(w.start) >= clockToMinutes(w.end)) {
    fail('SCHEDULE_END_BEFORE_START', { field: path, start: w.start, end: w.end })
  }
}

const checkDate = (d: unknown, field: string) => {
  if (!isIsoDate(d)) fail('VALIDATION_FAILED', { fields: [field], value: d }, [`日期格式不正確：${String(d)}`])
}

/** First pair of overlapping windows (sorted by start), or undefined. */
const firstOverlap = <T extends TimeWindow>(ws: T[]): [T, T] | undefined => {
  const sorted = [...ws].sort((a, b) => clockToMinutes(a.start) - clockToMinutes(b.start))
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as T
    const cur = sorted[i] as T
    if (clockToMinutes(cur.start) < clockToMinutes(prev.end)) return [prev, cur]
  }
  return undefined
}

/**
 * Throws a DomainError when the schedule is not valid: INVALID_TIME / VALIDATION_FAILED (format),
 * SCHEDULE_END_BEFORE_START, SCHEDULE_WINDOWS_OVERLAP, SCHEDULE_EMPTY, SCHEDULE_TOO_LONG.
 */
export const validateSchedule = (s: Schedule): void => {
  if (s.kind === 'weekly') {
    checkDate(s.from, 'schedule.from')
    checkDate(s.to, 'schedule.to')
    if (s.to < s.from) fail('SCHEDULE_END_BEFORE_START', { field: 'schedule', from: s.from, to: s.to })
    if (daysBetween(s.from, s.to) + 1 > MAX_SCHEDULE_DAYS) {
      fail('SCHEDULE_TOO_LONG', { from: s.from, to: s.to, maxDays: MAX_SCHEDULE_DAYS })
    }
    if (!Array.isArray(s.weekdays) || s.weekdays.length === 0) fail('SCHEDULE_EMPTY', { field: 'schedule.weekdays' })
    for (const w of s.weekdays) {
      if (!Number.isInteger(w) || w < 1 || w > 7) fail('VALIDATION_FAILED', { fields: ['schedule.weekdays'], value: w })
    }
    if (!Array.isArray(s.windows) || s.windows.length === 0) fail('SCHEDULE_EMPTY', { field: 'schedule.windows' })
    if (s.windows.length > MAX_WINDOWS) fail('VALIDATION_FAILED', { fields: ['schedule.windows'], max: MAX_WINDOWS }, [`每日支援時段最多 ${MAX_WINDOWS} 個`])
    s.windows.forEach((w, i) => checkTimes(w, `schedule.windows[${i}]`))
    const clash = firstOverlap(s.windows)
    if (clash) fail('SCHEDULE_WINDOWS_OVERLAP', { windows: clash })
    if (expandSchedule(s).length === 0) fail('SCHEDULE_EMPTY', { field: 'schedule.weekdays', from: s.from, to: s.to })
    return
  }
  if (s.kind === 'sessions') {
    if (!Array.isArray(s.sessions) || s.sessions.length === 0) fail('SCHEDULE_EMPTY', { field: 'schedule.sessions' })
    if (s.sessions.length > MAX_SESSIONS) fail('VALIDATION_FAILED', { fields: ['schedule.sessions'], max: MAX_SESSIONS }, [`支援時段最多 ${MAX_SESSIONS} 個`])
    s.sessions.forEach((x, i) => {
      checkDate(x.date, `schedule.sessions[${i}].date`)
      checkTimes(x, `schedule.sessions[${i}]`)
    })
    const byDate = new Map<IsoDate, DatedSession[]>()
    // linear grouping (copying the day's list per session made this quadratic in sessions on one date)
    for (const x of s.sessions) {
      const list = byDate.get(x.date)
      if (list) list.push(x)
      else byDate.set(x.date, [x])
    }
    for (const list of byDate.values()) {
      const clash = firstOverlap(list)
      if (clash) fail('SCHEDULE_WINDOWS_OVERLAP', { sessions: clash })
    }
    const { from, to } = scheduleBounds(s)
    if (daysBetween(from, to) + 1 > MAX_SCHEDULE_DAYS) fail('SCHEDULE_TOO_LONG', { from, to, maxDays: MAX_SCHEDULE_DAYS })
    return
  }
  fail('VALIDATION_FAILED', { fields: ['schedule.kind'] })
}

export const compareOccurrences = (a: Occurrence, b: Occurrence): number =>
  a.date < b.date ? -1 : a.date > b.date ? 1 : clockToMinutes(a.start) - clockToMinutes(b.start) || clockToMinutes(a.end) - clockToMinutes(b.end)

/** All dated occurrences of a schedule, sorted by date then start. Does not validate (call validateSchedule). */
export const expandSchedule = (s: Schedule): Occurrence[] => {
  if (s.kind === 'sessions') {
    return s.sessions.map((x) => ({ date: x.date, start: x.start, end: x.end })).sort(compareOccurrences)
  }
  const days = new Set<number>(s.weekdays)
  const windows = [...s.windows].sort((a, b) => clockToMinutes(a.start) - clockToMinutes(b.start))
  const out: Occurrence[] = []
  const last = epochDay(s.to)
  for (let n = epochDay(s.from); n <= last; n++) {
    if (!days.has(weekdayOfEpochDay(n))) continue
    const date = fromEpochDay(n)
    for (const w of windows) out.push({ date, start: w.start, end: w.end })
  }
  return out
}

/** First and last date of a schedule. */
export const scheduleBounds = (s: Schedule): { from: IsoDate; to: IsoDate } => {
  if (s.kind === 'weekly') return { from: s.from, to: s.to }
  let from = s.sessions[0]?.date ?? ''
  let to = from
  for (const x of s.sessions) {
    if (x.date < from) from = x.date
    if (x.date > to) to = x.date
  }
  return { from, to }
}

/** Same date and the time ranges intersect (touching ends do not overlap). */
export const occurrencesOverlap = (a: Occurrence, b: Occurrence): boolean =>
  a.date === b.date && clockToMinutes(a.start) < clockToMinutes(b.end) && clockToMinutes(b.start) < clockToMinutes(a.end)

export const minutesOf = (o: Occurrence): number => clockToMinutes(o.end) - clockToMinutes(o.start)
/** Clinic sessions of one occurrence: ceil(minutes / 180). */
export const sessionsOf = (o: Occurrence): number => Math.ceil(minutesOf(o) / SESSION_MINUTES)
/** Hours of one occurrence (fractional). */
export const hoursOf = (o: Occurrence): number => minutesOf(o) / 60

/** Weekday set as a 7-character mask, Monday first: [1,3,5] → '1010100'. */
export const weekdayMask = (weekdays: readonly Weekday[]): string => {
  let mask = ''
  for (let d = 1; d <= 7; d++) mask += weekdays.includes(d as Weekday) ? '1' : '0'
  return mask
}

/** Occurrences on or after a date. */
export const occurrencesFrom = (os: readonly Occurrence[], from: IsoDate): Occurrence[] => os.filter((o) => o.date >= from)
/** Occurrences before a date. */
export const occurrencesBefore = (os: readonly Occurrence[], before: IsoDate): Occurrence[] => os.filter((o) => o.date < before)

/** What lists filter a schedule by: first and last day, the weekdays it touches, the earliest start and latest end. */
export interface ScheduleSummary {
  from: IsoDate | null
  to: IsoDate | null
  /** Monday first, '1' on: '1010100'. */
  weekdayMask: string
  earliestStart: ClockTime | null
  latestEnd: ClockTime | null
}

export const summarizeSchedule = (s: Schedule): ScheduleSummary => {
  const windows: readonly TimeWindow[] = s.kind === 'weekly' ? s.windows : s.sessions
  const weekdays = s.kind === 'weekly' ? s.weekdays : s.sessions.map((x) => weekdayOf(x.date))
  const starts = windows.map((w) => w.start).sort((a, b) => clockToMinutes(a) - clockToMinutes(b))
  const ends = windows.map((w) => w.end).sort((a, b) => clockToMinutes(a) - clockToMinutes(b))
  const empty = s.kind === 'sessions' && s.sessions.length === 0
  const { from, to } = scheduleBounds(s)
  return {
    from: empty ? null : from,
    to: empty ? null : to,
    weekdayMask: weekdayMask(weekdays),
    earliestStart: starts[0] ?? null,
    latestEnd: ends[ends.length - 1] ?? null,
  }
}
