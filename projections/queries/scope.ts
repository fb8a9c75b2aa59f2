// Who is asking decides which rows exist: every query reads its tables through QueryContext.from (kysely.ts),
// which adds the predicate of inScope for the caller's Scope; the scope columns of each table are declared once,
// here, in SCOPE_COLUMNS.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import type { CountyCode } from '../../domain/types.js'
import type { ReadModelSchema } from '../schema.js'

export type Scope =
  | { kind: 'professional'; nationalId: string }
  | { kind: 'institution'; code: string }
  | { kind: 'county'; county: CountyCode }
  | { kind: 'national' }

/** Where a table carries its scope: a row is in scope when ANY listed column matches. */
export interface TableScope<C extends string> {
  /** Absent on tables without a person (aggregates): no professional sees a row there. */
  nationalId?: C
  /** The row's institutions: text[] columns (containment) and/or text columns (equality). */
  institutions: { arrays?: readonly C[]; columns?: readonly C[] }
  /** The review county and copied counties: text[] columns and/or text columns. */
  counties: { arrays?: readonly C[]; columns?: readonly C[] }
}

type Cols<T extends keyof ReadModelSchema> = TableScope<keyof ReadModelSchema[T] & string>
const standard = { nationalId: 'national_id', institutions: { arrays: ['scope_institutions'] }, counties: { arrays: ['scope_counties'] } } as const

/** The scope columns of every table a query may read (tables absent here cannot be read by a query). */
export const SCOPE_COLUMNS = {
  cases: standard,
  occurrences: standard,
  history_cases: standard,
  notices: { nationalId: 'national_id', institutions: { arrays: ['scope_institutions'] }, counties: {} },
  institution_supports: { nationalId: 'national_id', institutions: { columns: ['home_code', 'supported_code'] }, counties: { arrays: ['scope_counties'] } },
  stat_facts: { nationalId: 'national_id', institutions: { columns: ['home_code', 'supported_code'] }, counties: { columns: ['review_county'], arrays: ['copied_counties'] } },
  // the month sums keep no person and no home institution: only county and national scopes read them (an
  // institution's or a person's statistics come from stat_facts)
  stat_months: { institutions: {}, counties: { columns: ['review_county'], arrays: ['copied_counties'] } },
} as const satisfies { [T in keyof ReadModelSchema]?: Cols<T> }

/** The predicate restricting rows of `alias` (a table with scope columns `cols`) to `scope`. */
export function inScope(eb: ExpressionBuilder<Record<string, Record<string, unknown>>, string>, scope: Scope, cols: TableScope<string>, alias: string): Expression<SqlBool> {
  const ref = (c: string) => eb.ref(`${alias}.${c}`)
  const any = (m: { arrays?: readonly string[]; columns?: readonly string[] }, value: string) =>
    eb.or([
      ...(m.arrays ?? []).map((c) => eb(ref(c), '@>', sql<string[]>`ARRAY[${value}::text]`)),
      ...(m.columns ?? []).map((c) => eb(ref(c), '=', value)),
    ])
  switch (scope.kind) {
    case 'national':
      return sql<SqlBool>`TRUE`
    case 'professional':
      return cols.nationalId ? eb(ref(cols.nationalId), '=', scope.nationalId) : sql<SqlBool>`FALSE`
    case 'institution':
      return any(cols.institutions, scope.code)
    case 'county':
      return any(cols.counties, scope.county)
  }
}

/** May this scope read the unscoped aggregate counts of `institutionCode` (institution_counts)? */
export const seesAllOfInstitution = (scope: Scope, institutionCode: string) =>
  scope.kind === 'national' || (scope.kind === 'institution' && scope.code === institutionCode)
