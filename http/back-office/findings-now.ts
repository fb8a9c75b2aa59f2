// Conflict and quota findings of a case's application as they stand NOW: the applicant's other cases are read
// from the log (their ids from the cases read model), folded with the domain's own state, and evaluated with the
// domain's evaluateFindings, exactly as filing does. Shown beside the findings recorded at filing time.
import type { EventStore } from '../../commands/event-store/port.js'
import { supportedStaffingFrom } from '../../commands/existing-reports-from-read-model.js'
import type { Sql } from '../../commands/platform/database.js'
import { addDays } from '../../domain/roc-date.js'
import { reportStream, type ReportEvent } from '../../domain/events.js'
import { existingReportOf } from '../../domain/report/existing.js'
import { evaluateFindings } from '../../domain/report/filing-rules.js'
import { foldReport } from '../../domain/report/state.js'
import type { ExistingReport } from '../../domain/rules/conflict.js'
import type { QuotaRuleTable } from '../../domain/rules/quota-types.js'
import { scheduleBounds } from '../../domain/schedule.js'
import type { FilingFindings, Instant } from '../../domain/types.js'
import type { CaseView } from '../../projections/case-view.js'
import { searchCases } from '../../projections/queries/cases.js'
import type { ReadModels } from '../../projections/queries/read-models.js'

export async function findingsNow(store: EventStore, rm: ReadModels, view: CaseView, now: Instant, db?: Sql, quotaRules?: QuotaRuleTable): Promise<FilingFindings> {
  const others = await searchCases(rm, { kind: 'national' }, { nationalId: view.applicant.nationalId }, { pageSize: 500 })
  const existing: ExistingReport[] = []
  for (const row of others.rows) {
    if (row.caseId === view.caseId) continue
    const r = existingReportOf(foldReport(await store.readStream<ReportEvent>(reportStream(row.caseId))))
    if (r) existing.push(r)
  }
  const terms = view.facts.currentTerms
  const { from, to } = scheduleBounds(terms.schedule)
  // the supported clinic's staffing and the support others ask of it now (same source as at filing)
  const staffing = db ? await supportedStaffingFrom(rm, db, terms.supported.code, addDays(from, -38), addDays(to, 38), view.applicant.nationalId) : undefined
  // the quota table in force now (系統設定), passed in by the caller
  const findings = evaluateFindings(view.caseId, view.applicant, terms, {
    actor: { role: 'system', id: 'findings-now', via: 'system' },
    now,
    existing,
    ...(staffing ? { staffing } : {}),
    ...(quotaRules ? { quotaRules } : {}),
  })
  return { ...findings, ...(quotaRules ? { rules: { quota: quotaRules.version } } : {}) }
}
