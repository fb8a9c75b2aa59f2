// 登錄 / 編輯草稿 / 修正後重送 / 變更 (one form), 註銷, 撤回, 複製 — for professionals (own cases) and institutions
// (own staff). Every form: checked per field in zh-TW, CSRF, nothing half-saved, the form's commandId makes a
// double submit file once.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { App } from '../schemas.js'
import { CaseIdParams } from '../schemas.js'
import { findInstitution } from '../../commands/registry/registry.js'
import { ATTACHMENT_MAX_BYTES, sniffAttachmentType } from '../../commands/attachments/content-type.js'
import type { ReportCommandMeta, ReportOutcome, Step, TermsInput } from '../../commands/case-service.js'
import { isDomainError } from '../../domain/errors.js'
import { isoToRoc, lastDayOf, taipeiDate } from '../../domain/roc-date.js'
import type { Attachment, Terms } from '../../domain/types.js'
import type { ReviewerDecision } from '../../domain/report/case-facts.js'
import { referenceNamer } from '../../domain/reference/lists.js'
import { requireRole, userOf } from '../session.js'
import { idLookupLimit } from '../id-lookup-limit.js'
import { chargeUpload, uploadOwnerOf } from '../attachment-quota.js'
import { files, str, type FieldErrors, type RawForm, type UploadedFile } from '../forms/form-values.js'
import { checkReportForm, emptyReportForm, formFromTerms, readReportForm, type ReportFormInput, type ReportFormValues } from '../forms/report-form.js'
import { fieldOfError } from '../forms/error-fields.js'
import { checkCancelForm } from '../forms/cancel-form.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { explain } from '../errors.js'
import { flashFor, pathOf, redirectWithErrors } from '../form-flash.js'
import type { FormFlash } from '../session-store.js'
import { loadOwnCase } from '../own-case.js'
import { assertAction, type FrontAction } from '../actions.js'
import { randomUUID } from 'node:crypto'
import type { CaseView } from '../../projections/case-view.js'

const guard = requireRole('professional', 'institution')
type Mode = 'new' | 'edit' | 'resubmit' | 'change'
const MODE: Record<Mode, { title: string; submitLabel: string; allowDraft: boolean; needsReason: boolean }> = {
  new: { title: '登錄報備支援', submitLabel: '送出申請', allowDraft: true, needsReason: false },
  edit: { title: '編輯草稿', submitLabel: '送出申請', allowDraft: true, needsReason: false },
  resubmit: { title: '修正後重送', submitLabel: '重新送審', allowDraft: false, needsReason: false },
  change: { title: '變更報備支援', submitLabel: '送出變更申請', allowDraft: false, needsReason: true },
}

/** 支援科別 and 支援目的 in force now (versioned data: an administrator's new entry is offered from its date). */
const referenceNow = (request: FastifyRequest) => request.server.services.rules.referenceAt(request.server.services.clock().toISOString())

/** What a form about an existing case shows beside the fields: the reviewer's decision (修正後重送: the fields to fix
 * highlighted) and the approved terms (變更: what stands now next to what is being changed). */
interface FormContext { caseId?: string; decision?: ReviewerDecision; approved?: Terms }

/** The form's page: fresh `values`, or what a refused or kept form carried back (http/form-flash.ts). */
async function renderForm(reply: FastifyReply, request: FastifyRequest, mode: Mode, action: string, fresh: ReportFormValues, context: FormContext = {}) {
  const role = userOf(request).actor.role
  const m = MODE[mode]
  const reference = await referenceNow(request)
  const { departments, purposes } = reference
  const names = referenceNamer(reference)
  const flash: FormFlash | undefined = flashFor(request, pathOf(request))
  const values = flash ? readReportForm(flash.fields) : fresh
  const errors = flash?.errors ?? {}
  const formError = flash?.formError
  return reply.page('pages/report-form.eta', {
    title: m.title, submitLabel: m.submitLabel, allowDraft: m.allowDraft, needsReason: m.needsReason, action, values, errors, formError, kept: flash?.kept ?? false,
    ex: dateExamples(reply.server.services.clock()),
    caseId: context.caseId, decision: context.decision, toFix: new Set(context.decision?.fieldsToFix ?? []), approved: context.approved, departmentName: names.department, purposeName: names.purpose,
    needsApplicant: role === 'institution' && mode === 'new', departments, purposes,
  })
}

