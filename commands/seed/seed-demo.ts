// `baobei seed` and `baobei serve --demo`: demo reference data, demo cards, demo cases. Idempotent: every command has
// a fixed command id and case id, so seeding again appends nothing.
import { DEMO_CORRELATION_PREFIX } from './demo-marker.js'
import { nameUuid } from '../../domain/name-uuid.js'
import type { Database } from '../platform/database.js'
import { runMigrations } from '../platform/migrations.js'
import type { Logger } from '../platform/logger.js'
import type { LogPosition } from '../event-store/port.js'
import { registryMigrations } from '../registry/registry-migrations.js'
import { upsertInstitutions, upsertProfessionals } from '../registry/registry.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../registry/demo-registry.js'
import type { CaseService } from '../case-service.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { demoCases, type DemoCase } from './demo-cases.js'
import { seedDemoCards } from './demo-cards.js'
import { seedDemoAccounts } from './demo-accounts.js'
import type { AccountService } from '../accounts/account-service.js'

export interface SeedParts {
  db: Database
  reports: CaseService
  /** 帳號管理: the demo staff accounts are created as account events (with the demo staff cards' serials). */
  accounts?: AccountService
  /** Read-your-writes between steps: the conflict check reads the occurrences read model. */
  waitFor?: (position: LogPosition) => Promise<boolean>
}

/** A stable UUID for a seed key: the same key always names the same case. */
export const seedCaseId = (key: string): string => nameUuid(`seed-case:${key}`)

export async function seedRegistry(db: Database): Promise<void> {
  await runMigrations(db, registryMigrations)
  // through the registry events, marked demo: never overwrites a real (imported) entry
  await upsertInstitutions(db, DEMO_INSTITUTIONS, { kind: 'demo' })
  await upsertProfessionals(db, DEMO_PROFESSIONALS, { kind: 'demo' })
}

async function playCase(parts: SeedParts, c: DemoCase): Promise<void> {
  const caseId = seedCaseId(c.key)
  const terms = { supportedCode: c.supportedCode, department: c.department, purpose: c.purpose, schedule: c.schedule }
  for (const [i, step] of c.steps.entries()) {
    const meta = { commandId: `seed:${c.key}:${i}`, actor: step.by, correlationId: `${DEMO_CORRELATION_PREFIX}${c.key}` }
    const r = await (async () => {
      switch (step.do) {
        case 'draft':
          return parts.reports.draft({ caseId, applicantId: c.applicantId, terms }, meta)
        case 'file':
          return parts.reports.file({ caseId, applicantId: c.applicantId, terms }, meta)
        case 'approve':
          return parts.reports.approve(caseId, step.note ? { note: step.note } : {}, meta)
        case 'reject':
          return parts.reports.reject(caseId, { reason: step.reason }, meta)
        case 'return':
          return parts.reports.return(caseId, { reason: step.reason, fieldsToFix: step.fieldsToFix }, meta)
        case 'change':
          return parts.reports.requestChange(caseId, { terms: { ...terms, schedule: step.schedule }, reason: step.reason }, meta)
        case 'cancel':
          return parts.reports.requestCancellation(caseId, { effectiveDate: step.effectiveDate, reason: step.reason }, meta)
      }
    })()
    if (parts.waitFor) await parts.waitFor(r.position)
  }
}

export interface SeedResult {
  cases: number
  skipped: string[]
  /** Demo cards in the demo PKI (when `pkiDir` was given). */
  cards?: number
}

/**
 * Seeds registry, demo cards (when `pkiDir` is given: the demo PKI there, usually DATA_DIR/pki) and demo cases.
 * A case already seeded (same command ids) appends nothing; a card already issued is kept.
 */
export async function seedDemo(parts: SeedParts, opts: { logger?: Logger; now?: Date; pkiDir?: string } = {}): Promise<SeedResult> {
  await seedRegistry(parts.db)
  const issued = opts.pkiDir ? seedDemoCards(opts.pkiDir) : undefined
  const cards = issued?.length
  if (parts.accounts) await seedDemoAccounts(parts.accounts, { ...(issued ? { cards: issued } : {}), ...(parts.waitFor ? { waitFor: parts.waitFor } : {}) })
  const today = taipeiDate((opts.now ?? new Date()).toISOString())
  const skipped: string[] = []
  for (const c of demoCases(today)) {
    // a seeded case keeps its first terms; on a later day its first command is a duplicate and nothing is appended
    try {
      await playCase(parts, c)
    } catch (e) {
      skipped.push(`${c.key}: ${(e as Error).message}`)
      opts.logger?.warn({ err: e, case: c.key }, 'demo case not seeded')
    }
  }
  return { cases: demoCases(today).length - skipped.length, skipped, ...(cards !== undefined ? { cards } : {}) }
}
