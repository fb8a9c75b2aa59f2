// A projection over report streams: per batch it loads the DOMAIN states of the cases it keeps in its own state
// table (one query), folds the batch in memory with the domain's evolve, hands every changed case (with each
// step's before/after, as case views) to `apply`, and saves the states back (one statement). Everything
// set-based, inside the runner's transaction.
import type { RecordedEvent } from '../commands/event-store/port.js'
import { caseIdOfStream, type ReportEvent } from '../domain/events.js'
import type { ReportCase } from '../domain/report/state.js'
import { evolveCase, isReportEvent, viewOf, type CaseView } from './case-view.js'
import type { Projection, ProjectionContext } from './projection.js'
import { upsertRows } from './sql-rows.js'

export interface CaseStep {
  event: RecordedEvent<ReportEvent>
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
      return `CREATE TABLE IF NOT EXISTS ${table(stateBase)} (case_id text PRIMARY KEY, state jsonb NOT NULL);\n${spec.ddl(version, table)}`
    },
    async handle(events, ctx) {
      const byCase = new Map<string, RecordedEvent<ReportEvent>[]>()
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
      const loaded = await ctx.tx.query<{ case_id: string; state: ReportCase }>(
        `SELECT case_id, state FROM ${stateTable} WHERE case_id = ANY($1::text[])`,
        [ids],
      )
      const states = new Map(loaded.rows.map((r) => [r.case_id, r.state]))
      const changes: (CaseChange & { state: ReportCase | undefined })[] = []
      for (const [caseId, evs] of byCase) {
        const first = states.get(caseId)
        const before = viewOf(first)
        let cur = first
        let curView = before
        const steps: CaseStep[] = []
        for (const event of evs) {
          // a stream version at or below the saved state's was applied already (never twice)
          if (cur && event.streamVersion <= cur.version) continue
          const next = evolveCase(cur, event)
          const nextView = viewOf(next)
          steps.push({ event, before: curView, after: nextView })
          cur = next
          curView = nextView
        }
        if (steps.length) changes.push({ caseId, before, after: curView, steps, state: cur })
      }
      if (changes.length === 0) return
      await spec.apply(changes, ctx)
      await upsertRows(
        ctx.tx,
        stateTable,
        { case_id: 'text', state: 'jsonb' },
        ['case_id'],
        changes.filter((c) => c.state).map((c) => ({ case_id: c.caseId, state: c.state })),
      )
    },
  }
}