/** Placeholders and examples in the current ROC year (next month, so the example is a date one may file for). */
function dateExamples(now: Date) {
  const next = taipeiDate(new Date(now.getTime() + 31 * 86400_000).toISOString()).slice(0, 7)
  const roc = isoToRoc(`${next}-01`)
  return { first: roc, last: isoToRoc(lastDayOf(next)), day: isoToRoc(`${next}-05`), slashed: `${roc.slice(0, 3)}/${roc.slice(3, 5)}/05`, western: `${next.replace('-', '/')}/05` }
}

/** Checks attachments by content (magic bytes) and size. */
export function checkAttachments(list: UploadedFile[]): FieldErrors {
  for (const f of list) {
    if (f.content.length > ATTACHMENT_MAX_BYTES) return { attachments: `「${f.filename}」超過 10 MB` }
    if (!sniffAttachmentType(f.content)) return { attachments: `「${f.filename}」不是 PDF、JPG 或 PNG 檔案（依檔案內容判斷）` }
  }
  return {}
}

const termsOf = (i: ReportFormInput): TermsInput => ({
  supportedCode: i.supportedCode, department: i.department, purpose: i.purpose, schedule: i.schedule, ...(i.note ? { note: i.note } : {}),
})

/** The 註銷 form's values from its fields (a date typed in any accepted way shown as ROC yyyMMdd). */
function cancelValues(body: RawForm) {
  return { commandId: str(body, 'commandId'), ...checkCancelForm({ effectiveDate: str(body, 'effectiveDate'), reason: str(body, 'reason') }).values }
}

const formContext = (mode: Mode, view: CaseView): FormContext => ({
  caseId: view.caseId,
  ...(mode === 'resubmit' && view.facts.decision ? { decision: view.facts.decision } : {}),
  ...(mode === 'change' && view.approved ? { approved: view.approved.terms } : {}),
})

