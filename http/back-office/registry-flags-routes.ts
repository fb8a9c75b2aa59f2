// 登錄異動待查 (the reviewers' worklist of running approved supports whose registry facts changed underneath them),
// and the registry lines of a case file: its concerns now, and what the registry said when the case was decided.
import { professionalOn, type InForce } from '../../commands/registry/registry-history.js'
import type { ProfessionalFacts } from '../../domain/registry/facts.js'
import { taipeiDate } from '../../domain/roc-date.js'
import type { CaseView } from '../../projections/case-view.js'
import { registryFlags, type RegistryFlag } from '../../projections/queries/registry-flags.js'
import type { App } from '../schemas.js'
import { BASE, boPage, readModelsOf, scopeFor, staffOnly } from './context.js'

export async function registerRegistryFlagRoutes(app: App) {
  app.get(`${BASE}/registry-flags`, { onRequest: staffOnly }, async (request, reply) => {
    const scope = scopeFor(request)
    const today = taipeiDate(app.services.clock().toISOString())
    const flags = await registryFlags(readModelsOf(app), { today, ...(scope.kind === 'county' ? { county: scope.county } : {}) })
    return boPage(request, reply, 'back-office/registry-flags.eta', { title: '登錄異動待查', flags, today })
  })
}

export interface CaseRegistryLines {
  flags: RegistryFlag[]
  /** The applicant's registry facts on the day of the last decision (or filing), when the registry knew them. */
  then?: InForce<ProfessionalFacts> & { day: string }
}

/** For the case file page; nothing when the services are not there. */
export async function caseRegistryLines(app: App, view: CaseView): Promise<CaseRegistryLines> {
  const rm = app.services.readModels
  const db = app.services.db
  const today = taipeiDate(app.services.clock().toISOString())
  const flags = rm ? await registryFlags(rm, { today, caseId: view.caseId, limit: 1 }) : []
  const at = view.decidedAt ?? view.approvedAt ?? view.submittedAt
  if (!db || !at) return { flags }
  const day = taipeiDate(at)
  const then = await professionalOn(db, view.applicant.nationalId, day)
  return { flags, ...(then ? { then: { ...then, day } } : {}) }
}
