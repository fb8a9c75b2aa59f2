// The reviewer query form (DESIGN.md §1, every filter): its TypeBox querystring schema and its parsing, as people
// typed it (ROC dates, hour and minute selects, checkboxes), into the read side's CaseFilter + page request.
// Bad input is reported per field in zh-TW, never thrown at the page.
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { validatePersonId } from '../../domain/national-id.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../../domain/reference/lists.js'
import type { ApplicationType, Status } from '../../domain/types.js'
import { dateExamples, DateInputField, readDateField, type DateExamples } from '../forms/date-field.js'
import { CASE_SORTS, type CaseFilter, type CaseSort, type PageRequest } from '../../projections/queries/cases.js'

const Str = (max = 60) => Type.Optional(Type.String({ maxLength: max }))
const List = (max = 40) => Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: max }))

/** Querystring of GET /back-office/cases (and its Excel export). Every value a string, as browsers send them. */
export const CaseQueryString = Type.Object({
  personId: Str(10),
  name: Str(),
  applyingInstitution: Str(),
  submittedFrom: Type.Optional(DateInputField),
  submittedTo: Type.Optional(DateInputField),
  caseNumber: Str(14),
  supportedCode: Str(10),
  supportFrom: Type.Optional(DateInputField),
  supportTo: Type.Optional(DateInputField),
  startHour: Str(2),
  startMinute: Str(2),
  endHour: Str(2),
  endMinute: Str(2),
  weekday: Str(1),
  county: Str(2),
  district: Str(10),
  profession: List(40),
  approvedFrom: Type.Optional(DateInputField),
  approvedTo: Type.Optional(DateInputField),
  applicationType: List(3),
  status: List(7),
  sourceInstitution: Str(10),
  sort: Str(20),
  dir: Str(4),
  page: Str(6),
  pageSize: Str(3),
})
export type CaseQueryString = Static<typeof CaseQueryString>

export interface FieldError {
  field: keyof CaseQueryString
  message: string
}

export interface ParsedCaseQuery {
  filter: CaseFilter
  page: PageRequest<CaseSort>
  errors: FieldError[]
  /** True when at least one filter was given (an empty form lists everything in scope). */
  filtered: boolean
  /** How each typed date was read ('讀作：民國113年3月1日（星期五）'), by field. */
  understood: Partial<Record<keyof CaseQueryString, string>>
}

const STATUSES: readonly Status[] = ['draft', 'under_review', 'approved', 'rejected', 'returned', 'withdrawn', 'cancelled']
const APP_TYPES: readonly ApplicationType[] = ['register', 'change', 'cancel']
export const PAGE_SIZES = [20, 50, 100] as const
const INSTITUTION_CODE = /^[0-9A-Za-z]{10}$/
const CASE_NUMBER = /^\d{14}$/

const trim = (v: string | undefined) => (v ?? '').trim()

