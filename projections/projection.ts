// What a projection is: a name, the DDL of its versioned read-model tables, and a batch handler.
import type { RecordedEvent } from '../commands/event-store/port.js'
import type { Sql } from '../commands/platform/database.js'
import type { CaseStates } from './case-states.js'

export interface ProjectionContext {
  tx: Sql
  /** The live or building version this batch writes. */
  version: number
  /** Physical name of one of the projection's tables in this version: table('cases') → 'rm_cases_v3'. */
  table(base: string): string
  /** Each case's domain state before a stream version, shared by the case projections (case-states.ts). */
  caseStates: CaseStates
}

export interface Projection {
  readonly name: string
  /** Base names of its tables (physical: rm_<base>_v<version>). */
  readonly tables: readonly string[]
  /**
   * Base names of tables earlier forms of this projection had and this one no longer creates: dropped with any
   * version (an old version, built by an earlier release, still has them when it is dropped after a switch).
   */
  readonly formerTables?: readonly string[]
  /** DDL creating every table and index of the given version (idempotent: IF NOT EXISTS). */
  ddl(version: number): string
  /**
   * Revision of what handle() writes for the same events (default 1). Bump it when the rows change meaning or form
   * (e.g. a text column rendered differently): like a DDL change, it makes the runner rebuild the projection beside
   * the live one, so old rows never stay in the old form.
   */
  readonly revision?: number
  /** Applies a batch of events (log order) with set-based SQL inside the caller's transaction. */
  handle(events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void>
}

export const physicalTable = (base: string, version: number) => `rm_${base}_v${version}`

export const contextFor = (tx: Sql, version: number, caseStates: CaseStates): ProjectionContext => ({
  tx,
  version,
  table: (base) => physicalTable(base, version),
  caseStates,
})
