// The audit view of one case: every event in order, with actor, time, zh-TW summary and terms diff.
import type { ReadModels } from './read-models.js'
import { nameChanges, type FieldChange } from '../terms-diff.js'
import { FIRST_NAMES, type ReferenceNames } from '../../domain/reference/lists.js'
import { isoInstant, run } from './kysely.js'
import type { Scope } from './scope.js'

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

/** Empty when the case does not exist in this scope. `names`: the reference lists in force (rules.referenceAt),
 * naming the codes the diff stores; their first version when not given. */
export async function caseHistory(rm: ReadModels, scope: Scope, caseId: string, names: ReferenceNames = FIRST_NAMES): Promise<HistoryEntry[]> {
  // the scope lives on the per-case table: the history of a case out of scope has no visible case to join
  const rows = await run(rm, 'history', ({ from, t }) =>
    from('history_cases', scope, 'c')
      .innerJoin(t('case_history', 'h'), 'h.case_id', 'c.case_id')
      .where('c.case_id', '=', caseId)
      .select((eb) => [
        'h.seq', 'h.event_id', 'h.type', isoInstant(eb.ref('h.occurred_at')).as('occurred_at'), isoInstant(eb.ref('h.recorded_at')).as('recorded_at'),
        'h.actor_role', 'h.actor_id', 'h.actor_name', 'h.actor_via', 'h.summary', 'h.diff', 'h.status_after',
      ])
      .orderBy('h.seq'),
  )
  // the projection writes every column of an entry (read-models/history.ts); only actor_name and status_after may be null
  return rows.map((r) => ({
    seq: Number(r.seq),
    eventId: r.event_id!,
    type: r.type!,
    occurredAt: r.occurred_at!,
    recordedAt: r.recorded_at!,
    actor: { role: r.actor_role!, id: r.actor_id!, name: r.actor_name, via: r.actor_via! },
    summary: r.summary!,
    diff: nameChanges(r.diff as FieldChange[], names),
    statusAfter: r.status_after,
  }))
}
