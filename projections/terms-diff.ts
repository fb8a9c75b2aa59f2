// What changed between two sets of terms, field by field, for the audit view. Pure. Everything here is what a
// health-bureau reviewer reads: zh-TW field names, ROC dates with the weekday (1130301 星期五), times as 0800,
// department, purpose and county names beside or instead of their codes.
//
// Codes are named at render time, not here: the diff (stored by the `history` projection) keeps the CODES of
// 支援科別, 支援目的 and 縣市, and `nameChanges` names them with the reference lists in force when the page is shown.
// The projection so stays deterministic and rebuildable from the case's own events (it never reads the rules
// streams, whose later versions would make a rebuild differ from the first run), and a code an administrator added
// after the event still gets its name; a withdrawn code keeps its first-version name (referenceNamer).
import { FIRST_NAMES, type ReferenceNames } from '../domain/reference/lists.js'
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

const named = (code: string, name: string | undefined) => (name ? `${code} ${name}` : code)
/** How copied counties are stored: codes joined by 、 ('無' when none). */
const LIST_SEP = '、'
const NONE = '無'

function flat(t: Terms | undefined, r: Routing | undefined): Record<string, [string, string | null]> {
  const s = t ? describeSchedule(t.schedule) : undefined
  return {
    supported: ['被支援機構', t ? `${t.supported.name}（${t.supported.code}）` : null],
    department: ['支援科別', t ? t.department : null],
    purpose: ['支援目的', t ? t.purpose : null],
    period: ['支援期間', s?.period ?? null],
    weekdays: ['支援星期', s?.weekdays ?? null],
    windows: ['支援時段', s?.windows ?? null],
    note: ['備註', t?.note ?? null],
    reviewCounty: ['審核縣市', r ? r.reviewCounty : null],
    copiedCounties: ['副知縣市', r ? (r.copiedCounties.length ? r.copiedCounties.join(LIST_SEP) : NONE) : null],
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

/** The diff as a reviewer reads it: codes of 支援科別 ("02 內科"), 支援目的 and 縣市 named with `names` (the reference
 * lists in force; their first version when not given). A value that is not a known code is shown as stored (a row
 * written before codes were stored already holds the name). */
export function nameChanges(diff: readonly FieldChange[], names: ReferenceNames = FIRST_NAMES): FieldChange[] {
  const county = (c: string) => names.county(c) ?? c
  const name: Record<string, (v: string) => string> = {
    department: (v) => named(v, names.department(v)),
    purpose: (v) => names.purpose(v) ?? v,
    reviewCounty: county,
    copiedCounties: (v) => (v === NONE ? v : v.split(LIST_SEP).map(county).join(LIST_SEP)),
  }
  return diff.map((d) => {
    const f = name[d.field]
    return f ? { ...d, old: d.old === null ? null : f(d.old), new: d.new === null ? null : f(d.new) } : d
  })
}
