// Queries over the `cases` read model: the reviewer search with every filter of DESIGN.md §1, one case, and
// status counts. Scoped: rows outside the caller's scope do not exist for it.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import { addDays, taipeiInstant } from '../../domain/roc-date.js'
import type { ApplicationType, IsoDate, ProfessionCode, Status } from '../../domain/types.js'
import type { ReadModels } from './read-models.js'
import { containsPattern, dateParam, instantParam, isoDate, isoInstant, run, textArray, type DB } from './kysely.js'
import type { Scope } from './scope.js'

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
  /** Only cases with an approval that stands (the approved terms minus a cancelled tail). */
  inForce?: boolean
  /** Only cases whose last event is at or after this instant. */
  updatedSince?: string
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
  /** false: the page alone, no count of every matching row (total = the rows returned), for short lists. */
  withTotal?: boolean
  /**
   * Count at most this many matching rows (a county's query at national size matches hundreds of thousands: an
   * exact count would read them all on every page). Past it, total = countUpTo and totalCapped is set.
   */
  countUpTo?: number
}

export interface Page<R> {
  rows: R[]
  total: number
  page: number
  pageSize: number
  /** The count stopped at PageRequest.countUpTo: there are more than `total` rows. */
  totalCapped?: boolean
}

type CasesEb = ExpressionBuilder<DB, 'cases'>

/** The columns of a CaseRow, typed from the `cases` table. */
const caseColumns = (eb: CasesEb) =>
  [
    'case_id as caseId', 'case_number as caseNumber', 'legacy_number as legacyNumber', 'status',
    'application_type as applicationType', 'national_id as nationalId', 'applicant_name as applicantName', 'profession',
    'home_code as homeCode', 'home_name as homeName', 'home_county as homeCounty', 'supported_code as supportedCode',
    'supported_name as supportedName', 'supported_county as supportedCounty', 'supported_district as supportedDistrict',
    'department', 'purpose',
    isoDate(eb.ref('schedule_from')).as('scheduleFrom'), isoDate(eb.ref('schedule_to')).as('scheduleTo'),
    'weekday_mask as weekdayMask', 'earliest_start as earliestStart', 'latest_end as latestEnd',
    isoInstant(eb.ref('submitted_at')).as('submittedAt'), isoInstant(eb.ref('approved_at')).as('approvedAt'),
    isoInstant(eb.ref('decided_at')).as('decidedAt'),
    'approval_number as approvalNumber', 'review_county as reviewCounty', 'copied_counties as copiedCounties',
    'filed_by_role as filedByRole', 'filed_by_id as filedById',
    isoInstant(eb.ref('created_at')).as('createdAt'), isoInstant(eb.ref('updated_at')).as('updatedAt'),
    'in_force as inForce', isoDate(eb.ref('in_force_from')).as('inForceFrom'), isoDate(eb.ref('in_force_to')).as('inForceTo'),
    isoDate(eb.ref('cancel_effective')).as('cancelEffective'),
  ] as const

/**
 * The projection fills these for every case (caseRow in read-models/cases.ts) although the DDL leaves them
 * nullable: narrow the selected row to the CaseRow the HTTP layer uses.
 */
const toCaseRow = (r: { [K in keyof CaseRow]: CaseRow[K] | null } | Record<keyof CaseRow, unknown>): CaseRow => r as CaseRow

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v])
/** Start of the Asia/Taipei day (dates in filters are Taipei calendar days). */
/** The instant a Taipei calendar day starts. */
const dayStart = (d: IsoDate) => taipeiInstant(d)

