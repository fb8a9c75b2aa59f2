// The JSON API beside the pages (DESIGN.md §4): the same commands and queries, TypeBox schemas (http/schemas.ts),
// coded errors ({code, message, details, correlationId}; one error handler, http/errors.ts).
// Authorization is the pages': every route needs a session of the right role; a case outside the caller's scope is
// 404 (never data); the decider refuses what the caller may not do on a case it can see (a supported institution
// reads a case but cannot change it: NOT_OWN_STAFF). State-changing calls carry the session's CSRF token in the
// `x-csrf-token` header and a client-supplied `commandId`: the same commandId again returns the first result
// (`duplicate: true`) and records nothing.
import type { FastifyRequest } from 'fastify'
import type { App } from '../schemas.js'
import {
  ApiAttachBody, ApiAttachment, ApiCancelBody, ApiCaseCreated, ApiCaseDetail, ApiCaseList, ApiCaseListQuery, ApiChangeBody,
  ApiCommandBody, ApiCommandResult, ApiDashboard, ApiDraftBody, ApiEditBody, ApiFileReportBody, ApiMe, ApiPreview, ApiPreviewBody,
  ApiQuota, ApiResubmitBody, ApiRoster, ApiRosterParams, ApiRosterQuery, ApiWithdrawBody, CaseIdParams, ErrorReply, QuotaPeriodQuery,
  type ApiAttachmentRef, type ApiCaseListQuery as ListQ, type ApiTerms,
} from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { idLookupLimit } from '../id-lookup-limit.js'
import { chargeUpload, uploadOwnerOf } from '../attachment-quota.js'
import { scopeOf } from '../scope.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { allowedActions, type FrontAction } from '../actions.js'
import { gateStates } from '../../projections/queries/case-states.js'
import { maskId } from '../present.js'
import { sessionText } from '../../domain/schedule-text.js'
import { loadOwnCase } from '../own-case.js'
import { codeOf, quotaUsage } from '../quota-usage.js'
import { files, type RawForm } from '../forms/form-values.js'
import { DomainError } from '../../domain/errors.js'
import type { Attachment, Schedule, Status, Terms } from '../../domain/types.js'
import { sniffAttachmentType } from '../../commands/attachments/content-type.js'
import type { ReportOutcome, Step, TermsInput } from '../../commands/case-service.js'
import { getCase, searchCases, type CaseFilter, type CaseRow } from '../../projections/queries/cases.js'
import { dashboardCounts, othersSupportingUs, ourStaffSupportingOthers, validSupportRoster } from '../../projections/queries/institutions.js'
import { taipeiDate } from '../../domain/roc-date.js'

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 413: ErrorReply, 415: ErrorReply, 422: ErrorReply, 429: ErrorReply, 503: ErrorReply }

const termsInput = (t: ApiTerms): TermsInput => ({
  supportedCode: t.supportedCode.toUpperCase(), department: t.department, purpose: t.purpose, schedule: t.schedule as Schedule, ...(t.note ? { note: t.note } : {}),
})

const summary = (r: CaseRow, actions: FrontAction[]) => ({
  caseId: r.caseId, caseNumber: r.caseNumber, status: r.status, applicationType: r.applicationType,
  applicant: { nationalIdMasked: maskId(r.nationalId), name: r.applicantName, profession: r.profession },
  homeCode: r.homeCode, homeName: r.homeName, supportedCode: r.supportedCode, supportedName: r.supportedName,
  department: r.department, purpose: r.purpose, scheduleFrom: r.scheduleFrom, scheduleTo: r.scheduleTo,
  submittedAt: r.submittedAt, approvedAt: r.approvedAt, approvalNumber: r.approvalNumber, updatedAt: r.updatedAt,
  actions,
})

const termsOut = (t: Terms) => ({
  supported: { code: t.supported.code, name: t.supported.name, county: t.supported.county }, department: t.department, purpose: t.purpose, schedule: t.schedule, ...(t.note ? { note: t.note } : {}),
})

const result = (o: ReportOutcome) => ({
  caseId: o.caseId, status: o.state.exists ? o.state.status : 'unknown', ...(o.state.exists && o.state.caseNumber ? { caseNumber: o.state.caseNumber } : {}),
  events: o.events.map((e) => e.type), duplicate: o.duplicate,
})

