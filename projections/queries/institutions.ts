// Queries of the institution dashboard: counts per status (as home/filer and as supported institution), the
// valid-support roster, 他院支援本院 and 本院支援他院.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import type { IsoDate, Status } from '../../domain/types.js'
import type { ReadModels } from './read-models.js'
import { dateParam, isoDate, isoInstant, run, textArray, type DB } from './kysely.js'
import { seesAllOfInstitution, type Scope } from './scope.js'

type SupportsEb = ExpressionBuilder<DB, 'institution_supports'>
const inForceOn = (eb: SupportsEb, day: IsoDate) => eb.and([eb('in_force_from', '<=', dateParam(day)), eb('in_force_to', '>=', dateParam(day))])

export type StatusCounts = Record<Status, number>
export interface DashboardCounts {
  institutionCode: string
  /** Cases of our staff (we are the home institution / filer). */
  asHome: StatusCounts
  /** Cases supporting us (we are the supported institution). */
  asSupported: StatusCounts
  /** 有效報備支援人數: distinct professionals with an approval in force on `today`, either direction. */
  validSupportPeople: number
  /** 有效報備支援名單's length: approvals in force on `today`, either direction (the list's pager total). */
  validSupportRecords: number
}

const zero = (): StatusCounts => ({ draft: 0, under_review: 0, approved: 0, rejected: 0, returned: 0, withdrawn: 0, cancelled: 0 })

export async function dashboardCounts(rm: ReadModels, scope: Scope, institutionCode: string, today: IsoDate): Promise<DashboardCounts> {
  const out: DashboardCounts = { institutionCode, asHome: zero(), asSupported: zero(), validSupportPeople: 0, validSupportRecords: 0 }
  let rows: { side: string | null; status: string | null; n: string | number }[]
  if (seesAllOfInstitution(scope, institutionCode)) {
    // the delta-maintained counts table (aggregates of this institution only; no scope columns)
    rows = await run(rm, 'institutions', ({ db, t }) =>
      db.selectFrom(t('institution_counts')).where('institution_code', '=', institutionCode).select(['side', 'status', 'n']),
    )
  } else {
    rows = await run(rm, 'institutions', ({ from }) => {
      const side = (s: 'home' | 'supported') =>
        from('institution_supports', scope)
          .where(s === 'home' ? 'home_code' : 'supported_code', '=', institutionCode)
          .select((eb) => [eb.val(s).as('side'), 'status', eb.fn.countAll<string>().as('n')])
          .groupBy('status')
      return side('home').unionAll(side('supported'))
    })
  }
  for (const r of rows) if (r.status) (r.side === 'home' ? out.asHome : out.asSupported)[r.status as Status] = Number(r.n)
  // people and records of 有效報備支援名單 (the list's own filter: supportsWhere 'either' in force today)
  const valid = seesAllOfInstitution(scope, institutionCode)
    // the institution itself: the sums of its day deltas up to today (read-models/in-force-days.ts), from the key
    // alone; bounded by the calendar, not by the cases in force
    ? await run(rm, 'institutions', ({ db, t }) =>
      db.selectFrom(t('institution_in_force_days'))
        .where('institution_code', '=', institutionCode).where('day', '<=', dateParam(today))
        .select((eb) => [eb.fn.coalesce(eb.fn.sum<string>('people'), eb.lit(0)).as('people'), eb.fn.coalesce(eb.fn.sum<string>('records'), eb.lit(0)).as('records')]),
    )
    // a scope narrower than the institution: its rows in force today, counted
    : await run(rm, 'institutions', ({ from }) =>
      from('institution_supports', scope)
        .where((eb) => supportsWhere(eb, 'either', institutionCode, { inForceOn: today }))
        .select((eb) => [eb.fn.count<string>('national_id').distinct().as('people'), eb.fn.countAll<string>().as('records')]),
    )
  out.validSupportPeople = Number(valid[0]?.people ?? 0)
  out.validSupportRecords = Number(valid[0]?.records ?? 0)
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
  /** 送審日期: when the case was (last) submitted. */
  submittedAt: string | null
}

