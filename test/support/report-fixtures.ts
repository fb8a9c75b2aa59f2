// Builders of report events for projection tests: institutions, applicants, schedules and each lifecycle event
// with its metadata, a seeded random workload of whole case lifecycles, and random case histories made by the
// decider (fast-check) for the property tests.
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import type { EventToAppend } from '../../commands/event-store/port.js'
import type { EventMeta, ReportEvent } from '../../domain/events.js'
import { isDomainError } from '../../domain/errors.js'
import {
  decide, evolve, initialState, REPORT_COMMAND_TYPES, type FoldableEvent, type ReportCommand, type ReportCommandType, type ReportState,
} from '../../domain/report/index.js'
import type { Actor, ApplicantSnapshot, ApplicationType, InstitutionRef, Routing, Schedule, Status, Terms, Weekday } from '../../domain/types.js'
import * as D from './report-decider-fixtures.js'

export const inst = (code: string, county: string, name = `機構${code.slice(-3)}`, district?: string): InstitutionRef => ({
  code,
  name,
  county,
  kind: 'clinic',
  ...(district ? { district } : {}),
})

export const applicant = (nationalId: string, name: string, home: InstitutionRef, profession = 'A'): ApplicantSnapshot => ({
  nationalId,
  name,
  profession,
  licenseNumber: `L${nationalId}`,
  licenseValidFrom: '2020-01-01',
  licenseValidTo: '2030-12-31',
  practiceStatus: 'active',
  home,
})

export const weekly = (from: string, to: string, weekdays: Weekday[], windows: [string, string][] = [['08:00', '12:00']]): Schedule => ({
  kind: 'weekly',
  from,
  to,
  weekdays,
  windows: windows.map(([start, end]) => ({ start, end })),
})

export const terms = (supported: InstitutionRef, schedule: Schedule, department = '01'): Terms => ({ supported, department, purpose: '01', schedule })
export const routingFor = (t: Terms, copied: string[] = []): Routing => ({ reviewCounty: t.supported.county, copiedCounties: copied })

const EMPTY_FINDINGS = { conflicts: [], quota: [] }

export const professionalActor = (a: ApplicantSnapshot): Actor => ({ role: 'professional', id: a.nationalId, name: a.name, via: 'hca-professional-card', institutionCode: a.home.code })
export const reviewerActor = (county: string, id = `R${county}`): Actor => ({ role: 'reviewer', id, name: `審查員${id}`, via: 'staff-card', county })

export function ev(type: ReportEvent['type'], data: unknown, actor: Actor, occurredAt: string): EventToAppend {
  const commandId = randomUUID()
  const meta: EventMeta = { commandId, actor, correlationId: commandId, causationId: commandId, occurredAt }
  return { type, data, meta }
}

