// What changed between two sets of terms, field by field, for the audit view. Pure. Everything here is what a
// health-bureau reviewer reads: zh-TW field names, ROC dates with the weekday (1130301 星期五), times as 0800,
// department, purpose and county names beside or instead of their codes.
import { countyName } from '../domain/reference/counties.js'
import { departmentName } from '../domain/reference/departments.js'
import { purposeName } from '../domain/reference/purposes.js'
import { rocDateWeekdayOrAsGiven } from '../domain/roc-date.js'
import { describeSchedule } from '../domain/schedule-text.js'
import type { Routing, Terms } from '../domain/types.js'
import { isReturnableField, RETURNABLE_FIELD_LABEL } from '../domain/report/returnable-fields.js'

export interface FieldChange {
  field: string
  label: string
  old: string | null
  new: string | null
}

/** '2024-03-01' → '1130301 星期五' (anything that is not a date is shown as given). */
export const rocDay = rocDateWeekdayOrAsGiven

/** The zh-TW names of the fields a return asks to fix (domain/report/returnable-fields.ts). */
export const fixFieldLabels = (codes: readonly string[]): string =>
  codes.map((c) => (isReturnableField(c) ? RETURNABLE_FIELD_LABEL[c] : c)).join('、')

const county = (code: string) => countyName(code) ?? code
const named = (code: string, name: string | undefined) => (name ? `${code} ${name}` : code)

function flat(t: Terms | undefined, r: Routing | undefined): Record<string, [string, string | null]> {
  const s = t ? describeSchedule(t.schedule) : undefined
  return {
    supported: ['被支援機構', t ? `${t.supported.name}（${t.supported.code}）` : null],
    department: ['支援科別', t ? named(t.department, departmentName(t.department)) : null],
    purpose: ['支援目的', t ? purposeName(t.purpose) ?? t.purpose : null],
    period: ['支援期間', s?.period ?? null],
    weekdays: ['支援星期', s?.weekdays ?? null],
    windows: ['支援時段', s?.windows ?? null],
    note: ['備註', t?.note ?? null],
    reviewCounty: ['審核縣市', r ? county(r.reviewCounty) : null],
    copiedCounties: ['副知縣市', r ? (r.copiedCounties.length ? r.copiedCounties.map(county).join('、') : '無') : null],
  }
}

export function diffTerms(before: Terms | undefined, after: Terms | undefined, rb?: Routing, ra?: Routing): FieldChange[] {
  const a = flat(before, rb)
  const b = flat(after, ra)
  const out: FieldChange[] = []
  for (const field of Object.keys(b)) {
    const [label, nv] = b[field]!
    const ov = a[field]![1]
    if (ov !== nv && !(ra === undefined && (field === 'reviewCounty' || field === 'copiedCounties'))) out.push({ field, label, old: ov, new: nv })
  }
  return out
}
