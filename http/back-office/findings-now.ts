// Conflict and quota findings of a case's application as they stand NOW: the applicant's other cases are read
// from the log (their ids from the cases read model), folded with the domain's own state, and the domain rules
// re-run. Shown beside the findings recorded at filing time.
import type { EventStore } from '../../commands/event-store/port.js'
import { supportedStaffingFrom } from '../../commands/existing-reports-from-read-model.js'
import type { Sql } from '../../commands/platform/database.js'
import { addDays } from '../../domain/roc-date.js'
import { reportStream, type ReportEvent } from '../../domain/events.js'
import { existingReportOf } from '../../domain/report/existing.js'
import { evolve, initialState, type ReportState } from '../../domain/report/state.js'
import { DEFAULT_QUOTA_RULES } from '../../domain/reference/quota-rules.js'
import { findConflicts, type ExistingReport } from '../../domain/rules/conflict.js'
import { evaluateQuota } from '../../domain/rules/quota.js'
import { expandSchedule } from '../../domain/schedule.js'
import type { FilingFindings } from '../../domain/types.js'
import type { QuotaRuleTable } from '../../domain/rules/quota-types.js'
import { displayTerms, type CaseView } from '../../projections/case-view.js'
import { searchCases } from '../../projections/queries/cases.js'
import type { ReadModels } from '../../projections/queries/read-models.js'

export async function findingsNow(store: EventStore, rm: ReadModels, view: CaseView, db?: Sql, quotaRules: QuotaRuleTable = DEFAULT_QUOTA_RULES): Promise<FilingFindings> {
  const others = await searchCases(rm, { kind: 'national' }, { nationalId: view.applicant.nationalId }, { pageSize: 500 })
  const existing: ExistingReport[] = []
  for (const row of others.rows) {
    if (row.caseId === view.caseId) continue
    const events = await store.readStream(reportStream(row.caseId))
    const state = events.reduce<ReportState>((s, e) => evolve(s, e as unknown as ReportEvent), initialState())
    const r = existingReportOf(state)
    if (r) existing.push(r)
  }
  const terms = displayTerms(view)
  const proposed = expandSchedule(terms.schedule)
  const conflicts = findConflicts(proposed, existing)
  const dates = proposed.map((o) => o.date).sort()
  // the supported clinic's staffing and the support others ask of it now (same source as at filing)
  const staffing = db && dates.length
    ? await supportedStaffingFrom(rm, db, terms.supported.code, addDays(dates[0]!, -38), addDays(dates[dates.length - 1]!, 38), view.applicant.nationalId)
    : undefined
  // the quota table in force now (系統設定), passed in by the caller
  const quota = evaluateQuota(quotaRules, {
    profession: view.applicant.profession,
    ...(terms.supported.kind ? { supportedKind: terms.supported.kind } : {}),
    county: terms.supported.county,
    existing: existing.flatMap((r) => [...r.occurrences, ...(r.pendingOccurrences ?? [])]),
    proposed,
    ...(staffing ? { staffing } : {}),
  })
  return { conflicts, quota, ...(quotaRules !== DEFAULT_QUOTA_RULES ? { rules: { quota: quotaRules.version } } : {}) }
}
