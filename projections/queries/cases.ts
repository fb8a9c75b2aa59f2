// Queries over the `cases` read model: the reviewer search with every filter of DESIGN.md §1, one case, and
// status counts. Scoped: rows outside the caller's scope do not exist for it.
import type { ApplicationType, IsoDate, ProfessionCode, Status } from '../../domain/types.js'
import type { ReadModels } from '../read-models.js'
import { STANDARD_SCOPE, scopeWhere, type Scope } from './scope.js'

export interface CaseRow {
  caseId: string
  caseNumber: string | null
  legacyNumber: string | null
  status: Status
  applicationType: ApplicationType
  nationalId: string
  applicantName: string
  profession: ProfessionCode
  homeCode: string
  homeName: string
  homeCounty: string
  supportedCode: string
  supportedName: string
  supportedCounty: string
  supportedDistrict: string | null
  department: string
  purpose: string
  scheduleFrom: IsoDate | null
  scheduleTo: IsoDate | null
  weekdayMask: string
  earliestStart: string | null
  latestEnd: string | null
  submittedAt: string | null
  approvedAt: string | null
  decidedAt: string | null
  approvalNumber: string | null
  reviewCounty: string
  copiedCounties: string[]
  filedByRole: 'professional' | 'institution'
  filedById: string
  createdAt: string
  updatedAt: string
  inForce: boolean
  inForceFrom: IsoDate | null
  inForceTo: IsoDate | null
  cancelEffective: IsoDate | null
}

/** Every filter of the reviewer query (DESIGN.md §1). All optional; dates are ISO (convert ROC input first). */
export interface CaseFilter {
  nationalId?: string
  /** Applicant name, substring. */
  name?: string
  /** Applying institution name (the applicant's home institution), substring. */
  applyingInstitutionName?: string
  submittedFrom?: IsoDate
  submittedTo?: IsoDate
  caseNumber?: string
  supportedCode?: string
  /** Support date range: cases whose schedule overlaps [supportFrom, supportTo]. */
  supportFrom?: IsoDate
  supportTo?: IsoDate
  /** 'HH:MM': the case's earliest daily start at or after this. */
  startTime?: string
  /** 'HH:MM': the case's latest daily end at or before this. */
  endTime?: string
  /** ISO weekday 1..7: the case supports on that weekday. */
  weekday?: number
  /** Region of the supported institution. */
  county?: string
  district?: string
  profession?: ProfessionCode | ProfessionCode[]
  approvedFrom?: IsoDate
  approvedTo?: IsoDate
  applicationType?: ApplicationType | ApplicationType[]
  status?: Status | Status[]
  /** Source institution: the applicant's home institution code. */
  sourceInstitution?: string
  /** Only cases whose approval is in force on this date. */
  inForceOn?: IsoDate
}

export const CASE_SORTS = {
  submittedAt: 'submitted_at',
  caseNumber: 'case_number',
  updatedAt: 'updated_at',
  approvedAt: 'approved_at',
  name: 'applicant_name',
  scheduleFrom: 'schedule_from',
  status: 'status',
  supportedCode: 'supported_code',
} as const
export type CaseSort = keyof typeof CASE_SORTS

export interface PageRequest<S extends string> {
  page?: number // 1-based
  pageSize?: number // default 20, max 500
  sort?: S
  direction?: 'asc' | 'desc'
}

export interface Page<R> {
  rows: R[]
  total: number
  page: number
  pageSize: number
}

const SELECT = `case_id AS "caseId", case_number AS "caseNumber", legacy_number AS "legacyNumber", status,
  application_type AS "applicationType", national_id AS "nationalId", applicant_name AS "applicantName", profession,
  home_code AS "homeCode", home_name AS "homeName", home_county AS "homeCounty", supported_code AS "supportedCode",
  supported_name AS "supportedName", supported_county AS "supportedCounty", supported_district AS "supportedDistrict",
  department, purpose, to_char(schedule_from, 'YYYY-MM-DD') AS "scheduleFrom", to_char(schedule_to, 'YYYY-MM-DD') AS "scheduleTo",
  weekday_mask AS "weekdayMask", earliest_start AS "earliestStart", latest_end AS "latestEnd",
  to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "submittedAt",
  to_char(approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "approvedAt",
  to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "decidedAt",
  approval_number AS "approvalNumber", review_county AS "reviewCounty", copied_counties AS "copiedCounties",
  filed_by_role AS "filedByRole", filed_by_id AS "filedById",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt",
  in_force AS "inForce", to_char(in_force_from, 'YYYY-MM-DD') AS "inForceFrom", to_char(in_force_to, 'YYYY-MM-DD') AS "inForceTo",
  to_char(cancel_effective, 'YYYY-MM-DD') AS "cancelEffective"`

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v])
/** Start of the Asia/Taipei day (dates in filters are Taipei calendar days). */
const dayStart = (d: IsoDate) => `${d}T00:00:00+08:00`

