// One case as its owner (a professional, or an institution for its staff) may open it: scoped through the read
// model, terms folded from the log. Shared by the case pages, the filing pages and the JSON API.
import type { FastifyRequest } from 'fastify'
import { DomainError } from '../domain/errors.js'
import { reportStream } from '../domain/events.js'
import { foldCaseView } from '../projections/case-view.js'
import { getCase } from '../projections/queries/cases.js'
import type { App } from './schemas.js'
import { scopeOf } from './scope.js'
import { userOf } from './session.js'

/** One case in the caller's scope, with its full terms folded from the log; 404 when out of scope (never data). */
export async function loadOwnCase(app: App, request: FastifyRequest, caseId: string) {
  const user = userOf(request)
  const rm = app.services.readModels
  const row = await getCase(rm, scopeOf(user), caseId)
  if (!row) throw new DomainError('REPORT_NOT_FOUND')
  const events = await app.services.store.readStream(reportStream(caseId))
  const view = foldCaseView(events)
  if (!view) throw new DomainError('REPORT_NOT_FOUND')
  return { row, view }
}
