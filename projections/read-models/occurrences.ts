// Read model `occurrences`: every dated window of approved and pending reports. A case's rows are replaced
// whenever it changes (terms changed, decided, withdrawn, cancelled from the effective date).
import { defineCaseProjection } from '../case-projection.js'
import { scopeOf, type CaseView } from '../case-view.js'
import type { Occurrence, Routing, Terms } from '../../domain/types.js'
import { expandSchedule } from '../../domain/schedule.js'
import { deleteWhereIn, insertRows, type Columns } from '../sql-rows.js'

export type OccurrenceState = 'approved' | 'pending'

export interface CaseOccurrence extends Occurrence {
  state: OccurrenceState
  terms: Terms
  routing: Routing
}

/** Approved windows (minus the cancelled tail) and the windows of an application under review or returned. */
export function caseOccurrences(v: CaseView): CaseOccurrence[] {
  const out: CaseOccurrence[] = []
  if (v.approved && v.status !== 'withdrawn') {
    for (const o of expandSchedule(v.approved.terms.schedule)) {
      if (v.cancelEffective && o.date >= v.cancelEffective) continue
      out.push({ ...o, state: 'approved', terms: v.approved.terms, routing: v.approved.routing })
    }
  }
  const p = v.pending
  if (p && p.type !== 'cancel' && (v.status === 'under_review' || v.status === 'returned')) {
    const terms = p.terms ?? v.terms
    const routing = p.routing ?? v.routing
    for (const o of expandSchedule(terms.schedule)) out.push({ ...o, state: 'pending', terms, routing })
  }
  return out
}

export const OCCURRENCE_COLUMNS = {
  case_id: 'text',
  case_number: 'text',
  national_id: 'text',
  applicant_name: 'text',
  profession: 'text',
  home_code: 'text',
  home_name: 'text',
  supported_code: 'text',
  supported_name: 'text',
  department: 'text',
  date: 'date',
  start_time: 'text',
  end_time: 'text',
  state: 'text',
  review_county: 'text',
  scope_institutions: 'text[]',
  scope_counties: 'text[]',
} as const satisfies Columns

export const occurrencesProjection = defineCaseProjection({
  name: 'occurrences',
  tables: ['occurrences'],
  ddl: (_v, t) => {
    const o = t('occurrences')
    const cols = Object.entries(OCCURRENCE_COLUMNS).map(([n, ty]) => `${n} ${ty} ${['case_id', 'national_id', 'date', 'state'].includes(n) ? 'NOT NULL' : ''}`)
    return [
      `CREATE TABLE IF NOT EXISTS ${o} (${cols.join(', ')});`,
      `CREATE INDEX IF NOT EXISTS ${o}_case ON ${o} (case_id);`,
      `CREATE INDEX IF NOT EXISTS ${o}_person ON ${o} (national_id, date);`,
      `CREATE INDEX IF NOT EXISTS ${o}_supported ON ${o} (supported_code, date);`,
      `CREATE INDEX IF NOT EXISTS ${o}_home ON ${o} (home_code, date);`,
      `CREATE INDEX IF NOT EXISTS ${o}_county ON ${o} USING gin (scope_counties);`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    const table = ctx.table('occurrences')
    await deleteWhereIn(ctx.tx, table, 'case_id', changes.map((c) => c.caseId))
    const rows = changes.flatMap((ch) => {
      const v = ch.after
      if (!v) return []
      const scope = scopeOf(v)
      return caseOccurrences(v).map((o) => ({
        case_id: v.caseId,
        case_number: v.caseNumber,
        national_id: v.applicant.nationalId,
        applicant_name: v.applicant.name,
        profession: v.applicant.profession,
        home_code: v.applicant.home.code,
        home_name: v.applicant.home.name,
        supported_code: o.terms.supported.code,
        supported_name: o.terms.supported.name,
        department: o.terms.department,
        date: o.date,
        start_time: o.start,
        end_time: o.end,
        state: o.state,
        review_county: o.routing.reviewCounty,
        scope_institutions: scope.institutions,
        scope_counties: [o.routing.reviewCounty, ...o.routing.copiedCounties],
      }))
    })
    await insertRows(ctx.tx, table, OCCURRENCE_COLUMNS, rows)
  },
})
