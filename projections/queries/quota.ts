// Queries of the quota ledger: sessions (3 h, rounded up per window) and hours per professional or per supported
// institution, per ISO week or month, approved and pending apart.
import type { ReadModels } from '../read-models.js'
import { STANDARD_SCOPE, scopeWhere, type Scope } from './scope.js'

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
  const rows = await rm.select<{ key: string; period: string; as: string; ap: string; ps: string; pp: string }>('quota', (t) => {
    const params: unknown[] = [q.periodKind]
    const w = ['period_kind = $1', scopeWhere(scope, STANDARD_SCOPE, params)]
    const p = (v: unknown) => (params.push(v), `$${params.length}`)
    if (key) w.push(`${by} = ${p(key)}`)
    if (q.fromPeriod) w.push(`period >= ${p(q.fromPeriod)}`)
    if (q.toPeriod) w.push(`period <= ${p(q.toPeriod)}`)
    if (q.excludeCaseId) w.push(`case_id <> ${p(q.excludeCaseId)}`)
    return {
      text: `SELECT ${by} AS key, period,
               coalesce(sum(sessions) FILTER (WHERE state = 'approved'), 0) AS "as",
               coalesce(sum(minutes) FILTER (WHERE state = 'approved'), 0) AS ap,
               coalesce(sum(sessions) FILTER (WHERE state = 'pending'), 0) AS ps,
               coalesce(sum(minutes) FILTER (WHERE state = 'pending'), 0) AS pp
             FROM ${t('quota')} WHERE ${w.join(' AND ')} GROUP BY ${by}, period ORDER BY ${by}, period`,
      params,
    }
  })
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
