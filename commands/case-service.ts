// The support-report application service: turns what a user asked (ids and codes) into decider commands with the
// registry snapshots, the applicant's other reports (conflict and quota) and allocated numbers, then runs them
// through the generic command handler (load, fold, decide, append with expected version; idempotent by commandId).
import { randomUUID } from 'node:crypto'
import { isUuid } from '../domain/name-uuid.js'
import type { Database } from './platform/database.js'
import type { EventStore, LogPosition } from './event-store/port.js'
import { createCommandHandler, type CommandHandler, type CommandMeta, type HandleResult } from './command-handler.js'
import { applicantSnapshot, findInstitution, institutionRef } from './registry/registry.js'
import { decide, previewFiling } from '../domain/report/decide.js'
import { caseFacts } from '../domain/report/case-facts.js'
import { decisionRouting, evolve, initialState, type ReportState } from '../domain/report/state.js'
import { assertInstitutionOpen } from '../domain/registry/facts.js'
import type { DecideContext, ReportCommand } from '../domain/report/commands.js'
import type { ExistingReport } from '../domain/rules/conflict.js'
import type { SupportedStaffing } from '../domain/rules/quota-types.js'
import { scheduleBounds } from '../domain/schedule.js'
import { addDays, taipeiDate } from '../domain/roc-date.js'
import { reportStream, type ReportEvent } from '../domain/events.js'
import { DomainError } from '../domain/errors.js'
import type { Actor, ApplicantSnapshot, Attachment, Instant, IsoDate, Schedule, Terms } from '../domain/types.js'

/** Terms as a user gives them: the supported institution by code. */
export interface TermsInput {
  supportedCode: string
  department: string
  purpose: string
  schedule: Schedule
  note?: string
}

export interface ReportCommandMeta {
  commandId: string
  actor: Actor
  correlationId?: string
  causationId?: string
}

export interface ReportOutcome {
  caseId: string
  state: ReportState
  events: ReportEvent[]
  /** Log position of the command's last event: pages wait for projections to reach it (read-your-writes). */
  position: LogPosition
  duplicate: boolean
}

/** Where the applicant's OTHER reports come from (the occurrences read model in production). */
export interface ExistingReportsSource {
  existingReports(nationalId: string, excludeCaseId: string, from: IsoDate, to: IsoDate): Promise<ExistingReport[]>
  /** Support already at the supported institution, for the ratio rules (optional). */
  supportedStaffing?(institutionCode: string, from: IsoDate, to: IsoDate, excludeNationalId: string): Promise<SupportedStaffing | undefined>
}

export interface NumberAllocator {
  /** 14 chars: ROC submission date (7) + serial of that day (7). */
  caseNumber(now: Instant, meta: ReportCommandMeta): Promise<string>
  /** 14 ASCII chars. */
  approvalNumber(county: string, now: Instant, meta: ReportCommandMeta): Promise<string>
}

export interface CaseServiceDeps {
  db: Database
  store: EventStore
  existing: ExistingReportsSource
  numbers: NumberAllocator
  clock?: () => Date
  /** Rules as versioned data (commands/rules/rules-service.ts): the quota table and routing in force at an instant. */
  rules?: { inForceAt(at: Instant): Promise<Pick<DecideContext, 'quotaRules' | 'routingRules' | 'reference'>> }
}

type Handler = CommandHandler<ReportState, ReportCommand, ReportEvent, DecideContext>