/** A case's events, built step by step with increasing business times. */
export class CaseBuilder {
  readonly events: EventToAppend[] = []
  private t: number
  constructor(
    readonly caseId: string,
    readonly applicantSnapshot: ApplicantSnapshot,
    public currentTerms: Terms,
    public routing: Routing,
    start = '2024-02-01T01:00:00.000Z',
  ) {
    this.t = Date.parse(start)
  }
  private at(hours = 1) {
    this.t += hours * 3_600_000
    return new Date(this.t).toISOString()
  }
  private get me() {
    return professionalActor(this.applicantSnapshot)
  }
  private get reviewer() {
    return reviewerActor(this.routing.reviewCounty)
  }
  draft() {
    this.events.push(ev('ReportDrafted', { caseId: this.caseId, applicant: this.applicantSnapshot, filedBy: { role: 'professional', id: this.applicantSnapshot.nationalId }, terms: this.currentTerms, routing: this.routing, attachments: [] }, this.me, this.at(0)))
    return this
  }
  edit(t: Terms, r: Routing = routingFor(t)) {
    this.currentTerms = t
    this.routing = r
    this.events.push(ev('DraftEdited', { terms: t, routing: r }, this.me, this.at()))
    return this
  }
  submit(caseNumber: string) {
    this.events.push(ev('ReportSubmitted', { caseNumber, findings: EMPTY_FINDINGS }, this.me, this.at()))
    return this
  }
  approve(approvalNumber: string, hours = 24) {
    this.events.push(ev('ReportApproved', { reviewerId: this.reviewer.id, approvalNumber }, this.reviewer, this.at(hours)))
    return this
  }
  reject(reason = '資料不符', hours = 24) {
    this.events.push(ev('ReportRejected', { reviewerId: this.reviewer.id, reason }, this.reviewer, this.at(hours)))
    return this
  }
  return(reason = '請補件', hours = 24) {
    this.events.push(ev('ReportReturned', { reviewerId: this.reviewer.id, reason, fieldsToFix: ['schedule'] }, this.reviewer, this.at(hours)))
    return this
  }
  resubmit(t: Terms, r: Routing = routingFor(t)) {
    this.events.push(ev('ReportResubmitted', { terms: t, routing: r, findings: EMPTY_FINDINGS }, this.me, this.at()))
    return this
  }
  requestChange(t: Terms, r: Routing = routingFor(t), reason = '調整時段') {
    this.events.push(ev('ChangeRequested', { terms: t, routing: r, reason, findings: EMPTY_FINDINGS }, this.me, this.at()))
    this.routing = r
    return this
  }
  approveChange(approvalNumber: string, hours = 24) {
    this.events.push(ev('ChangeApproved', { reviewerId: this.reviewer.id, approvalNumber }, this.reviewer, this.at(hours)))
    return this
  }
  returnChange(reason = '請修正時段') {
    this.events.push(ev('ChangeReturned', { reviewerId: this.reviewer.id, reason, fieldsToFix: ['schedule'] }, this.reviewer, this.at(24)))
    return this
  }
  rejectChange(reason = '不同意變更') {
    this.events.push(ev('ChangeRejected', { reviewerId: this.reviewer.id, reason }, this.reviewer, this.at(24)))
    return this
  }
  requestCancel(effectiveDate: string, reason = '不再支援') {
    this.events.push(ev('CancellationRequested', { effectiveDate, reason }, this.me, this.at()))
    return this
  }
  approveCancel(approvalNumber: string) {
    this.events.push(ev('CancellationApproved', { reviewerId: this.reviewer.id, approvalNumber }, this.reviewer, this.at(24)))
    return this
  }
  withdraw(applicationType: 'register' | 'change' | 'cancel' = 'register') {
    this.events.push(ev('ReportWithdrawn', { applicationType }, this.me, this.at()))
    return this
  }
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const COUNTIES = ['63', '64', '65', '66', '67', '10002']
export const INSTITUTIONS = Array.from({ length: 12 }, (_, i) => inst(`35010${String(i).padStart(5, '0')}`, COUNTIES[i % COUNTIES.length]!, `診所${i}`))

/** One random case lifecycle (2–7 events). */
export function randomCase(r: () => number, i: number, caseId: string = randomUUID()): CaseBuilder {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  const home = pick(INSTITUTIONS)
  let supported = pick(INSTITUTIONS)
  if (supported.code === home.code) supported = INSTITUTIONS[(INSTITUTIONS.indexOf(home) + 1) % INSTITUTIONS.length]!
  const person = applicant(`A1${String(10_000_000 + (i % 500)).slice(-8)}`, `醫師${i % 500}`, home, pick(['A', 'B', 'D', 'F']))
  const month = 3 + Math.floor(r() * 6)
  const from = `2024-${String(month).padStart(2, '0')}-01`
  const to = `2024-${String(month).padStart(2, '0')}-28`
  const t = terms(supported, weekly(from, to, [pick([1, 2, 3, 4, 5] as Weekday[])], [[pick(['08:00', '13:00']), pick(['12:00', '17:30'])]]))
  const b = new CaseBuilder(caseId, person, t, routingFor(t, person.profession === 'D' && home.county !== supported.county ? [home.county] : []), `2024-02-${String(1 + (i % 27)).padStart(2, '0')}T01:00:00.000Z`).draft()
  const num = `1130201${String(i).padStart(7, '0')}`
  const roll = r()
  if (roll < 0.1) return b
  if (roll < 0.15) return b.withdraw()
  b.submit(num)
  if (roll < 0.25) return b
  if (roll < 0.35) return b.reject()
  if (roll < 0.45) b.return().resubmit(terms(supported, weekly(from, to, [2, 4])))
  b.approve(`A${num}`)
  const roll2 = r()
  if (roll2 < 0.3) b.requestChange(terms(supported, weekly(from, to, [3], [['09:00', '11:00']]))).approveChange(`C${num}`)
  else if (roll2 < 0.4) b.requestChange(terms(pick(INSTITUTIONS), weekly(from, to, [5]))).rejectChange()
  else if (roll2 < 0.55) b.requestCancel(`2024-${String(month).padStart(2, '0')}-15`).approveCancel(`D${num}`)
  return b
}

// ---- random case histories made by the decider itself (fast-check): every history is one the system can record ----

/** One attempted command: which type, which of the two actors of its side, which data variant. */
export interface HistoryStep {
  type: ReportCommandType
  actor: 0 | 1
  variant: 0 | 1 | 2
}

/** How often each command is attempted: enough filing and deciding that histories get deep, some of everything. */
const STEP_WEIGHTS: Partial<Record<ReportCommandType, number>> = {
  SubmitReport: 4, ApproveReport: 5, RequestChange: 3, RequestCancellation: 2, RejectReport: 2, ReturnReport: 2, ResubmitReport: 3,
  EditDraft: 1, WithdrawReport: 1, AddAttachment: 1, RemoveAttachment: 1,
}

export const historyStepArb: fc.Arbitrary<HistoryStep> = fc.record({
  type: fc.oneof(...REPORT_COMMAND_TYPES.filter((x) => STEP_WEIGHTS[x]).map((x) => ({ weight: STEP_WEIGHTS[x]!, arbitrary: fc.constant(x) }))),
  actor: fc.constantFrom(0 as const, 1 as const),
  variant: fc.constantFrom(0 as const, 1 as const, 2 as const),
})

/** A start (drafted, or imported from the legacy system in some status) and attempted commands. */
export interface CaseHistorySpec {
  start: { kind: 'draft' } | { kind: 'import'; status: Status; applicationType: ApplicationType }
  steps: HistoryStep[]
}

/** A start and up to `max` attempted commands. */
export const caseHistoryArb = (max = 30): fc.Arbitrary<CaseHistorySpec> => fc.record({
  start: fc.oneof(
    { weight: 4, arbitrary: fc.constant<{ kind: 'draft' }>({ kind: 'draft' }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('import' as const), status: fc.constantFrom<Status>('approved', 'under_review', 'returned', 'rejected', 'cancelled'), applicationType: fc.constantFrom<ApplicationType>('register', 'change', 'cancel') }) },
  ),
  steps: fc.array(historyStepArb, { maxLength: max, size: 'max' }),
})

