// Routes where an institution names a national ID (the applicant check, the preview, filing) tell it no more than
// "not your staff" about IDs outside its staff, and are rate-limited per institution, so the forms are no oracle of
// who is registered where. The charge is the login limits' atomic one (http/auth/login-throttle.ts).
import type { preHandlerHookHandler } from 'fastify'
import { DomainError, isDomainError } from '../domain/errors.js'
import type { Services } from './services.js'

export function idLookupLimit(services: Services): preHandlerHookHandler {
  return async function limitIdLookups(request) {
    const actor = request.session?.user.actor
    const throttle = services.login?.throttle
    if (!actor || actor.role !== 'institution' || !throttle) return
    try {
      await throttle.charge([`lookup:${actor.institutionCode ?? actor.id}`], services.clock())
    } catch (e) {
      if (!isDomainError(e) || e.code !== 'LOGIN_LOCKED') throw e
      const minutes = Number(e.details.retryAfterMinutes ?? 1)
      throw new DomainError('TOO_MANY_TRIES', { retryAfterMinutes: minutes }, `查詢次數過多，請於 ${minutes} 分鐘後再試`)
    }
  }
}
