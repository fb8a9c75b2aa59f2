// Deterministic national-scale workload for benchmarks and load tests (shared by bench/ and test/).
//
// From a seed (mulberry32, no Math.random) it makes professionals in national proportions, institutions in all 22
// counties, weekly and one-off schedules, and whole case lifecycles with realistic review outcomes (of the reviewed
// applications ~85% approved, ~5% rejected, ~10% returned then resubmitted), changes and cancellations, plus a few
// drafts, withdrawals and cases still under review. Every event is produced by the REAL report decider
// (domain/report/decide.ts) from a command and a decision context, folded in memory: the store and the command
// handler are bypassed for speed, but the events are exactly the ones the decider produces, and each command's
// (command, ctx, meta) is kept so a test can replay it through the real command handler and compare.
//
// Each person has at most 5 cases, the k-th on weekday k+1 (Mon..Fri), so a person's cases never clash; the
// decision context carries the person's other cases (existingReportOf), as the report service would give it,
// so the quota findings recorded in the events are the ones the service would record.
import type { EventToAppend } from '../../commands/event-store/port.js'
import type { EventMeta, ReportEvent } from '../../domain/events.js'
import { reportStream } from '../../domain/events.js'
import { decide } from '../../domain/report/decide.js'
import { evolve, initialState, type ReportState } from '../../domain/report/state.js'
import type { DecideContext, ReportCommand } from '../../domain/report/commands.js'
import { existingReportOf } from '../../domain/report/existing.js'
import { nameUuid } from '../../domain/name-uuid.js'
import { COUNTIES } from '../../domain/reference/counties.js'
import { makePersonId } from '../../domain/national-id.js'
import { addDays, isoToRoc, taipeiDate, taipeiInstant, weekdayOf } from '../../domain/roc-date.js'
import type { Actor, ApplicantSnapshot, InstitutionKind, InstitutionRef, IsoDate, Schedule, Terms, Weekday } from '../../domain/types.js'

export const SIZES = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000, '20m': 20_000_000 } as const
export type SizeName = keyof typeof SIZES

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Shares of the national workforce of professionals filing support reports (roughly; sums to 1). */
export const PROFESSION_MIX: ReadonlyArray<readonly [string, number]> = [
  ['F', 0.5], // 護理師
  ['G', 0.08], // 護士
  ['A', 0.15], // 西醫師
  ['D', 0.1], // 藥師
  ['C', 0.05], // 牙醫師
  ['J', 0.04], // 醫事檢驗師
  ['B', 0.025], // 中醫師
  ['S', 0.015], // 醫事放射師
  ['Q', 0.01], // 物理治療師
  ['R', 0.007], // 職能治療師
  ['E', 0.006], // 藥劑生
  ['V', 0.005], // 呼吸治療師
  ['Z', 0.004], // 營養師
  ['Y', 0.003], // 臨床心理師
  ['X', 0.002], // 諮商心理師
  ['1', 0.002], // 語言治療師
  ['5', 0.001], // 驗光師
]