/** The filter's predicate (the scope is added by QueryContext.from). */
export function caseFilter(eb: CasesEb, f: CaseFilter): Expression<SqlBool> {
  const w: Expression<SqlBool>[] = []
  if (f.nationalId) w.push(eb('national_id', '=', f.nationalId.toUpperCase()))
  if (f.name) w.push(eb('applicant_name', 'like', containsPattern(f.name)))
  if (f.applyingInstitutionName) w.push(eb('home_name', 'like', containsPattern(f.applyingInstitutionName)))
  if (f.submittedFrom) w.push(eb('submitted_at', '>=', instantParam(dayStart(f.submittedFrom))))
  if (f.submittedTo) w.push(eb('submitted_at', '<', instantParam(dayStart(addDays(f.submittedTo, 1)))))
  if (f.caseNumber) w.push(eb('case_number', '=', f.caseNumber))
  if (f.supportedCode) w.push(eb('supported_code', '=', f.supportedCode))
  if (f.supportFrom) w.push(eb('schedule_to', '>=', dateParam(f.supportFrom)))
  if (f.supportTo) w.push(eb('schedule_from', '<=', dateParam(f.supportTo)))
  if (f.startTime) w.push(eb('earliest_start', '>=', f.startTime))
  if (f.endTime) w.push(eb('latest_end', '<=', f.endTime))
  if (f.weekday) w.push(sql<SqlBool>`substr(${eb.ref('weekday_mask')}, ${f.weekday}::int, 1) = '1'`)
  if (f.county) w.push(eb('supported_county', '=', f.county))
  if (f.district) w.push(eb('supported_district', '=', f.district))
  if (f.profession) w.push(eb('profession', '=', eb.fn.any(textArray(list(f.profession)))))
  if (f.approvedFrom) w.push(eb('approved_at', '>=', instantParam(dayStart(f.approvedFrom))))
  if (f.approvedTo) w.push(eb('approved_at', '<', instantParam(dayStart(addDays(f.approvedTo, 1)))))
  if (f.applicationType) w.push(eb('application_type', '=', eb.fn.any(textArray(list(f.applicationType)))))
  if (f.status) w.push(eb('status', '=', eb.fn.any(textArray(list(f.status)))))
  if (f.sourceInstitution) w.push(eb('home_code', '=', f.sourceInstitution))
  if (f.inForce) w.push(eb('in_force', '=', true))
  if (f.updatedSince) w.push(eb('updated_at', '>=', instantParam(f.updatedSince)))
  if (f.inForceOn) {
    const d = dateParam(f.inForceOn)
    w.push(eb.and([eb('in_force', '=', true), eb('in_force_from', '<=', d), eb('in_force_to', '>=', d)]))
  }
  return eb.and(w)
}

/** Sort columns the projection fills for every case (never null): ordered without NULLS LAST so an index serves both directions. */
const NEVER_NULL_SORTS: ReadonlySet<string> = new Set(['updated_at', 'applicant_name', 'status', 'supported_code'])

/**
 * The reviewer query: filters, scope, sorting and pagination. The page is read on its own (an index in sort order
 * is walked and stopped after the page; no window count over every matching row), and the total is counted only
 * when the page does not tell it (a full page, or a page past the end).
 */
export async function searchCases(rm: ReadModels, scope: Scope, filter: CaseFilter = {}, page: PageRequest<CaseSort> = {}): Promise<Page<CaseRow>> {
  const pageSize = Math.min(Math.max(1, page.pageSize ?? 20), 500)
  const pageNo = Math.max(1, page.page ?? 1)
  const offset = (pageNo - 1) * pageSize
  const sort = CASE_SORTS[page.sort ?? 'submittedAt'] ?? 'submitted_at'
  const dir = page.direction === 'asc' ? 'asc' : 'desc'
  const rows = await run(rm, 'cases', ({ from }) =>
    from('cases', scope)
      .where((eb) => caseFilter(eb, filter))
      .select(caseColumns)
      .orderBy(sort, (o) => (NEVER_NULL_SORTS.has(sort) ? (dir === 'asc' ? o.asc() : o.desc()) : (dir === 'asc' ? o.asc() : o.desc()).nullsLast()))
      .orderBy('case_id', dir)
      .limit(pageSize)
      .offset(offset),
  )
  if (page.withTotal === false) return { rows: rows.map(toCaseRow), total: offset + rows.length, page: pageNo, pageSize }
  if (rows.length > 0 && rows.length < pageSize) return { rows: rows.map(toCaseRow), total: offset + rows.length, page: pageNo, pageSize }
  if (rows.length === 0 && pageNo === 1) return { rows: [], total: 0, page: pageNo, pageSize }
  const cap = page.countUpTo
  const total = await countCases(rm, scope, filter, cap)
  if (cap !== undefined && total > cap) return { rows: rows.map(toCaseRow), total: cap, page: pageNo, pageSize, totalCapped: true }
  return { rows: rows.map(toCaseRow), total, page: pageNo, pageSize }
}

