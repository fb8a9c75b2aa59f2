// Shared pieces of the back-office routes: the staff guard, the services they need, audit of views, dates.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { recordView } from '../../commands/read-audit.js'
import { parseHHmm } from '../../domain/clock-time.js'
import { taipeiInstant } from '../../domain/roc-date.js'
import type { Actor, IsoDate } from '../../domain/types.js'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { staffScope } from './staff.js'

export const BASE = '/review'
export const staffOnly = requireRole('reviewer', 'statistician')
export const reviewerOnly = requireRole('reviewer')

export const actorOf = (request: FastifyRequest): Actor => userOf(request).actor
export const scopeFor = (request: FastifyRequest) => staffScope(actorOf(request))

export const storeOf = (app: App) => app.services.store
export const readModelsOf = (app: App) => app.services.readModels
/** The lead's application service (commands/case-service.ts), plugged in as services.reports. */
export const reportsOf = (app: App) => app.services.reports

/** Records that staff looked at cases / persons (read audit). */
export async function audit(app: App, request: FastifyRequest, via: string, subjects: { kind: 'case' | 'person'; id: string }[]) {
  const store = storeOf(app)
  await recordView(store, { viewer: actorOf(request), subjects, via, at: app.services.clock().toISOString(), correlationId: String(request.id) })
}

/** A date already read (http/forms/date-field.ts) + HHmm → instant (Asia/Taipei), or undefined when the time is not one. */
export function rocInstantInput(iso: IsoDate, time: string | undefined): string | undefined {
  const t = parseHHmm((time ?? '').trim() || '2359', false)
  if (!t) return undefined
  // the whole chosen minute counts
  return new Date(Date.parse(taipeiInstant(iso, t)) + 59_999).toISOString()
}

export const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => x !== '')

/** Renders a back-office page (its own layout), with the bureau of the logged-in staff for the header (from the
 * counties in force: versioned data). */
export async function boPage(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) {
  const a = userOf(request).actor
  const counties = a.county ? (await request.server.services.rules.referenceAt(request.server.services.clock().toISOString())).counties : []
  const bureauLabel = a.role === 'statistician' ? '衛生福利部（全國・唯讀）' : a.county ? counties.find((c) => c.code === a.county)?.bureau ?? a.county : ''
  return reply.page(template, { ...data, bureauLabel })
}
