// What changed between two sets of terms, field by field, for the audit view (zh-TW field labels). Pure.
import type { Routing, Schedule, Terms } from '../domain/types.js'

export interface FieldChange {
  field: string
  label: string
  old: string | null
  new: string | null
}

const WEEKDAY = ['', '一', '二', '三', '四', '五', '六', '日']

export function describeSchedule(s: Schedule): { period: string; weekdays: string; windows: string } {
  if (s.kind === 'weekly') {
    return {
      period: `${s.from}～${s.to}`,
      weekdays: [...s.weekdays].sort().map((d) => `星期${WEEKDAY[d]}`).join('、'),
      windows: s.windows.map((w) => `${w.start}-${w.end}`).join('、'),
    }
  }
  const dates = s.sessions.map((x) => x.date).sort()
  return {
    period: dates.length ? `${dates[0]}～${dates[dates.length - 1]}` : '',
    weekdays: '指定日期',
    windows: s.sessions.map((x) => `${x.date} ${x.start}-${x.end}`).join('、'),
  }
}

function flat(t: Terms | undefined, r: Routing | undefined): Record<string, [string, string | null]> {
  const s = t ? describeSchedule(t.schedule) : undefined
  return {
    supported: ['被支援機構', t ? `${t.supported.code} ${t.supported.name}` : null],
    department: ['支援科別', t?.department ?? null],
    purpose: ['支援目的', t?.purpose ?? null],
    period: ['支援期間', s?.period ?? null],
    weekdays: ['支援星期', s?.weekdays ?? null],
    windows: ['支援時段', s?.windows ?? null],
    note: ['備註', t?.note ?? null],
    reviewCounty: ['審查縣市', r?.reviewCounty ?? null],
    copiedCounties: ['副知縣市', r ? r.copiedCounties.join('、') : null],
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
