// One case as its owner (a professional, or an institution for its staff) may open it: scoped through the read
// model, its domain state folded from the log, and the actions the domain allows this user now. Shared by the case
// pages, the filing pages and the JSON API.
import type { FastifyRequest } from 'fastify'
import { DomainError } from '../domain/errors.js'
import { reportStream, type ReportEvent } from '../domain/events.js'
import { caseView, foldCase } from '../projections/case-view.js'
import { getCase } from '../projections/queries/cases.js'
import { allowedActions } from './actions.js'
import type { App } from './schemas.js'
import { scopeOf } from './scope.js'
import { userOf } from './session.js'

/** One case in the caller's scope, with its full terms folded from the log; 404 when out of scope (never data). */
export async function loadOwnCase(app: App, request: FastifyRequest, caseId: string) {
  const user = userOf(request)
  const row = await getCase(app.services.readModels, scopeOf(user), caseId)
  if (!row) throw new DomainError('REPORT_NOT_FOUND')
  const state = foldCase(await app.services.store.readStream<ReportEvent>(reportStream(caseId)))
  if (!state) throw new DomainError('REPORT_NOT_FOUND')
  return { row, view: caseView(state), actions: allowedActions(state, user.actor) }
}
