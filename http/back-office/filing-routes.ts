// 後台 單筆申請 (seed: 報備支援管理 › 登錄 › 單筆申請): a reviewer files for a professional, or for the professional's
// home institution, of their own county. The domain decides who may (authorizeStaffFiling) and records the filing
// as such: the event's actor is the reviewer, onBehalfOf the party of record. The form is checked by the same
// report-form rules as the front office's.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { findInstitution } from '../../commands/registry/registry.js'
import { isDomainError } from '../../domain/errors.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { isRocDate, rocToIso, WEEKDAY_NAMES } from '../../domain/roc-date.js'
import { dateExamples, understoodText } from '../forms/date-field.js'
import { explain } from '../errors.js'
import { flashFor, redirectWithErrors } from '../form-flash.js'
import { fieldOfError } from '../forms/error-fields.js'
import { str, type FieldErrors, type RawForm } from '../forms/form-values.js'
import { checkReportForm, emptyReportForm, readReportForm, type ReportFormValues } from '../forms/report-form.js'
import type { App } from '../schemas.js'
import { actorOf, BASE, boPage, reportsOf, reviewerOnly } from './context.js'

export type OnBehalfOf = 'professional' | 'institution'
const ON_BEHALF: readonly [OnBehalfOf, string][] = [['professional', '醫事人員本人'], ['institution', '其執業機構']]

/** 支援科別 and 支援目的 in force now (versioned data: an administrator's new entry is offered and accepted from its date). */
const referenceNow = (request: FastifyRequest) => request.server.services.rules.referenceAt(request.server.services.clock().toISOString())

const FILE_PAGE = `${BASE}/file`

/** The form, fresh or with what a refused or kept form carried back (http/form-flash.ts). */
async function renderFiling(request: FastifyRequest, reply: FastifyReply) {
  const { departments, purposes } = await referenceNow(request)
  const flash = flashFor(request, FILE_PAGE)
  const values: ReportFormValues = flash ? { ...readReportForm(flash.fields), scheduleKind: 'weekly' } : emptyReportForm()
  const errors: FieldErrors = flash?.errors ?? {}
  return boPage(request, reply, 'back-office/file.eta', {
    title: '單筆申請（代為申請）', values, onBehalfOf: flash ? str(flash.fields, 'onBehalfOf') : '', errors, formError: flash?.formError, kept: flash?.kept ?? false,
    onBehalfChoices: ON_BEHALF,
    departments, purposes,
    // how each typed date was read (the form keeps a date in ROC yyyMMdd), placeholders in the current ROC year
    understood: Object.fromEntries((['from', 'to'] as const).filter((f) => isRocDate(values[f]) && !errors[f]).map((f) => [f, understoodText(rocToIso(values[f]))])),
    ex: dateExamples(request.server.services.clock()),
    weekdays: ([1, 2, 3, 4, 5, 6, 7] as const).map((d) => [String(d), WEEKDAY_NAMES[d]]),
  })
}

export async function registerFilingRoutes(app: App) {
  app.get(FILE_PAGE, { onRequest: reviewerOnly }, async (request, reply) => renderFiling(request, reply))

  // a refused form answers 303 back to the form, which shows the values and errors (POST-redirect-GET); sent after the
  // session ended, it is kept for the same reviewer (issue #16)
  app.post(FILE_PAGE, { onRequest: reviewerOnly, config: { keepForm: true } }, async (request, reply) => {
    const body = request.body as RawForm
    const values = { ...readReportForm(body), scheduleKind: 'weekly' as const }
    const onBehalfOf = str(body, 'onBehalfOf')
    const { input, errors } = checkReportForm(values, { needsApplicant: true, intent: 'submit', reference: await referenceNow(request) })
    if (onBehalfOf !== 'professional' && onBehalfOf !== 'institution') errors.onBehalfOf = '請選擇代為申請的對象：醫事人員本人或其執業機構'
    if (values.supportedCode && !errors.supportedCode) {
      const inst = await findInstitution(app.services.db, values.supportedCode)
      if (!inst) errors.supportedCode = '查無此醫事機構代碼'
      else values.supportedName = inst.name
    }
    const back = (errs: FieldErrors, formError?: string) => redirectWithErrors(request, reply, FILE_PAGE, undefined, errs, formError, { ...values, onBehalfOf })
    if (!input || Object.keys(errors).length) return back(errors)
    try {
      const o = await reportsOf(app).file(
        {
          caseId: caseIdFor(input.commandId), applicantId: input.applicantId!, onBehalfOf: onBehalfOf as OnBehalfOf,
          terms: { supportedCode: input.supportedCode, department: input.department, purpose: input.purpose, schedule: input.schedule, ...(input.note ? { note: input.note } : {}) },
        },
        { commandId: input.commandId, actor: actorOf(request), correlationId: String(request.id) },
      )
      await app.services.waitFor?.(o.position)
      return reply.redirect(`${BASE}/cases/${o.caseId}?done=filed`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      const field = fieldOfError(e)
      // a refused filing appends nothing: the same form (same commandId) can be corrected and sent again
      return field ? back({ [field]: explain(e) }) : back({}, explain(e))
    }
  })
}
