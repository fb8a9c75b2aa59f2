// Queries of the institution dashboard: counts per status (as home/filer and as supported institution), the
// valid-support roster, 他院支援本院 and 本院支援他院.
import type { IsoDate, Status } from '../../domain/types.js'
import type { ReadModels } from '../read-models.js'
import { scopeWhere, type Scope, type ScopeColumns } from './scope.js'

const SUPPORT_SCOPE: ScopeColumns = { nationalId: 'national_id', institutions: ['home_code', 'supported_code'], counties: 'scope_counties' }

export type StatusCounts = Record<Status, number>
export interface DashboardCounts {
  institutionCode: string
  /** Cases of our staff (we are the home institution / filer). */
  asHome: StatusCounts
  /** Cases supporting us (we are the supported institution). */
  asSupported: StatusCounts
  /** 有效報備支援人數: distinct professionals with an approval in force on `today`, either direction. */
  validSupportPeople: number
}

const zero = (): StatusCounts => ({ draft: 0, under_review: 0, approved: 0, rejected: 0, returned: 0, withdrawn: 0, cancelled: 0 })

export async function dashboardCounts(rm: ReadModels, scope: Scope, institutionCode: string, today: IsoDate): Promise<DashboardCounts> {
  const out: DashboardCounts = { institutionCode, asHome: zero(), asSupported: zero(), validSupportPeople: 0 }
  let rows: { side: string; status: Status; n: string }[]
  if (scope.kind === 'national' || (scope.kind === 'institution' && scope.code === institutionCode)) {
    // the delta-maintained counts table
    rows = await rm.select('institutions', (t) => ({
      text: `SELECT side, status, n FROM ${t('institution_counts')} WHERE institution_code = $1`,
      params: [institutionCode],
    }))
  } else {
    rows = await rm.select('institutions', (t) => {
      const params: unknown[] = [institutionCode]
      const w = scopeWhere(scope, SUPPORT_SCOPE, params)
      return {
        text: `SELECT 'home' AS side, status, count(*) AS n FROM ${t('institution_supports')} WHERE home_code = $1 AND ${w} GROUP BY status
               UNION ALL
               SELECT 'supported', status, count(*) FROM ${t('institution_supports')} WHERE supported_code = $1 AND ${w} GROUP BY status`,
        params,
      }
    })
  }
  for (const r of rows) (r.side === 'home' ? out.asHome : out.asSupported)[r.status] = Number(r.n)
  const valid = await rm.select<{ n: string }>('institutions', (t) => {
    const params: unknown[] = [institutionCode, today]
    return {
      text: `SELECT count(DISTINCT national_id) AS n FROM ${t('institution_supports')}
             WHERE (home_code = $1 OR supported_code = $1) AND in_force_from <= $2::date AND in_force_to >= $2::date
               AND ${scopeWhere(scope, SUPPORT_SCOPE, params)}`,
      params,
    }
  })
  out.validSupportPeople = Number(valid[0]?.n ?? 0)
  return out
}

export interface SupportRow {
  caseId: string
  caseNumber: string | null
  status: Status
  nationalId: string
  applicantName: string
  profession: string
  homeCode: string
  homeName: string
  supportedCode: string
  supportedName: string
  department: string
  scheduleFrom: IsoDate | null
  scheduleTo: IsoDate | null
  weekdayMask: string
  earliestStart: string | null
  latestEnd: string | null
  approvalNumber: string | null
  inForceFrom: IsoDate | null
  inForceTo: IsoDate | null
}

export interface SupportListOptions {
  /** Only approvals in force on this date (default: every case, any status). */
  inForceOn?: IsoDate
  status?: Status[]
  limit?: number
  offset?: number
}

async function supports(rm: ReadModels, scope: Scope, side: 'home' | 'supported' | 'either', code: string, o: SupportListOptions) {
  return rm.select<SupportRow>('institutions', (t) => {
    const params: unknown[] = [code]
    const w = [side === 'home' ? 'home_code = $1' : side === 'supported' ? 'supported_code = $1' : '(home_code = $1 OR supported_code = $1)']
    w.push(scopeWhere(scope, SUPPORT_SCOPE, params))
    const p = (v: unknown) => (params.push(v), `$${params.length}`)
    if (o.inForceOn) {
      const d = p(o.inForceOn)
      w.push(`in_force_from <= ${d}::date AND in_force_to >= ${d}::date`)
    }
    if (o.status) w.push(`status = ANY(${p(o.status)}::text[])`)
    const limit = p(Math.min(o.limit ?? 200, 5000))
    const offset = p(o.offset ?? 0)
    return {
      text: `SELECT case_id AS "caseId", case_number AS "caseNumber", status, national_id AS "nationalId", applicant_name AS "applicantName",
               profession, home_code AS "homeCode", home_name AS "homeName", supported_code AS "supportedCode", supported_name AS "supportedName",
               department, to_char(schedule_from, 'YYYY-MM-DD') AS "scheduleFrom", to_char(schedule_to, 'YYYY-MM-DD') AS "scheduleTo",
               weekday_mask AS "weekdayMask", earliest_start AS "earliestStart", latest_end AS "latestEnd", approval_number AS "approvalNumber",
               to_char(in_force_from, 'YYYY-MM-DD') AS "inForceFrom", to_char(in_force_to, 'YYYY-MM-DD') AS "inForceTo"
             FROM ${t('institution_supports')} WHERE ${w.join(' AND ')}
             ORDER BY schedule_from DESC NULLS LAST, case_id LIMIT ${limit} OFFSET ${offset}`,
      params,
    }
  })
}

/** 有效報備支援名冊: approvals in force on `today` where the institution is home or supported. */
export const validSupportRoster = (rm: ReadModels, scope: Scope, institutionCode: string, today: IsoDate, o: Omit<SupportListOptions, 'inForceOn'> = {}) =>
  supports(rm, scope, 'either', institutionCode, { ...o, inForceOn: today })
/** 他院支援本院: other institutions' staff supporting this institution. */
export const othersSupportingUs = (rm: ReadModels, scope: Scope, institutionCode: string, o: SupportListOptions = {}) =>
  supports(rm, scope, 'supported', institutionCode, o)
/** 本院支援他院: this institution's staff supporting others. */
export const ourStaffSupportingOthers = (rm: ReadModels, scope: Scope, institutionCode: string, o: SupportListOptions = {}) =>
  supports(rm, scope, 'home', institutionCode, o)
