// 有效報備支援人數 and the 有效報備支援名單's length, kept as day deltas per institution: for each institution, a
// row per day on which the number of cases in force (records) or of people with at least one case in force
// (people) changes, holding the change. The counts on a day D are the sums of the deltas up to D: bounded by the
// calendar (at most one row per day of the institution's history), not by its cases or people.
//
// What "in force" means is the domain's (CaseFacts.inForcePeriod, the period of an approval not cancelled);
// this file only counts it. A person is counted once on a day however many of their cases are in force on it:
// their periods at an institution are merged into disjoint spans, and each span adds one person from its first
// day to its last.
import { addDays } from '../../domain/roc-date.js'
import type { IsoDate } from '../../domain/types.js'
import type { CaseView } from '../case-view.js'

/** One case in force at one institution (as home or as supported institution), over [from, to]. */
export interface InForcePeriod {
  institutionCode: string
  nationalId: string
  caseId: string
  from: IsoDate
  to: IsoDate
}

export interface DayDelta {
  institutionCode: string
  day: IsoDate
  people: number
  records: number
}

/** A case's period in force at each institution it involves (each once: never home and supported twice). */
export function inForcePeriodsOf(v: CaseView | undefined): InForcePeriod[] {
  const p = v?.facts.inForcePeriod
  if (!v || !p) return []
  const codes = new Set([v.applicant.home.code, v.facts.listedTerms.supported.code])
  return [...codes].map((institutionCode) => ({ institutionCode, nationalId: v.applicant.nationalId, caseId: v.caseId, from: p.from, to: p.to }))
}

/** Disjoint spans covering the same days as the periods (overlapping and adjacent periods merged), in order. */
export function mergedSpans(periods: readonly { from: IsoDate; to: IsoDate }[]): { from: IsoDate; to: IsoDate }[] {
  const sorted = [...periods].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
  const out: { from: IsoDate; to: IsoDate }[] = []
  for (const p of sorted) {
    const last = out[out.length - 1]
    if (last && p.from <= addDays(last.to, 1)) {
      if (p.to > last.to) last.to = p.to
    } else out.push({ from: p.from, to: p.to })
  }
  return out
}

/** One key per (first, second) pair. */
export const pairKey = (code: string, nationalId: string) => `${code}\u0000${nationalId}`

/**
 * The day deltas of replacing some cases' periods. `stored` holds every period on record (before this change) of
 * the institution/person pairs the change touches; `before` and `after` are the changed cases' periods before and
 * after. Returns the non-zero deltas, one per institution and day.
 */
export function dayDeltas(
  stored: readonly InForcePeriod[],
  before: readonly InForcePeriod[],
  after: readonly InForcePeriod[],
): DayDelta[] {
  const deltas = new Map<string, DayDelta>()
  const add = (institutionCode: string, day: IsoDate, people: number, records: number) => {
    const k = pairKey(institutionCode, day)
    const d = deltas.get(k)
    if (d) {
      d.people += people
      d.records += records
    } else deltas.set(k, { institutionCode, day, people, records })
  }
  // records: each period counts itself
  for (const p of before) (add(p.institutionCode, p.from, 0, -1), add(p.institutionCode, addDays(p.to, 1), 0, 1))
  for (const p of after) (add(p.institutionCode, p.from, 0, 1), add(p.institutionCode, addDays(p.to, 1), 0, -1))
  // people: the pair's merged spans before and after
  const changed = new Set([...before, ...after].map((p) => p.caseId))
  const pairs = new Map<string, { code: string; was: InForcePeriod[]; now: InForcePeriod[] }>()
  const pair = (p: InForcePeriod) => {
    const k = pairKey(p.institutionCode, p.nationalId)
    let e = pairs.get(k)
    if (!e) pairs.set(k, (e = { code: p.institutionCode, was: [], now: [] }))
    return e
  }
  for (const p of [...before, ...after]) pair(p)
  for (const p of stored) {
    const e = pairs.get(pairKey(p.institutionCode, p.nationalId))
    if (!e) continue
    e.was.push(p)
    if (!changed.has(p.caseId)) e.now.push(p)
  }
  for (const p of after) pair(p).now.push(p)
  for (const { code, was, now } of pairs.values()) {
    for (const s of mergedSpans(was)) (add(code, s.from, -1, 0), add(code, addDays(s.to, 1), 1, 0))
    for (const s of mergedSpans(now)) (add(code, s.from, 1, 0), add(code, addDays(s.to, 1), -1, 0))
  }
  return [...deltas.values()].filter((d) => d.people !== 0 || d.records !== 0)
}
