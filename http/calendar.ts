// Month calendar model for the professional's home page. Pure.
import { addDays, lastDayOf, rocMonthLabel, shiftMonth, weekdayOf } from '../domain/roc-date.js'
import type { Status } from '../domain/types.js'

/** How an entry is drawn: approved; under review; during a pending change the approved terms ('change-current'), the
 * requested ones ('change-requested') and a window both share ('change-same', drawn once); returned; rejected. */
export type CalendarKind = 'approved' | 'pending' | 'change-current' | 'change-requested' | 'change-same' | 'returned' | 'rejected'

export const CALENDAR_KIND_LABEL: Record<CalendarKind, string> = {
  approved: '已核准',
  pending: '審核中',
  'change-current': '現行核准（變更審核中）',
  'change-requested': '申請變更為',
  'change-same': '已核准（變更不影響此時段）',
  returned: '退回補正',
  rejected: '未核准',
}

export interface CalendarEntry {
  date: string // IsoDate
  start: string // HH:MM
  end: string
  caseId: string
  caseNumber: string | null
  institutionName: string
  status: Status
  /** Default: approved when the status is, else pending. */
  kind?: CalendarKind
}

export interface CalendarDay {
  date: string
  inMonth: boolean
  today: boolean
  entries: (CalendarEntry & { approved: boolean; kind: CalendarKind })[]
}

/** A window of a pending change that the approved terms have too is one entry, not two identical ones. */
function mergeChangeWindows(list: CalendarEntry[]): CalendarEntry[] {
  const key = (e: CalendarEntry) => `${e.caseId}|${e.start}|${e.end}|${e.institutionName}`
  const requested = new Set(list.filter((e) => e.kind === 'change-requested').map(key))
  const current = new Set(list.filter((e) => e.kind === 'change-current').map(key))
  return list.flatMap((e) => {
    if (e.kind === 'change-current' && requested.has(key(e))) return [{ ...e, kind: 'change-same' as const }]
    if (e.kind === 'change-requested' && current.has(key(e))) return []
    return [e]
  })
}

export interface CalendarMonth {
  month: string // YYYY-MM
  rocLabel: string // 民國113年3月
  prev: string
  next: string
  thisMonth: string
  /** Column headings, Sunday first like the seed's calendar (星期日 … 星期六). */
  weekdays: readonly string[]
  weeks: CalendarDay[][]
}

/** Weeks start on Sunday (the seed's calendar); weekdayOf gives 1 = Monday … 7 = Sunday. */
export const CALENDAR_WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'] as const
const column = (iso: string) => weekdayOf(iso) % 7 // 0 = Sunday … 6 = Saturday

export const monthOf = (iso: string) => iso.slice(0, 7)

/** First and last day shown (whole weeks, Sunday first). */
export function gridBounds(month: string): { from: string; to: string } {
  const first = `${month}-01`
  const last = lastDayOf(month)
  return { from: addDays(first, -column(first)), to: addDays(last, 6 - column(last)) }
}

export function buildCalendar(month: string, todayIso: string, entries: CalendarEntry[]): CalendarMonth {
  const { from, to } = gridBounds(month)
  const byDate = new Map<string, CalendarEntry[]>()
  for (const e of entries) byDate.set(e.date, [...(byDate.get(e.date) ?? []), e])
  const weeks: CalendarDay[][] = []
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (column(d) === 0) weeks.push([])
    const list = mergeChangeWindows(byDate.get(d) ?? []).sort((a, b) => a.start.localeCompare(b.start))
    weeks[weeks.length - 1]!.push({
      date: d, inMonth: d.startsWith(month), today: d === todayIso,
      entries: list.map((e) => ({ ...e, approved: e.status === 'approved', kind: e.kind ?? (e.status === 'approved' ? 'approved' : 'pending') })),
    })
  }
  return { month, rocLabel: `民國${rocMonthLabel(month)}`, prev: shiftMonth(month, -1), next: shiftMonth(month, 1), thisMonth: monthOf(todayIso), weekdays: CALENDAR_WEEKDAYS, weeks }
}
