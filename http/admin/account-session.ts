// A staff session's rights are re-read from its account (帳號管理) at every request: a disabled account's sessions
// end at their next request, and a reviewer moved to another county (or given another role) acts with the new
// county and role from the next request on. Sessions of principals that no account manages (professionals,
// institutions) are left alone; so is a staff session whose id no account has (only the test harness opens those:
// a card login requires an account).
import type { App } from '../schemas.js'
import { findAccount } from '../../commands/accounts/find-account.js'
import { isStaffRole } from '../../domain/accounts/account.js'

export function installAccountRefresh(app: App): void {
  app.addHook('onRequest', async (request) => {
    const s = request.session
    if (!s || !isStaffRole(s.user.actor.role)) return
    const actor = s.user.actor
    const account = await findAccount(app.services.readModels, actor.id)
    if (!account) return
    if (account.disabled) {
      await app.sessions.store.delete(s.id)
      request.session = undefined
      request.sessionExpired = true
      request.log.info({ accountId: account.accountId }, 'session ended: the account is disabled')
      return
    }
    const county = account.county ?? undefined
    if (account.role === actor.role && county === actor.county && account.name === actor.name) return
    const { county: _old, ...rest } = actor
    s.user = { ...s.user, name: account.name, actor: { ...rest, role: account.role, name: account.name, ...(county ? { county } : {}) } }
    await app.sessions.store.set(s)
  })
}
