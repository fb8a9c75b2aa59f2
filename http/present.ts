// Presentation helpers used by the templates: ROC dates with weekday, masked IDs, status labels. Pure.
import { APPLICATION_TYPE_LABEL, STATUS_LABEL, type ApplicationType, type Status } from '../domain/types.js'

const WEEKDAY_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const
export const WEEKDAY_SHORT = ['一', '二', '三', '四', '五', '六', '日'] as const // Monday first

/** Calendar parts of an instant in Asia/Taipei (UTC+8, no DST since 1979). */
export function taipeiParts(at: Date): { iso: string; hhmm: string } {
  const t = new Date(at.getTime() + 8 * 3600_000)
  const iso = t.toISOString().slice(0, 10)
  const hhmm = t.toISOString().slice(11, 16).replace(':', '')
  return { iso, hhmm }
}

/** '2024-03-01' → '1130301'. */
export function rocDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return iso
  const y = Number(m[1]) - 1911
  return `${String(y).padStart(3, '0')}${m[2]}${m[3]}`
}

/** '1130301' (or '990301') → '2024-03-01'; undefined when not a real date. */
export function isoFromRoc(roc: string): string | undefined {
  const m = /^(\d{2,3})(\d{2})(\d{2})$/.exec(roc.trim())
  if (!m) return undefined
  const y = Number(m[1]) + 1911
  const iso = `${y}-${m[2]}-${m[3]}`
  const d = new Date(`${iso}T00:00:00Z`)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) return undefined
  return iso
}

export function weekdayZh(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`)
  return WEEKDAY_ZH[d.getUTCDay()] ?? ''
}

/** '2024-03-01' → '1130301 星期五'. */
export const rocDateWeekday = (iso: string): string => `${rocDate(iso)} ${weekdayZh(iso)}`

/** ('2024-03-01', '08:00') → '1130301 0800 星期五'. */
export const rocDateTimeWeekday = (iso: string, time: string): string => `${rocDate(iso)} ${time.replace(':', '')} ${weekdayZh(iso)}`

/** An instant → '1130301 0800 星期五' in Asia/Taipei. */
export function rocInstant(at: Date | string | undefined): string {
  if (at === undefined) return ''
  const d = typeof at === 'string' ? new Date(at) : at
  if (Number.isNaN(d.getTime())) return ''
  const { iso, hhmm } = taipeiParts(d)
  return `${rocDate(iso)} ${hhmm} ${weekdayZh(iso)}`
}

/** '08:00' → '0800'; 'HHmm' → 'HH:MM'. */
export const hhmm = (t: string): string => t.replace(':', '')
export const clockFromHhmm = (t: string): string => `${t.slice(0, 2)}:${t.slice(2, 4)}`

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
  maskId,
  statusLabel,
  applicationTypeLabel,
  WEEKDAY_SHORT,
}
export type ViewHelpers = typeof viewHelpers
