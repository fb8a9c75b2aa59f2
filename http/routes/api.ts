// The JSON API beside the pages: same commands and queries, TypeBox schemas, coded errors.
import type { App } from '../schemas.js'
import { ApiCaseCreated, ApiFileReportBody, ApiMe, ErrorReply } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { need } from '../services.js'
import { caseIdFor } from '../wiring.js'
import { DomainError } from '../../domain/errors.js'
import type { Schedule } from '../../domain/types.js'
import { findInstitution } from '../../commands/registry/registry.js'

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 422: ErrorReply, 503: ErrorReply }

export async function registerApiRoutes(app: App) {
  const guard = requireRole('professional', 'institution')

  app.get('/api/me', { preHandler: requireRole('professional', 'institution', 'reviewer', 'statistician', 'operator'), schema: { response: { 200: ApiMe, ...errors } } }, async (request) => {
    const u = userOf(request)
    return { role: u.actor.role, id: u.actor.id, name: u.name, ...(u.actor.institutionCode ? { institutionCode: u.actor.institutionCode } : {}) }
  })

  app.post('/api/reports', { preHandler: guard, schema: { body: ApiFileReportBody, response: { 201: ApiCaseCreated, ...errors } } }, async (request, reply) => {
    const user = userOf(request)
    const b = request.body
    if (user.actor.role === 'institution' && !b.applicantId) throw new DomainError('VALIDATION_FAILED', { fields: [{ field: 'applicantId', message: 'required' }] })
    if (!(await findInstitution(need(app.services.db, 'db'), b.supportedCode.toUpperCase()))) throw new DomainError('INSTITUTION_NOT_FOUND', { code: b.supportedCode })
    const reports = need(app.services.reports, 'reports')
    const applicantId = user.actor.role === 'institution' ? b.applicantId!.toUpperCase() : user.actor.id
    const args = {
      caseId: caseIdFor(b.commandId), applicantId,
      terms: { supportedCode: b.supportedCode.toUpperCase(), department: b.department, purpose: b.purpose, schedule: b.schedule as Schedule, ...(b.note ? { note: b.note } : {}) },
    }
    const meta = { commandId: b.commandId, actor: user.actor, correlationId: String(request.id) }
    const o = b.submit === false ? await reports.draft(args, meta) : await reports.file(args, meta)
    await app.services.waitFor?.(o.position)
    return reply.code(201).send({ caseId: o.caseId })
  })
}