/**
 * Every case matching `filter` in scope, in the query's order, page by page up to `maxRows` (a download): each page
 * continues after the last row of the one before (keyset: the sort value, exact as its text, and the case id, as
 * one row comparison that the (sort, case_id) index serves as a range), so page 40 costs what page 1 does, where
 * an OFFSET would read and drop every row before it again. Nulls come last in both directions, as the page query
 * orders them: the rows with a value first, then those without, each a range of its own (an OR of the two would
 * leave no range for an index).
 */
export async function* casePages(
  rm: ReadModels, scope: Scope, filter: CaseFilter, order: Pick<PageRequest<CaseSort>, 'sort' | 'direction'>, o: { pageSize: number; maxRows: number },
): AsyncGenerator<CaseRow[]> {
  const sort = CASE_SORTS[order.sort ?? 'submittedAt'] ?? 'submitted_at'
  const dir = order.direction === 'asc' ? 'asc' : 'desc'
  const past = sql.raw(dir === 'asc' ? '>' : '<')
  const pageSize = Math.min(Math.max(1, o.pageSize), 500)
  let nulls = false // the phase: rows with a value, then (a nullable sort) rows without
  let after: { value: string | null; caseId: string } | undefined
  for (let read = 0; read < o.maxRows;) {
    const limit = Math.min(pageSize, o.maxRows - read)
    const key = after
    const phaseNulls = nulls
    const rows = await run(rm, 'cases', ({ from }) =>
      from('cases', scope)
        .where((eb) => caseFilter(eb, filter))
        .where((eb) => {
          const col = eb.ref(sort)
          if (phaseNulls) return key ? eb.and([eb(col, 'is', null), eb('case_id', dir === 'asc' ? '>' : '<', key.caseId)]) : eb(col, 'is', null)
          const w: Expression<SqlBool>[] = [eb(col, 'is not', null)]
          if (key) w.push(sql<SqlBool>`(${col}, ${eb.ref('case_id')}) ${past} (${key.value}, ${key.caseId})`)
          return eb.and(w)
        })
        .select(caseColumns)
        .select((eb) => sql<string | null>`${eb.ref(sort)}::text`.as('sortKey'))
        .orderBy(sort, (ob) => (NEVER_NULL_SORTS.has(sort) ? (dir === 'asc' ? ob.asc() : ob.desc()) : (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast()))
        .orderBy('case_id', dir)
        .limit(limit),
    )
    read += rows.length
    if (rows.length > 0) {
      const last = rows[rows.length - 1]!
      after = { value: last.sortKey, caseId: last.caseId }
      yield rows.map(({ sortKey: _, ...r }) => toCaseRow(r))
    }
    if (rows.length < limit) {
      if (nulls || NEVER_NULL_SORTS.has(sort)) return
      nulls = true
      after = undefined
    }
  }
}

/** Cases matching `filter` in scope; with `upTo`, counting stops after upTo + 1 rows (a result above upTo means "more"). */
export async function countCases(rm: ReadModels, scope: Scope, filter: CaseFilter = {}, upTo?: number): Promise<number> {
  const r = await run(rm, 'cases', ({ db, from }) => {
    const matching = from('cases', scope).where((eb) => caseFilter(eb, filter))
    if (upTo === undefined) return matching.select((eb) => eb.fn.countAll<string>().as('n'))
    return db.selectFrom(matching.select('case_id').limit(upTo + 1).as('m')).select((eb) => eb.fn.countAll<string>().as('n'))
  })
  return Number(r[0]?.n ?? 0)
}

/** One case, or undefined when it does not exist in this scope. */
export async function getCase(rm: ReadModels, scope: Scope, caseId: string): Promise<CaseRow | undefined> {
  const r = await run(rm, 'cases', ({ from }) => from('cases', scope).where('case_id', '=', caseId).select(caseColumns))
  return r[0] ? toCaseRow(r[0]) : undefined
}

/** Number of cases per status (every status present, zeros included), within scope and filter. */
export async function countCasesByStatus(rm: ReadModels, scope: Scope, filter: CaseFilter = {}): Promise<Record<Status, number>> {
  const r = await run(rm, 'cases', ({ from }) =>
    from('cases', scope)
      .where((eb) => caseFilter(eb, filter))
      .select((eb) => ['status', eb.fn.countAll<string>().as('n')] as const)
      .groupBy('status'),
  )
  const out: Record<Status, number> = { draft: 0, under_review: 0, approved: 0, rejected: 0, returned: 0, withdrawn: 0, cancelled: 0 }
  for (const x of r) if (x.status) out[x.status as Status] = Number(x.n)
  return out
}
