// Conflict rule: the same professional cannot be in two places at once. Pure.
import { clockToMinutes } from '../clock-time.js'
import { compareOccurrences } from '../schedule.js'
import type { ConflictFinding, Occurrence, Status } from '../types.js'

/** One of the applicant's other reports, as the conflict and quota rules see it. */
export interface ExistingReport {
  caseId: string
  caseNumber?: string
  status: Status
  /** Terms in force (or, before any approval, the terms under review). */
  occurrences: Occurrence[]
  /** Terms of a change under review: they count too, beside the terms in force. */
  pendingOccurrences?: Occurrence[]
  /** True when approved terms are in force whatever the status shows (e.g. a returned or rejected change). */
  inForce?: boolean
}

/** Statuses whose occurrences block others. */
export const CONFLICT_STATUSES: readonly Status[] = ['approved', 'under_review']

export const countsForConflict = (r: ExistingReport): boolean => r.inForce === true || CONFLICT_STATUSES.includes(r.status)

interface Slot {
  start: number
  end: number
  occurrence: Occurrence
  report: number
}

/**
 * Every counting report that clashes with the proposed occurrences, each named with the FIRST clashing proposed
 * occurrence (and the existing occurrence it clashes with). Sorted by that occurrence, then case id.
 * Cost: O((n + m) log(n + m)) plus the pairs that actually share a day.
 */
export const findConflicts = (proposed: readonly Occurrence[], existing: readonly ExistingReport[]): ConflictFinding[] => {
  const byDate = new Map<string, Slot[]>()
  existing.forEach((r, report) => {
    if (!countsForConflict(r)) return
    for (const o of [...r.occurrences, ...(r.pendingOccurrences ?? [])]) {
      const slot = { start: clockToMinutes(o.start), end: clockToMinutes(o.end), occurrence: o, report }
      const list = byDate.get(o.date)
      if (list) list.push(slot)
      else byDate.set(o.date, [slot])
    }
  })
  if (byDate.size === 0) return []
  for (const list of byDate.values()) list.sort((a, b) => a.start - b.start || a.end - b.end)

  const found = new Map<number, ConflictFinding>()
  for (const p of [...proposed].sort(compareOccurrences)) {
    const list = byDate.get(p.date)
    if (!list) continue
    const ps = clockToMinutes(p.start)
    const pe = clockToMinutes(p.end)
    for (const s of list) {
      if (s.start >= pe) break // sorted by start: nothing later on this day can overlap
      if (s.end <= ps || found.has(s.report)) continue
      const r = existing[s.report] as ExistingReport
      found.set(s.report, {
        caseId: r.caseId,
        ...(r.caseNumber !== undefined ? { caseNumber: r.caseNumber } : {}),
        status: r.status,
        occurrence: p,
        clashesWith: s.occurrence,
      })
    }
    if (found.size === existing.length) break
  }
  return [...found.values()].sort((a, b) => compareOccurrences(a.occurrence, b.occurrence) || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0))
}

/** The clashing cases as a refusal names them: case numbers (or ids before numbering), each once: 'A、B'. */
export const conflictingCaseNames = (conflicts: readonly Pick<ConflictFinding, 'caseId' | 'caseNumber'>[]): string =>
  [...new Set(conflicts.map((c) => c.caseNumber ?? c.caseId))].join('、')
