// Row types of the read-model tables (physical name rm_<base>_v<version>), derived from the column maps the
// projections write with, so the two cannot drift. `node-postgres` returns int8/numeric as strings and date/
// timestamptz as Date; queries cast what they return (see queries/*.ts).
import type { CASE_COLUMNS } from './read-models/cases.js'
import type { HISTORY_CASE_COLUMNS, HISTORY_COLUMNS } from './read-models/history.js'
import type { SUPPORT_COLUMNS } from './read-models/institutions.js'
import type { OCCURRENCE_COLUMNS } from './read-models/occurrences.js'
import type { QUOTA_COLUMNS } from './read-models/quota.js'
import type { STAT_COLUMNS } from './read-models/statistics.js'
import type { CaseView } from './case-view.js'

type PgToTs<T> = T extends 'text'
  ? string
  : T extends 'int'
    ? number
    : T extends 'numeric'
      ? string
      : T extends 'boolean'
        ? boolean
        : T extends 'date' | 'timestamptz'
          ? Date
          : T extends 'text[]'
            ? string[]
            : unknown

export type RowOf<C> = { -readonly [K in keyof C]: PgToTs<C[K]> | null }

export interface StateRow {
  case_id: string
  view: CaseView
}

/** Base table name → row type. */
export interface ReadModelSchema {
  cases: RowOf<typeof CASE_COLUMNS>
  cases_state: StateRow
  occurrences: RowOf<typeof OCCURRENCE_COLUMNS>
  occurrences_state: StateRow
  institution_counts: { institution_code: string; side: 'home' | 'supported'; status: string; n: number }
  institution_supports: RowOf<typeof SUPPORT_COLUMNS>
  institutions_state: StateRow
  quota: RowOf<typeof QUOTA_COLUMNS>
  quota_state: StateRow
  stat_facts: RowOf<typeof STAT_COLUMNS>
  statistics_state: StateRow
  case_history: RowOf<typeof HISTORY_COLUMNS>
  history_cases: RowOf<typeof HISTORY_CASE_COLUMNS>
  history_state: StateRow
}

/** Bookkeeping tables. */
export interface ProjectionCatalogSchema {
  projection_versions: { name: string; live_version: number; switched_at: Date }
  projection_checkpoints: {
    name: string
    version: number
    position_commit: string
    position_prepare: string
    updated_at: Date
    status: 'live' | 'building'
  }
}
