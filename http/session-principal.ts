// The rights of an open session, re-read: a professional's or an institution's from the registry, so one no longer
// registered loses those rights without logging out. Staff rights come from their account, re-read at every
// request (http/admin/account-session.ts).
// ONE function, the session layer's only view of "who is this user now" (http/session.ts calls it every few minutes).
import type { Sql } from '../commands/platform/database.js'
import { findInstitution, findProfessional } from '../commands/registry/registry.js'
import type { SessionUser } from './session-store.js'

/** The user as the registry says now, or undefined when the user no longer holds any right to a session. */
export async function refreshPrincipal(db: Sql, user: SessionUser): Promise<SessionUser | undefined> {
  const a = user.actor
  if (a.role === 'professional') {
    const p = await findProfessional(db, a.id)
    const home = p ? await findInstitution(db, p.homeInstitutionCode) : undefined
    if (!p || !home) return undefined
    return { ...user, actor: { ...a, institutionCode: home.code }, institution: { code: home.code, name: home.name } }
  }
  if (a.role === 'institution') {
    const inst = await findInstitution(db, a.institutionCode ?? a.id)
    if (!inst) return undefined
    return { ...user, institution: { code: inst.code, name: inst.name } }
  }
  // staff sessions: their account (帳號管理) is re-read at every request by http/admin/account-session.ts
  return user
}
