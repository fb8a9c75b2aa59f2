import type { App } from '../schemas.js'
// htmx helpers of the report form: institution search, live checks of the applicant's ID and the schedule.
import type { FastifyInstance } from 'fastify'
import { findProfessional, searchInstitutions } from '../../commands/registry/registry.js'
import { validatePersonId } from '../../domain/national-id.js'
import { FormBody, InstitutionSearchQuery } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { need } from '../services.js'
import { str } from '../forms/form-values.js'
import { checkReportForm, readReportForm } from '../forms/report-form.js'

export async function registerLookupRoutes(app: App) {
  const guard = requireRole('professional', 'institution')

  app.get('/lookup/institutions', { preHandler: guard, schema: { querystring: InstitutionSearchQuery } }, async (request, reply) => {
    const q = (request.query as InstitutionSearchQuery).q ?? ''
    const rows = q.trim().length >= 2 ? await searchInstitutions(need(app.services.db, 'db'), q, 15) : []
    return reply.type('text/html; charset=utf-8').viewAsync('partials/institution-results.eta', { rows, q })
  })

  app.post('/reports/check/applicant', { preHandler: requireRole('institution'), schema: { body: FormBody } }, async (request, reply) => {
    const id = str(request.body as FormBody, 'applicantId').toUpperCase()
    const user = userOf(request)
    let message = ''
    let ok = false
    if (id.length > 0) {
      const r = validatePersonId(id)
      if (!r.ok) message = r.reason === 'checksum' ? '身分證號檢查碼錯誤' : '身分證號格式不正確（例：A123456789）'
      else {
        const p = await findProfessional(need(app.services.db, 'db'), r.id)
        if (!p) message = '查無此醫事人員執業登記資料'
        else if (p.homeInstitutionCode !== user.actor.institutionCode) message = '此醫事人員不是本機構人員，機構只能為本機構的醫事人員申請'
        else if (p.practiceStatus !== 'active') message = '此醫事人員目前為停業狀態，不可申請報備支援'
        else {
          ok = true
          message = `${p.name}（本機構人員）`
        }
      }
    }
    return reply.type('text/html; charset=utf-8').viewAsync('partials/check-line.eta', { ok, message })
  })

  // Live checks while the form is being filled: formats now; conflicts and quota with numbers when the command side offers a preview.
  app.post('/reports/check', { preHandler: guard, schema: { body: FormBody } }, async (request, reply) => {
    const user = userOf(request)
    const values = readReportForm(request.body as FormBody)
    const { input, errors } = checkReportForm(values, { needsApplicant: user.actor.role === 'institution', intent: 'submit' })
    const touched = values.from || values.sesDate.some(Boolean)
    const formatErrors = touched ? Object.values(errors).filter((m, i, a) => a.indexOf(m) === i) : []
    const reports = app.services.reports
    let applicantId = user.actor.role === 'institution' ? input?.applicantId : user.actor.id
    // an institution previews only its own staff: the preview names the applicant's other cases (numbers, dates,
    // status) and quota use, which belong to the applicant's own institution and never to another
    if (applicantId && user.actor.role === 'institution') {
      const p = await findProfessional(need(app.services.db, 'db'), applicantId)
      if (!p || p.homeInstitutionCode !== (user.actor.institutionCode ?? user.actor.id)) applicantId = undefined
    }
    const preview = input && reports && applicantId
      ? await reports.preview(applicantId, { supportedCode: input.supportedCode, department: input.department, purpose: input.purpose, schedule: input.schedule }, user.actor).catch(() => undefined)
      : undefined
    return reply.type('text/html; charset=utf-8').viewAsync('partials/checks.eta', { formatErrors, preview, touched })
  })
}
