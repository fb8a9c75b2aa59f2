// Queries of the quota ledger: sessions (3 h, rounded up per window) and hours per professional or per supported
// institution, per ISO week or month, approved and pending apart.
import { sql, type Expression, type SqlBool } from 'kysely'
import type { ReadModels } from './read-models.js'
import { run } from './kysely.js'
import type { Scope } from './scope.js'

export interface QuotaUse {
  key: string // national ID or institution code
  periodKind: 'week' | 'month'
  period: string // '2024-W09' | '2024-03'
  approvedSessions: number
  approvedHours: number
  pendingSessions: number
  pendingHours: number
}

export interface QuotaQuery {
  periodKind: 'week' | 'month'
  /** Inclusive bounds of the period keys ('2024-W01'..'2024-W10', '2024-01'..'2024-03'). */
  fromPeriod?: string
  toPeriod?: string
  excludeCaseId?: string
}

async function ledger(rm: ReadModels, scope: Scope, by: 'national_id' | 'supported_code', key: string | undefined, q: QuotaQuery) {
  const rows = await run(rm, 'quota', ({ from }) =>
    from('quota', scope)
      .where((eb) => {
        const w: Expression<SqlBool>[] = [eb('period_kind', '=', q.periodKind)]
        if (key) w.push(eb(by, '=', key))
        if (q.fromPeriod) w.push(eb('period', '>=', q.fromPeriod))
        if (q.toPeriod) w.push(eb('period', '<=', q.toPeriod))
        if (q.excludeCaseId) w.push(eb('case_id', '<>', q.excludeCaseId))
        return eb.and(w)
      })
      .select((eb) => {
        const sum = (c: 'sessions' | 'minutes', state: 'approved' | 'pending') =>
          sql<string>`coalesce(sum(${eb.ref(c)}) FILTER (WHERE ${eb.ref('state')} = ${state}), 0)`
        return [
          eb.ref(by).as('key'), 'period',
          sum('sessions', 'approved').as('as'), sum('minutes', 'approved').as('ap'),
          sum('sessions', 'pending').as('ps'), sum('minutes', 'pending').as('pp'),
        ]
      })
      .groupBy([by, 'period'])
      .orderBy(by).orderBy('period'),
  )
  return rows.map<QuotaUse>((r) => ({
    key: r.key,
    periodKind: q.periodKind,
    period: r.period,
    approvedSessions: Number(r.as),
    approvedHours: Number(r.ap) / 60,
    pendingSessions: Number(r.ps),
    pendingHours: Number(r.pp) / 60,
  }))
}

/** A professional's use per period (all supported sites summed). Without nationalId: every professional in scope. */
export const professionalQuota = (rm: ReadModels, scope: Scope, nationalId: string | undefined, q: QuotaQuery) =>
  ledger(rm, scope, 'national_id', nationalId, q)
/** Support received by an institution per period (for ratio caps against its own staffing). */
export const institutionQuota = (rm: ReadModels, scope: Scope, supportedCode: string | undefined, q: QuotaQuery) =>
  ledger(rm, scope, 'supported_code', supportedCode, q)