export interface CaseService {
  load(caseId: string): Promise<ReportState>
  draft(input: { caseId?: string; applicantId: string; terms: TermsInput; attachments?: Attachment[]; copiedFrom?: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  editDraft(caseId: string, terms: TermsInput, meta: ReportCommandMeta): Promise<ReportOutcome>
  submit(caseId: string, meta: ReportCommandMeta): Promise<ReportOutcome>
  /** Drafts and submits as ONE command (see perform): a refused submission leaves no draft behind. */
  file(input: { caseId?: string; applicantId: string; terms: TermsInput; attachments?: Attachment[]; copiedFrom?: string; onBehalfOf?: 'professional' | 'institution' }, meta: ReportCommandMeta, options?: { caseNumber?: (now: Instant) => Promise<string> }): Promise<ReportOutcome>
  approve(caseId: string, input: { note?: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  reject(caseId: string, input: { reason: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  return(caseId: string, input: { reason: string; fieldsToFix: string[] }, meta: ReportCommandMeta): Promise<ReportOutcome>
  resubmit(caseId: string, terms: TermsInput, meta: ReportCommandMeta): Promise<ReportOutcome>
  requestChange(caseId: string, input: { terms: TermsInput; reason: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  requestCancellation(caseId: string, input: { effectiveDate: IsoDate; reason: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  withdraw(caseId: string, input: { reason?: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  addAttachment(caseId: string, attachment: Attachment, meta: ReportCommandMeta): Promise<ReportOutcome>
  removeAttachment(caseId: string, hash: string, meta: ReportCommandMeta): Promise<ReportOutcome>
  /** A new draft with the terms of a past case (its current terms; the schedule is kept for the user to move). */
  copy(fromCaseId: string, input: { caseId?: string }, meta: ReportCommandMeta): Promise<ReportOutcome>
  /**
   * Several steps on one case as ONE command: each step is decided over the state the previous ones produced, and
   * all their events are appended together with one commandId and one expected version — all or nothing. This is
   * how a form that edits, attaches and submits is atomic from the user's view: if the submission is refused (a
   * conflict found at submit time, quota, a concurrent change), not even the edit or the attachments are recorded.
   * A first submission's case number is allocated only after a dry run of the whole sequence passed.
   */
  perform(caseId: string, steps: Step[], meta: ReportCommandMeta, options?: { caseNumber?: (now: Instant) => Promise<string> }): Promise<ReportOutcome>
  /**
   * The dry run of file(): the very commands file() would decide (DraftReport + SubmitReport), against the same
   * registry and context, refusing with the same DomainError — and recording nothing. `alongside`: the same applicant's
   * reports not filed yet that the filing must also meet (earlier rows of the same batch file). Returns how the filed case would
   * count for later rows.
   */
  checkFiling(input: { caseId: string; applicantId: string; terms: TermsInput; onBehalfOf?: 'professional' | 'institution' }, actor: Actor, alongside?: readonly ExistingReport[]): Promise<ExistingReport | undefined>
  /**
   * The dry run of requestChange / requestCancellation on a case as it is now: the very command, decided with the
   * same context, refusing with the same DomainError — and recording nothing. `commandId`: when the case already
   * holds it (an earlier upload of the same row), nothing is decided and `recorded` is true. `alongside` as for
   * checkFiling. Returns how the changed case would count for later rows (a change) and the state it was decided on.
   */
  checkOnCase(caseId: string, step: CaseStep, actor: Actor, commandId: string, alongside?: readonly ExistingReport[]): Promise<{ recorded: boolean; state: ReportState; counts?: ExistingReport }>
  /** The conflicts and quota the proposed terms would meet now (records nothing). */
  preview(applicantId: string, terms: TermsInput, actor: Actor, caseId?: string): Promise<import('../domain/types.js').FilingFindings>
}

/** One step of perform(): what a form asks in user terms (terms by institution code). */
export type Step =
  | { type: 'draft'; applicantId: string; terms: TermsInput; attachments?: Attachment[]; copiedFrom?: string; onBehalfOf?: 'professional' | 'institution' }
  | { type: 'edit'; terms: TermsInput }
  | { type: 'attach'; attachment: Attachment }
  | { type: 'detach'; hash: string }
  | { type: 'submit' }
  | { type: 'resubmit'; terms: TermsInput }
  | { type: 'change'; terms: TermsInput; reason: string }

/** What a batch row asks of an existing case (checkOnCase): a change of its terms, or its cancellation. */
export type CaseStep = { type: 'change'; terms: TermsInput; reason: string } | { type: 'cancel'; effectiveDate: IsoDate; reason: string }

interface Sequence {
  type: 'Sequence'
  steps: ReportCommand[]
}

/** The decider over a sequence: each command decided on the state the previous ones produced (pure). */
function decideSequence(steps: ReportCommand[], state: ReportState, ctx: DecideContext): ReportEvent[] {
  const out: ReportEvent[] = []
  let s = state
  for (const c of steps) {
    const events = decide(c, s, ctx)
    for (const e of events) s = evolve(s, e)
    out.push(...events)
  }
  return out
}

/** A case number that passes the decider's format check, for the dry run only (never appended). */
const DRY_RUN_CASE_NUMBER = '00000000000000'
/** An approval number that passes the decider's check, for the dry run only (never appended). */
const DRY_RUN_APPROVAL_NUMBER = 'DRY-RUN'


export function createCaseService(deps: CaseServiceDeps): CaseService {
  const clock = deps.clock ?? (() => new Date())
  const handler: Handler = createCommandHandler(deps.store, { initialState, evolve, decide })
  const sequenceHandler = createCommandHandler<ReportState, Sequence, ReportEvent, DecideContext>(deps.store, {
    initialState, evolve, decide: (c, s, ctx) => decideSequence(c.steps, s, ctx),
  })

  async function resolveTerms(input: TermsInput): Promise<Terms> {
    const inst = await findInstitution(deps.db, input.supportedCode)
    if (!inst) throw new DomainError('INSTITUTION_NOT_FOUND', { code: input.supportedCode })
    assertInstitutionOpen(inst, 'supported')
    return {
      supported: institutionRef(inst),
      department: input.department,
      purpose: input.purpose,
      schedule: input.schedule,
      ...(input.note ? { note: input.note } : {}),
    }
  }

  async function resolveApplicant(id: string, actor: Actor): Promise<ApplicantSnapshot> {
    const a = await applicantSnapshot(deps.db, id)
    // an institution is told no more than "not your staff" about an ID it does not employ (issue #13)
    if (!a && actor.role === 'institution') throw new DomainError('NOT_OWN_STAFF', { role: actor.role })
    if (!a) throw new DomainError('PROFESSIONAL_NOT_FOUND', { nationalId: id })
    const home = await findInstitution(deps.db, a.home.code)
    if (home) assertInstitutionOpen(home, 'home')
    return a
  }

  /** Decision context: the applicant's other reports around the proposed terms, the current registration. */
  async function contextFor(state: ReportState, actor: Actor, now: Instant, terms?: Terms, applicant?: ApplicantSnapshot): Promise<DecideContext> {
    const ctx: DecideContext = { actor, now }
    // the rule versions in force at the command's instant (a version published for a later date waits for it)
    if (deps.rules) {
      const r = await deps.rules.inForceAt(now)
      if (r.quotaRules) ctx.quotaRules = r.quotaRules
      if (r.routingRules) ctx.routingRules = r.routingRules
      if (r.reference) ctx.reference = r.reference
    }
    const who = applicant ?? (state.exists ? state.applicant : undefined)
    if (!who) return ctx
    const current = await applicantSnapshot(deps.db, who.nationalId)
    if (current) ctx.applicant = current
    const t = terms ?? (state.exists ? caseFacts(state).currentTerms : undefined)
    if (t) {
      const { from, to } = scheduleBounds(t.schedule)
      // a month either side covers every ISO week and month the proposed occurrences fall in
      const lo = addDays(from, -38)
      const hi = addDays(to, 38)
      const caseId = state.exists ? state.caseId : ''
      ctx.existing = await deps.existing.existingReports(who.nationalId, caseId, lo, hi)
      const staffing = await deps.existing.supportedStaffing?.(t.supported.code, lo, hi, who.nationalId)
      if (staffing) ctx.staffing = staffing
    }
    return ctx
  }

  const metaOf = (m: ReportCommandMeta, now: Instant): CommandMeta => ({
    commandId: m.commandId,
    actor: m.actor,
    correlationId: m.correlationId ?? m.commandId,
    ...(m.causationId ? { causationId: m.causationId } : {}),
    occurredAt: now,
  })

  const outcome = (caseId: string, r: HandleResult<ReportState, ReportEvent>): ReportOutcome => ({
    caseId,
    state: r.state,
    events: r.events.map((e) => ({ type: e.type, data: e.data }) as ReportEvent),
    position: r.position,
    duplicate: r.duplicate,
  })

  async function run(
    caseId: string,
    meta: ReportCommandMeta,
    command: (state: ReportState, now: Instant) => ReportCommand | Promise<ReportCommand>,
    ctx: (state: ReportState, now: Instant) => DecideContext | Promise<DecideContext> = (_s, now) => ({ actor: meta.actor, now }),
    { opensCase = false }: { opensCase?: boolean } = {},
  ): Promise<ReportOutcome> {
    if (!isUuid(caseId)) throw new DomainError('REPORT_NOT_FOUND', { caseId })
    const now = clock().toISOString()
    const r = await handler.handle({
      stream: reportStream(caseId),
      command: (s) => command(s, now),
      ctx: (s) => ctx(s, now),
      meta: metaOf(meta, now),
      // a draft opens its case: the stream is not read first (the append proves it new)
      probablyNew: opensCase,
    })
    return outcome(caseId, r)
  }

  const requireCase = (s: ReportState) => {
    if (!s.exists) throw new DomainError('REPORT_NOT_FOUND')
    return s
  }

  const service: CaseService = {
    async load(caseId) {
      if (!isUuid(caseId)) return initialState()
      return (await handler.load(reportStream(caseId))).state
    },

    async draft(input, meta) {
      const caseId = input.caseId ?? randomUUID()
      const applicant = await resolveApplicant(input.applicantId, meta.actor)
      const terms = await resolveTerms(input.terms)
      return run(
        caseId,
        meta,
        () => ({
          type: 'DraftReport',
          data: {
            caseId,
            applicant,
            terms,
            ...(input.attachments ? { attachments: input.attachments } : {}),
            ...(input.copiedFrom ? { copiedFrom: input.copiedFrom } : {}),
          },
        }),
        (s, now) => contextFor(s, meta.actor, now, terms, applicant),
        { opensCase: true },
      )
    },

    async editDraft(caseId, termsInput, meta) {
      const terms = await resolveTerms(termsInput)
      return run(caseId, meta, () => ({ type: 'EditDraft', data: { terms } }), (s, now) => contextFor(s, meta.actor, now, terms))
    },

    submit(caseId, meta) {
      // through perform: the case number is spent only when the submission passes
      return service.perform(caseId, [{ type: 'submit' }], meta)
    },

    file(input, meta, options) {
      const { caseId, ...draft } = input
      return service.perform(caseId ?? randomUUID(), [{ type: 'draft', ...draft }, { type: 'submit' }], meta, options)
    },

    async perform(caseId, steps, meta, options = {}) {
      if (!isUuid(caseId)) throw new DomainError('REPORT_NOT_FOUND', { caseId })
      if (steps.length === 0) throw new DomainError('VALIDATION_FAILED', { fields: ['steps'] })
      // registry look-ups first (they may refuse with a field-specific code)
      const draftStep = steps.find((x): x is Extract<Step, { type: 'draft' }> => x.type === 'draft')
      const applicant = draftStep ? await resolveApplicant(draftStep.applicantId, meta.actor) : undefined
      const resolved: (Terms | undefined)[] = []
      for (const x of steps) resolved.push('terms' in x ? await resolveTerms(x.terms) : undefined)
      const lastTerms = [...resolved].reverse().find((x) => x !== undefined)
      const commands = (caseNumber: string | undefined): ReportCommand[] => steps.map((x, i): ReportCommand => {
        const terms = resolved[i]!
        switch (x.type) {
          case 'draft': return { type: 'DraftReport', data: { caseId, applicant: applicant!, terms, ...(x.attachments?.length ? { attachments: x.attachments } : {}), ...(x.copiedFrom ? { copiedFrom: x.copiedFrom } : {}), ...(x.onBehalfOf ? { onBehalfOf: x.onBehalfOf } : {}) } }
          case 'edit': return { type: 'EditDraft', data: { terms } }
          case 'attach': return { type: 'AddAttachment', data: { attachment: x.attachment } }
          case 'detach': return { type: 'RemoveAttachment', data: { hash: x.hash } }
          case 'submit': return { type: 'SubmitReport', data: caseNumber ? { caseNumber } : {} }
          case 'resubmit': return { type: 'ResubmitReport', data: { terms } }
          case 'change': return { type: 'RequestChange', data: { terms, reason: x.reason } }
        }
      })
      const now = clock().toISOString()
      // the context is computed once per attempt (the handler re-reads and re-decides on a concurrency conflict)
      const contexts = new WeakMap<object, DecideContext>()
      const ctxOf = async (s: ReportState) => {
        let c = contexts.get(s)
        if (!c) contexts.set(s, (c = await contextFor(s, meta.actor, now, lastTerms, applicant)))
        return c
      }
      const r = await sequenceHandler.handle({
        stream: reportStream(caseId),
        command: async (s) => {
          const needsNumber = steps.some((x) => x.type === 'submit') && !(s.exists && s.caseNumber)
          if (!needsNumber) return { type: 'Sequence', steps: commands(undefined) }
          // dry run: a refusal (conflict, quota, status) throws here, before a serial number is spent
          decideSequence(commands(DRY_RUN_CASE_NUMBER), s, await ctxOf(s))
          // a number from the caller's reserved block (bulk filing) or allocated now; taken only when really needed
          return { type: 'Sequence', steps: commands(options.caseNumber ? await options.caseNumber(now) : await deps.numbers.caseNumber(now, meta)) }
        },
        ctx: (s) => ctxOf(s),
        meta: metaOf(meta, now),
        // a sequence that starts with the draft opens its case: the stream is not read first (the append proves it
        // new). Not with numbers from a reserved block (bulk filing): a row filed before a restart would take one
        // in its dry run before the append found it filed, a gap; the allocator's own numbers are the command's
        probablyNew: steps[0]!.type === 'draft' && !options.caseNumber,
      })
      return outcome(caseId, r)
    },

    approve(caseId, input, meta) {
      return run(caseId, meta, async (s, now) => {
        const c = requireCase(s)
        const note = input.note ? { note: input.note } : {}
        // dry run: a refusal (not this reviewer's county, nothing under review) throws here, before a number is spent
        decide({ type: 'ApproveReport', data: { approvalNumber: DRY_RUN_APPROVAL_NUMBER, ...note } }, c, { actor: meta.actor, now })
        // the number comes from the sequence of the county that decides this application (a change: its new county)
        const approvalNumber = await deps.numbers.approvalNumber(decisionRouting(c).reviewCounty, now, meta)
        return { type: 'ApproveReport', data: { approvalNumber, ...note } }
      })
    },

    reject(caseId, input, meta) {
      return run(caseId, meta, () => ({ type: 'RejectReport', data: { reason: input.reason } }))
    },

    return(caseId, input, meta) {
      return run(caseId, meta, () => ({ type: 'ReturnReport', data: { reason: input.reason, fieldsToFix: input.fieldsToFix } }))
    },

    async resubmit(caseId, termsInput, meta) {
      const terms = await resolveTerms(termsInput)
      return run(caseId, meta, () => ({ type: 'ResubmitReport', data: { terms } }), (s, now) => contextFor(s, meta.actor, now, terms))
    },

    async requestChange(caseId, input, meta) {
      const terms = await resolveTerms(input.terms)
      return run(
        caseId,
        meta,
        () => ({ type: 'RequestChange', data: { terms, reason: input.reason } }),
        (s, now) => contextFor(s, meta.actor, now, terms),
      )
    },

    requestCancellation(caseId, input, meta) {
      return run(caseId, meta, () => ({ type: 'RequestCancellation', data: { effectiveDate: input.effectiveDate, reason: input.reason } }))
    },

    withdraw(caseId, input, meta) {
      return run(caseId, meta, () => ({ type: 'WithdrawReport', data: input.reason ? { reason: input.reason } : {} }))
    },

    addAttachment(caseId, attachment, meta) {
      return run(caseId, meta, () => ({ type: 'AddAttachment', data: { attachment } }))
    },

    removeAttachment(caseId, hash, meta) {
      return run(caseId, meta, () => ({ type: 'RemoveAttachment', data: { hash } }))
    },

    async copy(fromCaseId, input, meta) {
      const from = requireCase(await service.load(fromCaseId))
      const terms = caseFacts(from).listedTerms
      return service.draft(
        {
          ...(input.caseId ? { caseId: input.caseId } : {}),
          applicantId: from.applicant.nationalId,
          terms: {
            supportedCode: terms.supported.code,
            department: terms.department,
            purpose: terms.purpose,
            schedule: terms.schedule,
            ...(terms.note ? { note: terms.note } : {}),
          },
          copiedFrom: fromCaseId,
        },
        meta,
      )
    },

    async checkFiling(input, actor, alongside = []) {
      const applicant = await resolveApplicant(input.applicantId, actor)
      const terms = await resolveTerms(input.terms)
      const state = initialState()
      const ctx = await contextFor(state, actor, clock().toISOString(), terms, applicant)
      // the case itself, if an earlier upload of the same row filed it, is not another report it could conflict with
      ctx.existing = [...(ctx.existing ?? []).filter((r) => r.caseId !== input.caseId), ...alongside]
      const draft: ReportCommand = { type: 'DraftReport', data: { caseId: input.caseId, applicant, terms, ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}) } }
      const events = decideSequence([draft, { type: 'SubmitReport', data: { caseNumber: DRY_RUN_CASE_NUMBER } }], state, ctx)
      const filed = events.reduce<ReportState>((s, e) => evolve(s, e), state)
      return filed.exists ? caseFacts(filed).existing : undefined
    },

    async checkOnCase(caseId, step, actor, commandId, alongside = []) {
      if (!isUuid(caseId)) throw new DomainError('REPORT_NOT_FOUND', { caseId })
      const events = await deps.store.readStream<ReportEvent>(reportStream(caseId))
      const state = events.reduce<ReportState>((s, e) => evolve(s, { type: e.type, data: e.data } as ReportEvent), initialState())
      if (!state.exists) throw new DomainError('REPORT_NOT_FOUND', { caseId })
      if (events.some((e) => e.meta.commandId === commandId)) return { recorded: true, state }
      const terms = step.type === 'change' ? await resolveTerms(step.terms) : undefined
      const ctx = await contextFor(state, actor, clock().toISOString(), terms)
      if (ctx.existing) ctx.existing = [...ctx.existing.filter((r) => !alongside.some((a) => a.caseId === r.caseId)), ...alongside]
      const command: ReportCommand = step.type === 'change'
        ? { type: 'RequestChange', data: { terms: terms!, reason: step.reason } }
        : { type: 'RequestCancellation', data: { effectiveDate: step.effectiveDate, reason: step.reason } }
      const after = decide(command, state, ctx).reduce<ReportState>((s, e) => evolve(s, e), state)
      return { recorded: false, state, ...(after.exists && step.type === 'change' ? { counts: caseFacts(after).existing } : {}) }
    },

    async preview(applicantId, termsInput, actor, caseId) {
      const applicant = await resolveApplicant(applicantId, actor)
      const terms = await resolveTerms(termsInput)
      const state = caseId ? await service.load(caseId) : initialState()
      const now = clock().toISOString()
      const ctx = await contextFor(state, actor, now, terms, applicant)
      // what the decider checks, but reporting every conflict and every quota finding instead of refusing at the
      // first: term/applicant problems still throw their coded error (the form shows it on its field)
      return previewFiling(state, applicant, terms, ctx)
    },
  }
  return service
}

/** Today in Asia/Taipei for a clock. */
export const taipeiToday = (clock: () => Date = () => new Date()): IsoDate => taipeiDate(clock().toISOString())
