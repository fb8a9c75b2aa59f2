// Who is asking decides which rows exist: every query takes a Scope and adds its predicate.
import type { CountyCode } from '../../domain/types.js'

export type Scope =
  | { kind: 'professional'; nationalId: string }
  | { kind: 'institution'; code: string }
  | { kind: 'county'; county: CountyCode }
  | { kind: 'national' }

/** Column names (or SQL expressions over an alias) carrying a table's scope. */
export interface ScopeColumns {
  nationalId: string
  /** A text[] of every institution the row belongs to, or a list of text columns. */
  institutions: string | readonly string[]
  /** A text[] of the review county and the copied counties. */
  counties: string
}

/** SQL predicate restricting rows to the scope; pushes its parameters. */
export function scopeWhere(scope: Scope, cols: ScopeColumns, params: unknown[]): string {
  switch (scope.kind) {
    case 'national':
      return 'TRUE'
    case 'professional':
      params.push(scope.nationalId)
      return `${cols.nationalId} = $${params.length}`
    case 'institution':
      params.push(scope.code)
      return typeof cols.institutions === 'string'
        ? `${cols.institutions} @> ARRAY[$${params.length}::text]`
        : `(${cols.institutions.map((c) => `${c} = $${params.length}`).join(' OR ')})`
    case 'county':
      params.push(scope.county)
      return `${cols.counties} @> ARRAY[$${params.length}::text]`
  }
}

export const STANDARD_SCOPE: ScopeColumns = { nationalId: 'national_id', institutions: 'scope_institutions', counties: 'scope_counties' }
