// Queries over the `occurrences` read model: calendars, and the approved/pending windows the conflict check uses.
import type { IsoDate } from '../../domain/types.js'
import type { ReadModels } from '../read-models.js'
import { STANDARD_SCOPE, scopeWhere, type Scope } from './scope.js'

export interface OccurrenceRow {
  caseId: string
  caseNumber: string | null
  nationalId: string
  applicantName: string
  profession: string
  homeCode: string
  homeName: string
  supportedCode: string
  supportedName: string
  department: string
  date: IsoDate
  start: string
  end: string
  state: 'approved' | 'pending'
}

export interface OccurrenceFilter {
  from?: IsoDate
  to?: IsoDate
  nationalId?: string
  /** Occurrences at this supported institution or of this home institution's staff. */
  institutionCode?: string
  state?: 'approved' | 'pending'
  excludeCaseId?: string
  limit?: number
}

export async function listOccurrences(rm: ReadModels, scope: Scope, f: OccurrenceFilter = {}): Promise<OccurrenceRow[]> {
  return rm.select<OccurrenceRow>('occurrences', (t) => {
    const params: unknown[] = []
    const w = [scopeWhere(scope, STANDARD_SCOPE, params)]
    const p = (v: unknown) => (params.push(v), `$${params.length}`)
    if (f.from) w.push(`date >= ${p(f.from)}::date`)
    if (f.to) w.push(`date <= ${p(f.to)}::date`)
    if (f.nationalId) w.push(`national_id = ${p(f.nationalId)}`)
    if (f.institutionCode) {
      const c = p(f.institutionCode)
      w.push(`(supported_code = ${c} OR home_code = ${c})`)
    }
    if (f.state) w.push(`state = ${p(f.state)}`)
    if (f.excludeCaseId) w.push(`case_id <> ${p(f.excludeCaseId)}`)
    const limit = p(Math.min(f.limit ?? 5000, 50_000))
    return {
      text: `SELECT case_id AS "caseId", case_number AS "caseNumber", national_id AS "nationalId", applicant_name AS "applicantName",
               profession, home_code AS "homeCode", home_name AS "homeName", supported_code AS "supportedCode",
               supported_name AS "supportedName", department, to_char(date, 'YYYY-MM-DD') AS date, start_time AS start,
               end_time AS "end", state
             FROM ${t('occurrences')} WHERE ${w.join(' AND ')} ORDER BY date, start_time, case_id LIMIT ${limit}`,
      params,
    }
  })
}

/** A professional's month calendar ('YYYY-MM'): every approved and pending window of that month. */
export function monthCalendar(rm: ReadModels, scope: Scope, nationalId: string, month: string): Promise<OccurrenceRow[]> {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return listOccurrences(rm, scope, { nationalId, from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` })
}
