// Builders of report events for projection tests: institutions, applicants, schedules and each lifecycle event
// with its metadata, plus a seeded random workload of whole case lifecycles.
import { randomUUID } from 'node:crypto'
import type { EventToAppend } from '../../commands/event-store/port.js'
import type { EventMeta, ReportEvent } from '../../domain/events.js'
import type { Actor, ApplicantSnapshot, InstitutionRef, Routing, Schedule, Terms, Weekday } from '../../domain/types.js'

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