export async function registerFilingPages(app: App) {
  const metaOf = (request: FastifyRequest, commandId: string): ReportCommandMeta => ({ commandId, actor: userOf(request).actor, correlationId: String(request.id) })
  const settle = async (o: ReportOutcome) => { await app.services.waitFor(o.position) }

  /** Parses + checks the form; runs `run` only when everything is valid; otherwise 303 back to the form's page
   * (`page`), which shows the values typed and the errors (POST-redirect-GET). */
  async function handleForm(request: FastifyRequest, reply: FastifyReply, mode: Mode, page: string, run: (input: ReportFormInput, attachments: Attachment[]) => Promise<string>) {
    const user = userOf(request)
    const body = request.body as RawForm
    const intent = MODE[mode].allowDraft && str(body, 'intent') === 'draft' ? 'draft' : 'submit'
    const values = readReportForm(body)
    const { input, errors } = checkReportForm(values, { needsApplicant: user.actor.role === 'institution' && mode === 'new', needsReason: MODE[mode].needsReason, intent, reference: await referenceNow(request) })
    const uploads = await files(body, 'attachments')
    Object.assign(errors, checkAttachments(uploads))
    // a change request carries no attachments in the domain (attachments belong to drafts and returned filings)
    if (mode === 'change' && uploads.length) errors.attachments = '變更申請不可附加檔案；如需補附件，請於案件退回補正時上傳'
    if (values.supportedCode && !errors.supportedCode) {
      const inst = await findInstitution(app.services.db, values.supportedCode)
      if (!inst) errors.supportedCode = '查無此醫事機構代碼'
      else values.supportedName = inst.name
    }
    // the values as read (bounded by readReportForm: one past each cap), not the raw body, ride to the page
    const back = (errs: FieldErrors, formError?: string) => redirectWithErrors(request, reply, page, undefined, errs, formError, { ...values })
    if (!input || Object.keys(errors).length) return back(errors)
    try {
      const blobs = app.services.blobs
      const attachments: Attachment[] = []
      const bytes = uploads.reduce((n, f) => n + f.content.length, 0)
      if (bytes) await chargeUpload(app.services.db, uploadOwnerOf(user.actor), bytes, app.services.clock())
      for (const f of uploads) attachments.push(await blobs.put(f.filename, f.content))
      const target = await run(input, attachments)
      return reply.redirect(target, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      const field = fieldOfError(e)
      return field ? back({ [field]: explain(e) }) : back({}, explain(e))
    }
  }

  // ---- 登錄 ----
  app.get('/reports/new', { onRequest: guard }, async (request, reply) => renderForm(reply, request, 'new', '/reports', emptyReportForm()))

  app.post('/reports', { onRequest: guard, preHandler: idLookupLimit(app.services), config: { keepForm: '/reports/new' } }, async (request, reply) =>
    handleForm(request, reply, 'new', '/reports/new', async (input, attachments) => {
      const user = userOf(request)
      const reports = app.services.reports
      const applicantId = user.actor.role === 'institution' ? input.applicantId! : user.actor.id
      const caseId = caseIdFor(input.commandId)
      const args = { caseId, applicantId, terms: termsOf(input), attachments }
      const o = input.intent === 'draft' ? await reports.draft(args, metaOf(request, input.commandId)) : await reports.file(args, metaOf(request, input.commandId))
      await settle(o)
      return `/reports/${o.caseId}?done=${input.intent}`
    }))

  // ---- edit a draft / resubmit a returned application / change an approved one ----
  /** The case page a refused action on the case goes back to (config.refusedTo): the form's own refusals come back
   * to the form; a case no longer in a state that allows the action (a stale page, a second tab) to the case page. */
  const casePageOf = (postPath: string) => postPath.replace(/\/[a-z]+$/, '')
  const loadAllowed = async (request: FastifyRequest, caseId: string, action: FrontAction) => {
    const c = await loadOwnCase(app, request, caseId)
    assertAction(c.view.state, userOf(request).actor, action)
    return c
  }
  for (const mode of ['edit', 'resubmit', 'change'] as const) {
    app.get(`/reports/:caseId/${mode}`, { onRequest: guard, schema: { params: CaseIdParams } }, async (request, reply) => {
      const { caseId } = request.params as CaseIdParams
      const { view } = await loadAllowed(request, caseId, mode)
      const terms = mode === 'change' ? view.facts.listedTerms : view.pending?.terms ?? view.terms
      return renderForm(reply, request, mode, `/reports/${caseId}/${mode}`, formFromTerms(terms), formContext(mode, view))
    })
    app.post(`/reports/:caseId/${mode}`, { onRequest: guard, schema: { params: CaseIdParams }, config: { keepForm: true, refusedTo: casePageOf } }, async (request, reply) => {
      const { caseId } = request.params as CaseIdParams
      await loadAllowed(request, caseId, mode)
      return handleForm(request, reply, mode, `/reports/${caseId}/${mode}`, async (input, attachments) => {
        const reports = app.services.reports
        const meta = metaOf(request, input.commandId)
        // ONE command per form (CaseService.perform): the edit, the attachments and the submission are decided in
        // order and appended together, all or nothing. A submission refused at submit time (a conflict or the quota
        // found only now, a concurrent change) therefore leaves the draft exactly as it was before the form was sent
        // — no edited terms, no attachments — and the form comes back with the typed values and the reason. Chosen
        // over compensation (undo events after a failure), which would leave the undo in the case history and a window
        // in which others see the half-saved state.
        const attach = attachments.map((a) => ({ type: 'attach' as const, attachment: a }))
        const steps: Step[] = mode === 'edit'
          ? [{ type: 'edit', terms: termsOf(input) }, ...attach, ...(input.intent === 'submit' ? [{ type: 'submit' as const }] : [])]
          : mode === 'resubmit'
            ? [...attach, { type: 'resubmit', terms: termsOf(input) }]
            : [{ type: 'change', terms: termsOf(input), reason: input.reason ?? '' }]
        const o = await reports.perform(caseId, steps, meta)
        await settle(o)
        return `/reports/${caseId}?done=${mode === 'edit' ? input.intent : mode === 'change' ? 'change' : 'submit'}`
      })
    })
  }

  // ---- 註銷 ----
  app.get('/reports/:caseId/cancel', { onRequest: guard, schema: { params: CaseIdParams } }, async (request, reply) => {
    const { caseId } = request.params as CaseIdParams
    const { row } = await loadAllowed(request, caseId, 'cancel')
    const flash = flashFor(request, pathOf(request))
    const values = flash ? cancelValues(flash.fields) : { commandId: randomUUID(), effectiveDate: '', reason: '' }
    return reply.page('pages/cancel-form.eta', { title: '註銷報備支援', row, values, errors: flash?.errors ?? {}, formError: flash?.formError, kept: flash?.kept ?? false, ex: dateExamples(app.services.clock()) })
  })
  app.post('/reports/:caseId/cancel', { onRequest: guard, schema: { params: CaseIdParams }, config: { keepForm: true, refusedTo: casePageOf } }, async (request, reply) => {
    const { caseId } = request.params as CaseIdParams
    await loadAllowed(request, caseId, 'cancel')
    const body = request.body as RawForm
    const checked = checkCancelForm({ effectiveDate: str(body, 'effectiveDate'), reason: str(body, 'reason') })
    const values = { commandId: str(body, 'commandId'), ...checked.values }
    const errors: FieldErrors = { ...checked.errors }
    if (!/^[0-9a-f-]{36}$/i.test(values.commandId)) errors.commandId = '表單識別碼遺失，請重新整理頁面'
    const again = (errs: FieldErrors, formError?: string) => redirectWithErrors(request, reply, `/reports/${caseId}/cancel`, undefined, errs, formError, values)
    if (Object.keys(errors).length) return again(errors)
    try {
      const o = await app.services.reports.requestCancellation(caseId, checked.input!, metaOf(request, values.commandId))
      await settle(o)
      return reply.redirect(`/reports/${caseId}?done=cancel`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      const field = fieldOfError(e)
      return field ? again({ [field]: explain(e) }) : again({}, explain(e))
    }
  })

  // ---- one-click actions: 登錄 (submit a draft), 撤回, 複製 ----
  const OneClick = Type.Object({ commandId: Type.String({ format: 'uuid' }), _csrf: Type.Optional(Type.String()) })
  // refused (the case is no longer in a state that allows it): 303 back to the case page with the message as a notice
  for (const action of ['submit', 'withdraw', 'copy'] as const) {
    app.post(`/reports/:caseId/${action}`, { onRequest: guard, schema: { params: CaseIdParams, body: OneClick }, config: { refusedTo: casePageOf } }, async (request, reply) => {
      const { caseId } = request.params as CaseIdParams
      const { commandId } = request.body as { commandId: string }
      await loadAllowed(request, caseId, action)
      const reports = app.services.reports
      const meta = metaOf(request, commandId)
      const o = action === 'submit' ? await reports.submit(caseId, meta)
        : action === 'withdraw' ? await reports.withdraw(caseId, {}, meta)
          : await reports.copy(caseId, { caseId: caseIdFor(commandId) }, meta)
      await settle(o)
      return reply.redirect(action === 'copy' ? `/reports/${o.caseId}/edit` : `/reports/${caseId}?done=${action}`, 303)
    })
  }
}