/** The 新北 clinic's terms (reviewed by 65), extended to April, or moved to a 台北 clinic (reviewed by 63). */
export const TERMS_VARIANTS: readonly Terms[] = [D.TERMS, D.TERMS_APRIL, { ...D.TERMS, supported: D.CLINIC_63 }]

/** Filers (own case / own staff) and reviewers of both counties: the actors who can move a case along. */
export const FILERS: readonly Actor[] = [D.PRO, D.INST]
export const REVIEWERS: readonly Actor[] = [D.REVIEWER_65, D.REVIEWER_63]
/** Everyone, including those who may do nothing to the physician's case. */
export const ALL_ACTORS: readonly Actor[] = [D.PRO, D.INST, D.OTHER_PRO, D.OTHER_INST, D.REVIEWER_65, D.REVIEWER_63, D.STATISTICIAN, D.OPERATOR]

const REVIEW_COMMANDS: readonly ReportCommandType[] = ['ApproveReport', 'RejectReport', 'ReturnReport']

/** A command of `type` whose data is valid for `state` (so that only who and when can refuse it). */
export function validCommand(type: ReportCommandType, state: ReportState, actor: Actor, variant = 0, caseId = D.CASE_ID, caseNumber = D.CASE_NUMBER, serial = 0): ReportCommand {
  const terms = TERMS_VARIANTS[variant % TERMS_VARIANTS.length]!
  const applicant: ApplicantSnapshot = actor.role === 'institution'
    ? { ...D.PHYSICIAN, home: { ...D.PHYSICIAN.home, code: actor.institutionCode ?? actor.id } }
    : actor.role === 'professional' ? { ...D.PHYSICIAN, nationalId: actor.id } : D.PHYSICIAN
  switch (type) {
    case 'DraftReport': return { type, data: { caseId, applicant, terms } }
    case 'EditDraft': return { type, data: { terms } }
    case 'SubmitReport': return { type, data: { caseNumber } }
    case 'ApproveReport': return { type, data: { approvalNumber: `A${String(serial).padStart(7, '0')}` } }
    case 'RejectReport': return { type, data: { reason: '不符規定' } }
    case 'ReturnReport': return { type, data: { reason: '請補正', fieldsToFix: ['schedule'] } }
    case 'ResubmitReport': return { type, data: { terms } }
    case 'RequestChange': return { type, data: { terms, reason: '調整' } }
    case 'RequestCancellation': return { type, data: { effectiveDate: '2024-03-18', reason: '歇業' } }
    case 'WithdrawReport': return { type, data: {} }
    case 'AddAttachment': return { type, data: { attachment: { ...D.PDF, hash: (serial % 16).toString(16).repeat(64) } } }
    case 'RemoveAttachment': return { type, data: { hash: (state.exists ? state.attachments[0]?.hash : undefined) ?? D.PDF.hash } }
    case 'ImportReport': return {
      type,
      data: { caseId, legacyNumber: `L${serial}`, caseNumber, status: 'approved', applicationType: 'register', applicant: D.PHYSICIAN, terms, routing: D.routingOf(terms), approvalNumber: 'OLD-1' },
    }
  }
}

