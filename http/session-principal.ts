// The rights of an open session, re-read: role, county and institution come from the registry (today:
// registry_staff, registry_professionals, registry_institutions; the staff-accounts model when it exists), so a
// reviewer moved or removed, or a professional no longer registered, loses those rights without logging out.
// ONE function, the session layer's only view of "who is this user now" (http/session.ts calls it every few minutes).
import type { Sql } from '../commands/platform/database.js'
import { findInstitution, findProfessional, findStaff } from '../commands/registry/registry.js'
import type { Actor } from '../domain/types.js'
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
  if (a.role === 'reviewer' || a.role === 'statistician') {
    const s = await findStaff(db, a.id)
    if (!s) return undefined
    const { county: _was, ...rest } = a
    const actor: Actor = { ...rest, role: s.role, ...(s.county ? { county: s.county } : {}) }
    return { ...user, actor }
  }
  return user
}
