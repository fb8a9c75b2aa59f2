// The domain state of listed cases, as the cases projection keeps it (its state table): pages ask the domain what
// may be done to each row (allowedCommands) instead of guessing from the row's columns. Ids come from a scoped query.
import type { ReportCase } from '../../domain/report/state.js'
import type { ReadModels } from './read-models.js'

export async function caseStates(rm: ReadModels, caseIds: readonly string[]): Promise<Map<string, ReportCase>> {
  if (caseIds.length === 0) return new Map()
  const rows = await rm.select<{ case_id: string; state: ReportCase }>('cases', (t) => ({
    text: `SELECT case_id, state FROM ${t('cases_state')} WHERE case_id = ANY($1::text[])`,
    params: [[...caseIds]],
  }))
  return new Map(rows.map((r) => [r.case_id, r.state]))
}
