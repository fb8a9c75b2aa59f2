// Row types of the read-model tables, the kysely `Database` interface of the query side (queries/kysely.ts).
// Derived from the column maps the projections create their tables from and write with (read-models/*.ts), so
// the two cannot drift; nullability follows the DDL (a column is NOT NULL only where the DDL says so).
// Keys are BASE names: the physical table of the live version (rm_<base>_v<version>, switched by the runner on a
// rebuild) is resolved per query and aliased back to the base name, so `selectFrom(t('cases'))` is typed as
// `cases` whatever version is live (see queries/kysely.ts).
// Values are what node-postgres and PGlite return for a raw column: int4 as number, numeric/int8 as string,
// date and timestamptz as Date, text[] as string[], jsonb parsed. Queries compare dates through isoDate()/
// instant() parameters and select them formatted as ISO text (queries/kysely.ts).
import type { CASE_COLUMNS } from './read-models/cases.js'
import type { HISTORY_CASE_COLUMNS, HISTORY_COLUMNS } from './read-models/history.js'
import type { NOTICE_COLUMNS } from './read-models/notices.js'
import type { IN_FORCE_DAY_COLUMNS, IN_FORCE_PERIOD_COLUMNS, SUPPORT_COLUMNS } from './read-models/institutions.js'
import type { OCCURRENCE_COLUMNS } from './read-models/occurrences.js'
import type { STAT_COLUMNS, STAT_MONTH_COLUMNS } from './read-models/statistics.js'
import type { ReportCase } from '../domain/report/state.js'

type PgToTs<T> = T extends 'text'
  ? string
  : T extends 'int'
    ? number
    : T extends 'numeric' | 'bigint'
      ? string
      : T extends 'boolean'
        ? boolean
        : T extends 'date' | 'timestamptz'
          ? Date
          : T extends 'text[]'
            ? string[]
            : unknown

/** A table's row from its column map: every column nullable except those listed (NOT NULL / PRIMARY KEY in the DDL). */
export type RowOf<C, NotNull extends keyof C = never> = { -readonly [K in keyof C]: K extends NotNull ? PgToTs<C[K]> : PgToTs<C[K]> | null }

/** A case projection's own state: the domain state of each case it has seen. */
export interface StateRow {
  case_id: string
  state: ReportCase
}

/** Base table name → row type (the DDL of each is in read-models/<projection>.ts). */
export interface ReadModelSchema {
  cases: RowOf<typeof CASE_COLUMNS, 'case_id'>
  cases_state: StateRow
  occurrences: RowOf<typeof OCCURRENCE_COLUMNS, 'case_id' | 'national_id' | 'date' | 'state'>
  institution_counts: { institution_code: string; side: 'home' | 'supported'; status: string; n: number }
  institution_supports: RowOf<typeof SUPPORT_COLUMNS, 'case_id'>
  institution_in_force_days: RowOf<typeof IN_FORCE_DAY_COLUMNS, keyof typeof IN_FORCE_DAY_COLUMNS>
  institution_in_force_periods: RowOf<typeof IN_FORCE_PERIOD_COLUMNS, keyof typeof IN_FORCE_PERIOD_COLUMNS>
  stat_facts: RowOf<typeof STAT_COLUMNS, 'event_id'>
  stat_months: RowOf<typeof STAT_MONTH_COLUMNS, keyof typeof STAT_MONTH_COLUMNS>
  case_history: RowOf<typeof HISTORY_COLUMNS, 'case_id' | 'seq'>
  history_cases: RowOf<typeof HISTORY_CASE_COLUMNS, 'case_id'>
  notices: RowOf<typeof NOTICE_COLUMNS, 'event_id' | 'case_id' | 'seq' | 'occurred_at' | 'outcome' | 'application_type' | 'national_id'>
}

/** Which projection (its live version) each base table belongs to. */
export const TABLE_PROJECTION = {
  cases: 'cases',
  cases_state: 'cases',
  occurrences: 'occurrences',
  institution_counts: 'institutions',
  institution_supports: 'institutions',
  institution_in_force_days: 'institutions',
  institution_in_force_periods: 'institutions',
  stat_facts: 'statistics',
  stat_months: 'statistics',
  case_history: 'history',
  history_cases: 'history',
  notices: 'notices',
} as const satisfies Record<keyof ReadModelSchema, string>

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
    ddl_hash: string | null
  }
}