export async function registerApiRoutes(app: App) {
  const guard = requireRole('professional', 'institution')
  const institutionOnly = requireRole('institution')
  const meta = (request: FastifyRequest, commandId: string) => ({ commandId, actor: userOf(request).actor, correlationId: String(request.id) })
  const reports = () => app.services.reports
  const settle = async (o: ReportOutcome) => { await app.services.waitFor(o.position) }
  /** Attachments named by hash: the content must be in the blob store; type and size come from the content. */
  const resolveAttachments = async (refs: ApiAttachmentRef[] | undefined): Promise<Attachment[]> => {
    const blobs = app.services.blobs
    const out: Attachment[] = []
    for (const r of refs ?? []) {
      const content = await blobs.get(r.hash)
      if (!content) throw new DomainError('ATTACHMENT_NOT_FOUND', { hash: r.hash })
      out.push(await blobs.put(r.name, content))
    }
    return out
  }
  /** The case must be in the caller's scope (404 otherwise); the decider decides the rest. */
  const inScope = async (request: FastifyRequest, caseId: string) => {
    const row = await getCase(app.services.readModels, scopeOf(userOf(request)), caseId)
    if (!row) throw new DomainError('REPORT_NOT_FOUND')
    return row
  }

  app.get('/api/me', { onRequest: requireRole('professional', 'institution', 'reviewer', 'statistician', 'operator'), schema: { response: { 200: ApiMe, ...errors } } }, async (request) => {
    const u = userOf(request)
    return { role: u.actor.role, id: u.actor.id, name: u.name, ...(u.actor.institutionCode ? { institutionCode: u.actor.institutionCode } : {}) }
  })

  // ---- queries: own cases ----
  app.get('/api/cases', { onRequest: guard, schema: { querystring: ApiCaseListQuery, response: { 200: ApiCaseList, ...errors } } }, async (request) => {
    const q = request.query as ListQ
    const user = userOf(request)
    const filter: CaseFilter = { ...(q.status ? { status: q.status as Status } : {}) }
    if (q.side && user.actor.role === 'institution') {
      if (q.side === 'home') filter.sourceInstitution = codeOf(request)
      else filter.supportedCode = codeOf(request)
    }
    const rm = app.services.readModels
    const page = await searchCases(rm, scopeOf(user), filter, { page: q.page ?? 1, pageSize: q.pageSize ?? 20, sort: 'updatedAt' })
    const states = await gateStates(rm, page.rows.map((r) => r.caseId))
    return { rows: page.rows.map((r) => summary(r, allowedActions(states.get(r.caseId), user.actor))), total: page.total, page: page.page, pageSize: page.pageSize }
  })

  app.get('/api/cases/:caseId', { onRequest: guard, schema: { params: CaseIdParams, response: { 200: ApiCaseDetail, ...errors } } }, async (request) => {
    const { caseId } = request.params as CaseIdParams
    const { row, view, actions } = await loadOwnCase(app, request, caseId)
    return {
      case: summary(row, actions), terms: termsOut(view.terms), approvedTerms: view.approved ? termsOut(view.approved.terms) : null,
      pending: view.pending ? { applicationType: view.pending.type, terms: view.pending.terms ? termsOut(view.pending.terms) : null, ...(view.pending.reason ? { reason: view.pending.reason } : {}) } : null,
      attachments: view.attachments, version: view.version,
    }
  })

  // ---- commands ----
  const fileOrDraft = async (request: FastifyRequest, b: { commandId: string; applicantId?: string | undefined; submit?: boolean | undefined }, terms: TermsInput, attachments: Attachment[]) => {
    const user = userOf(request)
    if (user.actor.role === 'institution' && !b.applicantId) throw new DomainError('VALIDATION_FAILED', { fields: [{ field: 'applicantId', message: 'required' }] })
    const applicantId = user.actor.role === 'institution' ? b.applicantId!.toUpperCase() : user.actor.id
    const args = { caseId: caseIdFor(b.commandId), applicantId, terms, ...(attachments.length ? { attachments } : {}) }
    const o = b.submit === false ? await reports().draft(args, meta(request, b.commandId)) : await reports().file(args, meta(request, b.commandId))
    await settle(o)
    return o
  }

  /** Kept from the first API: flat body, files (submit) unless submit = false. */
  app.post('/api/reports', { onRequest: guard, preHandler: idLookupLimit(app.services), schema: { body: ApiFileReportBody, response: { 201: ApiCaseCreated, ...errors } } }, async (request, reply) => {
    const b = request.body
    const { commandId: _c, applicantId: _a, submit: _s, ...terms } = b
    const o = await fileOrDraft(request, b, termsInput(terms), [])
    return reply.code(201).send({ caseId: o.caseId })
  })

  /** New case: a draft (submit: false) or filed at once (default) — one command either way. */
  app.post('/api/cases', { onRequest: guard, preHandler: idLookupLimit(app.services), schema: { body: ApiDraftBody, response: { 201: ApiCommandResult, ...errors } } }, async (request, reply) => {
    const b = request.body as typeof ApiDraftBody.static
    const o = await fileOrDraft(request, b, termsInput(b.terms), await resolveAttachments(b.attachments))
    return reply.code(201).send(result(o))
  })

  const post = <B>(path: string, body: import('@sinclair/typebox').TSchema, run: (request: FastifyRequest, caseId: string, b: B) => Promise<ReportOutcome>) =>
    app.post(`/api/cases/:caseId/${path}`, { onRequest: guard, schema: { params: CaseIdParams, body, response: { 200: ApiCommandResult, 201: ApiCommandResult, ...errors } } }, async (request, reply) => {
      const { caseId } = request.params as CaseIdParams
      await inScope(request, caseId)
      const o = await run(request, caseId, request.body as B)
      await settle(o)
      return reply.code(path === 'copy' ? 201 : 200).send(result(o))
    })

  // edit a draft; with attachments and submit: true it is ONE command (all or nothing), as on the form
  post<typeof ApiEditBody.static>('edit', ApiEditBody, async (request, caseId, b) => {
    const attach = (await resolveAttachments(b.attachments)).map((a): Step => ({ type: 'attach', attachment: a }))
    return reports().perform(caseId, [{ type: 'edit', terms: termsInput(b.terms) }, ...attach, ...(b.submit ? [{ type: 'submit' as const }] : [])], meta(request, b.commandId))
  })
  post<typeof ApiCommandBody.static>('submit', ApiCommandBody, (request, caseId, b) => reports().submit(caseId, meta(request, b.commandId)))
  post<typeof ApiResubmitBody.static>('resubmit', ApiResubmitBody, async (request, caseId, b) => {
    const attach = (await resolveAttachments(b.attachments)).map((a): Step => ({ type: 'attach', attachment: a }))
    return reports().perform(caseId, [...attach, { type: 'resubmit', terms: termsInput(b.terms) }], meta(request, b.commandId))
  })
  post<typeof ApiWithdrawBody.static>('withdraw', ApiWithdrawBody, (request, caseId, b) => reports().withdraw(caseId, b.reason ? { reason: b.reason } : {}, meta(request, b.commandId)))
  post<typeof ApiChangeBody.static>('change', ApiChangeBody, (request, caseId, b) => reports().requestChange(caseId, { terms: termsInput(b.terms), reason: b.reason }, meta(request, b.commandId)))
  post<typeof ApiCancelBody.static>('cancel', ApiCancelBody, (request, caseId, b) => reports().requestCancellation(caseId, { effectiveDate: b.effectiveDate, reason: b.reason }, meta(request, b.commandId)))
  post<typeof ApiCommandBody.static>('copy', ApiCommandBody, (request, caseId, b) => reports().copy(caseId, { caseId: caseIdFor(b.commandId) }, meta(request, b.commandId)))
  post<typeof ApiAttachBody.static>('attachments', ApiAttachBody, async (request, caseId, b) =>
    reports().perform(caseId, (await resolveAttachments(b.attachments)).map((a): Step => ({ type: 'attach', attachment: a })), meta(request, b.commandId)))

  /** Upload attachment content (multipart, field `file`): stored by hash; nothing is recorded on a case yet. */
  app.post('/api/attachments', { onRequest: guard, schema: { response: { 201: ApiAttachment, ...errors } } }, async (request, reply) => {
    const [f] = await files(request.body as RawForm, 'file')
    if (!f) throw new DomainError('VALIDATION_FAILED', { fields: [{ field: 'file', message: 'required' }] })
    if (!sniffAttachmentType(f.content)) throw new DomainError('ATTACHMENT_TYPE', { name: f.filename })
    await chargeUpload(app.services.db, uploadOwnerOf(userOf(request).actor), f.content.length, app.services.clock())
    return reply.code(201).send(await app.services.blobs.put(f.filename, f.content))
  })

  // ---- preview: the conflicts and quota proposed terms would meet now (records nothing) ----
  app.post('/api/preview', { onRequest: guard, preHandler: idLookupLimit(app.services), schema: { body: ApiPreviewBody, response: { 200: ApiPreview, ...errors } } }, async (request) => {
    const b = request.body as typeof ApiPreviewBody.static
    const user = userOf(request)
    if (user.actor.role === 'institution' && !b.applicantId) throw new DomainError('VALIDATION_FAILED', { fields: [{ field: 'applicantId', message: 'required' }] })
    const applicantId = user.actor.role === 'institution' ? b.applicantId!.toUpperCase() : user.actor.id
    if (user.actor.role === 'institution') {
      const { findProfessional } = await import('../../commands/registry/registry.js')
      const p = await findProfessional(app.services.db, applicantId)
      // registered elsewhere or not at all: the same answer
      if (!p || p.homeInstitutionCode !== codeOf(request)) throw new DomainError('NOT_OWN_STAFF')
    }
    if (b.caseId) await inScope(request, b.caseId)
    const f = await reports().preview(applicantId, termsInput(b.terms), user.actor, b.caseId)
    const conflicts = f.conflicts.map((c) => ({
      caseId: c.caseId, ...(c.caseNumber ? { caseNumber: c.caseNumber } : {}), status: c.status, date: c.clashesWith.date, start: c.clashesWith.start, end: c.clashesWith.end,
      message: `與案件 ${c.caseNumber ?? c.caseId} 於 ${sessionText(c.clashesWith)} 重疊`,
    }))
    const quota = f.quota.map((q) => ({ ruleId: q.ruleId, label: q.label, period: q.period, unit: q.unit, used: q.used, proposed: q.proposed, limit: q.limit, over: q.over, enforcement: q.enforcement, basis: q.basis }))
    return { ok: conflicts.length === 0 && !quota.some((q) => q.over && q.enforcement === 'block'), conflicts, quota }
  })

  // ---- institution: dashboard counts, rosters ----
  app.get('/api/institution/dashboard', { onRequest: institutionOnly, schema: { response: { 200: ApiDashboard, ...errors } } }, async (request) => {
    const today = taipeiDate(app.services.clock().toISOString())
    const c = await dashboardCounts(app.services.readModels, scopeOf(userOf(request)), codeOf(request), today)
    const links: Record<string, string> = { validSupportPeople: '/api/institution/roster' }
    for (const s of Object.keys(c.asHome)) links[s] = `/api/cases?side=home&status=${s}`
    return { ...c, links }
  })

  app.get('/api/institution/:list', { onRequest: institutionOnly, schema: { params: ApiRosterParams, querystring: ApiRosterQuery, response: { 200: ApiRoster, ...errors } } }, async (request) => {
    const { list } = request.params as typeof ApiRosterParams.static
    const q = request.query as typeof ApiRosterQuery.static
    const rm = app.services.readModels
    const scope = scopeOf(userOf(request))
    const code = codeOf(request)
    const o = { limit: 5000, ...(q.status ? { status: [q.status as Status] } : {}) }
    const rows = list === 'roster' ? await validSupportRoster(rm, scope, code, taipeiDate(app.services.clock().toISOString()), o)
      : list === 'inbound' ? await othersSupportingUs(rm, scope, code, o) : await ourStaffSupportingOthers(rm, scope, code, o)
    const term = q.q?.trim()
    return {
      list,
      rows: rows
        .filter((r) => !term || r.applicantName.includes(term) || r.nationalId === term.toUpperCase() || r.supportedName.includes(term) || r.homeName.includes(term) || (r.caseNumber ?? '').startsWith(term))
        .map(({ nationalId, weekdayMask: _w, ...r }) => ({ ...r, nationalIdMasked: maskId(nationalId) })),
    }
  })

  // ---- quota use for any week and month (a professional: own; an institution: its staff) ----
  app.get('/api/quota', { onRequest: guard, schema: { querystring: QuotaPeriodQuery, response: { 200: ApiQuota, ...errors } } }, async (request) => {
    const u = await quotaUsage(app, request, request.query as QuotaPeriodQuery)
    const use = (x: { approvedSessions: number; pendingSessions: number; approvedHours: number; pendingHours: number } | undefined) =>
      ({ approvedSessions: x?.approvedSessions ?? 0, pendingSessions: x?.pendingSessions ?? 0, approvedHours: x?.approvedHours ?? 0, pendingHours: x?.pendingHours ?? 0 })
    return {
      week: u.week, month: u.month, rulesVersion: u.rulesVersion, total: u.pager.total, page: u.pager.page, pageSize: u.pager.pageSize,
      rows: u.rows.map((r) => ({ nationalIdMasked: maskId(r.person.nationalId), name: r.person.name, profession: r.person.profession, week: use(r.use.week), month: use(r.use.month), caps: r.caps })),
    }
  })
}
