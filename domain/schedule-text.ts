// A schedule in words, the one way every screen, PDF and history diff writes it (zh-TW, ROC dates with the weekday,
// times as HHmm). Pure.
import { clockToHHmm, clockToMinutes } from './clock-time.js'
import { formatRocDateTime, formatRocDateWithWeekday, WEEKDAY_NAMES } from './roc-date.js'
import type { DatedSession, Schedule, TimeWindow } from './types.js'

export interface ScheduleText {
  /** '1130301 星期五 至 1130331 星期日' (dated sessions: the first and the last day). */
  period: string
  /** '星期一、星期三' (Monday first); dated sessions: '指定日期'. */
  weekdays: string
  /** Weekly: '0800–1200、1300–1700' (as filed); dated sessions: the sessions joined by '、'. */
  windows: string
  /** Dated sessions in date and time order, each '1130301 0800 星期五–1200'; weekly: empty. */
  sessions: string[]
  /** As printed, one line each: weekly [period, '每週一、三，0800–1200']; dated sessions: the sessions. */
  lines: string[]
  /** On one line: weekly lines joined by '，', dated sessions by '；'. */
  line: string
}

const SHORT = '一二三四五六日'

/** '08:00'–'12:00' → '0800–1200'. */
export const windowText = (w: TimeWindow): string => `${clockToHHmm(w.start)}–${clockToHHmm(w.end)}`

/** A dated session or occurrence as the seed's screens write a time (date, time, weekday): '1130301 0800 星期五–1200'. */
export const sessionText = (x: DatedSession): string => `${formatRocDateTime(x.date, x.start)}–${clockToHHmm(x.end)}`

export const describeSchedule = (s: Schedule): ScheduleText => {
  if (s.kind === 'weekly') {
    const days = [...s.weekdays].sort((a, b) => a - b)
    const period = `${formatRocDateWithWeekday(s.from)} 至 ${formatRocDateWithWeekday(s.to)}`
    const windows = s.windows.map(windowText).join('、')
    const lines = [period, `每週${days.map((d) => SHORT[d - 1]).join('、')}，${windows}`]
    return { period, weekdays: days.map((d) => WEEKDAY_NAMES[d]).join('、'), windows, sessions: [], lines, line: lines.join('，') }
  }
  const sorted = [...s.sessions].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : clockToMinutes(a.start) - clockToMinutes(b.start)))
  const sessions = sorted.map(sessionText)
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  return {
    period: first && last ? `${formatRocDateWithWeekday(first.date)} 至 ${formatRocDateWithWeekday(last.date)}` : '',
    weekdays: '指定日期',
    windows: sessions.join('、'),
    sessions,
    lines: sessions,
    line: sessions.join('；'),
  }
}
