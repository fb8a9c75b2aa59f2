import type { App } from './schemas.js'
// ONE error handler: DomainError codes → HTTP status + JSON {code, message} on /api, a zh-TW page (or an htmx
// fragment) elsewhere. Validation errors become VALIDATION_FAILED with the failing fields. Never a stack trace.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, errorMessage, isDomainError } from '../domain/errors.js'

export const isApi = (request: FastifyRequest) => request.url.startsWith('/api/') || request.url === '/api'
export const isHtmx = (request: FastifyRequest) => request.headers['hx-request'] === 'true'

/** Normalises anything thrown into a DomainError (unknown errors become INTERNAL). */
export function toDomainError(error: unknown): DomainError {
  if (isDomainError(error)) return error
  const e = error as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[] }
  if (e && Array.isArray(e.validation)) {
    const fields = e.validation.map((v) => ({
      field: (v.instancePath || `/${String(v.params?.missingProperty ?? '')}`).replace(/^\//, ''),
      message: v.message ?? '',
    }))
    return new DomainError('VALIDATION_FAILED', { context: e.validationContext, fields })
  }
  if (e && e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new DomainError('ATTACHMENT_TOO_LARGE')
  if (e && (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT')) return new DomainError('ATTACHMENT_TOO_LARGE')
  if (e && (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')) {
    return new DomainError('VALIDATION_FAILED', { reason: e.code })
  }
  if (e && typeof e.statusCode === 'number' && e.statusCode === 404) return new DomainError('REPORT_NOT_FOUND')
  return new DomainError('INTERNAL')
}

/** The zh-TW message with the numbers or the clashing case a user needs: the catalogue's, with the error's arguments. */
export const explain = (e: DomainError): string => errorMessage(e.code, e.args)

/** Details safe to show: only the ones a DomainError was built with (never an exception's internals). */
const publicDetails = (e: DomainError) => (Object.keys(e.details).length ? e.details : undefined)

export async function sendError(request: FastifyRequest, reply: FastifyReply, err: DomainError) {
  const status = err.status
  const correlationId = String(request.id)
  if (isApi(request)) {
    return reply.code(status).type('application/json; charset=utf-8').send({ code: err.code, message: explain(err), details: publicDetails(err), correlationId })
  }
  if (isHtmx(request)) {
    // htmx does not swap 4xx/5xx by default: answer 200 with a retarget into the page's alert area.
    reply.header('HX-Retarget', '#alerts').header('HX-Reswap', 'innerHTML')
    return reply.code(200).viewAsync('partials/alert.eta', { kind: 'error', message: explain(err), code: err.code, correlationId })
  }
  const loginLink = err.code === 'UNAUTHENTICATED' || err.code === 'SESSION_EXPIRED'
  return reply
    .code(status)
    .viewAsync('pages/error.eta', { title: '錯誤', message: explain(err), code: err.code, correlationId, loginLink, user: request.session?.user, csrf: request.session?.csrf })
}

export function installErrorHandling(app: App) {
  app.setErrorHandler(async (error, request, reply) => {
    const err = toDomainError(error)
    if (err.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error')
    else request.log.info({ code: err.code, status: err.status }, 'refused')
    return sendError(request, reply, err)
  })
  app.setNotFoundHandler(async (request, reply) => {
    if (isApi(request)) return reply.code(404).send({ code: 'NOT_FOUND', message: '查無此頁面', correlationId: String(request.id) })
    return reply.code(404).viewAsync('pages/error.eta', {
      title: '查無此頁面', message: '查無此頁面', code: 'NOT_FOUND', correlationId: String(request.id), loginLink: false,
      user: request.session?.user, csrf: request.session?.csrf,
    })
  })
}

