// Read model `quota`: per case, per supported institution, per ISO week and per month, the clinic sessions
// (3 h each, rounded up per window) and minutes it uses, approved and pending apart. A professional's ledger is
// the sum over their cases (queries/quota.ts); a case's rows are replaced whenever it changes.
import { defineCaseProjection } from '../case-projection.js'
import { isoWeekId, monthId } from '../../domain/roc-date.js'
import { minutesOf, sessionsOf } from '../../domain/schedule.js'
import { deleteWhereIn, insertRows, type Columns } from '../sql-rows.js'
import { caseOccurrences } from './occurrences.js'

export const QUOTA_COLUMNS = {
  case_id: 'text',
  national_id: 'text',
  profession: 'text',
  home_code: 'text',
  supported_code: 'text',
  period_kind: 'text', // 'week' | 'month'
  period: 'text', // '2024-W09' | '2024-03'
  state: 'text', // 'approved' | 'pending'
  sessions: 'int',
  minutes: 'int',
  scope_institutions: 'text[]',
  scope_counties: 'text[]',
} as const satisfies Columns

export const quotaProjection = defineCaseProjection({
  name: 'quota',
  // 2: the occurrences that count are the domain's (a returned application's terms do not)
  revision: 2,
  tables: ['quota'],
  ddl: (_v, t) => {
    const q = t('quota')
    return [
      `CREATE TABLE IF NOT EXISTS ${q} (${Object.entries(QUOTA_COLUMNS).map(([n, ty]) => `${n} ${ty} NOT NULL`).join(', ')},
        PRIMARY KEY (case_id, supported_code, period_kind, period, state));`,
      `CREATE INDEX IF NOT EXISTS ${q}_person ON ${q} (national_id, period_kind, period);`,
      `CREATE INDEX IF NOT EXISTS ${q}_supported ON ${q} (supported_code, period_kind, period);`,
      `CREATE INDEX IF NOT EXISTS ${q}_county ON ${q} USING gin (scope_counties);`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    const table = ctx.table('quota')
    // a case without a saved state (its first events) has no rows yet: nothing to delete
    await deleteWhereIn(ctx.tx, table, 'case_id', changes.filter((c) => c.before).map((c) => c.caseId))
    const rows: Record<string, unknown>[] = []
    for (const ch of changes) {
      const v = ch.after
      if (!v) continue
      const scope = v.facts.scope
      const sums = new Map<string, Record<string, unknown> & { sessions: number; minutes: number }>()
      for (const o of caseOccurrences(v)) {
        for (const [kind, period] of [['week', isoWeekId(o.date)], ['month', monthId(o.date)]] as const) {
          const key = `${o.terms.supported.code}|${kind}|${period}|${o.state}`
          let r = sums.get(key)
          if (!r) {
            r = {
              case_id: v.caseId,
              national_id: v.applicant.nationalId,
              profession: v.applicant.profession,
              home_code: v.applicant.home.code,
              supported_code: o.terms.supported.code,
              period_kind: kind,
              period,
              state: o.state,
              sessions: 0,
              minutes: 0,
              scope_institutions: scope.institutions,
              scope_counties: scope.counties,
            }
            sums.set(key, r)
          }
          r.sessions += sessionsOf(o)
          r.minutes += minutesOf(o)
        }
      }
      rows.push(...sums.values())
    }
    await insertRows(ctx.tx, table, QUOTA_COLUMNS, rows)
  },
})
