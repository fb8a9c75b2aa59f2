// A date field as people type it on any form (front office, back office, administration): read by the one domain
// rule (domain/roc-date.ts parseDateInput: 1160104, 116/01/04 and 2027/01/04 are the same day), with what it was
// understood as and, when it is not a date, a zh-TW message for its field that names the accepted forms with examples
// in the current ROC year. Nothing is cut short: a value that is too long is refused, never truncated.
import { Type } from '@sinclair/typebox'
import { describeRocDate, isoToRoc, parseDateInput, taipeiDate } from '../../domain/roc-date.js'
import type { IsoDate } from '../../domain/types.js'

/** A date field in a querystring or body schema: bounded well above what a date may be, so that a longer value is
 * answered at its field (parseDateInput refuses anything over 12 characters) instead of a bare 400. */
export const DateInputField = Type.String({ maxLength: 40 })

/** '讀作：民國116年1月4日（星期一）': how a typed date was understood, shown under its field. */
export const understoodText = (iso: IsoDate): string => `讀作：${describeRocDate(iso)}`

export interface DateExamples {
  /** 民國 yyyMMdd, e.g. 1150104 */
  roc: string
  /** 115/01/04 */
  slashed: string
  /** 西元 2026/01/04 */
  western: string
}

/** Examples (and placeholders) in the current ROC year: the 4th of January, and the last day of the year. */
export function dateExamples(now: Date): DateExamples & { yearFirst: string; yearLast: string } {
  const year = taipeiDate(now.toISOString()).slice(0, 4)
  const roc = isoToRoc(`${year}-01-04`)
  return { roc, slashed: `${roc.slice(0, 3)}/01/04`, western: `${year}/01/04`, yearFirst: isoToRoc(`${year}-01-01`), yearLast: isoToRoc(`${year}-12-31`) }
}

/** The message of a field that is not a date: '起日格式不正確（可輸入民國 1150104、115/01/04 或西元 2026/01/04）'. */
export const dateFormatMessage = (label: string, ex: DateExamples): string =>
  `${label}格式不正確（可輸入民國 ${ex.roc}、${ex.slashed} 或西元 ${ex.western}）`

export interface DateField {
  /** As typed (trimmed), shown back in the field. */
  typed: string
  iso?: IsoDate
  /** '讀作：…' when the value is a date. */
  understood?: string
  /** zh-TW, for the field, when a value was typed that is not a date. */
  error?: string
}

/** Reads one typed date: empty → no value and no error. */
export function readDateField(typed: string | undefined, label: string, ex: DateExamples): DateField {
  const t = (typed ?? '').trim()
  if (!t) return { typed: '' }
  const iso = parseDateInput(t)
  return iso ? { typed: t, iso, understood: understoodText(iso) } : { typed: t, error: dateFormatMessage(label, ex) }
}

/** A from–to pair: each field read, and a to before from refused at the to field. */
export function readDateRange(from: string | undefined, to: string | undefined, labels: [string, string], ex: DateExamples): { from: DateField; to: DateField } {
  const f = readDateField(from, labels[0], ex)
  const t = readDateField(to, labels[1], ex)
  if (f.iso && t.iso && t.iso < f.iso) t.error = `${labels[1]}不可早於${labels[0]}`
  return { from: f, to: t }
}
