// The audit view of one case: every event in order, with actor, time, zh-TW summary and terms diff.
import type { ReadModels } from '../read-models.js'
import type { FieldChange } from '../terms-diff.js'
import { STANDARD_SCOPE, scopeWhere, type Scope } from './scope.js'

export interface HistoryEntry {
  seq: number
  eventId: string
  type: string
  occurredAt: string
  recordedAt: string
  actor: { role: string; id: string; name: string | null; via: string }
  summary: string
  diff: FieldChange[]
  statusAfter: string | null
}

/** Empty when the case does not exist in this scope. */
export async function caseHistory(rm: ReadModels, scope: Scope, caseId: string): Promise<HistoryEntry[]> {
  const rows = await rm.select<{
    seq: number; event_id: string; type: string; occurred_at: string; recorded_at: string; actor_role: string; actor_id: string
    actor_name: string | null; actor_via: string; summary: string; diff: FieldChange[]; status_after: string | null
  }>('history', (t) => {
    const params: unknown[] = [caseId]
    const scoped = scopeWhere(scope, { ...STANDARD_SCOPE, nationalId: 'c.national_id', institutions: 'c.scope_institutions', counties: 'c.scope_counties' }, params)
    const iso = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    return {
      text: `SELECT h.seq, h.event_id, h.type, ${iso('h.occurred_at')} AS occurred_at, ${iso('h.recorded_at')} AS recorded_at,
               h.actor_role, h.actor_id, h.actor_name, h.actor_via, h.summary, h.diff, h.status_after
             FROM ${t('case_history')} h JOIN ${t('history_cases')} c ON c.case_id = h.case_id
             WHERE h.case_id = $1 AND ${scoped} ORDER BY h.seq`,
      params,
    }
  })
  return rows.map((r) => ({
    seq: Number(r.seq),
    eventId: r.event_id,
    type: r.type,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    actor: { role: r.actor_role, id: r.actor_id, name: r.actor_name, via: r.actor_via },
    summary: r.summary,
    diff: r.diff,
    statusAfter: r.status_after,
  }))
}
