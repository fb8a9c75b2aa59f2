// POST-redirect-GET for full-page forms: a form sent with errors is answered 303 to its own page, which shows the
// values typed and the errors at their fields; the values ride in the session (one flash per session, 30 minutes),
// named in the page's address (?form=token), so a reload shows them again, Back never meets the browser's resubmit
// page, and an old address shows a fresh form. The same flash gives a kept form back after logging in again
// (http/kept-forms.ts). htmx requests keep their swaps and the JSON API its 4xx codes: this is for pages only.
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FormFlash } from './session-store.js'
import { formFields, type FormFields } from './kept-forms.js'
import type { RawForm } from './forms/form-values.js'

export const FLASH_TTL_MS = 30 * 60 * 1000
/** The query parameter naming a flash. */
export const FLASH_PARAM = 'form'

export interface FlashContent {
  fields: FormFields
  errors?: Record<string, string>
  formError?: string
  /** A one-click action refused (nothing typed to keep): the message shown as a notice on the page it was on. */
  notice?: string
  kept?: boolean
  /** What an accepted POST did, shown by the page it redirects to (e.g. 批次審核結果). */
  result?: unknown
}

/** `path` with the flash's token added to its query. */
export const withFlash = (path: string, token: string) => `${path}${path.includes('?') ? '&' : '?'}${FLASH_PARAM}=${token}`

/** Puts a flash for `path` into the session (replacing any other); answers its token. */
export async function putFlash(request: FastifyRequest, path: string, content: FlashContent): Promise<string | undefined> {
  const s = request.session
  if (!s) return undefined
  const token = randomBytes(12).toString('base64url')
  s.flash = { token, path, ...content, expiresAt: request.server.services.clock().getTime() + FLASH_TTL_MS }
  if (!(await request.server.sessions.store.update(s))) return undefined
  return token
}

/**
 * Answers a full-page form that was refused: 303 to the form's page (GET) carrying the values typed (text fields of
 * `body`, overridden by `values`) and the errors. Without a session to carry them (cannot happen behind a guard) the
 * page is simply shown fresh.
 */
export async function redirectWithErrors(request: FastifyRequest, reply: FastifyReply, path: string, body: RawForm | undefined, errors: Record<string, string>, formError?: string, values: FormFields = {}): Promise<FastifyReply> {
  const fields = { ...(formFields(body) ?? {}), ...values }
  const token = await putFlash(request, path, { fields, errors, ...(formError ? { formError } : {}) })
  return reply.redirect(token ? withFlash(path, token) : path, 303)
}

/**
 * Answers a page action that was refused (送出, 撤回, 複製, a decision on a case already decided, an upload that must
 * be chosen again): 303 to the page the action was on, which shows `message` as a notice (a flash, as for forms).
 * `fields` are text values typed to show again (never a password or a file).
 */
export async function redirectWithNotice(request: FastifyRequest, reply: FastifyReply, path: string, message: string, fields: FormFields = {}): Promise<FastifyReply> {
  const token = await putFlash(request, path, { fields, notice: message })
  return reply.redirect(token ? withFlash(path, token) : path, 303)
}

/**
 * Answers an accepted POST whose outcome is a page of its own (批次審核結果): 303 to `path`, which reads `result`
 * from the flash, so a reload shows the same outcome and decides nothing again.
 */
export async function redirectWithResult(request: FastifyRequest, reply: FastifyReply, path: string, result: unknown): Promise<FastifyReply> {
  const token = await putFlash(request, path, { fields: {}, result })
  return reply.redirect(token ? withFlash(path, token) : path, 303)
}

/** The flash this page's address names, when it is this session's, for this page, and not expired. */
export function flashFor(request: FastifyRequest, path: string): FormFlash | undefined {
  const f = request.session?.flash
  const token = (request.query as Record<string, unknown> | undefined)?.[FLASH_PARAM]
  if (!f || typeof token !== 'string' || f.token !== token || f.path !== path) return undefined
  if (f.expiresAt < request.server.services.clock().getTime()) return undefined
  return f
}

/** The page's path without its query (the key a flash is stored under). */
export const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!

/** The notice of a refused action this page's address names (shown by both layouts). */
export const noticeFor = (request: FastifyRequest): string | undefined => (request.method === 'GET' ? flashFor(request, pathOf(request))?.notice : undefined)
