// Who did a step of a case, as the history's 操作者 column shows it: a name (the event's actor snapshot, else the
// registry), the role and the card used, and an id that is never a raw national ID (masked A1234XXXX9, as
// everywhere on screens).
import type { Sql } from '../../commands/platform/database.js'
import { findInstitution, findProfessional, findStaff } from '../../commands/registry/registry.js'
import { maskPersonId } from '../../domain/national-id.js'
import type { Actor, AuthMethod, Role } from '../../domain/types.js'

export const ROLE_LABEL: Readonly<Record<Role, string>> = {
  professional: '醫事人員',
  institution: '醫事機構',
  reviewer: '衛生局審查人員',
  statistician: '衛福部統計人員',
  bureau_admin: '衛生局系統管理者',
  admin: '衛福部系統管理者',
  operator: '系統維運人員',
  system: '系統',
}

export const CARD_LABEL: Readonly<Record<AuthMethod, string>> = {
  'hca-professional-card': '醫事人員卡',
  'hca-institution-card': '機構卡',
  'staff-card': '人員憑證卡',
  'nhi-card-password': '健保卡',
  'nhi-cardless-otp': '健保卡號＋簡訊驗證',
  cli: '系統（命令列）',
  system: '系統',
}

export interface ActorShown {
  name: string
  /** Masked when it is a person's ID; institution codes and staff ids as they are. */
  id: string
  role: string
  card: string
}

/** A national or resident ID (new and old forms): shown masked wherever it turns up. */
const PERSON_ID = /^[A-Z][12ABCD89]\d{8}$/i

export const actorKey = (a: Pick<Actor, 'role' | 'id'>) => `${a.role}:${a.id}`

export function showActor(actor: Actor, names: ReadonlyMap<string, string> = new Map()): ActorShown {
  const role = ROLE_LABEL[actor.role] ?? actor.role
  const name = actor.name?.trim() || names.get(actorKey(actor)) || (actor.role === 'system' ? '系統' : `（${role}，姓名未登錄）`)
  return {
    name,
    id: actor.role === 'professional' || PERSON_ID.test(actor.id) ? maskPersonId(actor.id) : actor.id,
    role,
    card: CARD_LABEL[actor.via] ?? actor.via,
  }
}

/**
 * Names of the actors whose events carry none: the case's own applicant (known from its snapshot), then the
 * registry (professionals, institutions, bureau staff). One lookup per distinct actor.
 */
export async function actorNames(db: Sql | undefined, actors: readonly Actor[], known: readonly { role: Role; id: string; name: string }[] = []): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for (const k of known) if (k.name) names.set(actorKey(k), k.name)
  const missing = new Map<string, Actor>()
  for (const a of actors) if (!a.name?.trim() && !names.has(actorKey(a))) missing.set(actorKey(a), a)
  if (!db) return names
  for (const [key, a] of missing) {
    let name: string | undefined
    if (a.role === 'professional') name = (await findProfessional(db, a.id.toUpperCase()))?.name
    else if (a.role === 'institution') name = (await findInstitution(db, a.id))?.name
    else if (a.role === 'reviewer' || a.role === 'statistician') name = (await findStaff(db, a.id))?.name
    if (name) names.set(key, name)
  }
  return names
}
