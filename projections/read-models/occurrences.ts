// Read model `occurrences`: every dated window of a case that counts for conflicts and quota, as the domain says
// (domain/report/existing.ts: the terms in force minus a cancelled tail, a registration or change under review; a
// returned application's terms do not count). A case's rows are replaced whenever it changes.
import { defineCaseProjection } from '../case-projection.js'
import type { CaseView } from '../case-view.js'
import type { Occurrence, Routing, Terms } from '../../domain/types.js'
import { minutesOf, sessionsOf } from '../../domain/schedule.js'
import { deleteWhereIn, insertRows, type Columns } from '../sql-rows.js'

export type OccurrenceState = 'approved' | 'pending'

export interface CaseOccurrence extends Occurrence {
  state: OccurrenceState
  terms: Terms
  routing: Routing
}

/** The windows that count: the terms in force ('approved') and the ones under review ('pending'). */
export function caseOccurrences(v: CaseView): CaseOccurrence[] {
  const { inForce, underReview } = v.facts.counted
  return [
    // the occurrence spread last: see caseRow (cases.ts)
    ...(inForce ? inForce.occurrences.map((o) => ({ state: 'approved' as const, terms: inForce.terms, routing: inForce.routing, ...o })) : []),
    ...(underReview ? underReview.occurrences.map((o) => ({ state: 'pending' as const, terms: underReview.terms, routing: underReview.routing, ...o })) : []),
  ]
}

export const OCCURRENCE_COLUMNS = {
  case_id: 'text',
  case_number: 'text',
  /** The case's status (the conflict rule names it). */
  case_status: 'text',
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
  /** Clinic sessions (3 h each, rounded up per window) and minutes: the quota ledger sums them (queries/quota.ts). */
  sessions: 'int',
  minutes: 'int',
  review_county: 'text',
  scope_institutions: 'text[]',
  scope_counties: 'text[]',
} as const satisfies Columns

export const occurrencesProjection = defineCaseProjection({
  name: 'occurrences',
  // 2: the domain's counted occurrences (a returned application's terms do not count), the case status; 3: sessions
  // and minutes (the quota ledger is summed from here; the quota read model is gone)
  revision: 3,
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
    // a case without a saved state (its first events) has no rows yet: nothing to delete
    await deleteWhereIn(ctx.tx, table, 'case_id', changes.filter((c) => c.before).map((c) => c.caseId))
    // one array per routing, shared by its rows (the COPY encodes a value its previous row had once: copy-text.ts)
    const countiesOf = new Map<Routing, string[]>()
    const counties = (r: Routing) => {
      let c = countiesOf.get(r)
      if (!c) countiesOf.set(r, (c = [r.reviewCounty, ...r.copiedCounties]))
      return c
    }
    const rows = changes.flatMap((ch) => {
      const v = ch.after
      if (!v) return []
      const scope = v.facts.scope
      return caseOccurrences(v).map((o) => ({
        case_id: v.caseId,
        case_number: v.caseNumber,
        case_status: v.status,
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
        sessions: sessionsOf(o),
        minutes: minutesOf(o),
        review_county: o.routing.reviewCounty,
        scope_institutions: scope.institutions,
        scope_counties: counties(o.routing),
      }))
    })
    await insertRows(ctx.tx, table, OCCURRENCE_COLUMNS, rows)
  },
})
