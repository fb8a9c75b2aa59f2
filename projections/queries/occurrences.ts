// Queries over the `occurrences` read model: calendars, and the approved/pending windows the conflict check uses.
import type { IsoDate, Status } from '../../domain/types.js'
import type { Expression, SqlBool } from 'kysely'
import type { ReadModels } from './read-models.js'
import { dateParam, isoDate, run } from './kysely.js'
import type { Scope } from './scope.js'

export interface OccurrenceRow {
  caseId: string
  caseNumber: string | null
  /** The case's status. */
  caseStatus: Status
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
  const rows = await run(rm, 'occurrences', ({ from }) =>
    from('occurrences', scope)
      .where((eb) => {
        const w: Expression<SqlBool>[] = []
        if (f.from) w.push(eb('date', '>=', dateParam(f.from)))
        if (f.to) w.push(eb('date', '<=', dateParam(f.to)))
        if (f.nationalId) w.push(eb('national_id', '=', f.nationalId))
        if (f.institutionCode) w.push(eb.or([eb('supported_code', '=', f.institutionCode), eb('home_code', '=', f.institutionCode)]))
        if (f.state) w.push(eb('state', '=', f.state))
        if (f.excludeCaseId) w.push(eb('case_id', '<>', f.excludeCaseId))
        return eb.and(w)
      })
      .select((eb) => [
        'case_id as caseId', 'case_number as caseNumber', 'case_status as caseStatus', 'national_id as nationalId', 'applicant_name as applicantName',
        'profession', 'home_code as homeCode', 'home_name as homeName', 'supported_code as supportedCode',
        'supported_name as supportedName', 'department', isoDate(eb.ref('date')).as('date'), 'start_time as start',
        'end_time as end', 'state',
      ])
      .orderBy('date').orderBy('start_time').orderBy('case_id')
      .limit(Math.min(f.limit ?? 5000, 50_000)),
  )
  // every column but the NOT NULL ones is filled by the projection for each occurrence (read-models/occurrences.ts)
  return rows as OccurrenceRow[]
}

/** A professional's month calendar ('YYYY-MM'): every approved and pending window of that month. */
export function monthCalendar(rm: ReadModels, scope: Scope, nationalId: string, month: string): Promise<OccurrenceRow[]> {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return listOccurrences(rm, scope, { nationalId, from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` })
}
