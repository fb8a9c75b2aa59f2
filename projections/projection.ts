// What a projection is: a name, the DDL of its versioned read-model tables, and a batch handler.
import type { RecordedEvent } from '../commands/event-store/port.js'
import type { Sql } from '../commands/platform/database.js'

export interface ProjectionContext {
  tx: Sql
  /** The live or building version this batch writes. */
  version: number
  /** Physical name of one of the projection's tables in this version: table('cases') → 'rm_cases_v3'. */
  table(base: string): string
}

export interface Projection {
  readonly name: string
  /** Base names of its tables (physical: rm_<base>_v<version>). */
  readonly tables: readonly string[]
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

export const contextFor = (tx: Sql, version: number): ProjectionContext => ({
  tx,
  version,
  table: (base) => physicalTable(base, version),
})
