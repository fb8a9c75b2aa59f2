// The applicant's other reports for the conflict and quota rules, from the occurrences read model.
// Eventually consistent by design: a clash that slips in between two simultaneous filings is shown to the reviewer,
// who sees the conflict findings "at filing time and now".
import type { ExistingReport } from '../domain/rules/conflict.js'
import type { IsoDate } from '../domain/types.js'
import type { ReadModels } from '../projections/read-models.js'
import { listOccurrences } from '../projections/queries/occurrences.js'
import type { ExistingReportsSource } from './report-service.js'

export function existingReportsFromReadModel(rm: ReadModels): ExistingReportsSource {
  return {
    async existingReports(nationalId: string, excludeCaseId: string, from: IsoDate, to: IsoDate): Promise<ExistingReport[]> {
      const rows = await listOccurrences(rm, { kind: 'professional', nationalId }, {
        nationalId,
        from,
        to,
        ...(excludeCaseId ? { excludeCaseId } : {}),
        limit: 50_000,
      })
      const byCase = new Map<string, typeof rows>()
      for (const r of rows) {
        const list = byCase.get(r.caseId)
        if (list) list.push(r)
        else byCase.set(r.caseId, [r])
      }
      const window = (r: (typeof rows)[number]) => ({ date: r.date, start: r.start, end: r.end })
      return [...byCase.entries()].map(([caseId, list]) => {
        const approved = list.filter((r) => r.state === 'approved').map(window)
        const pending = list.filter((r) => r.state === 'pending').map(window)
        const caseNumber = list.find((r) => r.caseNumber)?.caseNumber
        const base = { caseId, ...(caseNumber ? { caseNumber } : {}) }
        // approved rows = terms in force; pending rows beside them = a change under review
        return approved.length
          ? { ...base, status: 'approved' as const, inForce: true, occurrences: approved, ...(pending.length ? { pendingOccurrences: pending } : {}) }
          : { ...base, status: 'under_review' as const, occurrences: pending }
      })
    },
  }
}