/** Rough population weights of the 22 counties (per cent), for where institutions are. */
const COUNTY_WEIGHT: Record<string, number> = {
  '65': 17, '66': 12, '64': 11.7, '63': 10.6, '68': 9.7, '67': 8, '07': 5.4, '13': 3.4, '09': 2.8, '05': 2.3,
  '10': 2.1, '08': 2, '04': 2.4, '02': 1.9, '17': 1.5, '18': 1.9, '15': 1.4, '20': 1.1, '14': 0.9, '16': 0.45,
  '71': 0.6, '72': 0.06,
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
const weighted = <T>(r: () => number, xs: ReadonlyArray<readonly [T, number]>): T => {
  const total = xs.reduce((s, [, w]) => s + w, 0)
  let x = r() * total
  for (const [v, w] of xs) if ((x -= w) < 0) return v
  return xs[xs.length - 1]![0]
}

/** A UUID from the generator (deterministic): the domain's name-based UUID of 128 generated bits. */
export function uuidFrom(r: () => number): string {
  return nameUuid(`generated:${Array.from({ length: 4 }, () => Math.floor(r() * 0x100000000).toString(16).padStart(8, '0')).join('')}`)
}

const KIND_DIGIT: Record<InstitutionKind, string> = {
  medical_center: '1', regional_hospital: '1', district_hospital: '1', clinic: '3', pharmacy: '5', association: '9', other: '7',
}

/** Institutions in every county: a few hospitals, many clinics and pharmacies, one nurses' association each. */
export function makeInstitutions(seed: number, count = 2000): InstitutionRef[] {
  const r = prng(seed ^ 0x1f2e3d)
  const out: InstitutionRef[] = []
  const counties = COUNTIES.map((c) => [c, COUNTY_WEIGHT[c.code] ?? 1] as const)
  const kinds: ReadonlyArray<readonly [InstitutionKind, number]> = [
    ['medical_center', 0.01], ['regional_hospital', 0.03], ['district_hospital', 0.08], ['clinic', 0.68], ['pharmacy', 0.2],
  ]
  // every county at least one hospital, one clinic, one pharmacy and its nurses' association
  for (const c of COUNTIES) {
    for (const kind of ['regional_hospital', 'clinic', 'pharmacy', 'association'] as const) {
      out.push(institution(out.length, c.code, pick(r, c.districts).name, kind))
    }
  }
  while (out.length < count) {
    const c = weighted(r, counties)
    out.push(institution(out.length, c.code, pick(r, c.districts).name, weighted(r, kinds)))
  }
  return out
}

function institution(i: number, county: string, district: string, kind: InstitutionKind): InstitutionRef {
  const code = `${county}${KIND_DIGIT[kind]}${String(i).padStart(7, '0')}`
  const label = { medical_center: '醫學中心', regional_hospital: '醫院', district_hospital: '醫院', clinic: '診所', pharmacy: '藥局', association: '護理師護士公會', other: '機構' }[kind]
  return { code, name: `${district}第${i}${label}`, county, district, kind }
}

const DEPARTMENTS: Record<string, readonly string[]> = {
  A: ['01', '02', '03', '04', '05', '06', '09', '10', '11', '81'],
  B: ['60'],
  C: ['40'],
}
const PURPOSE: Record<string, readonly string[]> = {
  A: ['01', '01', '01', '02', '03', '04'], B: ['01'], C: ['01', '02'], D: ['07'], E: ['07'], F: ['08', '04'], G: ['08'],
}
const WINDOWS: ReadonlyArray<readonly [string, string]> = [['08:00', '12:00'], ['13:30', '17:30'], ['18:00', '21:00'], ['09:00', '12:00'], ['14:00', '17:00']]
const SURNAMES = '陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高'
const GIVEN = '志明淑芬家豪雅婷冠宇怡君俊傑佳穎建宏美玲宗翰欣怡承恩詩涵'

export interface GeneratedCommand {
  command: ReportCommand
  ctx: DecideContext
  meta: EventMeta
  /** What the decider produced for it (each with the command's meta). */
  events: Array<EventToAppend & ReportEvent>
  /** Stream version before the command (the expected version of its append). */
  expectedVersion: number
}

export interface GeneratedCase {
  caseId: string
  stream: string
  applicant: ApplicantSnapshot
  commands: GeneratedCommand[]
  /** Status after the last command. */
  state: ReportState
}

export interface GeneratorOptions {
  seed?: number
  /** Stop after at least this many events (default 10,000). */
  events?: number
  /** Stop after this many cases instead (whichever comes first when both are given). */
  cases?: number
  /** Business time of the first filing (default 2025-01-06 09:00 Asia/Taipei). */
  start?: IsoDate
  /** Every review decision (approvals, rejections, returns) falls on this day (Asia/Taipei): the export benchmark. */
  decisionDay?: IsoDate
  /** Institutions to use (default makeInstitutions(seed)). */
  institutions?: readonly InstitutionRef[]
  /** Cases generated together (their people's cases are interleaved); memory is bounded by this. */
  chunkCases?: number
  /** A share of all cases supports this one institution (a busy hospital: the dashboard benchmark). */
  focus?: { institution: InstitutionRef; share: number }
}

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

/**
 * Case lifecycles, in generation order. Deterministic: the same options give the same cases, ids and events.
 * Memory is bounded (people are generated chunk by chunk), so 20M events can stream through.
 */
export function* generateCases(options: GeneratorOptions = {}): Generator<GeneratedCase> {
  const seed = options.seed ?? 1
  const r = prng(seed)
  const institutions = options.institutions ?? makeInstitutions(seed)
  const associations = institutions.filter((i) => i.kind === 'association')
  const byCounty = new Map<string, InstitutionRef[]>()
  for (const i of institutions) if (i.kind !== 'association') byCounty.set(i.county, [...(byCounty.get(i.county) ?? []), i])
  const nonAssoc = institutions.filter((i) => i.kind !== 'association')
  const maxEvents = options.events ?? (options.cases === undefined ? 10_000 : Infinity)
  const maxCases = options.cases ?? Infinity
  const chunkCases = options.chunkCases ?? 3000
  const startMs = Date.parse(taipeiInstant(options.start ?? '2025-01-06', '09:00'))
  const caseSerials = new Map<string, number>()
  const approvalSerials = new Map<string, number>()
  let events = 0
  let cases = 0
  let personSeq = 0
  let chunk = 0

  while (events < maxEvents && cases < maxCases) {
    // a chunk of people, each with 1..5 cases (mostly 2-3), interleaved
    const people: Array<{ applicant: ApplicantSnapshot; count: number; others: Map<string, ReportState> }> = []
    let planned = 0
    while (planned < chunkCases) {
      const count = weighted(r, [[1, 0.3], [2, 0.3], [3, 0.25], [4, 0.1], [5, 0.05]] as const)
      people.push({ applicant: makeApplicant(personSeq++), count, others: new Map() })
      planned += count
    }
    const slots: Array<{ p: number; k: number }> = []
    for (let k = 0; k < 5; k++) people.forEach((pp, p) => k < pp.count && slots.push({ p, k }))
    const chunkStart = startMs + chunk * 2 * DAY
    for (let s = 0; s < slots.length && events < maxEvents && cases < maxCases; s++) {
      const { p, k } = slots[s]!
      const person = people[p]!
      const c = makeCase(person.applicant, k, chunkStart + Math.floor((s / slots.length) * 2 * DAY), cases, person.others)
      person.others.set(c.caseId, c.state)
      events += c.commands.reduce((n, x) => n + x.events.length, 0)
      cases++
      yield c
    }
    chunk++
  }

  function makeApplicant(i: number): ApplicantSnapshot {
    const profession = weighted(r, PROFESSION_MIX)
    const nurse = profession === 'F' || profession === 'G'
    const home = nurse && r() < 0.15 ? pick(r, associations) : pick(r, nonAssoc)
    const sex = nurse ? (r() < 0.95 ? '2' : '1') : r() < 0.6 ? '1' : '2'
    const letter = 'ABCDEFGHJKLMNPQRSTUVXYWZIO'[Math.floor(r() * 26)]!
    const nationalId = makePersonId(letter, sex, (seed * 7919 + i) % 10_000_000)
    return {
      nationalId,
      name: `${pick(r, [...SURNAMES])}${pick(r, [...GIVEN])}${pick(r, [...GIVEN])}`,
      profession,
      licenseNumber: `${profession}${String(100000 + (i % 900000))}`,
      licenseValidFrom: '2019-01-01',
      licenseValidTo: '2031-12-31',
      practiceStatus: 'active',
      home,
    }
  }

  function supportedFor(a: ApplicantSnapshot): InstitutionRef {
    const focus = options.focus
    if (focus && focus.institution.code !== a.home.code && r() < focus.share) return focus.institution
    // mostly the same county, sometimes a neighbouring one elsewhere (cross-county routing and 副知)
    const same = a.home.county && r() < 0.8 ? byCounty.get(a.home.county) : undefined
    for (;;) {
      const cand = pick(r, same && same.length > 1 ? same : nonAssoc)
      if (cand.code === a.home.code) continue
      if ((a.profession === 'D' || a.profession === 'E') && cand.kind !== 'pharmacy' && r() < 0.7) continue
      return cand
    }
  }

  function scheduleFor(weekday: Weekday, earliest: IsoDate): Schedule {
    let from = earliest
    while (weekdayOf(from) !== weekday) from = addDays(from, 1)
    if (r() < 0.75) {
      const weeks = weighted(r, [[4, 0.35], [8, 0.3], [13, 0.25], [26, 0.08], [52, 0.02]] as const)
      const [start, end] = pick(r, WINDOWS)
      return { kind: 'weekly', from, to: addDays(from, weeks * 7 - 1), weekdays: [weekday], windows: [{ start, end }] }
    }
    const n = 1 + Math.floor(r() * 4)
    const [start, end] = pick(r, WINDOWS)
    return { kind: 'sessions', sessions: Array.from({ length: n }, (_, j) => ({ date: addDays(from, j * 7), start, end })) }
  }

  function termsFor(a: ApplicantSnapshot, weekday: Weekday, earliest: IsoDate, supported = supportedFor(a)): Terms {
    const dept = DEPARTMENTS[a.profession]
    return {
      supported,
      department: dept ? pick(r, dept) : '00',
      purpose: pick(r, PURPOSE[a.profession] ?? ['09']),
      schedule: scheduleFor(weekday, earliest),
    }
  }

  function makeCase(applicant: ApplicantSnapshot, k: number, draftMs: number, index: number, others: Map<string, ReportState>): GeneratedCase {
    const caseId = uuidFrom(r)
    const stream = reportStream(caseId)
    const weekday = (k + 1) as Weekday
    const byInstitution = r() < 0.25
    const filer: Actor = byInstitution
      ? { role: 'institution', id: applicant.home.code, name: applicant.home.name, via: 'hca-institution-card', institutionCode: applicant.home.code }
      : { role: 'professional', id: applicant.nationalId, name: applicant.name, via: 'hca-professional-card', institutionCode: applicant.home.code }
    const existing = [...others.values()].map(existingReportOf).filter((x) => x !== undefined)
    const commands: GeneratedCommand[] = []
    let state = initialState()
    const decisionDay = options.decisionDay
    const frac = (index * 0.6180339887) % 1
    let t = decisionDay ? Date.parse(taipeiInstant(addDays(decisionDay, -3))) + Math.floor(frac * DAY) : draftMs
    const reviewer = (): Actor => {
      const county = state.exists ? (state.applicationType === 'change' && state.pendingRouting ? state.pendingRouting : state.routing).reviewCounty : '63'
      return { role: 'reviewer', id: `R${county}${String(1 + Math.floor(r() * 6)).padStart(3, '0')}`, name: '審查員', via: 'staff-card', county }
    }
    const reviewTime = (gapMs: number) => {
      if (!decisionDay) return (t += gapMs)
      const dayStart = Date.parse(taipeiInstant(decisionDay))
      return (t = Math.max(t + MIN, dayStart + Math.floor(frac * 20 * HOUR)))
    }
    const run = (command: ReportCommand, actor: Actor, at: number) => {
      const occurredAt = new Date(at).toISOString()
      const commandId = uuidFrom(r)
      const meta: EventMeta = { commandId, actor, correlationId: commandId, causationId: commandId, occurredAt }
      const ctx: DecideContext = { actor, now: occurredAt, ...(actor.role === 'reviewer' ? {} : { existing, applicant }) }
      const decided = decide(command, state, ctx)
      const evs = decided.map((e) => ({ ...e, meta }) as EventToAppend & ReportEvent)
      commands.push({ command, ctx, meta, events: evs, expectedVersion: state.version })
      for (const e of evs) state = evolve(state, e)
    }
    const caseNumber = (at: number) => {
      const day = isoToRoc(taipeiDate(new Date(at).toISOString()))
      const n = (caseSerials.get(day) ?? 0) + 1
      caseSerials.set(day, n)
      return `${day}${String(n).padStart(7, '0')}`
    }
    const approvalNumber = (at: number) => {
      const county = state.exists ? (state.applicationType === 'change' && state.pendingRouting ? state.pendingRouting : state.routing).reviewCounty : '63'
      const key = `${county}${isoToRoc(taipeiDate(new Date(at).toISOString()))}`
      const n = (approvalSerials.get(key) ?? 0) + 1
      approvalSerials.set(key, n)
      return `${key}${String(n % 100000).padStart(5, '0')}`
    }

    const earliest = addDays(taipeiDate(new Date(t).toISOString()), 14 + Math.floor(r() * 30))
    const terms = termsFor(applicant, weekday, earliest)
    run({ type: 'DraftReport', data: { caseId, applicant, terms } }, filer, t)
    const roll = r()
    if (roll < 0.02) return { caseId, stream, applicant, commands, state } // still a draft (未送審)
    if (roll < 0.03) {
      run({ type: 'WithdrawReport', data: { reason: '不需支援' } }, filer, (t += HOUR))
      return { caseId, stream, applicant, commands, state }
    }
    t += 10 * MIN
    run({ type: 'SubmitReport', data: { caseNumber: caseNumber(t) } }, filer, t)
    if (roll < 0.06) return { caseId, stream, applicant, commands, state } // under review (審核中)
    const outcome = r()
    if (outcome < 0.05) {
      run({ type: 'RejectReport', data: { reason: '支援時段與執業登記不符' } }, reviewer(), reviewTime(DAY + Math.floor(r() * 2 * DAY)))
      return { caseId, stream, applicant, commands, state }
    }
    if (outcome < 0.15) {
      run({ type: 'ReturnReport', data: { reason: '請補正支援科別', fieldsToFix: ['department'] } }, reviewer(), reviewTime(DAY))
      t += decisionDay ? 10 * MIN : 4 * HOUR
      const fixed = state.exists ? { ...state.terms, department: state.terms.department } : terms
      run({ type: 'ResubmitReport', data: { terms: fixed } }, filer, t)
    }
    const at = reviewTime(DAY + Math.floor(r() * DAY))
    run({ type: 'ApproveReport', data: { approvalNumber: approvalNumber(at) } }, reviewer(), at)
    const after = r()
    if (after < 0.1 && state.exists) {
      // a change of hours (same weekday and dates: nothing in the past changes)
      const cur = state.terms
      const [start, end] = pick(r, WINDOWS)
      const schedule: Schedule = cur.schedule.kind === 'weekly'
        ? { ...cur.schedule, windows: [{ start, end }] }
        : { kind: 'sessions', sessions: cur.schedule.sessions.map((x) => ({ ...x, start, end })) }
      t += decisionDay ? 10 * MIN : 6 * HOUR
      run({ type: 'RequestChange', data: { terms: { ...cur, schedule }, reason: '調整支援時段' } }, filer, t)
      const cAt = reviewTime(DAY)
      if (r() < 0.9) run({ type: 'ApproveReport', data: { approvalNumber: approvalNumber(cAt) } }, reviewer(), cAt)
      else run({ type: 'RejectReport', data: { reason: '變更理由不足' } }, reviewer(), cAt)
    } else if (after < 0.15 && state.exists) {
      t += decisionDay ? 10 * MIN : 6 * HOUR
      const from = state.terms.schedule.kind === 'weekly' ? state.terms.schedule.from : state.terms.schedule.sessions[0]!.date
      run({ type: 'RequestCancellation', data: { effectiveDate: from, reason: '被支援機構取消' } }, filer, t)
      const cAt = reviewTime(DAY)
      run({ type: 'ApproveReport', data: { approvalNumber: approvalNumber(cAt) } }, reviewer(), cAt)
    }
    return { caseId, stream, applicant, commands, state }
  }
}

/** All events of a case in order (for bulk loading: one append per case, expected version no_stream). */
export const caseEvents = (c: GeneratedCase): Array<EventToAppend & ReportEvent> => c.commands.flatMap((x) => x.events)

/** Cases grouped into batches of about `batchEvents` events. */
export function* generateBatches(options: GeneratorOptions & { batchEvents?: number } = {}): Generator<GeneratedCase[]> {
  const size = options.batchEvents ?? 5000
  let batch: GeneratedCase[] = []
  let n = 0
  for (const c of generateCases(options)) {
    batch.push(c)
    n += c.commands.reduce((s, x) => s + x.events.length, 0)
    if (n >= size) {
      yield batch
      batch = []
      n = 0
    }
  }
  if (batch.length) yield batch
}

/** Parses a size flag ('10k', '100k', '1m', '20m' or a number). */
export function parseSize(s: string | undefined, fallback: SizeName = '100k'): number {
  if (!s) return SIZES[fallback]
  const k = s.toLowerCase() as SizeName
  if (k in SIZES) return SIZES[k]
  const n = Number(s)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`bad size ${s}: use 10k, 100k, 1m, 20m or a number`)
  return n
}