/** Parses the query form. Unknown values are errors on their field; empty fields are no filter. */
/** `reference`: the counties and professions in force (rules.referenceAt); their first version when not given. */
/** `ex`: the date examples of the error messages, in the current ROC year (http/forms/date-field.ts dateExamples). */
export function parseCaseQuery(q: CaseQueryString, reference: Pick<ReferenceLists, 'counties' | 'professions'> = FIRST_REFERENCE, ex: DateExamples = dateExamples(new Date())): ParsedCaseQuery {
  const f: CaseFilter = {}
  const errors: FieldError[] = []
  const understood: ParsedCaseQuery['understood'] = {}
  const err = (field: keyof CaseQueryString, message: string) => errors.push({ field, message })

  const personId = trim(q.personId).toUpperCase()
  if (personId) {
    if (validatePersonId(personId).ok) f.nationalId = personId
    else err('personId', '身分證統一編號或居留證號格式不正確')
  }
  const name = trim(q.name)
  if (name) f.name = name
  const applying = trim(q.applyingInstitution)
  if (applying) f.applyingInstitutionName = applying
  const caseNumber = trim(q.caseNumber)
  if (caseNumber) {
    if (CASE_NUMBER.test(caseNumber)) f.caseNumber = caseNumber
    else err('caseNumber', '案件編號應為 14 碼數字')
  }
  const code = (field: 'supportedCode' | 'sourceInstitution') => {
    const v = trim(q[field]).toUpperCase()
    if (!v) return undefined
    if (INSTITUTION_CODE.test(v)) return v
    err(field, '醫事機構代碼格式不正確（應為 10 碼）')
    return undefined
  }
  const supported = code('supportedCode')
  if (supported) f.supportedCode = supported
  const source = code('sourceInstitution')
  if (source) f.sourceInstitution = source

  const LABEL = { submitted: '送審日期', support: '支援日期', approved: '核准日期' } as const
  const date = (field: keyof CaseQueryString & `${string}${'From' | 'To'}`) => {
    const which = field.replace(/From$|To$/, '') as keyof typeof LABEL
    const d = readDateField(q[field] as string | undefined, `${LABEL[which]}（${field.endsWith('From') ? '起' : '迄'}）`, ex)
    if (d.error) err(field, d.error)
    if (d.understood) understood[field] = d.understood
    return d.iso
  }
  const range = (
    fromField: 'submittedFrom' | 'supportFrom' | 'approvedFrom',
    toField: 'submittedTo' | 'supportTo' | 'approvedTo',
  ) => {
    const from = date(fromField)
    const to = date(toField)
    if (from && to && to < from) {
      err(toField, '結束日期不可早於開始日期')
      return
    }
    if (from) f[fromField] = from
    if (to) f[toField] = to
  }
  range('submittedFrom', 'submittedTo')
  range('supportFrom', 'supportTo')
  range('approvedFrom', 'approvedTo')

  const time = (hField: 'startHour' | 'endHour', mField: 'startMinute' | 'endMinute') => {
    const h = trim(q[hField])
    const m = trim(q[mField])
    if (!h && !m) return undefined
    const hh = Number(h || '0')
    const mm = Number(m || '0')
    if (!/^\d{1,2}$/.test(h || '0') || !/^\d{1,2}$/.test(m || '0') || hh > 24 || mm > 59 || (hh === 24 && mm !== 0)) {
      err(hField, '時間不正確（時 00–24，分 00–59）')
      return undefined
    }
    return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`
  }
  const start = time('startHour', 'startMinute')
  const end = time('endHour', 'endMinute')
  if (start) f.startTime = start
  if (end) f.endTime = end

  const weekday = trim(q.weekday)
  if (weekday) {
    if (/^[1-7]$/.test(weekday)) f.weekday = Number(weekday)
    else err('weekday', '星期不正確')
  }
  const county = trim(q.county)
  if (county) {
    if (onList(reference.counties, county)) f.county = county
    else err('county', '縣市代碼不存在')
  }
  const district = trim(q.district)
  if (district) f.district = district

  const professions = (q.profession ?? []).map((p) => p.trim()).filter(Boolean)
  const badProfession = professions.filter((p) => !onList(reference.professions, p))
  if (badProfession.length) err('profession', '醫事人員類別不存在')
  else if (professions.length) f.profession = [...new Set(professions)]

  const types = (q.applicationType ?? []).filter(Boolean)
  if (types.some((t) => !APP_TYPES.includes(t as ApplicationType))) err('applicationType', '申請類別不正確')
  else if (types.length) f.applicationType = [...new Set(types)] as ApplicationType[]

  const statuses = (q.status ?? []).filter(Boolean)
  if (statuses.some((s) => !STATUSES.includes(s as Status))) err('status', '申請進度不正確')
  else if (statuses.length) f.status = [...new Set(statuses)] as Status[]

  const page: PageRequest<CaseSort> = {}
  const sort = trim(q.sort)
  if (sort && sort in CASE_SORTS) page.sort = sort as CaseSort
  const dir = trim(q.dir)
  if (dir === 'asc' || dir === 'desc') page.direction = dir
  const pageNo = Number(trim(q.page) || '1')
  page.page = Number.isInteger(pageNo) && pageNo >= 1 ? pageNo : 1
  const size = Number(trim(q.pageSize) || '20')
  page.pageSize = (PAGE_SIZES as readonly number[]).includes(size) ? size : 20

  return { filter: f, page, errors, filtered: Object.keys(f).length > 0, understood }
}

/** Back to a querystring (for pagination and sort links, and the Excel link), page parameters replaced. */
export function toQueryString(q: CaseQueryString, replace: Partial<Record<keyof CaseQueryString, string | undefined>> = {}): string {
  const params = new URLSearchParams()
  const merged: Record<string, string | string[] | undefined> = { ...q, ...replace }
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined) continue
    for (const x of Array.isArray(v) ? v : [v]) if (x !== '') params.append(k, x)
  }
  return params.toString()
}

const LIST_KEYS = new Set(['profession', 'applicationType', 'status'])

/**
 * The query a results page was showing, carried back by the batch form (`returnTo`) so that the results can be
 * re-run after a batch decision. Unknown keys are dropped; anything not matching the querystring schema → no filter.
 */
export function queryFromString(s: string | undefined): CaseQueryString {
  const out: Record<string, string | string[]> = {}
  const known = new Set(Object.keys(CaseQueryString.properties))
  for (const [k, v] of new URLSearchParams(s ?? '')) {
    if (!known.has(k)) continue
    if (LIST_KEYS.has(k)) out[k] = [...((out[k] as string[] | undefined) ?? []), v]
    else out[k] = v
  }
  return Value.Check(CaseQueryString, out) ? (out as CaseQueryString) : {}
}