export interface SupportListOptions {
  /** Only approvals in force on this date (default: every case, any status). */
  inForceOn?: IsoDate
  status?: Status[]
  /** Search: part of a name (person or institution), a whole national ID, or the start of a case number. */
  q?: string
  limit?: number
  offset?: number
  /** Order: support start, newest first (default), or 送審日期, newest first (the dashboard's list). */
  sort?: 'scheduleFrom' | 'submittedAt'
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

function supportsWhere(eb: SupportsEb, side: 'home' | 'supported' | 'either', code: string, o: SupportListOptions): Expression<SqlBool> {
  const w: Expression<SqlBool>[] = [
    side === 'home' ? eb('home_code', '=', code)
    : side === 'supported' ? eb('supported_code', '=', code)
    : eb.or([eb('home_code', '=', code), eb('supported_code', '=', code)]),
  ]
  if (o.inForceOn) w.push(inForceOn(eb, o.inForceOn))
  if (o.status) w.push(eb('status', '=', eb.fn.any(textArray(o.status))))
  const term = o.q?.trim()
  if (term) {
    const part = `%${likeEscape(term)}%`
    w.push(eb.or([
      eb('applicant_name', 'like', part), eb('supported_name', 'like', part), eb('home_name', 'like', part),
      eb('national_id', '=', term.toUpperCase()), eb('case_number', 'like', `${likeEscape(term)}%`),
    ]))
  }
  return eb.and(w)
}

async function supports(rm: ReadModels, scope: Scope, side: 'home' | 'supported' | 'either', code: string, o: SupportListOptions): Promise<SupportRow[]> {
  const sort = o.sort === 'submittedAt' ? 'submitted_at' : 'schedule_from'
  const limit = Math.min(o.limit ?? 200, 5000)
  const offset = o.offset ?? 0
  const rows = await run(rm, 'institutions', ({ db, from }) => {
    const columns = (eb: SupportsEb) => [
      'institution_supports.case_id as caseId', 'case_number as caseNumber', 'status', 'national_id as nationalId', 'applicant_name as applicantName',
      'profession', 'home_code as homeCode', 'home_name as homeName', 'supported_code as supportedCode', 'supported_name as supportedName',
      'department', isoDate(eb.ref('schedule_from')).as('scheduleFrom'), isoDate(eb.ref('schedule_to')).as('scheduleTo'),
      'weekday_mask as weekdayMask', 'earliest_start as earliestStart', 'latest_end as latestEnd', 'approval_number as approvalNumber',
      isoDate(eb.ref('in_force_from')).as('inForceFrom'), isoDate(eb.ref('in_force_to')).as('inForceTo'),
      isoInstant(eb.ref('institution_supports.submitted_at')).as('submittedAt'),
    ] as const
    if (side !== 'either') {
      return from('institution_supports', scope)
        .where((eb) => supportsWhere(eb, side, code, o))
        .select(columns)
        .orderBy(sort, (ob) => ob.desc().nullsLast())
        .orderBy('institution_supports.case_id')
        .limit(limit)
        .offset(offset)
    }
    // Both sides (有效報備支援名冊, the dashboard's list): the page's keys first, each side walked on its own index
    // (index-only: the indexes carry the sort key, the case and the other side's code) and cut at the end of the
    // page, the two merged, sorted and cut at the page; then the page's rows by key. An OR of the sides read every
    // matching row (at 1m, 705 rows on 557 heap pages at the busiest institution) to sort them and keep 20.
    const keys = (s: 'home' | 'supported') =>
      db.selectFrom(
        from('institution_supports', scope)
          .where((eb) => supportsWhere(eb, s, code, o))
          .select(['institution_supports.case_id as key', `${sort} as at`])
          .orderBy(sort, (ob) => ob.desc().nullsLast())
          .orderBy('institution_supports.case_id')
          .limit(offset + limit)
          .as(s),
      ).select([`${s}.key`, `${s}.at`])
    const page = keys('home')
      .union(keys('supported'))
      .orderBy('at', (ob) => ob.desc().nullsLast())
      .orderBy('key')
      .limit(limit)
      .offset(offset)
    return from('institution_supports', scope)
      .innerJoin(page.as('k'), 'k.key', 'institution_supports.case_id')
      .select(columns)
      .orderBy('k.at', (ob) => ob.desc().nullsLast())
      .orderBy('k.key')
  })
  // supportRow (read-models/institutions.ts) fills every identity column of a case
  return rows as SupportRow[]
}

/** One page of a list by side ('either' with inForceOn is the 有效報備支援名冊). */
export const supportList = (rm: ReadModels, scope: Scope, side: 'home' | 'supported' | 'either', code: string, o: SupportListOptions = {}) =>
  supports(rm, scope, side, code, o)

/** How many rows the same list has in all (for its pager). */
export async function countSupports(rm: ReadModels, scope: Scope, side: 'home' | 'supported' | 'either', code: string, o: SupportListOptions = {}): Promise<number> {
  const r = await run(rm, 'institutions', ({ from }) =>
    from('institution_supports', scope).where((eb) => supportsWhere(eb, side, code, o)).select((eb) => eb.fn.countAll<string>().as('n')),
  )
  return Number(r[0]?.n ?? 0)
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
