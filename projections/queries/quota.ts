// Queries of the quota ledger: sessions (3 h, rounded up per window) and hours per professional or per supported
// institution, per ISO week or month, approved and pending apart, summed from the occurrences read model.
import { sql, type Expression, type SqlBool } from 'kysely'
import type { ReadModels } from './read-models.js'
import { dateParam, run } from './kysely.js'
import { periodDays } from '../../domain/rules/quota.js'
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

// a period's id computed from the date, as the domain's periodOf names it (ISO week 'IYYY-"W"IW', month 'YYYY-MM')
const PERIOD_ID = { week: sql<string>`to_char(date, 'IYYY-"W"IW')`, month: sql<string>`to_char(date, 'YYYY-MM')` } as const

// summed from the occurrences that count (read-models/occurrences.ts), each carrying its sessions and minutes: the
// same windows the conflict check reads, so the ledger cannot disagree with them; the period bounds become date
// bounds (domain periodDays), which the (national_id, date) and (supported_code, date) indexes serve
async function ledger(rm: ReadModels, scope: Scope, by: 'national_id' | 'supported_code', key: string | readonly string[] | undefined, q: QuotaQuery) {
  if (Array.isArray(key) && key.length === 0) return []
  const period = PERIOD_ID[q.periodKind]
  const rows = await run(rm, 'occurrences', ({ from }) =>
    from('occurrences', scope)
      .where((eb) => {
        const w: Expression<SqlBool>[] = []
        if (typeof key === 'string') w.push(eb(by, '=', key))
        else if (key) w.push(eb(by, '=', sql<string>`ANY(${[...key]}::text[])`))
        if (q.fromPeriod) w.push(eb('date', '>=', dateParam(periodDays(q.periodKind, q.fromPeriod).first)))
        if (q.toPeriod) w.push(eb('date', '<', dateParam(periodDays(q.periodKind, q.toPeriod).after)))
        if (q.excludeCaseId) w.push(eb('case_id', '<>', q.excludeCaseId))
        return eb.and(w)
      })
      .select((eb) => {
        const sum = (c: 'sessions' | 'minutes', state: 'approved' | 'pending') =>
          sql<string>`coalesce(sum(${eb.ref(c)}) FILTER (WHERE ${eb.ref('state')} = ${state}), 0)`
        return [
          eb.ref(by).as('key'), period.as('period'),
          sum('sessions', 'approved').as('as'), sum('minutes', 'approved').as('ap'),
          sum('sessions', 'pending').as('ps'), sum('minutes', 'pending').as('pp'),
        ]
      })
      .groupBy([sql`1`, sql`2`])
      .orderBy(sql`1`).orderBy(sql`2`),
  )
  return rows.map<QuotaUse>((r) => ({
    key: r.key as string,
    periodKind: q.periodKind,
    period: r.period,
    approvedSessions: Number(r.as),
    approvedHours: Number(r.ap) / 60,
    pendingSessions: Number(r.ps),
    pendingHours: Number(r.pp) / 60,
  }))
}

/**
 * A professional's use per period (all supported sites summed); given a list, each of those professionals (an
 * institution's staff: bounded by the list, not by everyone who supports there). Without: every professional in scope.
 */
export const professionalQuota = (rm: ReadModels, scope: Scope, nationalId: string | readonly string[] | undefined, q: QuotaQuery) =>
  ledger(rm, scope, 'national_id', nationalId, q)
/** Support received by an institution per period (for ratio caps against its own staffing). */
export const institutionQuota = (rm: ReadModels, scope: Scope, supportedCode: string | undefined, q: QuotaQuery) =>
  ledger(rm, scope, 'supported_code', supportedCode, q)
