// A projection over report streams: per batch it takes the DOMAIN state of each case it touches just before the
// batch's first event of that case (ctx.caseStates: folded once from the log and shared by every case projection,
// case-states.ts), folds the batch in memory with the domain's evolve and hands every changed case (with each step's
// before/after, as case views) to `apply`. The grouping and the fold of a batch are done once for every case
// projection handed the same batch from the same states (casesOf, changesOf). Everything set-based, inside the
// runner's transaction. Only a projection whose readers need the state itself (`cases`: the pages ask the domain
// which commands a case takes) stores it, as a read-model table of its own.
import type { RecordedEvent } from '../commands/event-store/port.js'
import { caseIdOfStream, type ReportEvent } from '../domain/events.js'
import type { ReportCase } from '../domain/report/state.js'
import { evolveCase, isReportEvent, viewOf, type CaseView } from './case-view.js'
import type { Projection, ProjectionContext } from './projection.js'
import type { CaseStates } from './case-states.js'
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
  /** Base names of the read-model tables (with storesState, the state table is added). */
  tables: readonly string[]
  ddl(version: number, table: (base: string) => string): string
  /** See Projection.revision. */
  revision?: number
  /** Stores each case's domain state in a table `<name>_state` (case_id, state) for readers of the state. */
  storesState?: boolean
  apply(changes: readonly CaseChange[], ctx: ProjectionContext): Promise<void>
}

interface BatchCases {
  /** The batch's report events by case, in log order. */
  byCase: ReadonlyMap<string, readonly RecordedEvent<ReportEvent>[]>
  /** Each case's first stream version in the batch (the state wanted is the one just before it). */
  firstVersions: ReadonlyMap<string, number>
  /** The batch folded from these states (the last case projection to fold it; the others take it when theirs are the same). */
  folded?: { from: ReadonlyMap<string, ReportCase | undefined>; changes: readonly StateChange[] }
}

type StateChange = CaseChange & { state: ReportCase | undefined }

/**
 * Batches grouped already: every case projection handed the same page (a rebuild, the live group) groups it once.
 * The callers hand fresh arrays and never change one afterwards; a hit still checks the length and the last event.
 */
const grouped = new WeakMap<readonly RecordedEvent[], BatchCases & { length: number; last: RecordedEvent | undefined }>()

function casesOf(events: readonly RecordedEvent[]): BatchCases {
  const known = grouped.get(events)
  if (known && known.length === events.length && known.last === events[events.length - 1]) return known
  const byCase = new Map<string, RecordedEvent<ReportEvent>[]>()
  const firstVersions = new Map<string, number>()
  for (const e of events) {
    if (!isReportEvent(e)) continue
    const id = caseIdOfStream(e.stream)
    const list = byCase.get(id)
    if (list) list.push(e)
    else {
      byCase.set(id, [e])
      firstVersions.set(id, e.streamVersion)
    }
  }
  const out = { byCase, firstVersions, length: events.length, last: events[events.length - 1] }
  grouped.set(events, out)
  return out
}

/**
 * The batch's cases folded from `states` (each case's state before its first event in the batch), each step with
 * its before/after views. Folded once for every case projection that starts the batch from the very same states (a
 * rebuild's; the live group's members at one checkpoint); a projection from other states folds its own.
 */
function changesOf(batch: BatchCases, states: ReadonlyMap<string, ReportCase | undefined>, caseStates: CaseStates): readonly StateChange[] {
  const known = batch.folded
  if (known && [...batch.byCase.keys()].every((id) => known.from.get(id) === states.get(id))) return known.changes
  const changes: StateChange[] = []
  for (const [caseId, evs] of batch.byCase) {
    const first = states.get(caseId)
    const before = viewOf(first)
    let cur = first
    let curView = before
    const steps: CaseStep[] = []
    for (const event of evs) {
      // (a stream version at or below the state's was applied already: never twice)
      if (cur && event.streamVersion <= cur.version) continue
      const next = evolveCase(cur, event)
      const nextView = viewOf(next)
      steps.push({ event, before: curView, after: nextView })
      cur = next
      curView = nextView
    }
    if (cur && steps.length) caseStates.keep(caseId, cur) // the next batch starts from it
    if (steps.length) changes.push({ caseId, before, after: curView, steps, state: cur })
  }
  batch.folded = { from: states, changes }
  return changes
}

export function defineCaseProjection(spec: CaseProjectionSpec): Projection {
  const stateBase = `${spec.name}_state`
  return {
    name: spec.name,
    revision: spec.revision,
    tables: spec.storesState ? [...spec.tables, stateBase] : spec.tables,
    // until case-states.ts every case projection stored its states: a version built then still has the table
    formerTables: spec.storesState ? [] : [stateBase],
    ddl(version) {
      const table = (b: string) => `rm_${b}_v${version}`
      const state = spec.storesState ? `CREATE TABLE IF NOT EXISTS ${table(stateBase)} (case_id text PRIMARY KEY, state jsonb NOT NULL);\n` : ''
      return `${state}${spec.ddl(version, table)}`
    },
    async handle(events, ctx) {
      const batch = casesOf(events)
      if (batch.byCase.size === 0) return
      const changes = changesOf(batch, await ctx.caseStates.before(batch.firstVersions), ctx.caseStates)
      if (changes.length === 0) return
      await spec.apply(changes, ctx)
      if (spec.storesState)
        await upsertRows(
          ctx.tx,
          ctx.table(stateBase),
          { case_id: 'text', state: 'jsonb' },
          ['case_id'],
          changes.filter((c) => c.state).map((c) => ({ case_id: c.caseId, state: c.state })),
        )
    },
  }
}
