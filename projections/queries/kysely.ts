// kysely as a typed query BUILDER only: queries are built against the read-model schema (../schema.ts), compiled
// to SQL + parameters, and executed through our own `Sql` port (ReadModels.select), so one code path serves pg and
// PGlite, keeps the live-version table resolution and its retry on a version switch. No kysely driver runs.
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type Compilable,
  type Expression,
  type RawBuilder,
  type SelectQueryBuilder,
} from 'kysely'
import type { IsoDate } from '../../domain/types.js'
import type { ReadModels } from './read-models.js'
import { TABLE_PROJECTION, type ReadModelSchema } from '../schema.js'
import { inScope, SCOPE_COLUMNS, type Scope } from './scope.js'

export type DB = ReadModelSchema
export type Table = keyof DB & string

/** The builder: compiles PostgreSQL, never connects. */
export const qb = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
})

/**
 * A table of the live version, aliased to its base name (or to `alias`): at run time `rm_cases_v3 as cases`,
 * typed as `cases as cases`, so column references are checked against the base table's row type.
 */
export type TableRef = <T extends Table, A extends string = T>(base: T, alias?: A) => `${T} as ${A}`

export interface QueryContext {
  db: Kysely<DB>
  t: TableRef
  /** `selectFrom(t(base, alias))` already restricted to the caller's scope: the only way queries read a table. */
  from<T extends ScopedTable, A extends string = T>(base: T, scope: Scope, alias?: A): SelectQueryBuilder<Aliased<T, A>, A & keyof Aliased<T, A>, {}>
}

/** The schema as kysely sees it after `selectFrom('<base> as <alias>')`. */
export type Aliased<T extends Table, A extends string> = A extends T ? DB : DB & { [K in A]: DB[T] }

export type ScopedTable = keyof typeof SCOPE_COLUMNS

/** Runs one typed query against the live tables of `projection` (retried once by ReadModels on a version switch). */
export async function run<O>(rm: ReadModels, projection: (typeof TABLE_PROJECTION)[Table], build: (q: QueryContext) => Compilable<O>): Promise<O[]> {
  return rm.select<O>(projection, (physical) => {
    const t: TableRef = (base, alias) => {
      if (TABLE_PROJECTION[base] !== projection) throw new Error(`table ${base} is not in projection ${projection}`)
      return `${physical(base)} as ${alias ?? base}` as never
    }
    const from: QueryContext['from'] = (base, scope, alias) =>
      // the generic table cannot be followed by kysely's types here; each call site is typed by its alias
      (qb.selectFrom(t(base, alias) as never) as unknown as SelectQueryBuilder<DB, keyof DB, {}>).where((eb) =>
        inScope(eb as never, scope, SCOPE_COLUMNS[base], alias ?? base),
      ) as never
    const c = build({ db: qb, t, from }).compile()
    return { text: c.sql, params: [...c.parameters] }
  })
}

/** Rows a query read from one table (summed over its scan nodes): kept by the scans' filters, and discarded by them. */
export interface TableRowsRead {
  rows: number
  removed: number
}

/**
 * Runs the query under EXPLAIN ANALYZE and says how many rows it read from each table (by base name: the alias
 * `from`/`t` give it). For benchmarks and tests that check what a query's cost grows with; not for pages.
 */
export async function rowsRead(rm: ReadModels, projection: (typeof TABLE_PROJECTION)[Table], build: (q: QueryContext) => Compilable<unknown>): Promise<Record<string, TableRowsRead>> {
  type PlanNode = { 'Relation Name'?: string; Alias?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; Plans?: PlanNode[] }
  const out: Record<string, TableRowsRead> = {}
  const [row] = await run<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(rm, projection, (q) => {
    const c = build(q).compile()
    return { compile: () => ({ ...c, sql: `EXPLAIN (ANALYZE, FORMAT JSON) ${c.sql}` }) } as unknown as Compilable<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>
  })
  const planText = row!['QUERY PLAN']
  const plan = (typeof planText === 'string' ? JSON.parse(planText) : planText) as [{ Plan: PlanNode }]
  const walk = (n: PlanNode) => {
    if (n['Relation Name']) {
      const loops = n['Actual Loops'] ?? 1
      const t = (out[n.Alias ?? n['Relation Name']] ??= { rows: 0, removed: 0 })
      t.rows += (n['Actual Rows'] ?? 0) * loops
      t.removed += ((n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * loops
    }
    for (const k of n.Plans ?? []) walk(k)
  }
  walk(plan[0].Plan)
  return out
}

/** 'YYYY-MM-DD' of a date column (null stays null). */
export const isoDate = (e: Expression<Date | null>): RawBuilder<IsoDate | null> => sql<IsoDate | null>`to_char(${e}, 'YYYY-MM-DD')`
/** ISO-8601 UTC text of a timestamptz column, as the domain writes instants (null stays null). */
export const isoInstant = (e: Expression<Date | null>): RawBuilder<string | null> =>
  sql<string | null>`to_char(${e} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
/** A date parameter compared with a date column. */
export const dateParam = (d: IsoDate): RawBuilder<Date> => sql<Date>`${d}::date`
/** An instant parameter (ISO text with offset) compared with a timestamptz column. */
export const instantParam = (iso: string): RawBuilder<Date> => sql<Date>`${iso}::timestamptz`
/** A text[] parameter (for `= ANY(...)` and `@>`). */
export const textArray = (values: readonly string[]): RawBuilder<string[]> => sql<string[]>`${[...values]}::text[]`
/** Pattern for LIKE matching `s` as a substring literally. */
export const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