/** WHERE clause of a filter + scope, with its parameters. */
export function caseWhere(scope: Scope, f: CaseFilter, params: unknown[]): string {
  const w: string[] = [scopeWhere(scope, STANDARD_SCOPE, params)]
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (f.nationalId) w.push(`national_id = ${p(f.nationalId.toUpperCase())}`)
  if (f.name) w.push(`applicant_name LIKE ${p(`%${escapeLike(f.name)}%`)}`)
  if (f.applyingInstitutionName) w.push(`home_name LIKE ${p(`%${escapeLike(f.applyingInstitutionName)}%`)}`)
  if (f.submittedFrom) w.push(`submitted_at >= ${p(dayStart(f.submittedFrom))}::timestamptz`)
  if (f.submittedTo) w.push(`submitted_at < ${p(dayStart(f.submittedTo))}::timestamptz + interval '1 day'`)
  if (f.caseNumber) w.push(`case_number = ${p(f.caseNumber)}`)
  if (f.supportedCode) w.push(`supported_code = ${p(f.supportedCode)}`)
  if (f.supportFrom) w.push(`schedule_to >= ${p(f.supportFrom)}::date`)
  if (f.supportTo) w.push(`schedule_from <= ${p(f.supportTo)}::date`)
  if (f.startTime) w.push(`earliest_start >= ${p(f.startTime)}`)
  if (f.endTime) w.push(`latest_end <= ${p(f.endTime)}`)
  if (f.weekday) w.push(`substr(weekday_mask, ${p(f.weekday)}::int, 1) = '1'`)
  if (f.county) w.push(`supported_county = ${p(f.county)}`)
  if (f.district) w.push(`supported_district = ${p(f.district)}`)
  if (f.profession) w.push(`profession = ANY(${p(list(f.profession))}::text[])`)
  if (f.approvedFrom) w.push(`approved_at >= ${p(dayStart(f.approvedFrom))}::timestamptz`)
  if (f.approvedTo) w.push(`approved_at < ${p(dayStart(f.approvedTo))}::timestamptz + interval '1 day'`)
  if (f.applicationType) w.push(`application_type = ANY(${p(list(f.applicationType))}::text[])`)
  if (f.status) w.push(`status = ANY(${p(list(f.status))}::text[])`)
  if (f.sourceInstitution) w.push(`home_code = ${p(f.sourceInstitution)}`)
  if (f.inForceOn) {
    const d = p(f.inForceOn)
    w.push(`in_force AND in_force_from <= ${d}::date AND in_force_to >= ${d}::date`)
  }
  return w.join(' AND ')
}

/** The reviewer query: filters, scope, sorting and pagination. */
export async function searchCases(rm: ReadModels, scope: Scope, filter: CaseFilter = {}, page: PageRequest<CaseSort> = {}): Promise<Page<CaseRow>> {
  const pageSize = Math.min(Math.max(1, page.pageSize ?? 20), 500)
  const pageNo = Math.max(1, page.page ?? 1)
  const sort = CASE_SORTS[page.sort ?? 'submittedAt'] ?? 'submitted_at'
  const dir = page.direction === 'asc' ? 'ASC' : 'DESC'
  const rows = await rm.select<CaseRow & { total: string }>('cases', (t) => {
    const params: unknown[] = []
    const where = caseWhere(scope, filter, params)
    params.push(pageSize, (pageNo - 1) * pageSize)
    return {
      text: `SELECT ${SELECT}, count(*) OVER () AS total FROM ${t('cases')} WHERE ${where}
             ORDER BY ${sort} ${dir} NULLS LAST, case_id ${dir} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    }
  })
  let total = Number(rows[0]?.total ?? 0)
  if (rows.length === 0 && pageNo > 1) total = await countCases(rm, scope, filter)
  return { rows: rows.map(({ total: _t, ...r }) => r as CaseRow), total, page: pageNo, pageSize }
}

export async function countCases(rm: ReadModels, scope: Scope, filter: CaseFilter = {}): Promise<number> {
  const r = await rm.select<{ n: string }>('cases', (t) => {
    const params: unknown[] = []
    return { text: `SELECT count(*) AS n FROM ${t('cases')} WHERE ${caseWhere(scope, filter, params)}`, params }
  })
  return Number(r[0]?.n ?? 0)
}

/** One case, or undefined when it does not exist in this scope. */
export async function getCase(rm: ReadModels, scope: Scope, caseId: string): Promise<CaseRow | undefined> {
  const r = await rm.select<CaseRow>('cases', (t) => {
    const params: unknown[] = [caseId]
    return { text: `SELECT ${SELECT} FROM ${t('cases')} WHERE case_id = $1 AND ${scopeWhere(scope, STANDARD_SCOPE, params)}`, params }
  })
  return r[0]
}

/** Number of cases per status (every status present, zeros included), within scope and filter. */
export async function countCasesByStatus(rm: ReadModels, scope: Scope, filter: CaseFilter = {}): Promise<Record<Status, number>> {
  const r = await rm.select<{ status: Status; n: string }>('cases', (t) => {
    const params: unknown[] = []
    return { text: `SELECT status, count(*) AS n FROM ${t('cases')} WHERE ${caseWhere(scope, filter, params)} GROUP BY status`, params }
  })
  const out: Record<Status, number> = { draft: 0, under_review: 0, approved: 0, rejected: 0, returned: 0, withdrawn: 0, cancelled: 0 }
  for (const x of r) out[x.status] = Number(x.n)
  return out
}
