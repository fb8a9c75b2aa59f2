// The domain state of listed cases, as the cases projection keeps it (its state table): pages ask the domain what
// may be done to each row (allowedCommands) instead of guessing from the row's columns. Ids come from a scoped query.
import { GATE_FIELDS, type GateState } from '../../domain/report/allowed.js'
import type { ReportCase } from '../../domain/report/state.js'
import type { ReadModels } from './read-models.js'

/** The whole state of each case (a page that also shows the decision, the pending change, ...). */
export async function caseStates(rm: ReadModels, caseIds: readonly string[]): Promise<Map<string, ReportCase>> {
  if (caseIds.length === 0) return new Map()
  const rows = await rm.select<{ case_id: string; state: ReportCase }>('cases', (t) => ({
    text: `SELECT case_id, state FROM ${t('cases_state')} WHERE case_id = ANY($1::text[])`,
    params: [[...caseIds]],
  }))
  return new Map(rows.map((r) => [r.case_id, r.state]))
}

/**
 * Each case's state as the domain's gate reads it (GATE_FIELDS: status, routing, applicant, ...): enough for
 * allowedCommands, isAllowed and the front's offersAction, for a page that only asks which commands each listed row
 * takes. A key the state lacks stays absent (an optional field is not turned into null). Half the bytes of the
 * whole states, and half the parsing on every list page.
 */
export async function gateStates(rm: ReadModels, caseIds: readonly string[]): Promise<Map<string, GateState>> {
  if (caseIds.length === 0) return new Map()
  const rows = await rm.select<{ case_id: string; state: GateState }>('cases', (t) => ({
    text: `SELECT case_id, (SELECT jsonb_object_agg(key, value) FROM jsonb_each(state) WHERE key = ANY($2::text[])) AS state
           FROM ${t('cases_state')} WHERE case_id = ANY($1::text[])`,
    params: [[...caseIds], [...GATE_FIELDS]],
  }))
  return new Map(rows.map((r) => [r.case_id, r.state]))
}
