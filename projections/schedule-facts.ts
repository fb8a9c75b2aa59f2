// Facts about a schedule that read models store: its occurrences, a summary for list filters, ISO week and month
// keys and NHI clinic sessions (診次 = 3 hours, rounded up). Pure.
import type { IsoDate, Occurrence, Schedule } from '../domain/types.js'
import { isoWeekId, weekdayOf } from '../domain/roc-date.js'

const DAY_MS = 86_400_000
const toDays = (d: IsoDate) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY_MS
const fromDays = (n: number): IsoDate => new Date(n * DAY_MS).toISOString().slice(0, 10)
/** ISO weekday 1 = Monday ... 7 = Sunday. */
export const isoWeekday = (d: IsoDate): number => weekdayOf(d)

/** Every dated window of a schedule, in date then start order (the domain's expansion). */
export { expandSchedule } from '../domain/schedule.js'

export interface ScheduleSummary {
  from: IsoDate | null
  to: IsoDate | null
  /** Monday first, '1' on: '1010100'. */
  weekdayMask: string
  earliestStart: string | null
  latestEnd: string | null
}

export function summarizeSchedule(schedule: Schedule): ScheduleSummary {
  const mask = ['0', '0', '0', '0', '0', '0', '0']
  if (schedule.kind === 'weekly') {
    for (const d of schedule.weekdays) mask[d - 1] = '1'
    const starts = schedule.windows.map((w) => w.start).sort()
    const ends = schedule.windows.map((w) => w.end).sort()
    return { from: schedule.from, to: schedule.to, weekdayMask: mask.join(''), earliestStart: starts[0] ?? null, latestEnd: ends[ends.length - 1] ?? null }
  }
  const dates = schedule.sessions.map((s) => s.date).sort()
  for (const d of dates) mask[isoWeekday(d) - 1] = '1'
  const starts = schedule.sessions.map((s) => s.start).sort()
  const ends = schedule.sessions.map((s) => s.end).sort()
  return {
    from: dates[0] ?? null,
    to: dates[dates.length - 1] ?? null,
    weekdayMask: mask.join(''),
    earliestStart: starts[0] ?? null,
    latestEnd: ends[ends.length - 1] ?? null,
  }
}

export const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))
export const occurrenceMinutes = (o: Occurrence) => Math.max(0, minutesOf(o.end) - minutesOf(o.start))
/** NHI convention: one clinic session per started 3 hours. */
export const occurrenceSessions = (o: Occurrence) => Math.ceil(occurrenceMinutes(o) / 180)

/** ISO 8601 week key, e.g. '2024-W09' (the domain's memoised arithmetic: this runs per occurrence on rebuild). */
export const isoWeekKey = (d: IsoDate): string => isoWeekId(d)
export const monthKey = (d: IsoDate) => d.slice(0, 7)

/** The day before an ISO date. */
export const dayBefore = (d: IsoDate): IsoDate => fromDays(toDays(d) - 1)

/** Calendar date in Asia/Taipei (UTC+8, no DST) of an instant. */
export const taipeiDate = (instant: string | Date): IsoDate =>
  new Date(new Date(instant).getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
