import type { App } from './schemas.js'
// ONE error handler: DomainError codes → HTTP status + JSON {code, message} on /api, a zh-TW page (or an htmx
// fragment) elsewhere. Validation errors become VALIDATION_FAILED with the failing fields. Never a stack trace.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, errorMessage, isDomainError } from '../domain/errors.js'
import { pathOf, redirectWithNotice } from './form-flash.js'

/** Set at logout (30 minutes): a page reached afterwards (Back) sends the person to the login page saying so. */
export const LOGGED_OUT_COOKIE = 'bb_out'
/** Marks this browser as logged out (idle or on purpose) for 30 minutes: see loginPageFor. */
export const markLoggedOut = (reply: FastifyReply, idle: boolean) =>
  reply.setCookie(LOGGED_OUT_COOKIE, idle ? 'idle' : '1', { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 30 * 60 })

/** Where a page that needs a session sends a person who has none: the login page, saying why. */
export function loginPageFor(request: FastifyRequest, err: DomainError): string {
  const marker = (request.cookies as Record<string, string | undefined> | undefined)?.[LOGGED_OUT_COOKIE]
  if (err.code === 'SESSION_EXPIRED' || marker === 'idle') return '/login?expired=1'
  return marker ? '/login?loggedOut=1' : '/login'
}

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
  // a page action refused (wrong state, a case already decided, bad input): back to its page saying why (303, so
  // Back and reload never meet the browser's resubmit page); not found, forbidden and no session stay error pages
  const refusedTo = request.routeOptions?.config?.refusedTo
  if (refusedTo && request.method === 'POST' && request.session && status >= 400 && status < 500 && ![401, 403, 404].includes(status)) {
    return redirectWithNotice(request, reply, typeof refusedTo === 'function' ? refusedTo(pathOf(request)) : refusedTo, err.message || explain(err))
  }
  const loginLink = err.code === 'UNAUTHENTICATED' || err.code === 'SESSION_EXPIRED'
  // a page asked for without a session (Back after 登出, an old bookmark) goes on to the login page by itself; the
  // status stays 401 and the page keeps its 登入 link for browsers that do not follow the refresh
  const loginUrl = loginLink && request.method === 'GET' ? loginPageFor(request, err) : undefined
  return reply
    .code(status)
    .viewAsync('pages/error.eta', {
      title: loginLink ? '請先登入' : status === 404 ? '查無資料' : status === 403 ? '無權限' : '無法完成',
      message: explain(err), code: err.code, correlationId, loginLink, loginUrl,
      next: nextStep(request, err),
      user: request.session?.user, csrf: request.session?.csrf,
    })
}

/** The page a person goes back to after an error: their list, or their home page. */
function nextStep(request: FastifyRequest, err: DomainError): { href: string; label: string } {
  const role = request.session?.user.actor.role
  if (!role) return { href: '/login', label: '登入' }
  const staff = role === 'reviewer' || role === 'statistician'
  if (['REPORT_NOT_FOUND', 'ILLEGAL_TRANSITION', 'FORBIDDEN', 'CONCURRENCY_CONFLICT'].includes(err.code) || request.url.startsWith('/reports') || request.url.startsWith('/review/cases')) {
    return staff ? { href: '/review/cases', label: '回到案件查詢' } : { href: '/reports', label: '回到報備支援名單' }
  }
  return staff ? { href: '/review', label: '回到首頁' } : { href: '/', label: '回到首頁' }
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
      title: '查無此頁面', message: '查無此頁面，網址可能有誤或已過期。', code: 'NOT_FOUND', correlationId: String(request.id), loginLink: false,
      next: request.session ? nextStep(request, new DomainError('REPORT_NOT_FOUND')) : { href: '/login', label: '登入' },
      user: request.session?.user, csrf: request.session?.csrf,
    })
  })
}

