// Presentation helpers used by the templates: ROC dates with weekday, masked IDs, status labels. Pure.
import { clockToHHmm, isClockTime } from '../domain/clock-time.js'
import {
  formatRocDateTime, formatRocInstant, isIsoDate, parseRocDate, rocDateOrAsGiven, rocDateWeekdayOrAsGiven, rocPeriodLabel, weekdayOf, WEEKDAY_NAMES,
} from '../domain/roc-date.js'
import { describeSchedule, sessionText } from '../domain/schedule-text.js'
import { APPLICATION_TYPE_LABEL, STATUS_LABEL, type ApplicationType, type Status } from '../domain/types.js'

export const WEEKDAY_SHORT = ['一', '二', '三', '四', '五', '六', '日'] as const // Monday first

// Dates and times come from domain/roc-date.ts and domain/clock-time.ts; these wrappers only make them safe to call
// from a template with whatever a row holds (an empty or foreign value is shown as given).

/** '2024-03-01' → '1130301'. */
export const rocDate = (iso: string): string => rocDateOrAsGiven(iso)

/** '1130301' (or '990301') → '2024-03-01'; undefined when not a real date. */
export const isoFromRoc = (roc: string): string | undefined => parseRocDate(roc)

/** '2024-03-01' → '星期五'. */
export const weekdayZh = (iso: string): string => (isIsoDate(iso) ? WEEKDAY_NAMES[weekdayOf(iso)] : '')

/** '2024-03-01' → '1130301 星期五'. */
export const rocDateWeekday = (iso: string): string => rocDateWeekdayOrAsGiven(iso)

/** ('2024-03-01', '08:00') → '1130301 0800 星期五'. */
export const rocDateTimeWeekday = (iso: string, time: string): string =>
  isIsoDate(iso) && isClockTime(time) ? formatRocDateTime(iso, time) : `${rocDate(iso)} ${hhmm(time)} ${weekdayZh(iso)}`

/** An instant → '1130301 0800 星期五' in Asia/Taipei. */
export function rocInstant(at: Date | string | undefined): string {
  if (at === undefined) return ''
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime()
  return Number.isNaN(ms) ? '' : formatRocInstant(new Date(ms).toISOString())
}

/** '08:00' → '0800'. */
export const hhmm = (t: string): string => (isClockTime(t) ? clockToHHmm(t) : t)

/** Masks a national/resident ID for screens: A123456789 → A1234XXXX9. */
export function maskId(id: string | undefined): string {
  if (!id) return ''
  if (id.length !== 10) return id.replace(/.(?=.{2})/g, 'X')
  return `${id.slice(0, 5)}XXXX${id.slice(9)}`
}

export const statusLabel = (s: Status | string): string => STATUS_LABEL[s as Status] ?? s
export const applicationTypeLabel = (a: ApplicationType | string): string => APPLICATION_TYPE_LABEL[a as ApplicationType] ?? a

/** Helpers handed to every template as `it.h`. */
export const viewHelpers = {
  rocDate,
  rocDateWeekday,
  rocDateTimeWeekday,
  rocInstant,
  weekdayZh,
  hhmm,
  schedule: describeSchedule,
  occurrence: sessionText,
  maskId,
  statusLabel,
  applicationTypeLabel,
  /** '2024-W09' → '113年第9週', '2024-03' → '113年3月'. */
  rocPeriod: rocPeriodLabel,
  WEEKDAY_SHORT,
}
export type ViewHelpers = typeof viewHelpers
