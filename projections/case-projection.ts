// A projection over report streams: per batch it loads the case views it keeps in its own state table (one
// query), folds the batch in memory, hands every changed case (with each step's before/after) to `apply`, and
// saves the views back (one statement). Everything set-based, inside the runner's transaction.
import type { RecordedEvent } from '../commands/event-store/port.js'
import { caseIdOfStream, evolveCaseView, isReportEvent, type CaseView } from './case-view.js'
import type { Projection, ProjectionContext } from './projection.js'
import { upsertRows } from './sql-rows.js'

export interface CaseStep {
  event: RecordedEvent
  before: CaseView | undefined
  after: CaseView | undefined
}

export interface CaseChange {
  caseId: string
  before: CaseView | undefined
  after: CaseView | undefined
  steps: CaseStep[]
}

export interface CaseProjectionSpec {
  name: string
  /** Base names of the read-model tables (the state table is added). */
  tables: readonly string[]
  ddl(version: number, table: (base: string) => string): string
  /** See Projection.revision. */
  revision?: number
  apply(changes: readonly CaseChange[], ctx: ProjectionContext): Promise<void>
}

export function defineCaseProjection(spec: CaseProjectionSpec): Projection {
  const stateBase = `${spec.name}_state`
  return {
    name: spec.name,
    revision: spec.revision,
    tables: [...spec.tables, stateBase],
    ddl(version) {
      const table = (b: string) => `rm_${b}_v${version}`
      return `CREATE TABLE IF NOT EXISTS ${table(stateBase)} (case_id text PRIMARY KEY, view jsonb NOT NULL);\n${spec.ddl(version, table)}`
    },
    async handle(events, ctx) {
      const byCase = new Map<string, RecordedEvent[]>()
      for (const e of events) {
        if (!isReportEvent(e)) continue
        const id = caseIdOfStream(e.stream)
        const list = byCase.get(id)
        if (list) list.push(e)
        else byCase.set(id, [e])
      }
      if (byCase.size === 0) return
      const ids = [...byCase.keys()]
      const stateTable = ctx.table(stateBase)
      const loaded = await ctx.tx.query<{ case_id: string; view: CaseView }>(
        `SELECT case_id, view FROM ${stateTable} WHERE case_id = ANY($1::text[])`,
        [ids],
      )
      const views = new Map(loaded.rows.map((r) => [r.case_id, r.view]))
      const changes: CaseChange[] = []
      for (const [caseId, evs] of byCase) {
        const before = views.get(caseId)
        let cur = before
        const steps: CaseStep[] = []
        for (const event of evs) {
          // a stream version at or below the saved view's was applied already (never twice)
          if (cur && event.streamVersion <= cur.version) continue
          const next = evolveCaseView(cur, event)
          steps.push({ event, before: cur, after: next })
          cur = next
        }
        if (steps.length) changes.push({ caseId, before, after: cur, steps })
      }
      if (changes.length === 0) return
      await spec.apply(changes, ctx)
      await upsertRows(
        ctx.tx,
        stateTable,
        { case_id: 'text', view: 'jsonb' },
        ['case_id'],
        changes.filter((c) => c.after).map((c) => ({ case_id: c.caseId, view: c.after })),
      )
    },
  }
}
