// Shared pieces of the administration pages (系統管理): guards, services, page rendering with the admin menu.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../domain/types.js'
import { DomainError } from '../../domain/errors.js'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'

export const ADMIN_BASE = '/review/admin'
/** MOHW administrators and bureau administrators (accounts of their county, the audit of their county). */
export const adminsOnly = requireRole('admin', 'bureau_admin')
/** MOHW administrators only (rules, site pages). */
export const mohwAdminOnly = requireRole('admin')

export const actorOf = (request: FastifyRequest): Actor => userOf(request).actor
export const dbOf = (app: App) => app.services.db
export const storeOf = (app: App) => app.services.store
export const accountsOf = (app: App) => app.services.accounts
export const rulesOf = (app: App) => app.services.rules
export const readModelsOf = (app: App) => app.services.readModels

export const metaOf = (request: FastifyRequest, commandId: string) => ({ commandId, actor: actorOf(request), correlationId: String(request.id) })

/** Renders an administration page in the back office's layout. */
export async function adminPage(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) {
  const a = actorOf(request)
  // the bureau from the counties in force (versioned data)
  const counties = a.county ? (await request.server.services.rules.referenceAt(request.server.services.clock().toISOString())).counties : []
  const bureauLabel = a.role === 'admin' ? '衛生福利部（系統管理）' : a.county ? `${counties.find((c) => c.code === a.county)?.bureau ?? a.county}（系統管理）` : ''
  return reply.page(template, { ...data, bureauLabel })
}

export const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** Read-your-writes after an administration command. */
export async function settle(app: App, position: import('../../commands/event-store/port.js').LogPosition) {
  await app.services.waitFor?.(position)
}

/**
 * The account, if the administrator may see it: a bureau administrator sees only their county's accounts (another
 * county's is "not found", never its data).
 */
export async function visibleAccount(app: App, actor: Actor, accountId: string) {
  const { state, version } = await accountsOf(app).load(accountId)
  if (!state.exists) throw new DomainError('ACCOUNT_NOT_FOUND')
  if (actor.role === 'bureau_admin' && state.profile.county !== actor.county) throw new DomainError('ACCOUNT_NOT_FOUND')
  return { state, version }
}