export interface DecidedHistory {
  /** The events, each with the business time it was decided at. */
  events: FoldableEvent[]
  /** The state before the first event and after each one. */
  states: ReportState[]
}

/**
 * Runs a history spec through decide(): every attempted command is decided at NOW (+1 h per attempt) by the actor
 * of its side; the ones the decider accepts are kept. Returns what a store would hold for this case.
 */
export function decideHistory(spec: CaseHistorySpec, caseId = D.CASE_ID, caseNumber = D.CASE_NUMBER): DecidedHistory {
  let state: ReportState = initialState()
  const events: FoldableEvent[] = []
  const states: ReportState[] = [state]
  let t = Date.parse(D.NOW)
  const apply = (out: readonly ReportEvent[]) => {
    for (const e of out) {
      const fe: FoldableEvent = { ...e, meta: { occurredAt: new Date(t).toISOString() } }
      state = evolve(state, fe)
      events.push(fe)
      states.push(state)
    }
  }
  const tryDecide = (command: ReportCommand, actor: Actor) => {
    t += 3_600_000
    try {
      apply(decide(command, state, { actor, now: new Date(t).toISOString() }))
    } catch (e) {
      if (!isDomainError(e)) throw e
    }
  }
  if (spec.start.kind === 'draft') tryDecide(validCommand('DraftReport', state, D.PRO, 0, caseId, caseNumber), D.PRO)
  else {
    const imported = validCommand('ImportReport', state, D.OPERATOR, 0, caseId, caseNumber) as Extract<ReportCommand, { type: 'ImportReport' }>
    tryDecide({ type: 'ImportReport', data: { ...imported.data, status: spec.start.status, applicationType: spec.start.applicationType } }, D.OPERATOR)
  }
  spec.steps.forEach((step, i) => {
    const actor = (REVIEW_COMMANDS.includes(step.type) ? REVIEWERS : FILERS)[step.actor]!
    tryDecide(validCommand(step.type, state, actor, step.variant, caseId, caseNumber, i), actor)
  })
  return { events, states }
}

/** The events of a decided history as a store appends them (with full metadata; actors as decided). */
export function toAppend(h: DecidedHistory, actor: Actor = D.PRO): EventToAppend[] {
  return h.events.map((e) => ev(e.type, e.data, actor, e.meta?.occurredAt ?? D.NOW))
}
